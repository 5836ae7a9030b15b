"""Calibrate the refusal threshold on labelled questions, out of sample: writes rag/answer/calibration.json.

For every question the real pipeline retrieves evidence exactly as `ask` would (routing, category
preferences, retracted records dropped) and records the refusal signal: the relevance cross-encoder's
probability that the best evidence sentence answers the question (rag.answer.refusal explains the choice).
The shipped cut is fitted on the team's curated set (answerable and unanswerable questions) as the cut
with the best refusal accuracy; the accuracy the file reports is cross-validated: stratified folds, each
fold scored with a cut fitted on the others, so the figure is never measured on what it was fitted on.
Dev questions of the held-out `test` split (eval.splits; never used to train any model), after the
first 200 the CI gate scores, check the share of answerable questions the cut keeps.

    python -m eval.calibrate_refusal --dev ../shared/eval/bioasq-dev.jsonl
"""

import hashlib
import json
import random
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
from eval.splits import GATE_SIZE, splits_for
from rag.answer.answerer import Answerer
from rag.answer.refusal import CALIBRATION_FILE
from rag.models import RELEVANCE_MODEL

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


SIGNALS = {
    "relevance": "the relevance cross-encoder's probability that the best evidence sentence answers the question",
    "first_pass": "the best evidence sentence's first-pass score: 0.65 x embedding cosine + 0.35 x word overlap",
}


def signals(answerer: Answerer, questions: list[Question]) -> list[tuple[Question, dict[str, float]]]:
    """(question, {signal: value}) as the answer pipeline would see them, refusal switched off."""
    scored = []
    for question in tqdm(questions, desc="retrieving", unit="q"):
        prepared = answerer.prepare(question.question)
        scored.append((question, answerer.extractive.supports(question.question, prepared.evidence, prepared.vector)))
    return scored


def stratified_folds(labels: Sequence[bool], folds: int, seed: int) -> list[int]:
    """Fold number per item; each class is shuffled (seeded) and dealt round-robin, so folds keep the ratio."""
    rng = random.Random(seed)
    assignment = [0] * len(labels)
    for value in (True, False):
        members = [i for i, label in enumerate(labels) if label == value]
        rng.shuffle(members)
        for position, index in enumerate(members):
            assignment[index] = position % folds
    return assignment


def cross_validated_accuracy(scored: Sequence[tuple[bool, float]], folds: int, seed: int) -> dict:
    """Refusal accuracy of cuts fitted without the fold they are scored on, pooled over the folds."""
    assignment = stratified_folds([answerable for answerable, _ in scored], folds, seed)
    correct, cuts = 0, []
    for fold in range(folds):
        train = [item for item, f in zip(scored, assignment, strict=True) if f != fold]
        held = [item for item, f in zip(scored, assignment, strict=True) if f == fold]
        cut, _ = best_threshold([s for a, s in train if a], [s for a, s in train if not a])
        cuts.append(round(cut, 4))
        correct += sum((s >= cut) == answerable for answerable, s in held)
    return {"folds": folds, "seed": seed, "refusal_accuracy": round(correct / len(scored), 4), "cuts": cuts}


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 4),
        "median": round(statistics.median(ordered), 4),
        "max": round(ordered[-1], 4),
        "n": len(ordered),
    }


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def calibrate(
    settings: Settings,
    fit_sets: list[Path],
    check: tuple[Path, int] | None = None,
    answerer: Answerer | None = None,
    folds: int = 5,
    seed: int = 13,
) -> dict:
    """Compute the calibration record (see the module docstring); nothing is written here.

    Args:
        settings: the settings whose index and models the threshold is for.
        fit_sets: labelled sets (answerable and unanswerable) the cut is fitted on.
        check: (path, limit) of dev questions: answerable test-split ones after the gate's are checked.
        answerer: reuse an open one (tests); else one is opened from the settings.
        folds, seed: the cross-validation that gives the reported accuracy.
    """
    settings = settings.model_copy(deep=True)
    settings.answer.min_relevance = -1.0
    if answerer is None:
        from rag.pipeline import build_pipeline

        answerer = build_pipeline(settings).answerer
    measured = signals(answerer, [q for p in fit_sets for q in load_questions(p).questions])
    by_signal = {name: [(q.answerable, values[name]) for q, values in measured] for name in SIGNALS}
    validated = {name: cross_validated_accuracy(fit, folds, seed) for name, fit in by_signal.items()}
    chosen = max(SIGNALS, key=lambda name: (validated[name]["refusal_accuracy"], name == "relevance"))
    fit = by_signal[chosen]
    answerable = [s for a, s in fit if a]
    unanswerable = [s for a, s in fit if not a]
    cut, in_sample = best_threshold(answerable, unanswerable)
    model = settings.retrieval.reranker_model or RELEVANCE_MODEL
    record = {
        "min_relevance": round(cut, 4),
        "signal_name": chosen,
        "signal": SIGNALS[chosen],
        "method": "of the two signals, the one with the better cross-validated refusal accuracy; its cut with "
        "the best refusal accuracy on the whole fit set (middle of tied cuts)",
        "cross_validation": validated[chosen],
        "compared_signals": {name: validated[name] for name in SIGNALS},
        "in_sample_refusal_accuracy": round(in_sample, 4),
        "balanced_accuracy_in_sample": round(refusal_score(cut, answerable, unanswerable, "balanced"), 4),
        "answerable": summary(answerable),
        "unanswerable": summary(unanswerable),
        "fit_sets": [shown(p) for p in fit_sets],
        "relevance_model": {"path": shown(Path(model)), "sha256": file_sha256(model)},
        "computed_at": datetime.now(UTC).date().isoformat(),
        "command": "python -m eval.calibrate_refusal " + " ".join(sys.argv[1:]),
    }
    if check:
        path, limit = check
        questions = load_questions(path).questions
        assigned = splits_for([q.id for q in questions])
        held_out = [q for q in questions[GATE_SIZE:] if assigned[q.id] == "test" and q.answerable][:limit]
        checked = signals(answerer, held_out)
        record["held_out_check"] = {
            "path": shown(path),
            "questions": "answerable, split test (eval.splits), after the first 200 the CI gate scores",
            "n": len(checked),
            "answerable_kept": round(sum(values[chosen] >= cut for _, values in checked) / len(checked), 4),
        }
    return record


def main(
    questions: list[Path] = typer.Option([CURATED_SET], "--questions", help="Labelled sets to fit on; repeatable."),
    dev: Path | None = typer.Option(None, help="Dev questions to check the kept share on (test split only)."),
    dev_limit: int = typer.Option(300, help="How many held-out dev questions to check."),
    folds: int = typer.Option(5, min=2, help="Cross-validation folds for the reported accuracy."),
    seed: int = typer.Option(13, help="Seed of the fold assignment."),
    out: Path = typer.Option(DEFAULT_OUT, help="Where to write the calibration."),
) -> None:
    record = calibrate(Settings(), questions, (dev, dev_limit) if dev else None, folds=folds, seed=seed)
    out.write_text(json.dumps(record, indent=2) + "\n")
    typer.echo(json.dumps(record, indent=2))


if __name__ == "__main__":
    typer.run(main)
