"""A question about a cell-free product is not answered from records that never mention one."""

import pytest

from rag.answer.answerer import Answerer
from rag.answer.product_coverage import PRODUCT_MISSING, covers_product, names_product, product_evidence
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

PIG_STUDY = synthetic_evidence(
    "90000301",
    "In made-up pigs, the invented drug Fictolol reduced infarct size by a synthetic 30 percent.",
    "Synthetic infarct size was measured by imaginary imaging after four invented weeks.",
    title="Synthetic record 90000301: an invented drug and infarct size in made-up pigs",
)
VESICLE_STUDY = synthetic_evidence(
    "90000302",
    "Synthetic extracellular vesicles from made-up stromal cells reduced infarct size in invented rats.",
    title="Synthetic record 90000302: made-up vesicles after an invented infarction",
)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Do MSC exosomes reduce infarct size?", True),
        ("Are EVs from cord MSCs safe?", True),
        ("Does the adipose MSC secretome raise VEGF?", True),
        ("Is conditioned media from amniotic cells dose dependent?", True),
        ("What risks does a cell-free therapy avoid?", True),  # the review's own words for the product
        ("Which paracrine factors of made-up stromal cells heal wounds?", True),
        ("Are invented cells a source of secreted factors?", True),
        ("Do MSCs reduce infarct size?", False),
        ("Is cell-free DNA a marker of invented tumours?", False),  # "cell-free" alone is no product
        ("Which proteins are secreted by fibroblasts?", False),  # secretion is no product
        ("Do the cells have an ev marker?", False),  # "ev" in lower case is no abbreviation
    ],
)
def test_which_questions_name_a_cell_free_product(question, named):
    assert names_product(question) is named


def test_coverage_needs_one_cited_record_that_mentions_a_product_or_secretion():
    question = "Do MSC exosomes reduce infarct size in pigs?"
    paracrine = synthetic_evidence("90000303", "Made-up paracrine factors acted on invented tissue.", title="Synthetic")
    assert not covers_product(question, [PIG_STUDY])
    assert covers_product(question, [PIG_STUDY, VESICLE_STUDY])
    assert covers_product(question, [paracrine])
    assert covers_product("Does Fictolol reduce infarct size in pigs?", [PIG_STUDY]), "no product named, no check"


def test_a_product_question_reads_only_the_records_that_mention_a_product():
    question = "Do MSC exosomes reduce infarct size in pigs?"
    parent_cells = synthetic_evidence("90000304", "Made-up MSCs reduced infarct size in invented pigs.", title="Synthetic")
    assert product_evidence(question, [PIG_STUDY, VESICLE_STUDY, parent_cells]) == [VESICLE_STUDY]
    assert product_evidence(question, [PIG_STUDY, parent_cells]) == [PIG_STUDY, parent_cells], (
        "none mentions a product: all kept, so the refusal can name the nearest records"
    )
    no_product = "Do MSCs reduce infarct size in pigs?"
    assert product_evidence(no_product, [PIG_STUDY, VESICLE_STUDY]) == [PIG_STUDY, VESICLE_STUDY]


PARENT_CELL_STUDY = synthetic_evidence(
    "90000305",
    "Synthetic mesenchymal stromal cells protected invented cartilage in made-up osteoarthritic knees.",
    "Invented stromal cells from synthetic marrow repaired made-up cartilage in imaginary sheep.",
    title="Synthetic record 90000305: made-up stromal cells protect invented osteoarthritic cartilage",
)
CARTILAGE_VESICLES = synthetic_evidence(
    "90000306",
    "Synthetic extracellular vesicles from made-up stromal cells eased invented osteoarthritis in imaginary mice.",
    title="Synthetic record 90000306: made-up vesicles in invented osteoarthritis",
)


@pytest.fixture(scope="module")
def parent_cells_and_vesicles(tmp_path_factory, embedder):  # noqa: F811
    """One index where both a parent-cell record and a vesicle record match the question below."""
    return build_index(tmp_path_factory.mktemp("parent") / "data", [PARENT_CELL_STUDY, CARTILAGE_VESICLES], embedder)


@pytest.mark.parametrize("only_product_records", [True, False])
def test_a_record_about_the_parent_cells_alone_is_not_read_for_a_product_question(
    parent_cells_and_vesicles, tmp_path, embedder, only_product_records  # noqa: F811
):
    answerer = answerer_with(parent_cells_and_vesicles, embedder, tmp_path, product_records_only=only_product_records)
    answer = answerer.ask(
        "Do synthetic stromal cell extracellular vesicles protect invented cartilage in osteoarthritis?",
        backend="extractive",
    )
    read = {e.pmid for e in answer.evidence}
    if only_product_records:
        assert read == {"90000306"}
        assert not answer.refused, answer.warnings
        assert [c.pmid for c in answer.citations] == ["90000306"]
    else:
        assert read == {"90000305", "90000306"}


@pytest.fixture(scope="module")
def answerer(tmp_path_factory, embedder) -> Answerer:  # noqa: F811
    searcher = build_index(tmp_path_factory.mktemp("product") / "data", [PIG_STUDY], embedder)
    return answerer_with(searcher, embedder, tmp_path_factory.mktemp("unused"))


def test_a_product_question_over_evidence_without_the_product_is_refused(answerer):
    answer = answerer.ask("Do synthetic MSC exosomes reduce infarct size in made-up pigs?", backend="extractive")
    assert answer.refused
    assert f"refused: {PRODUCT_MISSING}" in answer.warnings
    assert not answer.citations


def test_the_same_evidence_answers_a_question_about_what_it_holds(answerer):
    answer = answerer.ask("Does the invented drug Fictolol reduce infarct size in made-up pigs?", backend="extractive")
    assert not answer.refused, answer.warnings
    assert [c.pmid for c in answer.citations] == ["90000301"]
