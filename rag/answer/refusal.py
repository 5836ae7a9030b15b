"""When the corpus does not hold the answer: the calibrated relevance threshold and the refusal text.

The signal is the relevance of the best evidence *sentence* to the question, as the trained relevance
cross-encoder reads it (a probability), not the best record: the team's unanswerable questions are on
topic, so whole records match them about as well as answerable ones, while no single sentence states
what they ask.

The threshold is not picked by hand: `eval/calibrate_refusal.py` (which also holds the fitting) runs the team's labelled questions
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
from pathlib import Path

from core.errors import InputError
from core.settings import Settings
from rag.display import display_title
from rag.types import Evidence

CALIBRATION_FILE = "calibration.json"
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


def refusal_signal() -> str:
    """Which sentence score the shipped threshold applies to: "relevance" (cross-encoder) or "first_pass"."""
    return str(load_calibration().details.get("signal_name", "relevance"))


def refusal_threshold(settings: Settings) -> float:
    if settings.answer.min_relevance is not None:
        return settings.answer.min_relevance
    return load_calibration().min_relevance


def _name(item: Evidence) -> str:
    return display_title(item.title, item.passages[0].text if item.passages else None)


def refusal_text(evidence: Sequence[Evidence]) -> str:
    """What a refused answer says: not enough evidence, and the nearest records for the reader to check."""
    text = "The corpus does not hold enough evidence to answer this question."
    nearest = sorted(evidence, key=lambda e: e.relevance, reverse=True)[:NEAREST_SHOWN]
    if nearest:
        listed = "; ".join(f"{_name(e)} ({e.year or 'n.d.'}) [PMID:{e.pmid}]" for e in nearest)
        text += f" Nearest records: {listed}."
    return text
