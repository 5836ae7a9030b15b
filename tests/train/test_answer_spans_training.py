"""Training data for the answer tagger: which sentences each question brings and how they are tagged, on a
small synthetic corpus (the real BM25 picks the distractors)."""

import random

from train.answer_spans import cases, fact_found, training_examples
from train.negatives import Bm25
from train.sources import SharedData

RECORDS = {
    "1": {
        "pmid": "1",
        "title": "Synthetic gold",
        "abstract": "Synthetic zorblin cells secrete the QX-1 factor and the QX-2 factor. "
        "Synthetic zorblin cells were counted in every synthetic flask.",
    },
    "2": {
        "pmid": "2",
        "title": "Synthetic decoy",
        "abstract": "Synthetic zorblin cells secrete nothing in this synthetic decoy study. "
        "Weather patterns over synthetic lakes were recorded daily.",
    },
    "3": {
        "pmid": "3",
        "title": "Synthetic filler",
        "abstract": "Teapots and synthetic kettles were painted blue in the morning.",
    },
}
QUESTION = {
    "id": "synthetic-q1",
    "question": "Which factors do synthetic zorblin cells secrete?",
    "category": "bioasq-list",
    "gold_pmids": ["1"],
    "key_facts": [["QX-1 factor", "QX-1"], ["QX-2 factor"]],
}
SHARED = SharedData(RECORDS, [QUESTION, {**QUESTION, "id": "synthetic-q2", "category": "bioasq-summary"}], [])


def test_a_question_brings_its_answering_sentences_tagged_and_a_distractor_from_bm25() -> None:
    examples = training_examples(SHARED, Bm25(RECORDS), "test", random.Random(13))  # short lists are all "test"
    by_sentence = {e.sentence: e for e in examples}
    answering = by_sentence["Synthetic zorblin cells secrete the QX-1 factor and the QX-2 factor."]
    assert [answering.sentence[s:e] for s, e in answering.spans] == ["QX-1 factor", "QX-2 factor"]
    assert by_sentence["Synthetic zorblin cells were counted in every synthetic flask."].spans == []
    assert by_sentence["Synthetic zorblin cells secrete nothing in this synthetic decoy study."].spans == []
    assert {e.question for e in examples} == {QUESTION["question"]}, "only factoid and list questions train it"


def test_held_out_cases_read_gold_and_distractor_sentences_and_facts_count_as_key_fact_recall_does() -> None:
    (case,) = cases(SHARED, Bm25(RECORDS), "test")
    assert case.form == "bioasq-list" and len(case.sentences) >= 3
    assert fact_found(["QX-1"], ["the qx-1 factor"]) and not fact_found(["QX-2 factor"], ["QX-2"])
