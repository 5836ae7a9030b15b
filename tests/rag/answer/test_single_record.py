"""A yes/no answer rests on one record that names everything the question names."""

import pytest

from core.settings import AnswerSettings
from rag.answer.single_record import (
    NO_SINGLE_RECORD,
    covering_records,
    covers_question,
    rests_on_one_record,
)
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

JOINT_VESICLES = synthetic_evidence(
    "90000501",
    "Synthetic MSC exosomes eased made-up osteoarthritis in the invented knee joints of imaginary rats.",
    title="Synthetic record 90000501: made-up stromal cell exosomes in invented osteoarthritis",
)
AIRWAY_VESICLES = synthetic_evidence(
    "90000502",
    "Synthetic airway exosomes from made-up epithelium drove invented asthma in imaginary mice.",
    title="Synthetic record 90000502: invented airway exosomes in made-up asthma",
)
AIRWAY_MSC_VESICLES = synthetic_evidence(
    "90000503",
    "Synthetic MSC exosomes calmed made-up asthma in the invented airways of imaginary mice.",
    title="Synthetic record 90000503: made-up stromal cell exosomes in invented asthma",
)
QUESTION = "Do MSC exosomes calm asthma?"


def test_one_record_must_name_the_product_the_cells_and_the_disease_area():
    assert not rests_on_one_record(QUESTION, [JOINT_VESICLES, AIRWAY_VESICLES]), "stitched from two records"
    assert rests_on_one_record(QUESTION, [JOINT_VESICLES, AIRWAY_MSC_VESICLES])
    assert rests_on_one_record("Do the invented exosomes calm asthma?", [AIRWAY_VESICLES]), "no cells asked about"
    # a coverage rule turned off is not asked of one record either
    assert rests_on_one_record(QUESTION, [JOINT_VESICLES, AIRWAY_VESICLES], facets=False)
    assert not rests_on_one_record(QUESTION, [AIRWAY_VESICLES], facets=False)
    assert rests_on_one_record(QUESTION, [AIRWAY_VESICLES], facets=False, stem_cells=False)


@pytest.fixture(scope="module")
def stitched_index(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("stitched") / "data", [JOINT_VESICLES, AIRWAY_VESICLES], embedder)


@pytest.mark.parametrize("single_record", [True, False])
def test_a_yes_no_answer_stitched_from_two_records_is_refused(stitched_index, tmp_path, embedder, single_record):  # noqa: F811
    answerer = answerer_with(stitched_index, embedder, tmp_path, yes_no_single_record=single_record)
    answer = answerer.ask("Do synthetic MSC exosomes calm invented asthma in imaginary mice?", backend="extractive")
    if single_record:
        assert answer.refused
        assert f"refused: {NO_SINGLE_RECORD}" in answer.warnings
    else:
        assert not answer.refused, answer.warnings
        assert {c.pmid for c in answer.citations} == {"90000501", "90000502"}


def test_each_record_is_asked_on_its_own_what_the_question_names():
    rules = AnswerSettings()
    assert not covers_question(QUESTION, JOINT_VESICLES, rules), "names MSC exosomes, not asthma"
    assert not covers_question(QUESTION, AIRWAY_VESICLES, rules), "names asthma, not MSCs"
    assert covers_question(QUESTION, AIRWAY_MSC_VESICLES, rules)
    rules.facet_coverage = False
    assert covers_question(QUESTION, JOINT_VESICLES, rules), "a rule turned off is not asked"


def test_covering_records_are_those_that_cover_or_all_when_none_does():
    rules = AnswerSettings()
    stitched = [JOINT_VESICLES, AIRWAY_VESICLES, AIRWAY_MSC_VESICLES]
    assert covering_records(QUESTION, stitched, rules) == {"90000503"}
    assert covering_records(QUESTION, stitched[:2], rules) == {"90000501", "90000502"}


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory, embedder):  # noqa: F811
    evidence = [AIRWAY_VESICLES, AIRWAY_MSC_VESICLES]
    return build_index(tmp_path_factory.mktemp("mixed") / "data", evidence, embedder)


@pytest.mark.parametrize("covering_only", [True, False])
def test_an_answer_can_keep_only_the_records_that_cover_the_question(mixed_index, tmp_path, embedder, covering_only):  # noqa: F811
    answerer = answerer_with(mixed_index, embedder, tmp_path, cite_covering_records=covering_only)
    answer = answerer.ask("How do synthetic MSC exosomes act on invented asthma in imaginary mice?", backend="extractive")
    assert not answer.refused, answer.warnings
    cited = {c.pmid for c in answer.citations}
    assert cited == ({"90000503"} if covering_only else {"90000502", "90000503"})
