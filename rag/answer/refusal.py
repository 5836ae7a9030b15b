"""When the corpus does not hold the answer: the calibrated relevance threshold and the refusal text.

The signal is the relevance of the best evidence *sentence* to the question (the extractive backend's
score: embedding cosine plus lexical overlap), not only the best record: the team's unanswerable
questions are on topic, so whole records match them about as well as answerable ones, while no single
sentence states what they ask; calibration.json records both signals' best accuracy side by side.

The threshold is not picked by hand: `eval/calibrate_refusal.py` runs the team's labelled questions
through the real pipeline and chooses the cut with the best refusal accuracy (checked on held-out dev
questions); it writes `rag/answer/calibration.json`,
which ships with the package and records how the value was computed. Sentences below the threshold are
never used, so "below the threshold" and "no sentence survives" are the same refusal.
`settings.answer.min_relevance` overrides the shipped value.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Literal

from core.errors import InputError
from core.settings import Settings
from rag.types import Evidence

CALIBRATION_FILE = "calibration.json"
Objective = Literal["accuracy", "balanced"]
NEAREST_SHOWN = 3


@dataclass(frozen=True)
class Calibration:
    """The shipped threshold and the record of how it was computed."""

    min_relevance: float
    details: dict = field(default_factory=dict)


def load_calibration(path: Path | None = None) -> Calibration:
    """Read the calibration file (the packaged one by default)."""
    try:
        text = path.read_text() if path else resources.files("rag.answer").joinpath(CALIBRATION_FILE).read_text()
        data = json.loads(text)
        return Calibration(float(data["min_relevance"]), data)
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"cannot read the refusal calibration {path or 'rag/answer/' + CALIBRATION_FILE}: {exc}") from exc


def refusal_threshold(settings: Settings) -> float:
    if settings.answer.min_relevance is not None:
        return settings.answer.min_relevance
    return load_calibration().min_relevance


def top_relevance(evidence: Sequence[Evidence]) -> float:
    return max((e.relevance for e in evidence), default=-1.0)


def refusal_text(evidence: Sequence[Evidence]) -> str:
    """What a refused answer says: not enough evidence, and the nearest records for the reader to check."""
    text = "The corpus does not hold enough evidence to answer this question."
    nearest = sorted(evidence, key=lambda e: e.relevance, reverse=True)[:NEAREST_SHOWN]
    if nearest:
        listed = "; ".join(f"{e.title or 'untitled'} ({e.year or 'n.d.'}) [PMID:{e.pmid}]" for e in nearest)
        text += f" Nearest records: {listed}."
    return text


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
