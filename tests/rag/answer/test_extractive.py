"""The extractive backend over synthetic evidence, with the real bundled embedding model."""

import numpy as np
import pytest

from rag.answer.citations import cited_sentences, parse_citations
from rag.answer.extractive import (
    Candidate,
    ExtractiveGenerator,
    ScoredSentence,
    candidate_sentences,
    lead_with_best,
    mmr_select,
    render,
    selected_sentences,
    usable_sentences,
    verdict_readings,
)
from rag.answer.named_answers import names_in
from rag.answer.verdict import VerdictReader
from rag.models import ANSWER_SPANS_MODEL, RELEVANCE_MODEL, VERDICT_MODEL
from rag.models.answer_spans import AnswerSpanReader
from rag.models.pair_classifier import PairClassifier
from tests.rag.answer.answer_fixtures import embedder, synthetic_evidence, synthetic_passages  # noqa: F401 (fixture)

EVIDENCE = [
    synthetic_evidence(
        "90000001",
        "Synthetic exosomes from mesenchymal stem cells carried miR-21 into injured cardiomyocytes.",
        "The miR-21 cargo reduced cardiomyocyte apoptosis by targeting PTEN in this synthetic model.",
        "Synthetic mice were housed in standard cages with free access to food.",
    ),
    synthetic_evidence(
        "90000002",
        "Synthetic conditioned medium from adipose stem cells raised VEGF levels and promoted angiogenesis.",
        "Hypoxic preconditioning doubled the synthetic VEGF secretion.",
    ),
    synthetic_evidence(
        "90000003",
        "Synthetic exosomes from mesenchymal stem cells carried miR-21 into injured heart muscle cells.",
        "A synthetic questionnaire about hospital parking was mailed to staff.",
    ),
]


@pytest.fixture(scope="module")
def generator(embedder) -> ExtractiveGenerator:  # noqa: F811
    return ExtractiveGenerator(embedder, max_sentences=4, max_per_record=1, max_per_top_record=1)


def test_every_sentence_cites_the_record_it_came_from(generator: ExtractiveGenerator) -> None:
    result = generator.answer("How do mesenchymal stem cell exosomes protect cardiomyocytes?", EVIDENCE)
    sentences = cited_sentences(result.text)
    assert sentences, "an answer over relevant evidence must not be empty"
    source_text = {e.pmid: e.passages[0].text for e in EVIDENCE}
    for sentence in sentences:
        assert len(sentence.pmids) == 1
        assert sentence.text.rstrip(".") in source_text[sentence.pmids[0]]


def test_the_best_matching_sentence_is_selected_and_irrelevant_ones_are_not(generator: ExtractiveGenerator) -> None:
    result = generator.answer("Which microRNA do stem cell exosomes deliver to cardiomyocytes?", EVIDENCE)
    assert "miR-21" in result.text
    assert "parking" not in result.text
    assert "housed in standard cages" not in result.text


def test_per_record_cap_and_redundancy_control(generator: ExtractiveGenerator) -> None:
    result = generator.answer("What cargo do mesenchymal stem cell exosomes carry?", EVIDENCE)
    pmids = [s.candidate.pmid for s in result.sentences]
    assert len(pmids) == len(set(pmids)), "max_per_record=1 allows one sentence per record"
    assert len(parse_citations(result.text)) == len(pmids)


def test_nothing_relevant_gives_no_sentence(generator: ExtractiveGenerator) -> None:
    evidence = [synthetic_evidence("90000009", "A synthetic questionnaire about hospital parking was mailed to staff.")]
    assert generator.answer("What is the half-life of plutonium-239?", evidence).sentences == []


def test_answer_is_deterministic(generator: ExtractiveGenerator) -> None:
    question = "Does hypoxia increase VEGF secretion by adipose stem cells?"
    assert generator.answer(question, EVIDENCE, yes_no=True) == generator.answer(question, EVIDENCE, yes_no=True)


@pytest.fixture(scope="module")
def reading_generator(embedder) -> ExtractiveGenerator:  # noqa: F811
    """The generator as the pipeline builds it: the shipped relevance and verdict models read the evidence."""
    return ExtractiveGenerator(
        embedder,
        scorer=PairClassifier(RELEVANCE_MODEL),
        verdict=VerdictReader(PairClassifier(VERDICT_MODEL), margin=0.1),
        max_sentences=4,
        max_per_record=1,
        floor=0.1,
    )


def test_the_relevance_model_prefers_the_sentence_that_answers(reading_generator: ExtractiveGenerator) -> None:
    question = "Which microRNA do mesenchymal stem cell exosomes deliver?"
    picked = reading_generator.select(question, EVIDENCE, limit=10)
    by_text = {s.candidate.text: s.score for s in picked}
    answering = max(score for text, score in by_text.items() if "miR-21" in text)
    unrelated = [score for text, score in by_text.items() if "parking" in text or "cages" in text]
    assert unrelated and all(score < answering for score in unrelated)
    assert "miR-21" in reading_generator.answer(question, EVIDENCE).sentences[0].candidate.text


def test_yes_no_verdict_is_read_from_the_evidence(reading_generator: ExtractiveGenerator) -> None:
    positive = [synthetic_evidence("90000011", "Synthetic secretome treatment significantly reduced fibrosis in treated rats.")]
    negative = [
        synthetic_evidence("90000012", "Synthetic secretome treatment did not reduce fibrosis in treated rats.")
    ]
    question = "Does secretome treatment reduce fibrosis in rats?"
    yes = reading_generator.answer(question, positive, yes_no=True)
    negated = reading_generator.answer(question, negative, yes_no=True)
    assert yes.verdict == "yes" and yes.text.startswith("Yes: ")
    # The shipped model leans to "yes" (README: held-out accuracy 0.75 / 0.78): a negated finding must at
    # least lower P(yes) clearly and never come out as "yes".
    assert negated.verdict != "yes" and negated.p_yes < yes.p_yes - 0.1
    assert reading_generator.answer(question, positive, yes_no=False).verdict is None


# A top record whose own passages read as "yes", and a second record whose one sentence, the most relevant to the
# question, denies it.
FIBROSIS_TOP_RECORD = synthetic_passages(
    "90000021",
    "Synthetic rats with lung fibrosis were housed for eight weeks.",
    "Collagen deposition in the synthetic lungs fell by half after the secretome course.",
)
FIBROSIS_DENIAL = synthetic_passages(
    "90000022", "In conclusion, synthetic secretome treatment did not reduce lung fibrosis in treated rats."
)
FIBROSIS_QUESTION = "Does synthetic secretome treatment reduce lung fibrosis in rats?"


def fibrosis_answer(embedder, **options):  # noqa: F811
    """The answer to FIBROSIS_QUESTION from both records, by a generator reading one sentence of one record."""
    generator = ExtractiveGenerator(
        embedder,
        scorer=PairClassifier(RELEVANCE_MODEL),
        verdict=VerdictReader(PairClassifier(VERDICT_MODEL), margin=0.1),
        verdict_sentences=1,
        verdict_records=1,
        floor=0.1,
        **options,
    )
    return generator.answer(FIBROSIS_QUESTION, [FIBROSIS_TOP_RECORD, FIBROSIS_DENIAL], yes_no=True)


@pytest.mark.parametrize("second_reading", [True, False])
def test_when_the_best_sentence_leaves_the_verdict_open_the_top_record_decides_it(embedder, second_reading) -> None:  # noqa: F811
    # the denying sentence would turn a "yes" to "no": tested on its own below
    answer = fibrosis_answer(embedder, second_reading=second_reading, reads_denials=False)
    # The most relevant sentence is the negated one, which the model reads as a coin flip (undetermined at
    # margin 0.1); the top record's own passages read as "yes", and the verdict is then cited by that record.
    if second_reading:
        assert answer.verdict == "yes"
        assert answer.text.startswith("Yes: ") and cited_sentences(answer.text)[0].pmids == ["90000021"]
    else:
        assert answer.verdict == "undetermined"
        assert cited_sentences(answer.text)[0].pmids == ["90000022"]


@pytest.mark.parametrize("reads_denials", [True, False])
def test_a_quoted_sentence_that_denies_the_question_turns_a_yes_to_no(embedder, reads_denials) -> None:  # noqa: F811
    answer = fibrosis_answer(embedder, reads_denials=reads_denials)
    if reads_denials:
        assert answer.verdict == "no" and answer.p_yes is None, "the model's P(yes) did not decide it"
        assert answer.text.startswith("No: In conclusion, synthetic secretome treatment did not reduce")
        assert cited_sentences(answer.text)[0].pmids == ["90000022"]
    else:
        assert answer.verdict == "yes"


def test_the_verdict_reads_the_best_sentences_of_each_of_the_best_records() -> None:
    relevance = np.array([0.2, 0.9, 0.5, -1.0, 0.7, 0.3, 0.95, 0.1])
    groups = ["a", "a", "a", "a", "b", "b", "c", "d"]
    readings = verdict_readings(relevance, groups, records=2, sentences=2)
    # c's best sentence (0.95) beats a's (0.9); b and d are left out; a's two best, in reading order
    assert readings == [(0.95, [6]), (0.9, [1, 2])]
    # a sentence the cross-encoder never read (-1) is never handed to the verdict model
    assert verdict_readings(np.array([-1.0, 0.4]), ["a", "a"], records=3, sentences=3) == [(0.4, [1])]


def test_without_a_verdict_model_a_yes_no_answer_is_undetermined(generator: ExtractiveGenerator) -> None:
    evidence = [synthetic_evidence("90000011", "Synthetic secretome treatment reduced fibrosis in treated rats.")]
    assert generator.answer("Does secretome reduce fibrosis in rats?", evidence, yes_no=True).verdict == "undetermined"


def test_a_verdict_opens_the_first_cited_sentence() -> None:
    picked = [ScoredSentence(Candidate("1", "Synthetic A helped.", 0, 0), 0.9, 0.5)]
    assert render(picked, "yes") == "Yes: Synthetic A helped [PMID:1]."
    assert render(picked) == "Synthetic A helped [PMID:1]."


def test_short_fragments_and_short_cut_tails_are_not_candidates() -> None:
    item = synthetic_evidence(
        "90000021", "Synthetic complete sentence about secretome potency here.", "Too short.",
        "A synthetic tail cut off in the midd", abstract_complete=False,
    )
    texts = [c.text for c in candidate_sentences([item])]
    assert texts == ["Synthetic complete sentence about secretome potency here."]


def test_the_top_records_long_cut_tail_is_quoted_as_far_as_it_goes_and_marked_as_cut() -> None:
    tail = "Here we show that synthetic vesicles lowered made-up IL-6 in imaginary mice, and that the eff"
    item = synthetic_evidence("90000029", "Synthetic background sentence about made-up inflammation.", tail,
                              abstract_complete=False)
    assert [c.text for c in candidate_sentences([item])] == [
        "Synthetic background sentence about made-up inflammation.", f"{tail} […]",
    ]
    assert [c.text for c in candidate_sentences([item], cut_tails=False)] == [
        "Synthetic background sentence about made-up inflammation.",
    ]
    # only the record ranked first: another record's cut tail stays unquoted
    other = synthetic_evidence("90000031", "Synthetic second background sentence about invented fibrosis.", tail,
                               abstract_complete=False)
    assert [c.pmid for c in candidate_sentences([item, other])] == ["90000029", "90000029", "90000031"]
    # a complete abstract has no cut tail: its last words stand as a sentence
    whole = synthetic_evidence("90000030", tail)
    assert [c.text for c in candidate_sentences([whole])] == [tail]


def test_a_record_whose_abstract_gives_no_sentence_offers_its_title_if_it_states_a_finding() -> None:
    finding = "Synthetic vesicles from invented stem cells eased made-up fibrosis through an imaginary pathway"
    cut_off = synthetic_evidence("90000023", "CONCLUSIONS: synthetic vesicles eased made-up fibrosis through an",
                                 title=f"{finding}.", abstract_complete=False)
    assert [(c.pmid, c.text) for c in candidate_sentences([cut_off])] == [("90000023", finding)]
    # a record with a quotable sentence keeps to its sentences; a bare noun-phrase title is no finding
    whole = synthetic_evidence("90000024", "The synthetic finding was large and clear.", title=finding)
    assert [c.text for c in candidate_sentences([whole], top_title=False)] == ["The synthetic finding was large and clear."]
    short = synthetic_evidence("90000025", "A synthetic tail cut off in the midd", title="Synthetic stromal cell lines",
                               abstract_complete=False)
    assert candidate_sentences([short]) == []


def test_the_record_ranked_first_offers_its_title_beside_its_sentences() -> None:
    finding = "Synthetic vesicles from invented stem cells eased made-up fibrosis through an imaginary pathway"
    background = "Made-up fibrosis burdens imaginary patients in a synthetic world."
    first = synthetic_evidence("90000026", background, title=f"{finding}.")
    second = synthetic_evidence("90000027", "The synthetic second record reports another finding.",
                                title="Synthetic second record titles state their own invented finding too")
    asked = synthetic_evidence("90000028", background, title="Do synthetic vesicles from invented cells ease fibrosis?")
    assert [(c.pmid, c.text) for c in candidate_sentences([first, second])] == [
        ("90000026", background), ("90000026", finding), ("90000027", "The synthetic second record reports another finding."),
    ]
    # off, only sentences; a title that asks a question states no finding
    assert [c.text for c in candidate_sentences([first, second], top_title=False)] == [
        background, "The synthetic second record reports another finding.",
    ]
    assert [c.text for c in candidate_sentences([asked])] == [background]


def test_title_prefix_of_a_passage_is_not_a_sentence() -> None:
    item = synthetic_evidence("90000022", "Synthetic title words. The synthetic finding was large and clear.",
                              title="Synthetic title words")
    assert [c.text for c in candidate_sentences([item])] == ["The synthetic finding was large and clear."]


def test_the_floor_chooses_the_records_and_the_cross_encoder_may_add_their_other_sentences() -> None:
    passes_floor = np.array([True, False, False, False, False])
    relevance = np.array([0.3, 0.8, 0.4, 0.9, -1.0])
    groups = ["a", "a", "a", "b", "a"]
    usable = usable_sentences(passes_floor, relevance, groups, rescue=0.5)
    # a's second sentence is rescued; a's third scores too low; b has no sentence over the floor, so its
    # high-scoring sentence is not usable; a sentence the cross-encoder never read (-1) never is
    assert usable.tolist() == [True, True, False, False, False]
    assert usable_sentences(passes_floor, relevance, groups, rescue=1.01).tolist() == [True, False, False, False, False]
    assert usable_sentences(np.zeros(0), np.zeros(0), [], rescue=0.5).tolist() == []


def test_mmr_skips_near_duplicates_and_respects_group_cap() -> None:
    relevance = np.array([0.9, 0.89, 0.5, 0.4])
    similarity = np.array([[1, 0.99, 0.1, 0.1], [0.99, 1, 0.1, 0.1], [0.1, 0.1, 1, 0.1], [0.1, 0.1, 0.1, 1]])
    assert mmr_select(relevance, similarity, ["a", "b", "c", "d"], limit=2, per_group=1, diversity=0.5) == [0, 2]
    assert mmr_select(relevance, similarity, ["a", "a", "a", "d"], limit=3, per_group=1, diversity=0.0) == [0, 3]
    assert mmr_select(relevance, similarity, ["a", "b", "c", "d"], limit=4, per_group=1, diversity=0.5, floor=0.45) == [0, 2, 1]


def test_a_named_group_may_give_more_than_the_others() -> None:
    relevance = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    similarity = np.eye(5)
    groups = ["top", "top", "top", "other", "other"]
    assert mmr_select(relevance, similarity, groups, limit=5, per_group=1, diversity=0.0) == [0, 3]
    assert mmr_select(relevance, similarity, groups, limit=5, per_group=1, caps={"top": 3}, diversity=0.0) == [0, 1, 2, 3]


def test_the_top_record_may_give_three_sentences_the_others_two(embedder) -> None:  # noqa: F811
    question = "What did synthetic vesicles do in made-up mice?"
    sentences = [f"Synthetic vesicles lowered made-up marker {n} in imaginary mice." for n in ("A", "B", "C", "D")]
    evidence = [synthetic_evidence("90000032", *sentences), synthetic_evidence("90000033", *sentences[::-1])]
    generator = ExtractiveGenerator(embedder, max_sentences=5, max_per_record=2, max_per_top_record=3, diversity=0.0)
    answer = generator.answer(question, evidence)
    assert [s.candidate.pmid for s in answer.sentences].count("90000032") == 3
    assert [s.candidate.pmid for s in answer.sentences].count("90000033") == 2


@pytest.mark.parametrize("read_records", [0, 1])
def test_the_cross_encoder_reads_the_top_record_whole_besides_the_pool(embedder, read_records) -> None:  # noqa: F811
    question = "Which stains showed that synthetic stromal cells made cartilage?"
    top = synthetic_evidence(
        "90000034",
        "Synthetic stromal cells were grown in pellets for three imaginary weeks.",
        "Made-up Alcian Blue and Safranin O staining were performed on the synthetic pellets.",
        "The imaginary pellets of synthetic stromal cells made cartilage matrix.",
    )
    other = synthetic_evidence("90000035", "Synthetic stromal cells made cartilage in made-up pellets of synthetic stromal cells.")
    generator = ExtractiveGenerator(
        embedder, scorer=PairClassifier(RELEVANCE_MODEL), pool=1, read_records=read_records
    )
    scored = generator.score_candidates(question, [top, other])
    read = {c.pmid for c, relevance in zip(scored.candidates, scored.relevance) if relevance > -1}
    top_read = [relevance > -1 for c, relevance in zip(scored.candidates, scored.relevance) if c.pmid == "90000034"]
    if read_records:
        assert all(top_read) and "90000035" in read, "the top record whole, and the pool's best sentence besides"
    else:
        assert sum(top_read) + ("90000035" in read) == 1, "the pool alone: one sentence read"


@pytest.fixture(scope="module")
def two_per_record(embedder) -> ExtractiveGenerator:  # noqa: F811
    return ExtractiveGenerator(embedder, max_sentences=5, max_per_record=2, max_per_top_record=2)


def test_a_factoid_answer_opens_with_its_best_sentence(two_per_record: ExtractiveGenerator) -> None:
    question = "Which gene does the miR-21 cargo target to reduce cardiomyocyte apoptosis?"
    result = two_per_record.answer(question, EVIDENCE, form="factoid")
    assert result.sentences[0].score == max(s.score for s in result.sentences)
    assert "PTEN" in result.text.split("[PMID:")[0]
    summary = two_per_record.answer(question, EVIDENCE, form="summary")
    assert {s.candidate.text for s in summary.sentences} == {s.candidate.text for s in result.sentences}


def test_lead_with_best_keeps_the_others_in_order() -> None:
    def sentence(text: str, score: float) -> ScoredSentence:
        return ScoredSentence(Candidate("90000001", text, 0, 0), score, score)

    ordered = [sentence("a", 0.2), sentence("b", 0.9), sentence("c", 0.5)]
    assert [s.candidate.text for s in lead_with_best(ordered)] == ["b", "a", "c"]
    assert lead_with_best([]) == []


def test_the_selector_chooses_among_the_sentences_of_records_over_the_floor() -> None:
    passes_floor = np.array([True, False, False, False, False])
    relevance = np.array([0.3, 0.8, 0.4, 0.9, -1.0])
    groups = ["a", "a", "a", "b", "a"]
    probability = np.array([0.2, 0.7, 0.5, 0.95, 0.99])
    usable = selected_sentences(passes_floor, relevance, groups, probability, threshold=0.5)
    # a's sentences at or above the threshold; b never (no sentence over the floor), nor the unread one
    assert usable.tolist() == [False, True, True, False, False]
    # nothing reaches the threshold: the likeliest sentence of a cited record alone, so the answer is not empty
    only = selected_sentences(passes_floor, relevance, groups, probability, threshold=0.9)
    assert only.tolist() == [False, True, False, False, False]
    nothing = selected_sentences(np.zeros(5, dtype=bool), relevance, groups, probability, threshold=0.5)
    assert not nothing.any()


def test_a_record_under_the_floor_is_admitted_when_the_selector_would_quote_it() -> None:
    passes_floor = np.array([True, False, False, False])
    relevance = np.array([0.3, 0.9, 0.4, 0.8])
    groups = ["a", "b", "b", "c"]
    probability = np.array([0.2, 0.8, 0.3, 0.4])
    admitted = selected_sentences(passes_floor, relevance, groups, probability, threshold=0.5, admit_records=True)
    # b's sentence the selector would quote; not its weaker one, nor c (no sentence of it reaches the threshold)
    assert admitted.tolist() == [False, True, False, False]
    assert selected_sentences(passes_floor, relevance, groups, probability, threshold=0.5).tolist() == [
        True, False, False, False
    ]
    # the floor still decides whether anything is answered at all
    nothing = selected_sentences(np.zeros(4, dtype=bool), relevance, groups, probability, threshold=0.5, admit_records=True)
    assert not nothing.any()


@pytest.fixture(scope="module")
def naming_generator(embedder) -> ExtractiveGenerator:  # noqa: F811
    """The pipeline's reading generator with the shipped answer tagger as well."""
    return ExtractiveGenerator(
        embedder,
        scorer=PairClassifier(RELEVANCE_MODEL),
        namer=AnswerSpanReader(ANSWER_SPANS_MODEL),
        max_sentences=4,
        max_per_record=1,
        floor=0.1,
    )


LIST_QUESTION = "Which growth factors does synthetic conditioned medium from adipose stem cells contain?"
LIST_EVIDENCE = [
    synthetic_evidence(
        "90000004",
        "Synthetic conditioned medium from adipose stem cells contained VEGF, HGF and IGF-1.",
        "Synthetic flasks were counted twice by two synthetic observers.",
    ),
    *EVIDENCE,
]


def test_a_list_answer_opens_with_the_names_the_evidence_gives_each_cited_to_its_record(naming_generator) -> None:
    result = naming_generator.answer(LIST_QUESTION, LIST_EVIDENCE, form="list")
    opening, *rest = cited_sentences(result.text)
    assert opening.text.startswith("Named in the evidence: ")
    assert {"VEGF", "HGF", "IGF-1"} <= set(names_in(opening.text)) and opening.pmids == ["90000004"]
    assert {a.pmid for a in result.names} == {"90000004"}
    quoted = " ".join(p.text for e in LIST_EVIDENCE for p in e.passages)
    assert rest and all(s.text.rstrip(".") in quoted for s in rest)


def test_factoid_summary_and_yes_no_answers_give_no_names_and_a_generator_without_a_tagger_none(
    naming_generator, reading_generator
) -> None:
    for form in ("factoid", "summary", None):
        assert not naming_generator.answer(LIST_QUESTION, LIST_EVIDENCE, form=form).names
    assert not naming_generator.answer(LIST_QUESTION, LIST_EVIDENCE, yes_no=True, form="list").names
    plain = reading_generator.answer(LIST_QUESTION, LIST_EVIDENCE, form="list")
    assert not plain.names and not plain.text.startswith("Named in the evidence")
