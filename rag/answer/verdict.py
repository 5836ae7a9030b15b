"""Yes/no verdicts read from the evidence by the trained verdict model (rag/models/verdict).

The model reads the question with each of the best records' best sentences (ranked by the relevance
cross-encoder), joined the way it was trained on them; the readings are averaged in logit space, weighted
by how relevant each record's best sentence is, into one P(yes). One reading per record rather than one
of the best sentences pooled across records: the model was trained on one record's text at a time, and
several readings average out its noise (BioASQ validation, 55 yes/no questions: 0.727 pooled, 0.764 over
the top 3 records; README "Yes/no verdicts"). That reading is then averaged, again in logit space, with a
reading of the top retrieved record's own passages in abstract order, the context the model was trained on
for PubMedQA (the conclusion comes last): held-out BioASQ and PubMedQA yes/no questions, 168 -> 175 of 239
right (README). Within `margin` of 0.5 the verdict is `undetermined`.
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


def weighted_logit(logits: Sequence[float], weights: Sequence[float]) -> float:
    """The readings' mean logit, each weighted by its record's relevance (never below a small floor, so a
    reading always counts)."""
    return float(np.average(np.asarray(logits, dtype=np.float64), weights=np.maximum(weights, 1e-3)))


def combined_logit(records_logit: float, top_record_logit: float) -> float:
    """The evidence's reading and the top record's own reading count alike: the first reads what is most
    relevant, the second what the model was trained on for PubMedQA (a whole abstract's end)."""
    return (records_logit + top_record_logit) / 2.0


class MeanLogitScorer:
    """Several verdict models read as one: the mean of their logits (`SECRETOME_ANSWER__VERDICT_MODEL=a,b`).

    Models trained on different recipes err on different questions: the shipped model with the one trained
    also on polarity-flipped PubMedQA pairs (`python -m train verdict-polarity`) ranks the train split's
    yes/no questions better out of fold than either alone, but held out it traded BioASQ for PubMedQA, so
    the default reads the shipped model alone (README "Trained models")."""

    def __init__(self, members: Sequence[PairScorer]):
        if not members:
            raise ValueError("a MeanLogitScorer needs at least one model")
        self.members = list(members)

    def scores(self, query: str, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        return np.mean([np.asarray(m.scores(query, texts, max_length), dtype=np.float64) for m in self.members], axis=0)


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
        """One reading of the sentences joined."""
        return self.read_records(question, [(1.0, sentences)])

    def read_records(
        self, question: str, records: Sequence[tuple[float, Sequence[str]]], top_record: str | None = None
    ) -> VerdictReading:
        """One reading per (weight, sentences) record, in one model call, averaged by `weighted_logit`; with
        `top_record` (the top record's text, conclusion last) that average and the reading of its tail are
        averaged in turn (`combined_logit`)."""
        readable = [(weight, sentences) for weight, sentences in records if sentences]
        if not readable:
            return VerdictReading("undetermined", 0.5)
        contexts = [verdict_context(sentences) for _, sentences in readable]
        if top_record:
            contexts.append(verdict_context([top_record]))
        logits = [float(x) for x in self.model.scores(question, contexts)]
        logit = weighted_logit(logits[: len(readable)], [weight for weight, _ in readable])
        if top_record:
            logit = combined_logit(logit, logits[-1])
        p_yes = float(1.0 / (1.0 + np.exp(-logit)))
        return VerdictReading(verdict_for(p_yes, self.margin), p_yes)
