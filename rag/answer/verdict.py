"""Yes/no verdicts read from the evidence by the trained verdict model (rag/models/verdict).

The model reads the question with the best evidence sentences (ranked by the relevance cross-encoder),
joined the way it was trained on them, and gives P(yes). Within `margin` of 0.5 the verdict is
`undetermined`: a reviewer is better served by "the evidence does not settle it" than by a coin flip.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.retrieve.rerank import PairScorer
from rag.types import Verdict

CONTEXT_CHARS = 500


def verdict_for(p_yes: float, margin: float) -> Verdict:
    """yes above 0.5 + margin, no below 0.5 - margin, else undetermined."""
    if p_yes >= 0.5 + margin:
        return "yes"
    if p_yes <= 0.5 - margin:
        return "no"
    return "undetermined"


def verdict_context(sentences: Sequence[str], chars: int = CONTEXT_CHARS) -> str:
    """The best sentences joined, cut to their last `chars` characters (as in training: conclusions come last)."""
    text = " ".join(s.strip() for s in sentences if s.strip())
    return text[-chars:]


@dataclass(frozen=True)
class VerdictReading:
    verdict: Verdict
    p_yes: float


class VerdictReader:
    """P(yes) for a question from its best evidence sentences."""

    def __init__(self, model: PairScorer, margin: float = 0.1):
        self.model = model
        self.margin = margin

    def read(self, question: str, sentences: Sequence[str]) -> VerdictReading:
        if not sentences:
            return VerdictReading("undetermined", 0.5)
        logit = float(self.model.scores(question, [verdict_context(sentences)])[0])
        p_yes = float(1.0 / (1.0 + np.exp(-logit)))
        return VerdictReading(verdict_for(p_yes, self.margin), p_yes)
