"""A question that names the tissue its stem cells come from is not answered from records about other cells."""

import pytest

from rag.answer.tissue_coverage import named_tissues, names_stem, tissue_gap
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

ADIPOSE_STUDY = synthetic_evidence(
    "90000501",
    "Synthetic exosomes from made-up adipose MSCs raised invented cartilage repair in imaginary rabbits.",
    title="Synthetic record 90000501: made-up adipose MSC exosomes in invented cartilage repair",
)
URINE_STUDY = synthetic_evidence(
    "90000502",
    "Invented stem cells isolated from made-up urinary samples released synthetic exosomes in imaginary rats.",
    title="Synthetic record 90000502: made-up urinary stem cell exosomes",
)


@pytest.mark.parametrize(
    ("question", "tissues"),
    [
        ("Are MSCs taken from the gums a practical source of made-up exosomes?", {"gums"}),
        ("Do urine-derived stem cells secrete invented exosomes?", {"urine"}),
        ("How does the secretome of stem cells from the periosteum compare?", {"periosteum"}),
        ("Do mesenchymal stem cells from the human chorion secrete more?", {"chorion"}),
        ("Do MSCs from bone marrow or adipose tissue secrete more?", set()),  # labelled: the source facet's
        ("Do fat-derived MSCs help made-up knees?", set()),  # "fat-derived" is adipose
        ("Do iPSC-derived MSC exosomes reverse invented fibrosis?", set()),
        ("Do MSCs from healthy donors differ from MSCs from patients?", set()),  # not tissues
        ("Which exosomes do made-up kidney cells release?", set()),  # no stem cells named
    ],
)
def test_which_tissues_a_question_names_as_its_cells_origin(question, tissues):
    assert named_tissues(question) == tissues


def test_a_record_names_a_tissue_by_its_stem_or_a_longer_form():
    assert names_stem({"urinari", "sampl"}, "urin")  # "urinary" names "urine"
    assert names_stem({"periost"}, "periosteum")  # "periosteal" names "periosteum"
    assert names_stem({"gum"}, "gum") and not names_stem({"gummi"}, "gum"), "short stems must match exactly"
    assert not names_stem({"adipos", "msc"}, "urin")


def test_the_gap_names_the_tissue_no_cited_record_names():
    question = "Do urine-derived stem cells release made-up exosomes?"
    assert "(urine)" in tissue_gap(question, [ADIPOSE_STUDY])
    assert tissue_gap(question, [ADIPOSE_STUDY, URINE_STUDY]) is None
    assert tissue_gap("Do adipose MSC exosomes help invented cartilage?", [ADIPOSE_STUDY]) is None


@pytest.fixture(scope="module")
def adipose_index(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("adipose") / "data", [ADIPOSE_STUDY], embedder)


@pytest.mark.parametrize("tissue_coverage", [True, False])
def test_a_question_about_cells_from_an_unlabelled_tissue_is_refused_over_other_cells(
    adipose_index, tmp_path, embedder, tissue_coverage  # noqa: F811
):
    answerer = answerer_with(adipose_index, embedder, tmp_path, tissue_coverage=tissue_coverage)
    answer = answerer.ask(
        "Do made-up exosomes of MSCs taken from the gums raise invented cartilage repair in rabbits?",
        backend="extractive",
    )
    if tissue_coverage:
        assert answer.refused
        assert any("(gums)" in w for w in answer.warnings), answer.warnings
        assert not answer.citations
    else:
        assert not answer.refused, answer.warnings
        assert [c.pmid for c in answer.citations] == ["90000501"]
