"""The pure parts of `train/` and `eval/splits.py`, on small synthetic records (no model, no corpus)."""

import random

import numpy as np

from eval.splits import GATE_SIZE, select, split_of, splits_for
from rag.models.text import passage, tail
from train import data, metrics

GOLD = [
    {
        "pmid": "1",
        "title": "Synthetic gold record",
        "abstract": "Zorblin cells secrete the synthetic factor QX-1 in large amounts. … "
        "The synthetic factor QX-1 heals imaginary wounds in test animals.",
    }
]
HARD = [
    {
        "pmid": str(i),
        "title": f"Synthetic decoy {i}",
        "abstract": f"Decoy sentence number {i} mentions zorblin cells without any factor. "
        f"An unrelated synthetic filler sentence {i} about weather patterns.",
    }
    for i in range(2, 8)
]
RANDOM = [{"pmid": "99", "title": "", "abstract": "A random synthetic sentence about teapots and kettles."}]


def test_split_of_is_deterministic_and_roughly_70_10_20():
    ids = [f"synthetic-{i}" for i in range(5000)]
    splits = [split_of(i) for i in ids]
    assert splits == [split_of(i) for i in ids]
    shares = {s: splits.count(s) / len(ids) for s in ("train", "validation", "test")}
    assert abs(shares["train"] - 0.7) < 0.03 and abs(shares["validation"] - 0.1) < 0.02
    assert abs(shares["test"] - 0.2) < 0.03


def test_gate_questions_are_always_test_and_pubmedqa_is_never_gated():
    questions = [{"id": f"pqa-{i}"} for i in range(5)] + [{"id": f"synthetic-{i}"} for i in range(GATE_SIZE + 300)]
    assigned = splits_for(questions)
    bioasq = [q["id"] for q in questions if not q["id"].startswith("pqa-")]
    assert all(assigned[i] == "test" for i in bioasq[:GATE_SIZE])
    assert all(assigned[i] == split_of(i) for i in bioasq[GATE_SIZE:])
    assert all(assigned[f"pqa-{i}"] == split_of(f"pqa-{i}") for i in range(5))
    assert {q["id"] for q in select(questions, "test")} >= set(bioasq[:GATE_SIZE])


def test_training_sentences_are_the_project_splitter_s_within_size_limits():
    text = "BACKGROUND: Cells e.g. fibroblasts secrete 1.5 ng of QX-1 in culture. Short. … Another synthetic snippet here"
    assert data.usable_sentences(text) == [
        "Cells e.g. fibroblasts secrete 1.5 ng of QX-1 in culture.",
        "Another synthetic snippet here",
    ]


def test_tail_keeps_the_end_at_a_word_boundary():
    text = " ".join(f"w{i}" for i in range(400))
    cut = tail(text, 50)
    assert len(cut) <= 50 and text.endswith(cut) and cut.startswith("w")
    assert tail("short text") == "short text"
    assert passage("A title", "Body.") == "A title. Body."


def test_hardest_sentence_prefers_shared_content_words():
    sentences = ["Nothing in common here at all.", "Zorblin cells secrete QX-1 factor."]
    assert data.hardest_sentence("Do zorblin cells secrete QX-1?", sentences) == sentences[1]
    assert data.hardest_sentence("anything", []) is None


def test_relevance_pairs_label_gold_positive_and_decoys_negative():
    rng = random.Random(0)
    pairs = data.relevance_pairs("Which factor do zorblin cells secrete?", GOLD, HARD, RANDOM, rng)
    gold_text = GOLD[0]["abstract"]
    for pair in pairs:
        if pair.kind == "sentence":
            assert (pair.text in gold_text) == (pair.label == 1.0)
    assert {p.kind for p in pairs} == {"sentence", "passage"}
    assert sum(p.label for p in pairs) == 3  # two gold sentences and one gold passage
    assert all(p.text.startswith("Synthetic") for p in pairs if p.kind == "passage")


def test_sentence_candidates_put_positives_first():
    cands = data.sentence_candidates("Which factor?", GOLD, HARD, RANDOM, random.Random(0))
    assert cands.labels[:2] == [1, 1] and set(cands.labels[2:]) == {0}
    assert len(cands.texts) == len(cands.labels)
    assert data.sentence_candidates("Which factor?", [], HARD, RANDOM, random.Random(0)) is None


def test_verdict_examples_for_both_sources():
    records = {"1": GOLD[0], "5": {"pmid": "5", "title": "T", "abstract": "Methods were synthetic. Yes it works."}}
    bioasq = {"id": "synthetic-1", "question": "Does QX-1 heal?", "gold_pmids": ["1"], "exact_answer": "yes"}
    pqa = {
        "id": "pqa-5",
        "question": "Does it work?",
        "gold_pmids": ["5"],
        "exact_answer": "no",
        "ideal_answer": "It does not work in synthetic tests.",
    }
    (b,) = data.verdict_examples(bioasq, records)
    assert b.label == 1.0 and "QX-1" in b.text
    p = data.verdict_examples(pqa, records)
    assert [x.label for x in p] == [0.0, 0.0] and p[0].text == pqa["ideal_answer"] and "works" in p[1].text
    assert data.verdict_examples({**pqa, "exact_answer": None}, records) == []


def test_ranked_context_keeps_document_order_of_the_top_sentences():
    assert data.ranked_context(["a one.", "b two.", "c three."], [0.1, 0.9, 0.5], top=2) == "b two. c three."


def test_metrics():
    assert metrics.reciprocal_rank(np.array([0.1, 0.9, 0.5]), np.array([0, 0, 1])) == 0.5
    assert metrics.auc(np.array([0.1, 0.9, 0.5, 0.5]), np.array([0, 1, 1, 0])) == 0.875
    assert metrics.accuracy([1, 0, 1], [1, 1, 1]) == 2 / 3
    assert metrics.majority_accuracy([1, 1, 0, 1]) == 0.75


def test_random_reciprocal_rank():
    assert abs(metrics.random_reciprocal_rank(3, 1) - (1 + 1 / 2 + 1 / 3) / 3) < 1e-12
    assert metrics.random_reciprocal_rank(2, 2) == 1.0


def test_answer_phrases_are_found_as_whole_words_longest_first_without_overlap():
    sentence = "Zorblin-7 and the QX-1 factor, unlike QX-12, bind zorblin receptors."
    spans = data.answer_phrase_spans(sentence, ["QX-1", "QX-1 factor", "zorblin", "Zorblin-7"])
    assert [sentence[s:e] for s, e in spans] == ["Zorblin-7", "QX-1 factor", "zorblin"]


def test_answer_phrases_absent_from_the_sentence_give_no_span():
    assert data.answer_phrase_spans("Nothing synthetic answers here.", ["QX-1", ""]) == []


def test_token_tags_mark_first_and_following_answer_tokens_and_ignore_the_question():
    # question tokens (sequence 0), special tokens (None), then "QX factor heals" with "QX factor" the answer
    offsets = [(0, 0), (0, 4), (0, 0), (0, 2), (3, 9), (10, 15), (0, 0)]
    sequence_ids = [None, 0, None, 1, 1, 1, None]
    assert data.tag_tokens(offsets, sequence_ids, [(0, 9)]) == [-100, -100, -100, 1, 2, 0, -100]
