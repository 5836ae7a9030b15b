"""Verdict thresholds and citation support: pure rules, then the shipped models on synthetic sentences."""

import numpy as np
import pytest

from rag.answer.citations import CitedSentence
from rag.answer.extractive import candidate_sentences
from rag.answer.support import SupportChecker, quoted_in
from rag.answer.verdict import (
    MeanLogitScorer,
    VerdictReader,
    combined_logit,
    verdict_context,
    verdict_for,
    weighted_logit,
)
from rag.models import RELEVANCE_MODEL, VERDICT_MODEL
from rag.models.pair_classifier import PairClassifier
from tests.rag.answer.answer_fixtures import synthetic_evidence


@pytest.mark.parametrize(
    ("p_yes", "verdict"), [(0.95, "yes"), (0.6, "yes"), (0.55, "undetermined"), (0.45, "undetermined"), (0.1, "no")]
)
def test_low_confidence_is_undetermined(p_yes: float, verdict: str) -> None:
    assert verdict_for(p_yes, margin=0.1) == verdict


def test_the_verdict_reads_the_end_of_long_context() -> None:
    context = verdict_context(["a" * 600, "Synthetic conclusion."], chars=100)
    assert len(context) == 100 and context.endswith("Synthetic conclusion.")


def test_readings_are_averaged_by_their_records_relevance() -> None:
    assert weighted_logit([2.0, -2.0], [1.0, 1.0]) == pytest.approx(0.0)
    assert weighted_logit([2.0, -2.0], [0.9, 0.1]) == pytest.approx(1.6)
    # a reading whose record scores 0 still counts a little instead of dividing by zero
    assert weighted_logit([2.0, -2.0], [0.0, 0.0]) == pytest.approx(0.0)


def test_the_verdict_of_several_records_lies_between_their_own_and_leans_to_the_more_relevant() -> None:
    reader = VerdictReader(PairClassifier(VERDICT_MODEL), margin=0.0)
    question = "Does synthetic secretome treatment reduce lung fibrosis in rats?"
    positive = ["Synthetic secretome treatment significantly reduced lung fibrosis in treated rats."]
    negative = ["In conclusion, synthetic secretome treatment did not reduce lung fibrosis in treated rats."]
    yes, no = reader.read(question, positive), reader.read(question, negative)
    assert yes.p_yes > no.p_yes
    leaning_yes = reader.read_records(question, [(0.9, positive), (0.1, negative)])
    leaning_no = reader.read_records(question, [(0.1, positive), (0.9, negative)])
    assert no.p_yes < leaning_no.p_yes < leaning_yes.p_yes < yes.p_yes
    assert reader.read_records(question, [(0.9, [])]).verdict == "undetermined"


def test_several_models_are_read_as_one_by_the_mean_of_their_logits() -> None:
    members = [PairClassifier(VERDICT_MODEL), PairClassifier(RELEVANCE_MODEL)]
    question = "Does synthetic secretome treatment reduce lung fibrosis in rats?"
    texts = [
        "Synthetic secretome treatment significantly reduced lung fibrosis in treated rats.",
        "In conclusion, synthetic secretome treatment did not reduce lung fibrosis in treated rats.",
    ]
    own = [member.scores(question, texts) for member in members]
    assert not np.allclose(own[0], own[1])  # two different models, not one file twice
    together = MeanLogitScorer(members).scores(question, texts)
    assert together == pytest.approx((own[0] + own[1]) / 2, abs=1e-5)
    assert MeanLogitScorer(members[:1]).scores(question, texts) == pytest.approx(own[0], abs=1e-6)
    assert MeanLogitScorer(members).scores(question, []).shape == (0,)


def test_an_ensemble_of_no_models_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one model"):
        MeanLogitScorer([])


def test_the_top_records_own_reading_counts_as_much_as_the_records_reading() -> None:
    assert combined_logit(2.0, -1.0) == pytest.approx(0.5)
    reader = VerdictReader(PairClassifier(VERDICT_MODEL), margin=0.0)
    question = "Does synthetic secretome treatment reduce lung fibrosis in rats?"
    positive = ["Synthetic secretome treatment significantly reduced lung fibrosis in treated rats."]
    negative = "Synthetic rats were treated. In conclusion, synthetic secretome treatment did not reduce lung fibrosis."
    alone = reader.read_records(question, [(0.9, positive)])
    with_top = reader.read_records(question, [(0.9, positive)], top_record=negative)
    top_alone = reader.read(question, [negative])
    assert top_alone.p_yes < with_top.p_yes < alone.p_yes
    # nothing read from the records: no verdict, whatever the top record says
    assert reader.read_records(question, [(0.9, [])], top_record=negative).verdict == "undetermined"


def test_a_quoted_sentence_is_found_in_its_passage_whatever_its_verdict_opening() -> None:
    passages = ["Synthetic exosomes carried miR-21. Synthetic mice were housed in cages."]
    assert quoted_in("Yes: Synthetic exosomes carried miR-21.", passages)
    assert quoted_in("synthetic  exosomes carried MIR-21", passages)
    assert not quoted_in("Synthetic exosomes cured every disease.", passages)


def test_a_cut_fragment_quoted_with_its_elision_mark_is_found_in_its_passage() -> None:
    passages = ["Synthetic exosomes carried miR-21. Here we show that synthetic vesicles lowered made-up IL-6 in imaginary mi"]
    assert quoted_in("Here we show that synthetic vesicles lowered made-up IL-6 in imaginary mi […].", passages)
    assert not quoted_in("Here we show that synthetic vesicles cured made-up IL-6 in imaginary mi […].", passages)


@pytest.fixture(scope="module")
def checker() -> SupportChecker:
    return SupportChecker(PairClassifier(RELEVANCE_MODEL), threshold=0.5)


def test_a_paraphrase_backed_by_its_record_is_supported_and_an_unrelated_claim_is_not(checker) -> None:
    evidence = {
        "90000101": synthetic_evidence(
            "90000101", "Synthetic exosomes from mesenchymal stem cells delivered miR-21 into injured cardiomyocytes."
        ),
        "90000102": synthetic_evidence("90000102", "A synthetic survey asked staff about hospital parking."),
    }
    report = checker.check(
        [
            CitedSentence("MSC exosomes deliver miR-21 to injured cardiomyocytes.", ["90000101"]),
            CitedSentence("MSC exosomes deliver miR-21 to injured cardiomyocytes.", ["90000102"]),
        ],
        evidence,
    )
    assert report.scores[0] >= 0.5 > report.scores[1]
    assert report.unsupported == ["MSC exosomes deliver miR-21 to injured cardiomyocytes."]
    assert report.supported_share == 0.5


def test_a_quoted_title_is_backed_by_its_record(checker) -> None:
    title = "Synthetic vesicles from invented stem cells eased made-up fibrosis through an imaginary pathway"
    evidence = {"90000103": synthetic_evidence("90000103", "CONCLUSIONS: a synthetic fragment about parking", title=title)}
    report = checker.check([CitedSentence(f"Yes: {title}.", ["90000103"])], evidence)
    assert report.scores == [1.0] and report.unsupported == []


def test_a_passage_with_inline_markup_is_split_and_quoted_as_plain_text(checker) -> None:
    marked = "<b>BACKGROUND</b>: Synthetic ghrelin rose in made-up rats. <b>RESULTS</b>: It fell <i>in vivo</i> in mice."
    item = synthetic_evidence("90000105", marked)
    texts = [c.text for c in candidate_sentences([item])]
    assert texts == ["Synthetic ghrelin rose in made-up rats.", "It fell in vivo in mice."]
    report = checker.check([CitedSentence(texts[1], ["90000105"])], {"90000105": item})
    assert report.scores == [1.0]


def test_a_title_is_quoted_as_plain_text_and_still_backed_by_its_record(checker) -> None:
    marked = "Synthetic ABCB5<sup>+</sup> cells eased made-up fibrosis <em>in vitro</em> in imaginary mice"
    item = synthetic_evidence("90000104", "CONCLUSIONS: a synthetic fragment about parking", title=marked,
                              abstract_complete=False)
    [title] = [c.text for c in candidate_sentences([item])]
    assert title == "Synthetic ABCB5+ cells eased made-up fibrosis in vitro in imaginary mice"
    report = checker.check([CitedSentence(f"{title}.", ["90000104"])], {"90000104": item})
    assert report.scores == [1.0]


def test_a_citation_to_a_record_outside_the_evidence_is_unsupported(checker) -> None:
    report = checker.check([CitedSentence("Synthetic claim.", ["99999999"])], {})
    assert report.unsupported == ["Synthetic claim."]
