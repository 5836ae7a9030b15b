"""A question about a cell product that asks about regulation or trials in patients is not answered from records
that speak of neither."""

import pytest

from rag.answer.intent_coverage import asked_intents, intent_gap
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

RAT_STUDY = synthetic_evidence(
    "90000601",
    "Synthetic MSC exosomes eased made-up cartilage damage in invented rats with knee injury.",
    title="Synthetic record 90000601: made-up MSC exosomes in invented rat knees",
)
GUIDANCE = synthetic_evidence(
    "90000602",
    "This invented position paper sets out GMP release criteria and regulatory requirements for made-up MSC exosomes.",
    title="Synthetic record 90000602: invented regulatory guidance for made-up exosome products",
)
TRIAL = synthetic_evidence(
    "90000603",
    "In this synthetic phase 1 trial, 20 made-up patients received invented MSC exosomes without serious events.",
    title="Synthetic record 90000603: an invented first-in-human exosome trial",
)


@pytest.mark.parametrize(
    ("question", "intents"),
    [
        ("What regulatory hurdles face MSC-derived extracellular vesicle therapeutics?", ["regulation"]),
        ("Which GMP release criteria apply to secretome products?", ["regulation"]),
        ("Which clinical trials have tested MSC exosomes?", ["trials in patients"]),
        ("Have exosomes from stem cells been tested in patients with invented knee damage?", ["trials in patients"]),
        ("How do exosomes act on regulatory T cells?", []),  # immune cells, not regulation
        ("Which antibodies has the FDA approved against made-up toxin B?", []),  # not about a cell product
        ("How do MSC exosomes ease cartilage damage in rats?", []),
    ],
)
def test_which_intents_a_question_asks(question, intents):
    assert [intent for intent, _ in asked_intents(question)] == intents


def test_a_cited_record_must_speak_of_what_the_question_asks():
    regulatory = "What regulatory requirements apply to made-up MSC exosomes?"
    assert "regulation" in intent_gap(regulatory, [RAT_STUDY])
    assert intent_gap(regulatory, [RAT_STUDY, GUIDANCE]) is None
    trials = "Which clinical trials have tested invented MSC exosomes?"
    assert "trials in patients" in intent_gap(trials, [RAT_STUDY, GUIDANCE])
    assert intent_gap(trials, [TRIAL]) is None
    assert intent_gap("How do MSC exosomes ease made-up cartilage damage?", [RAT_STUDY]) is None


@pytest.fixture(scope="module")
def rat_index(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("rats") / "data", [RAT_STUDY], embedder)


@pytest.mark.parametrize("intent_coverage", [True, False])
def test_a_regulatory_question_over_an_animal_study_is_refused(rat_index, tmp_path, embedder, intent_coverage):  # noqa: F811
    answerer = answerer_with(rat_index, embedder, tmp_path, intent_coverage=intent_coverage)
    answer = answerer.ask(
        "What regulatory hurdles face synthetic MSC exosomes for made-up cartilage damage in knees?",
        backend="extractive",
    )
    if intent_coverage:
        assert answer.refused
        assert any("asks about regulation" in w for w in answer.warnings), answer.warnings
        assert "90000601" in answer.answer, "the refusal still lists the nearest record"
    else:
        assert not answer.refused, answer.warnings
        assert [c.pmid for c in answer.citations] == ["90000601"]
