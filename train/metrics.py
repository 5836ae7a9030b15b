"""Held-out scores, pure numpy."""

import numpy as np


def reciprocal_rank(scores: np.ndarray, labels: np.ndarray) -> float:
    """1 / rank of the best-scored positive (ties count against it); 0 without positives."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    if not labels.any():
        return 0.0
    best = scores[labels].max()
    rank = 1 + int((scores[~labels] >= best).sum())
    return 1.0 / rank


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count one half)."""
    scores, labels = np.asarray(scores, float), np.asarray(labels, bool)
    pos, neg = scores[labels], scores[~labels]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    i = 0
    while i < len(values):  # average ranks over ties
        j = i
        while j + 1 < len(values) and values[j + 1] == values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def accuracy(predicted, gold) -> float:
    predicted, gold = list(predicted), list(gold)
    return sum(p == g for p, g in zip(predicted, gold)) / len(gold) if gold else float("nan")


def majority_accuracy(gold) -> float:
    gold = list(gold)
    if not gold:
        return float("nan")
    return max(gold.count(v) for v in set(gold)) / len(gold)


def random_reciprocal_rank(n: int, positives: int) -> float:
    """Expected reciprocal rank of the first positive when ``n`` candidates are shuffled at random."""
    from math import comb

    if positives <= 0:
        return 0.0
    return sum(comb(n - r, positives - 1) / comb(n, positives) / r for r in range(1, n - positives + 2))
