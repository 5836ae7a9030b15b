"""Polarity-flipped verdict examples, on synthetic sentences."""

import pytest

from train.data import Pair
from train.negation import flipped

QUESTION = "Does zorblin conditioned medium heal imaginary wounds?"


def pair(text: str, label: float) -> Pair:
    return Pair(QUESTION, text, label, kind="passage")


@pytest.mark.parametrize(
    ("conclusion", "negated"),
    [
        ("Zorblin medium is effective for imaginary wounds.", "Zorblin medium is not effective for imaginary wounds."),
        ("Zorblin medium can heal imaginary wounds.", "Zorblin medium cannot heal imaginary wounds."),
        ("Zorblin medium may heal imaginary wounds.", "Zorblin medium may not heal imaginary wounds."),
        ("Zorblin medium has been shown to heal wounds.", "Zorblin medium has not been shown to heal wounds."),
        ("Zorblin medium significantly healed wounds.", "Zorblin medium not significantly healed wounds."),
        ("Zorblin medium improved imaginary wound healing.", "Zorblin medium did not improve imaginary wound healing."),
    ],
)
def test_a_yes_conclusion_is_negated_and_becomes_a_no(conclusion, negated):
    out = flipped(pair(f"Synthetic background about zorblin cells. {conclusion}", 1.0))
    assert out is not None
    assert out.text == f"Synthetic background about zorblin cells. {negated}"
    assert out.label == 0.0 and out.query == QUESTION and out.kind == "passage"


@pytest.mark.parametrize(
    ("conclusion", "affirmed"),
    [
        ("Zorblin medium does not heal imaginary wounds.", "Zorblin medium does heal imaginary wounds."),
        ("Zorblin medium cannot heal imaginary wounds.", "Zorblin medium can heal imaginary wounds."),
        (
            "There was no significant healing with zorblin medium.",
            "There was a significant healing with zorblin medium.",
        ),
        ("Healing was not associated with zorblin medium.", "Healing was associated with zorblin medium."),
        ("Zorblin medium failed to heal imaginary wounds.", "Zorblin medium was able to heal imaginary wounds."),
    ],
)
def test_a_no_conclusion_loses_its_negation_and_becomes_a_yes(conclusion, affirmed):
    out = flipped(pair(conclusion, 0.0))
    assert out is not None and out.text == affirmed and out.label == 1.0


def test_of_the_last_two_sentences_the_one_closest_to_the_question_is_flipped():
    text = (
        "Zorblin cells were grown in synthetic flasks. Kettles were measured as well. "
        "Zorblin conditioned medium was found to heal imaginary wounds."
    )
    out = flipped(pair(text, 1.0))
    assert out is not None
    assert out.text == (
        "Zorblin cells were grown in synthetic flasks. Kettles were measured as well. "
        "Zorblin conditioned medium was not found to heal imaginary wounds."
    )


def test_a_sentence_that_does_not_speak_to_the_question_is_never_flipped():
    text = "Zorblin medium was effective. Kettles were measured. Teapots boiled over."
    assert flipped(pair(text, 1.0)) is None


def test_earlier_sentences_are_never_touched_and_unknown_forms_give_nothing():
    text = "Zorblin medium was effective in a pilot. Results unclear. Further synthetic work needed."
    assert flipped(pair(text, 1.0)) is None
    assert flipped(pair("", 1.0)) is None


def test_verdict_training_flips_pubmedqa_pairs_only_when_asked():
    from eval.splits import split_of
    from train import verdict
    from train.sources import SharedData

    ids = [i for i in (f"pqa-synthetic-{n}" for n in range(40)) if split_of(i) == "train"][:4]
    pubmedqa = [
        {
            "id": qid,
            "question": QUESTION,
            "exact_answer": "yes",
            "gold_pmids": [],
            "ideal_answer": "Zorblin conditioned medium was effective for imaginary wounds.",
        }
        for qid in ids
    ]
    shared = SharedData(records={}, bioasq=[], pubmedqa=pubmedqa)

    plain = verdict.training_pairs(shared)
    with_flips = verdict.training_pairs(shared, recipe=verdict.RECIPES["verdict-polarity"])

    assert [p.label for p in plain] == [1.0] * len(ids)
    assert [p.label for p in with_flips] == [1.0, 0.0] * len(ids)
    assert with_flips[1].text == "Zorblin conditioned medium was not effective for imaginary wounds."
