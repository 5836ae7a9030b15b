"""Second stage: the trained cross-encoder reads query and passage together and re-orders the fused top records.

The model (rag/models/relevance, int8 ONNX, trained by `secretome-qa train`) scores the query against each
record's title and best passage; its logit replaces the fused score, so `Evidence.score` means the same
thing in every re-ranked list. The searcher re-ranks the fused top `retrieval.rerank_depth` and then cuts
to the `k` asked for.
"""

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from rag.types import Evidence

PASSAGE_MAX_TOKENS = 192


class PairScorer(Protocol):
    def scores(self, query: str, texts: Sequence[str], max_length: int | None = None) -> np.ndarray: ...


def passage_text(item: Evidence) -> str:
    """What the cross-encoder reads for a record: its title, then its best passage."""
    best = item.passages[0].text if item.passages else ""
    return f"{item.title}. {best}" if item.title and not best.startswith(item.title) else best


def rerank(scorer: PairScorer, query: str, evidence: list[Evidence]) -> list[Evidence]:
    """Re-order by cross-encoder logit of title + best passage; the logit replaces the fused score."""
    if not evidence:
        return evidence
    scores = scorer.scores(query, [passage_text(e) for e in evidence], PASSAGE_MAX_TOKENS)
    for item, score in zip(evidence, scores, strict=True):
        item.score = float(score)
    return sorted(evidence, key=lambda e: -e.score)
