"""The trained sentence selector: which evidence sentences an extractive answer may use.

Gradient-boosted trees (fitted by ``python -m train sentence-selector``, served as ONNX) over a few
scores each candidate sentence already has: the cross-encoder's probability, the first-pass score (cosine
and word overlap), where its record ranked, how its record fares against the refusal floor, and how it
compares with the question's best sentence. It predicts whether the sentence comes from a record the
experts cited for the question, so answers quote fewer records that merely share the question's words.
Features are pure functions of arrays, so training and serving compute them with the same code.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.models.pair_classifier import open_session

FEATURES = (
    "relevance",
    "relevance_logit",
    "first_pass",
    "cosine",
    "word_overlap",
    "record_rank_inverse",
    "position_inverse",
    "record_first_pass_over_floor",
    "record_passes_floor",
    "record_best_relevance",
    "relevance_rank_inverse",
    "first_pass_rank_inverse",
    "relevance_below_best",
    "first_pass_over_floor",
    "log_words",
    "question_best_first_pass_over_floor",
)


@dataclass(frozen=True)
class SentenceCandidates:
    """The arrays the selector reads, one entry per candidate sentence the cross-encoder scored."""

    relevance: np.ndarray
    first_pass: np.ndarray
    cosine: np.ndarray
    record_ranks: np.ndarray
    positions: np.ndarray
    word_counts: np.ndarray
    records: list[str]


def _best_per_record(values: np.ndarray, records: list[str]) -> np.ndarray:
    best: dict[str, float] = {}
    for value, record in zip(values, records):
        best[record] = max(best.get(record, -np.inf), float(value))
    return np.array([best[r] for r in records])


def _rank_inverse(values: np.ndarray) -> np.ndarray:
    """1 for the highest value, 1/2 for the next, ... (ties in input order)."""
    ranks = np.empty(len(values))
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return 1.0 / (1.0 + ranks)


def selector_features(c: SentenceCandidates, floor: float, lexical_weight: float) -> np.ndarray:
    """The FEATURES matrix (candidates x features); `floor` is the calibrated refusal floor on the first pass."""
    if not len(c.relevance):
        return np.zeros((0, len(FEATURES)))
    p = np.clip(np.asarray(c.relevance, dtype=np.float64), 1e-4, 1 - 1e-4)
    first_pass = np.asarray(c.first_pass, dtype=np.float64)
    cosine = np.asarray(c.cosine, dtype=np.float64)
    overlap = (first_pass - (1 - lexical_weight) * cosine) / lexical_weight if lexical_weight else np.zeros(len(p))
    record_first_pass = _best_per_record(first_pass, c.records)
    columns = [
        p,
        np.log(p / (1 - p)),
        first_pass,
        cosine,
        overlap,
        1.0 / (1.0 + np.asarray(c.record_ranks, dtype=np.float64)),
        1.0 / (1.0 + np.asarray(c.positions, dtype=np.float64)),
        record_first_pass - floor,
        (record_first_pass >= floor).astype(np.float64),
        _best_per_record(p, c.records),
        _rank_inverse(p),
        _rank_inverse(first_pass),
        p - p.max(),
        first_pass - floor,
        np.log(np.maximum(np.asarray(c.word_counts, dtype=np.float64), 1.0)),
        np.full(len(p), first_pass.max() - floor),
    ]
    return np.column_stack(columns)


class SentenceSelector:
    """P(the sentence's record is one the question's experts cited), from gradient-boosted trees served with ONNX
    Runtime; a sentence is usable at `threshold` or more (chosen on validation).

    The ONNX file carries what it was trained on in its metadata: the feature names (checked against this
    code's FEATURES) and the threshold.
    """

    def __init__(self, session, threshold: float):
        self.session = session
        self.threshold = threshold
        self._input = session.get_inputs()[0].name

    @classmethod
    def from_model(cls, model: Path | bytes, threshold: float | None = None) -> "SentenceSelector":
        """Open an ONNX selector (a file or its bytes); `threshold` overrides the one stored in it."""
        session = open_session(model, threads=1)
        meta = session.get_modelmeta().custom_metadata_map
        where = model if isinstance(model, Path) else "the selector"
        if "features" not in meta or "threshold" not in meta:
            raise ValueError(f"{where} has no selector metadata (features, threshold)")
        features = json.loads(meta["features"])
        if list(features) != list(FEATURES):
            raise ValueError(f"{where} was trained on features {features}, this code computes {list(FEATURES)}")
        return cls(session, float(meta["threshold"]) if threshold is None else threshold)

    @classmethod
    def load(cls, path: Path) -> "SentenceSelector":
        return cls.from_model(Path(path))

    def with_threshold(self, threshold: float) -> "SentenceSelector":
        return SentenceSelector(self.session, threshold)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        _, probabilities = self.session.run(None, {self._input: np.asarray(features, dtype=np.float32)})
        return np.asarray(probabilities, dtype=np.float64)[:, 1]
