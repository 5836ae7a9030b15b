"""The answer pipeline over the real 30k-record index: citations always valid, refusal calibrated."""

import json

import pytest

from core.errors import InputError
from core.settings import Settings
from eval.questionset import CURATED_SET, load_questions
from rag.answer.answerer import Answerer
from rag.answer.citations import cited_sentences, parse_citations
from rag.answer.refusal import load_calibration
from rag.pipeline import build_pipeline
from rag.review.profile import facet_labels
from tests.conftest import SHARED

pytestmark = pytest.mark.slow

DEV_SET = SHARED / "eval" / "bioasq-dev.jsonl"
DEV_QUESTIONS = 20
# Measured 2026-11-25 with the shipped calibration (rag/answer/calibration.json, threshold 0.4572): on the curated
# set 7 of 10 unanswerable questions are refused and 2 of 51 answerable ones; the bounds sit a little wider.
UNANSWERABLE_REFUSED_FLOOR = 0.6
ANSWERABLE_REFUSED_CEILING = 0.1
OFF_TOPIC = [
    "What is the capital of France?",
    "How long should sourdough bread be proofed before baking?",
    "Which team won the 1998 football world cup final?",
    "How do I change the oil in a motorcycle engine?",
]


@pytest.fixture(scope="module")
def answerer(corpus_settings: Settings) -> Answerer:
    return build_pipeline(corpus_settings).answerer


@pytest.fixture(scope="module")
def curated_answers(answerer: Answerer) -> list[tuple]:
    return [(q, answerer.ask(q.question)) for q in load_questions(CURATED_SET).questions]


@pytest.fixture(scope="module")
def dev_answers(answerer: Answerer) -> list[tuple]:
    return [(q, answerer.ask(q.question)) for q in load_questions(DEV_SET, DEV_QUESTIONS).questions]


def test_every_cited_pmid_is_in_the_answers_own_evidence(curated_answers, dev_answers) -> None:
    checked = 0
    for question, answer in [*curated_answers, *dev_answers]:
        evidence = {e.pmid for e in answer.evidence}
        assert set(parse_citations(answer.answer)) <= evidence, question.id
        assert {c.pmid for c in answer.citations} <= evidence, question.id
        assert not any(e.retracted for e in answer.evidence), question.id
        if not answer.refused:
            assert [c.pmid for c in answer.citations] == list(
                dict.fromkeys(p for s in cited_sentences(answer.answer) for p in s.pmids)
            ), question.id
            assert all(s.pmids for s in cited_sentences(answer.answer)), f"{question.id}: uncited sentence"
            checked += 1
    assert checked >= 60, "the property must be exercised on many real answers"


def test_answers_are_short_and_each_citation_shows_its_passage(curated_answers) -> None:
    for question, answer in curated_answers:
        if answer.refused:
            continue
        assert 1 <= len(cited_sentences(answer.answer)) <= 6, question.id
        for citation in answer.citations:
            assert citation.passage and citation.link.endswith(f"/{citation.pmid}/")
            assert citation.study_type and citation.evidence_level in facet_labels("evidence")


def test_off_topic_questions_are_refused_with_the_nearest_records(answerer: Answerer) -> None:
    for question in OFF_TOPIC:
        answer = answerer.ask(question)
        assert answer.refused, question
        assert answer.citations == []
        assert answer.answer.startswith("The corpus does not hold enough evidence")
        assert set(parse_citations(answer.answer)) <= {e.pmid for e in answer.evidence}


def test_unanswerable_questions_are_refused_at_the_calibrated_rate(curated_answers) -> None:
    unanswerable = [a for q, a in curated_answers if not q.answerable]
    refused = sum(a.refused for a in unanswerable) / len(unanswerable)
    assert refused >= UNANSWERABLE_REFUSED_FLOOR, f"refused {refused:.2f} of unanswerable questions"


def test_answerable_questions_are_answered(curated_answers) -> None:
    answerable = [(q, a) for q, a in curated_answers if q.answerable]
    refused = [q.id for q, a in answerable if a.refused]
    assert len(refused) / len(answerable) <= ANSWERABLE_REFUSED_CEILING, f"wrongly refused: {refused}"


def test_yes_no_questions_get_a_verdict(dev_answers, curated_answers) -> None:
    for question, answer in [*dev_answers, *curated_answers]:
        if question.exact_answer is not None:
            assert answer.verdict in ("yes", "no", "undetermined"), question.id


def test_json_has_the_keys_the_cli_promises(curated_answers) -> None:
    data = json.loads(curated_answers[0][1].model_dump_json())
    assert {"answer", "citations", "evidence", "verdict", "refused", "warnings", "category"} <= set(data)
    assert all({"pmid", "score", "relevance"} <= set(e) for e in data["evidence"])


def test_the_shipped_calibration_is_used(answerer: Answerer) -> None:
    assert answerer.threshold == load_calibration().min_relevance


def test_bad_input_is_an_input_error(answerer: Answerer) -> None:
    with pytest.raises(InputError):
        answerer.ask("   ")
    with pytest.raises(InputError):
        answerer.ask("What do MSC exosomes carry?", backend="oracle")
