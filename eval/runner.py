"""Run a question set through a retriever and an answerer, and score every question.

Retrieval is scored on the retriever's own top-k ranking (one search per mode, so BM25-only, dense-only
and hybrid can be compared on the same questions); answers are scored on what the answer pipeline
returned, with its end-to-end time as the latency. Both collaborators are Protocols, so the runner works
with the real `Searcher`/`Answerer` and with anything else that keeps their contracts.
"""

import hashlib
import json
import platform
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from tqdm import tqdm

from core.settings import Settings, masked_settings
from eval.answer_metrics import score_answer
from eval.questionset import Question, QuestionSet
from eval.report import QuestionResult, RetrievedRecord, build_report
from eval.retrieval_metrics import retrieval_scores
from rag.types import CitedAnswer, Evidence, SearchFilters

Mode = Literal["hybrid", "dense", "bm25"]
COMPARED_MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")
K = 10


class Retriever(Protocol):
    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None, *, mode: Mode | None = None
    ) -> list[Evidence]: ...


class Answerer(Protocol):
    def ask(self, question: str, filters: SearchFilters | None = None, backend: str | None = None) -> CitedAnswer: ...


def _ranked(evidence: Sequence[Evidence]) -> list[RetrievedRecord]:
    seen: dict[str, RetrievedRecord] = {}
    for item in evidence:
        seen.setdefault(item.pmid, RetrievedRecord(item.pmid, item.title, item.year, round(item.score, 6)))
    return list(seen.values())


def evaluate_question(
    question: Question,
    retriever: Retriever,
    answerer: Answerer,
    *,
    modes: Sequence[Mode] = ("hybrid",),
    backend: str | None = None,
    k: int = K,
) -> QuestionResult:
    """Search in every mode, answer once, and score both against the question's gold."""
    retrieved = {mode: _ranked(retriever.search(question.question, k=k, mode=mode)) for mode in modes}
    scored = question.answerable and bool(question.gold_pmids)
    by_mode = {
        mode: retrieval_scores([r.pmid for r in ranking], set(question.gold_pmids), k)
        for mode, ranking in retrieved.items()
        if scored
    }
    started = time.perf_counter()
    answer = answerer.ask(question.question, backend=backend)
    latency_ms = (time.perf_counter() - started) * 1000
    citation_pmids = [c.pmid for c in answer.citations]
    evidence_pmids = [e.pmid for e in answer.evidence]
    scores = score_answer(
        answer=answer.answer,
        citation_pmids=citation_pmids,
        evidence_pmids=evidence_pmids,
        verdict=answer.verdict,
        refused=answer.refused,
        answerable=question.answerable,
        gold_pmids=question.gold_pmids,
        key_facts=question.key_facts,
        ideal_answer=question.ideal_answer,
        exact_answer=question.exact_answer,
        citation_support=answer.supported_share,
        verdict_probability=answer.verdict_probability,
        evidence_confidence=answer.evidence_confidence,
    )
    return QuestionResult(
        question=question,
        retrieved=retrieved,
        retrieval_scores=by_mode,
        answer=answer.answer,
        citations=citation_pmids,
        evidence_pmids=evidence_pmids,
        verdict=answer.verdict,
        refused=answer.refused,
        warnings=list(answer.warnings),
        answer_category=answer.category,
        latency_ms=latency_ms,
        scores=scores,
    )


def run_questions(
    questions: Sequence[Question],
    retriever: Retriever,
    answerer: Answerer,
    *,
    modes: Sequence[Mode] = ("hybrid",),
    backend: str | None = None,
    k: int = K,
    progress: bool = True,
) -> list[QuestionResult]:
    """Evaluate every question in order, with a progress bar on stderr unless `progress` is False.

    One untimed answer comes first, so lazily loaded models do not land in the first question's latency.
    """
    if not modes:
        raise ValueError("at least one retriever mode is needed")
    if questions:
        answerer.ask(questions[0].question, backend=backend)
    return [
        evaluate_question(question, retriever, answerer, modes=modes, backend=backend, k=k)
        for question in tqdm(questions, desc="evaluating", unit="q", disable=not progress)
    ]


def _fingerprint(data: object) -> str:
    return hashlib.md5(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_evaluation(
    question_set: QuestionSet,
    retriever: Retriever,
    answerer: Answerer,
    *,
    settings: Settings,
    corpus_records: int | None,
    backend: str | None = None,
    compare_retrievers: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Run a whole set and return the JSON report, with the provenance needed to compare runs later."""
    modes: tuple[Mode, ...] = COMPARED_MODES if compare_retrievers else ("hybrid",)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    results = run_questions(
        question_set.questions, retriever, answerer, modes=modes, backend=backend, progress=progress
    )
    shown_settings = masked_settings(settings)
    run = {
        "started_at": started_at,
        "duration_s": round(time.perf_counter() - started, 2),
        "backend": backend or settings.answer.backend,
        "modes": list(modes),
        "k": K,
        "settings_md5": _fingerprint(shown_settings),
        "questions_md5": _fingerprint([q.model_dump() for q in question_set.questions]),
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}",
    }
    return build_report(
        results,
        questions=question_set.summary(),
        modes=modes,
        settings=shown_settings,
        corpus_records=corpus_records,
        run=run,
    )
