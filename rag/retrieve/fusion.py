"""Fusion of the lexical and the dense retriever: pure functions over scores and ranks, no index in sight.

Score fusion (the default) adds `w_bm25 * bm25 / max(bm25) + w_dense * cosine`, with cosine known for
every candidate, BM25 at 0 where a candidate shares no term with the query. On the dev set it beats rank
fusion clearly (the size of a BM25 lead carries information that ranks throw away). Weighted RRF scores
an item `sum_i w_i / (k + rank_i)` over the rankings it appears in (ranks from 1).
"""

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def rrf_scores(rankings: Mapping[str, Sequence[K]], weights: Mapping[str, float], k: int = 60) -> dict[K, float]:
    """Fused score of every item in any ranking; a ranking with no weight counts 1, duplicates count once."""
    if k < 1:
        raise ValueError("the RRF constant k must be at least 1")
    scores: dict[K, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        seen: set[K] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def fuse(rankings: Mapping[str, Sequence[K]], weights: Mapping[str, float], k: int = 60) -> list[tuple[K, float]]:
    """Items by fused score, best first; ties keep the order of first appearance across the rankings."""
    scores = rrf_scores(rankings, weights, k)
    return sorted(scores.items(), key=lambda item: -item[1])


def dedupe(ranking: Sequence[K]) -> list[K]:
    """First occurrence of each item, in order: a record's rank is the rank of its best chunk."""
    return list(dict.fromkeys(ranking))


def score_fusion(
    bm25: Mapping[K, float], cosine: Mapping[K, float], bm25_weight: float, dense_weight: float
) -> list[tuple[K, float]]:
    """Items of `cosine` (every candidate) by `bm25_weight * bm25 / max(bm25) + dense_weight * cosine`,
    best first; ties keep the order of `cosine`."""
    scores = chunk_score_fusion(bm25, cosine, bm25_weight, dense_weight)
    return sorted(scores.items(), key=lambda item: -item[1])


def chunk_score_fusion(
    bm25: Mapping[K, float], cosine: Mapping[K, float], bm25_weight: float, dense_weight: float
) -> dict[K, float]:
    """The score-fusion formula of `score_fusion` for every item of `cosine`, unsorted (orders passages)."""
    top = max(bm25.values(), default=0.0) or 1.0
    return {item: dense_weight * cos + bm25_weight * bm25.get(item, 0.0) / top for item, cos in cosine.items()}
