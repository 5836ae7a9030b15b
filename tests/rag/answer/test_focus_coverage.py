"""A question about a cell product whose rare words no cited record names is not answered from those records."""

import pytest

from rag.answer.focus_coverage import FocusGap, focus_gap, focus_words
from tests.rag.answer.answer_fixtures import answerer_with, build_index, embedder, synthetic_evidence  # noqa: F401

CHONDROGENIC = synthetic_evidence(
    "90000501",
    "Invented MSC exosomes raised made-up IL-10 after synthetic chondrogenic induction.",
    title="Synthetic record 90000501: exosomes of imaginary MSCs after chondrogenic induction",
)
VESSELS = synthetic_evidence(
    "90000502",
    "Made-up MSC exosomes promoted angiogenic sprouting of invented endothelial cells.",
    title="Synthetic record 90000502: angiogenesis by synthetic exosomes",
)
DIA_MS = synthetic_evidence(
    "90000503",
    "Synthetic SEC-DIA-MS profiled invented extracellular vesicle proteins of made-up donors.",
    title="Synthetic record 90000503: an imaginary vesicle proteome",
)
FIBROSIS = synthetic_evidence(
    "90000504",
    "Invented MSC exosomes eased made-up intestinal fibrosis through a synthetic pathway.",
    title="Synthetic record 90000504: imaginary fibrosis",
)
FIBROBLASTS = synthetic_evidence(
    "90000505",
    "Invented MSC exosomes fed made-up fibroblasts in a synthetic dish.",
    title="Synthetic record 90000505: imaginary fibroblasts",
)

ANTIFUNGAL = synthetic_evidence(
    "90000506", "Invented anti-fungal drugs slowed made-up osteogenesis of synthetic MSCs.", title="Synthetic"
)
ANTIAPOPTOTIC = synthetic_evidence(
    "90000507", "Invented MSC exosomes carried made-up antiapoptotic microRNAs.", title="Synthetic"
)


@pytest.mark.parametrize(
    ("question", "words"),
    [
        # rare nouns and adjectives are the focus
        ("How do MSC exosomes promote angiogenesis?", ["angiogenesis"]),
        ("Is the MSC secretome immunomodulatory?", ["immunomodulatory"]),
        # everyday words are paraphrased freely, so they ask nothing of the records
        ("How are MSC-derived exosomes isolated and characterized?", []),
        ("Which proteins are used as markers to confirm exosome identity?", []),
        # a kind of answer is not its focus: "which cytokine" is answered by naming one
        ("Which anti-inflammatory cytokine goes up in MSC exosomes?", []),
        # rare verbs are paraphrased too
        ("Which analytical technique underpins most secretome studies?", []),
        # products, sources and diseases have rules of their own
        ("Do Wharton's jelly MSC exosomes ease osteoarthritis?", []),
        # compounds are split: a record about the synovium names "synovium-derived"
        ("Why are synovium-derived MSCs a good cell source?", ["synovium"]),
        # an exclusion clause names what is not asked
        ("Apart from angiogenesis, what do MSC exosomes promote?", []),
        ("What do MSC exosomes promote besides angiogenesis?", []),
        ("Besides angiogenesis, do MSC exosomes promote ferroptosis?", ["ferroptosis"]),
    ],
)
def test_the_focus_is_the_rare_nominal_words_outside_the_profile_terms(question, words):
    assert [f.word for f in focus_words(question)] == words


@pytest.mark.parametrize(
    ("question", "cited", "gap"),
    [
        ("How do MSC exosomes promote angiogenesis?", [CHONDROGENIC], ("angiogenesis",)),
        # the same stem in another form names it, and so does the same root ("angiogenic")
        ("How do MSC exosomes promote angiogenesis?", [CHONDROGENIC, VESSELS], None),
        ("Which pathway explains the anti-fibrotic effect of MSC exosomes?", [FIBROSIS], None),
        ("Which pathway explains the anti-fibrotic effect of MSC exosomes?", [FIBROBLASTS], ("fibrotic",)),
        # a compound, with or without its hyphen
        ("What do antifungal drugs do to MSC osteogenesis?", [ANTIFUNGAL], None),
        ("Do MSC exosomes carry apoptotic signals?", [ANTIAPOPTOTIC], None),
        ("Do MSC exosomes carry apoptotic signals?", [CHONDROGENIC], ("apoptotic",)),
        # any one focus word named is enough: questions paraphrase the rest
        ("Does angiogenesis need immunomodulatory exosomes?", [VESSELS], None),
        # initials of the phrase a focus word ends name it
        ("Which separation step came before mass spectrometry of MSC extracellular vesicles?", [DIA_MS], None),
        (
            "Which separation step came before mass spectrometry of MSC extracellular vesicles?",
            [CHONDROGENIC],
            ("spectrometry",),
        ),
        # only questions about a cell product are read this way
        ("How does a synthetic tumour promote angiogenesis?", [CHONDROGENIC], None),
        # a question without focus words asks nothing of the records
        ("What do MSC exosomes carry?", [CHONDROGENIC], None),
    ],
)
def test_a_question_is_refused_when_no_cited_record_names_its_focus(question, cited, gap):
    found = focus_gap(question, cited)
    assert (found.words if found else None) == gap


def test_the_refusal_reason_names_the_focus_words():
    gap = FocusGap(("lyophilisation", "bioactivity"))
    assert gap.reason == (
        "the question asks about lyophilisation and bioactivity, which no record the answer cites mentions"
    )


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, embedder):  # noqa: F811
    return build_index(tmp_path_factory.mktemp("focus") / "data", [CHONDROGENIC], embedder)


def test_an_answer_off_the_questions_focus_is_refused(searcher, embedder, tmp_path_factory):  # noqa: F811
    question = "How do invented MSC exosomes raise made-up IL-10 for angiogenesis?"
    answer = answerer_with(searcher, embedder, tmp_path_factory.mktemp("unused")).ask(question, backend="extractive")
    assert answer.refused and not answer.citations
    assert any("asks about angiogenesis" in w for w in answer.warnings)
    answered = answerer_with(searcher, embedder, tmp_path_factory.mktemp("unused"), focus_coverage=False).ask(
        question, backend="extractive"
    )
    assert not answered.refused and [c.pmid for c in answered.citations] == ["90000501"]
