"""A question naming a cell source, a preconditioning or (about a cell product) a disease area is not answered
from records that never name it."""

import pytest

from rag.answer.facet_coverage import FacetGap, facet_gaps
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

ADIPOSE_KIDNEY = synthetic_evidence(
    "90000401",
    "Invented adipose-derived stromal cells reduced made-up kidney injury in synthetic mice.",
    title="Synthetic record 90000401: adipose MSCs and an invented kidney injury",
)
CORD_LUPUS = synthetic_evidence(
    "90000402",
    "Synthetic Wharton's jelly MSCs lowered made-up proteinuria in invented lupus nephritis.",
    title="Synthetic record 90000402: umbilical cord MSCs in an imaginary lupus model",
)
HYPOXIA = synthetic_evidence(
    "90000403",
    "Made-up MSCs preconditioned under hypoxia released more synthetic exosomes.",
    title="Synthetic record 90000403: hypoxic preconditioning of invented cells",
)
ORGAN_IN_PASSING = synthetic_evidence(
    "90000404",
    "The invented protein Zorbin is found in made-up tumours of the jaw.",
    title="Synthetic record 90000404: an imaginary jaw tumour",
)


@pytest.mark.parametrize(
    ("question", "cited", "gaps"),
    [
        # the source the question names must be named by a cited record
        (
            "Were Wharton's jelly MSCs tested in lupus nephritis?",
            [ADIPOSE_KIDNEY],
            [("source", ("umbilical cord",)), ("indication", ("immune / inflammatory",))],
        ),
        ("Were Wharton's jelly MSCs tested in lupus nephritis?", [ADIPOSE_KIDNEY, CORD_LUPUS], []),
        # every source a comparison names
        ("Are Wharton's jelly MSCs better than adipose MSCs?", [CORD_LUPUS], [("source", ("adipose",))]),
        ("Are Wharton's jelly MSCs better than adipose MSCs?", [CORD_LUPUS, ADIPOSE_KIDNEY], []),
        # a preconditioning
        ("Does hypoxic preconditioning raise MSC exosome release?", [ADIPOSE_KIDNEY], [("preconditioning", ("hypoxia",))]),
        ("Does hypoxic preconditioning raise MSC exosome release?", [HYPOXIA], []),
        # the disease area, for a question about a cell product
        (
            "Does the adipose MSC secretome heal pressure ulcers?",
            [ADIPOSE_KIDNEY],
            [("indication", ("skin and wounds",))],
        ),
        # ... but not for other questions, which name organs in passing
        ("Is Zorbin a tumour of the brain?", [ORGAN_IN_PASSING], []),
        # a question naming none of these facets asks nothing of the records
        ("What do synthetic MSCs secrete?", [ORGAN_IN_PASSING], []),
    ],
)
def test_the_facets_a_question_names_must_be_named_by_the_cited_records(question, cited, gaps):
    assert [(gap.facet, gap.labels) for gap in facet_gaps(question, cited)] == gaps


def test_abbreviations_name_what_they_stand_for_in_questions_and_records():
    oa_only = synthetic_evidence("90000405", "Invented MSC exosomes eased made-up OA in synthetic rats.", title="Synthetic")
    assert facet_gaps("Do MSC exosomes ease osteoarthritis?", [oa_only]) == []
    assert [gap.facet for gap in facet_gaps("Do MSC exosomes ease OA?", [ADIPOSE_KIDNEY])] == ["indication"]


def test_a_compound_names_the_words_it_ends_with():
    neuro = synthetic_evidence("90000406", "Invented acute neuroinflammation altered made-up vesicle cargo.", title="Synthetic")
    assert facet_gaps("Does acute inflammation change what MSC extracellular vesicles carry?", [neuro]) == []
    # short words are named only as themselves: "deliver" does not name the liver
    delivery = synthetic_evidence("90000407", "Invented MSC exosomes deliver made-up cargo.", title="Synthetic")
    assert [gap.labels for gap in facet_gaps("Do MSC exosomes protect the liver?", [delivery])] == [("liver",)]


def test_a_record_may_write_the_questions_phrase_as_its_initials():
    uc_only = synthetic_evidence(
        "90000408", "Invented BM-MSC transplantation lowered the made-up activity index of UC.", title="Synthetic"
    )
    question = "Did bone marrow MSC transplantation help patients with ulcerative colitis?"
    assert facet_gaps(question, [uc_only]) == []
    assert [gap.labels for gap in facet_gaps(question, [ADIPOSE_KIDNEY])] == [("bone marrow",), ("immune / inflammatory",)]


def test_an_exclusion_clause_asks_nothing_of_the_records():
    # "apart from bone marrow" names what is not asked: a record on other sources answers it
    question = "Apart from bone marrow, which sources of MSC exosomes heal made-up kidney injury?"
    assert facet_gaps(question, [ADIPOSE_KIDNEY]) == []
    assert [gap.labels for gap in facet_gaps("Do bone marrow MSC exosomes heal kidney injury?", [ADIPOSE_KIDNEY])] == [
        ("bone marrow",)
    ]


def test_catch_all_labels_ask_nothing_of_the_records():
    # "cancer" maps to the indication "other": every record of another area would be "other" too
    assert facet_gaps("Do MSC exosomes promote cancer growth?", [ADIPOSE_KIDNEY]) == []


def test_the_refusal_reason_names_the_facet_and_what_the_question_asked():
    gap = FacetGap("source", ("umbilical cord",))
    assert gap.reason == "the question names a cell source (umbilical cord) that no record the answer cites mentions"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("facets") / "data", [ADIPOSE_KIDNEY], embedder)


def test_a_question_about_a_source_no_cited_record_names_is_refused(searcher, embedder, tmp_path_factory):  # noqa: F811
    question = "Do synthetic Wharton's jelly MSCs reduce made-up kidney injury in invented mice?"
    answer = answerer_with(searcher, embedder, tmp_path_factory.mktemp("unused")).ask(question, backend="extractive")
    assert answer.refused and not answer.citations
    assert any("cell source (umbilical cord)" in w for w in answer.warnings)
    answered = answerer_with(searcher, embedder, tmp_path_factory.mktemp("unused"), facet_coverage=False).ask(
        question, backend="extractive"
    )
    assert not answered.refused and [c.pmid for c in answered.citations] == ["90000401"]
