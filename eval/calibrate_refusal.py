"""Calibrate the refusal threshold on labelled questions, not by hand: writes rag/answer/calibration.json.

For every question the real pipeline retrieves evidence exactly as `ask` would (routing, category
preferences, retracted records dropped) with refusal switched off, and records the support signal: the
relevance score of the best evidence sentence (rag.answer.refusal explains the choice); the top record
relevance is recorded beside it for comparison. The threshold is fitted on the team's curated set
(answerable and unanswerable questions) as the cut with the best refusal accuracy, the score the
evaluation reports. Dev questions (all answerable) are a held-out check: the file records the share
of them the cut keeps. They are taken after the first `--dev-skip` (default 200), which the CI
evaluation gate scores, so nothing is fitted or checked on the questions the gate judges.

    python -m eval.calibrate_refusal --dev ../shared/eval/bioasq-dev.jsonl
"""

import json
import statistics
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Literal

import typer
from tqdm import tqdm

from core.errors import InputError
from core.settings import Settings
from eval.questionset import CURATED_SET, Question, load_questions
from rag.answer.answerer import Answerer
from rag.answer.refusal import CALIBRATION_FILE, top_relevance

ROOT = Path(__file__).resolve().parents[1]
Objective = Literal["accuracy", "balanced"]
DEFAULT_OUT = ROOT / "rag" / "answer" / CALIBRATION_FILE


def shown(path: Path) -> str:
    """A path as the record shows it: relative to the repository where it lies inside it."""
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


def best_threshold(
    answerable: Sequence[float], unanswerable: Sequence[float], objective: Objective = "accuracy"
) -> tuple[float, float]:
    """The cut on a relevance signal that best tells answerable (kept) from unanswerable (refused).

    `accuracy` is the evaluation's refusal_accuracy (share of questions refused exactly when
    unanswerable); `balanced` weighs both classes equally. Candidates are midpoints between neighbouring
    observed scores; among equally good cuts the middle one is taken, so the value sits inside the best
    plateau rather than on its edge. Returns (cut, objective value).
    """
    if not answerable or not unanswerable:
        raise InputError("calibration needs both answerable and unanswerable questions")
    scores = sorted(set(answerable) | set(unanswerable))
    cuts = [scores[0] - 1e-6] + [(a + b) / 2 for a, b in pairwise(scores)] + [scores[-1] + 1e-6]
    values = [refusal_score(c, answerable, unanswerable, objective) for c in cuts]
    best = max(values)
    winners = [c for c, v in zip(cuts, values, strict=True) if v == best]
    return winners[len(winners) // 2], best


def refusal_score(
    cut: float, answerable: Sequence[float], unanswerable: Sequence[float], objective: Objective = "accuracy"
) -> float:
    kept = sum(s >= cut for s in answerable)
    refused = sum(s < cut for s in unanswerable)
    if objective == "balanced":
        return (kept / len(answerable) + refused / len(unanswerable)) / 2
    return (kept + refused) / (len(answerable) + len(unanswerable))


def signals(answerer: Answerer, questions: list[Question]) -> list[tuple[Question, float, float]]:
    """(question, best sentence support, top record relevance), as the answer pipeline would see them."""
    scored = []
    for question in tqdm(questions, desc="retrieving", unit="q"):
        prepared = answerer.prepare(question.question)
        support = answerer.extractive.support(question.question, prepared.evidence)
        scored.append((question, support, top_relevance(prepared.evidence)))
    return scored


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 4),
        "median": round(statistics.median(ordered), 4),
        "max": round(ordered[-1], 4),
        "n": len(ordered),
    }


def calibrate(
    settings: Settings,
    fit_sets: list[Path],
    check: tuple[Path, int, int] | None = None,
    answerer: Answerer | None = None,
) -> dict:
    """Compute the calibration record (see the module docstring); nothing is written here.

    Args:
        settings: the settings whose index and model the threshold is for.
        fit_sets: labelled sets (answerable and unanswerable) the cut is fitted on.
        check: (path, skip, limit) of answerable questions to report the kept share on.
        answerer: reuse an open one (tests); else one is opened from the settings.
    """
    settings = settings.model_copy(deep=True)
    settings.answer.min_relevance = -1.0
    if answerer is None:
        from rag.pipeline import build_pipeline

        answerer = build_pipeline(settings).answerer
    fit = signals(answerer, [q for path in fit_sets for q in load_questions(path).questions])
    answerable = [s for q, s, _ in fit if q.answerable]
    unanswerable = [s for q, s, _ in fit if not q.answerable]
    cut, accuracy = best_threshold(answerable, unanswerable)
    record_cut, record_accuracy = best_threshold(
        [r for q, _, r in fit if q.answerable], [r for q, _, r in fit if not q.answerable]
    )
    record = {
        "min_relevance": round(cut, 4),
        "signal": "relevance of the best evidence sentence: 0.65 x embedding cosine + 0.35 x lexical overlap",
        "method": "cut with the best refusal accuracy on the fit set; middle of tied cuts",
        "refusal_accuracy": round(accuracy, 4),
        "balanced_accuracy": round(refusal_score(cut, answerable, unanswerable, "balanced"), 4),
        "answerable_kept": round(sum(s >= cut for s in answerable) / len(answerable), 4),
        "unanswerable_refused": round(sum(s < cut for s in unanswerable) / len(unanswerable), 4),
        "answerable": summary(answerable),
        "unanswerable": summary(unanswerable),
        "compared_signal": {
            "name": "top record relevance (best dense cosine of a passage)",
            "best_cut": round(record_cut, 4),
            "refusal_accuracy": round(record_accuracy, 4),
        },
        "fit_sets": [shown(p) for p in fit_sets],
        "embedding_model": str(settings.embedding.model_path or "bundled all-MiniLM-L6-v2"),
        "computed_at": datetime.now(UTC).date().isoformat(),
        "command": "python -m eval.calibrate_refusal " + " ".join(sys.argv[1:]),
    }
    if check:
        path, skip, limit = check
        held_out = [q for q in load_questions(path, skip + limit).questions[skip:] if q.answerable]
        checked = signals(answerer, held_out)
        record["held_out_check"] = {
            "path": shown(path),
            "skip": skip,
            "limit": limit,
            "answerable_kept": round(sum(s >= cut for _, s, _ in checked) / len(checked), 4),
            "answerable_kept_by_compared_signal": round(sum(r >= record_cut for _, _, r in checked) / len(checked), 4),
        }
    return record


def main(
    questions: list[Path] = typer.Option([CURATED_SET], "--questions", help="Labelled sets to fit on; repeatable."),
    dev: Path | None = typer.Option(None, help="Answerable questions to check the cut on (e.g. the dev set)."),
    dev_skip: int = typer.Option(200, help="Dev questions to leave out first (the CI gate scores them)."),
    dev_limit: int = typer.Option(300, help="How many dev questions to check after those."),
    out: Path = typer.Option(DEFAULT_OUT, help="Where to write the calibration."),
) -> None:
    record = calibrate(Settings(), questions, (dev, dev_skip, dev_limit) if dev else None)
    out.write_text(json.dumps(record, indent=2) + "\n")
    typer.echo(json.dumps(record, indent=2))


if __name__ == "__main__":
    typer.run(main)
