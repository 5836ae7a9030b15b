"""The evaluation report: per-question results aggregated overall and by category, and report diffs.

Pure functions over plain data so the same aggregation serves the CLI, the CI gate and the HTML report;
only `write_report` / `load_report` touch files.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InputError
from eval.answer_metrics import ANSWER_SCORES, AnswerScores, aggregate_answers, percentiles
from eval.questionset import Question

RETRIEVAL_SCORES = ("hit_at_10", "recall_at_10", "mrr_at_10", "ndcg_at_10")
REPORT_KEYS = ("questions", "retrieval", "answers", "latency_ms", "by_category", "per_question")


@dataclass(frozen=True)
class RetrievedRecord:
    """What a retriever returned at one rank, small enough to keep for every question."""

    pmid: str
    title: str
    year: int | None
    score: float


@dataclass
class QuestionResult:
    """Everything one question produced: rankings per retriever mode, the answer and its scores."""

    question: Question
    retrieved: dict[str, list[RetrievedRecord]]
    retrieval_scores: dict[str, dict[str, float]]
    answer: str
    citations: list[str]
    evidence_pmids: list[str]
    verdict: str | None
    refused: bool
    warnings: list[str]
    answer_category: str
    latency_ms: float
    scores: AnswerScores

    def as_dict(self, primary_mode: str) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "question": q.question,
            "category": q.category,
            "answerable": q.answerable,
            "gold_pmids": q.gold_pmids,
            "exact_answer": q.exact_answer,
            "retrieved_pmids": [r.pmid for r in self.retrieved.get(primary_mode, [])],
            "retrieved": {
                mode: [r.__dict__ for r in records] for mode, records in self.retrieved.items()
            },
            "answer": self.answer,
            "citations": self.citations,
            "evidence_pmids": self.evidence_pmids,
            "verdict": self.verdict,
            "refused": self.refused,
            "warnings": self.warnings,
            "answer_category": self.answer_category,
            "latency_ms": round(self.latency_ms, 1),
            "scores": {
                "retrieval": self.retrieval_scores.get(primary_mode),
                "retrieval_by_mode": self.retrieval_scores,
                "answer": self.scores.as_dict(),
            },
        }


def aggregate_retrieval(per_question: Iterable[Mapping[str, float] | None]) -> dict[str, float | int | None]:
    """Mean retrieval scores over the questions that have them (answerable, with gold PMIDs)."""
    rows = [row for row in per_question if row is not None]
    summary: dict[str, float | int | None] = {
        name: (sum(row[name] for row in rows) / len(rows) if rows else None) for name in RETRIEVAL_SCORES
    }
    summary["n"] = len(rows)
    return summary


def _section(results: Sequence[QuestionResult], mode: str) -> dict[str, Any]:
    return {
        "questions": len(results),
        "retrieval": aggregate_retrieval(r.retrieval_scores.get(mode) for r in results),
        "answers": aggregate_answers([r.scores for r in results]),
        "latency_ms": percentiles([r.latency_ms for r in results]),
    }


def _by_category(results: Sequence[QuestionResult]) -> dict[str, list[QuestionResult]]:
    groups: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        groups[result.question.category].append(result)
    return dict(sorted(groups.items()))


def build_report(
    results: Sequence[QuestionResult],
    *,
    questions: Mapping[str, Any],
    modes: Sequence[str],
    settings: Mapping[str, Any],
    corpus_records: int | None,
    run: Mapping[str, Any],
) -> dict[str, Any]:
    """Assemble the JSON report; the first of `modes` is the primary retriever the answers used."""
    primary = modes[0]
    overall = _section(results, primary)
    groups = _by_category(results)
    report: dict[str, Any] = {
        "questions": dict(questions),
        "retrieval": overall["retrieval"] | {"mode": primary},
        "answers": overall["answers"],
        "latency_ms": overall["latency_ms"],
        "by_category": {name: _section(group, primary) for name, group in groups.items()},
        "per_question": [r.as_dict(primary) for r in results],
        "retrievers": {
            mode: {
                "overall": aggregate_retrieval(r.retrieval_scores.get(mode) for r in results),
                "by_category": {
                    name: aggregate_retrieval(r.retrieval_scores.get(mode) for r in group)
                    for name, group in groups.items()
                },
            }
            for mode in modes
        },
        "corpus": {"records": corpus_records},
        "settings": dict(settings),
        "run": dict(run),
    }
    return report


def _delta(current: Any, previous: Any) -> float | None:
    if isinstance(current, (int, float)) and isinstance(previous, (int, float)):
        return round(float(current) - float(previous), 6)
    return None


LOWER_IS_BETTER = {"uncited_sentence_rate", "p50", "p95"}


def _entry(name: str, current: Any, previous: Any) -> dict[str, Any]:
    delta = _delta(current, previous)
    better = None if not delta else (delta < 0) == (name in LOWER_IS_BETTER)
    return {"current": current, "previous": previous, "delta": delta, "better": better}


def _section_delta(current: Mapping[str, Any], previous: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: _entry(name, current.get(name), previous.get(name)) for name in names}


def changed_answers(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions of both runs (matched by id) whose answer text, citations or refusal differ, in the current
    run's order: with answers that no longer depend on how the index was built, these are what a change did."""
    before = {q["id"]: q for q in previous.get("per_question", [])}
    changed = []
    for now in current.get("per_question", []):
        then = before.get(now["id"])
        if then is None or (then["answer"], then["citations"], then["refused"]) == (
            now["answer"], now["citations"], now["refused"]
        ):
            continue
        changed.append(
            {
                "id": now["id"],
                "question": now["question"],
                "answerable": now["answerable"],
                "refused": {"previous": then["refused"], "current": now["refused"]},
                "citations": {"previous": then["citations"], "current": now["citations"]},
            }
        )
    return changed


def compare_reports(current: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """Score by score change from `previous` to `current`, overall and for shared categories, and the questions
    whose answers changed."""
    categories = sorted(set(current.get("by_category", {})) & set(previous.get("by_category", {})))
    by_category = {}
    for name in categories:
        now, before = current["by_category"][name], previous["by_category"][name]
        by_category[name] = {
            "retrieval": _section_delta(now["retrieval"], before["retrieval"], RETRIEVAL_SCORES),
            "answers": _section_delta(now["answers"], before["answers"], ANSWER_SCORES),
        }
    return {
        "previous_run": previous.get("run", {}),
        "same_questions": current.get("questions", {}).get("file") == previous.get("questions", {}).get("file")
        and current.get("questions", {}).get("count") == previous.get("questions", {}).get("count"),
        "retrieval": _section_delta(current["retrieval"], previous["retrieval"], RETRIEVAL_SCORES),
        "answers": _section_delta(current["answers"], previous["answers"], ANSWER_SCORES),
        "latency_ms": _section_delta(current["latency_ms"], previous["latency_ms"], ("p50", "p95")),
        "by_category": by_category,
        "changed_answers": changed_answers(current, previous),
    }


def write_report(report: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def load_report(path: Path) -> dict[str, Any]:
    """Read a report written by `write_report`, refusing files that are not one."""
    if not path.is_file():
        raise InputError(f"report {path} does not exist")
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"report {path} is not valid JSON: {exc}") from exc
    missing = [key for key in REPORT_KEYS if not isinstance(report, dict) or key not in report]
    if missing:
        raise InputError(f"{path} is not an evaluation report (missing {', '.join(missing)})")
    return report
