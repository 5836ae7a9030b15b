"""Retrieval scores exactly as `../shared/eval/FORMAT.md` defines them, on ranked distinct PMIDs."""

import math
from collections.abc import Sequence


def hit_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    return float(any(pmid in gold for pmid in ranked[:k]))


def recall_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    if not gold:
        return 0.0
    return len(gold.intersection(ranked[:k])) / min(len(gold), k)


def mrr_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    for rank, pmid in enumerate(ranked[:k], start=1):
        if pmid in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], gold: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(rank + 1) for rank, pmid in enumerate(ranked[:k], start=1) if pmid in gold)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def retrieval_scores(ranked: Sequence[str], gold: set[str], k: int = 10) -> dict[str, float]:
    """All four retrieval scores of one question."""
    ranked = list(dict.fromkeys(ranked))
    return {
        f"hit_at_{k}": hit_at_k(ranked, gold, k),
        f"recall_at_{k}": recall_at_k(ranked, gold, k),
        f"mrr_at_{k}": mrr_at_k(ranked, gold, k),
        f"ndcg_at_{k}": ndcg_at_k(ranked, gold, k),
    }
