"""A factoid or list question becomes a "yes" about its answer and a "no" about another entity its evidence names."""

import random

from train.factoid_contrast import common_phrases, contrast_pairs, entity_vocabulary, names

CONTEXT = (
    "Synthetic gene ZZQ1 is mutated in made-up Fictus syndrome in every family studied. "
    "The invented kinase QQK7 was measured as a control and was normal in all made-up patients."
)
FACTOID = {
    "id": "synthetic-1",
    "category": "bioasq-factoid",
    "question": "Which gene is mutated in made-up Fictus syndrome?",
    "key_facts": [["ZZQ1", "ZZQ-1"]],
}


def pairs_for(question=FACTOID, context=CONTEXT, vocabulary=frozenset({"QQK7", "ZZQ-1", "XXB9"})):
    return contrast_pairs(question, context, set(vocabulary), random.Random(13))


def test_a_factoid_gives_a_yes_about_its_answer_and_a_no_about_an_entity_the_evidence_also_names():
    yes, no = pairs_for()
    assert (yes.query, yes.label) == ("Which gene is mutated in made-up Fictus syndrome: is it ZZQ1?", 1.0)
    assert (no.query, no.label) == ("Which gene is mutated in made-up Fictus syndrome: is it QQK7?", 0.0)
    assert yes.text == no.text and "ZZQ1" in yes.text and "QQK7" in yes.text, "both read the same evidence"


def test_a_distractor_must_be_named_by_the_evidence_and_must_not_be_a_spelling_of_the_answer():
    # "XXB9" is not in the evidence and "ZZQ-1" is the answer spelled apart: no "no" can be made
    assert pairs_for(vocabulary={"XXB9", "ZZQ-1"}) == []


def test_no_pairs_when_the_evidence_does_not_name_the_answer():
    assert pairs_for(context=CONTEXT.replace("ZZQ1", "a gene")) == []


def test_a_list_question_asks_whether_the_entity_is_one_of_them():
    listed = {
        **FACTOID,
        "category": "bioasq-list",
        "question": "Which genes are studied in Fictus syndrome?",
        "key_facts": [["ZZQ1"], ["PPL3"]],
    }
    yes, no = pairs_for(question=listed)
    assert yes.query.endswith(": is ZZQ1 one of them?") and no.query.endswith(": is QQK7 one of them?")


def test_only_factoid_and_list_questions_with_their_answers_count():
    assert pairs_for(question={**FACTOID, "category": "bioasq-summary"}) == []
    assert pairs_for(question={**FACTOID, "key_facts": [["ZZQ1"], ["QQK7"]]}) == [], "a factoid has one answer"


def test_the_vocabulary_is_answer_phrases_of_entity_length_and_common_words_are_dropped():
    vocabulary = entity_vocabulary(
        [
            FACTOID,
            {"category": "bioasq-list", "key_facts": [["ab"], ["Clinical"]]},
            {"category": "bioasq-yesno", "key_facts": [["PPL3"]]},
        ]
    )
    assert vocabulary == {"ZZQ1", "ZZQ-1", "Clinical"}
    texts = ["clinical notes"] * 3 + ["ZZQ1 once"] + ["nothing"] * 96
    assert common_phrases(vocabulary, texts, max_share=0.02) == {"Clinical"}


def test_names_means_whole_words():
    assert names("the ZZQ1 gene", "zzq1") and not names("the ZZQ12 gene", "ZZQ1")
