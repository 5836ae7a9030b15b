"""A question about stem or stromal cells is not answered from records that never name such cells."""

import pytest

from rag.answer.stem_cell_coverage import STEM_CELLS_MISSING, covers_stem_cells, names_stem_cells
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

SERUM_STUDY = synthetic_evidence(
    "90000401",
    "Invented irradiation changed the synthetic microRNA load of made-up serum vesicles in imaginary patients.",
    title="Synthetic record 90000401: made-up serum vesicle microRNAs after invented irradiation",
)
STROMAL_STUDY = synthetic_evidence(
    "90000402",
    "Synthetic vesicles from made-up mesenchymal stromal cells carried the invented microRNA miR-9999 into wounds.",
    title="Synthetic record 90000402: invented microRNAs of made-up stromal cell vesicles",
)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Which microRNAs in MSC extracellular vesicles matter?", True),
        ("Do hUC-MSCs or BM-MSCs help invented knees?", True),
        ("Are ADSC exosomes safe?", True),
        ("Are hiPSC-derived cells safe?", True),
        ("Are amniotic fluid stem cells a source of secreted factors?", True),
        ("Do mesenchymal stromal cells home to made-up wounds?", True),
        ("Does HSC activation drive invented liver fibrosis?", False),  # hepatic stellate cells as often as not
        ("What do the ESC guidelines say?", False),  # a cardiology society
        ("Is the stromal compartment of invented tumours dense?", False),
        ("Which cells secrete lactotransferrin?", False),
    ],
)
def test_which_questions_name_stem_or_stromal_cells(question, named):
    assert names_stem_cells(question) is named


def test_coverage_needs_one_cited_record_that_names_stem_or_stromal_cells():
    question = "Which microRNAs in MSC extracellular vesicles help made-up wounds heal?"
    assert not covers_stem_cells(question, [SERUM_STUDY])
    assert covers_stem_cells(question, [SERUM_STUDY, STROMAL_STUDY])
    abbreviated = synthetic_evidence("90000403", "Invented BMSCs were cultured in made-up medium.", title="Synthetic")
    assert covers_stem_cells(question, [abbreviated])
    assert covers_stem_cells("Which microRNAs do made-up serum vesicles carry?", [SERUM_STUDY]), "no cells named"


@pytest.fixture(scope="module")
def serum_index(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("serum") / "data", [SERUM_STUDY], embedder)


@pytest.mark.parametrize("stem_cell_coverage", [True, False])
def test_a_stem_cell_question_over_evidence_without_stem_cells_is_refused(
    serum_index, tmp_path, embedder, stem_cell_coverage  # noqa: F811
):
    answerer = answerer_with(serum_index, embedder, tmp_path, stem_cell_coverage=stem_cell_coverage)
    answer = answerer.ask(
        "Does invented irradiation change the microRNA load of made-up MSC serum vesicles?", backend="extractive"
    )
    if stem_cell_coverage:
        assert answer.refused
        assert f"refused: {STEM_CELLS_MISSING}" in answer.warnings
        assert not answer.citations
        assert "90000401" in answer.answer, "the refusal still lists the nearest record"
    else:
        assert not answer.refused, answer.warnings
        assert [c.pmid for c in answer.citations] == ["90000401"]


def test_the_same_evidence_answers_a_question_that_names_no_stem_cells(serum_index, tmp_path, embedder):  # noqa: F811
    answer = answerer_with(serum_index, embedder, tmp_path).ask(
        "Does invented irradiation change the microRNA load of made-up serum vesicles?", backend="extractive"
    )
    assert not answer.refused, answer.warnings
    assert [c.pmid for c in answer.citations] == ["90000401"]
