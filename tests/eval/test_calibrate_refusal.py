"""Fitting the refusal threshold: the cut that best separates answerable from unanswerable scores."""

import pytest

from core.errors import InputError
from eval.calibrate_refusal import best_threshold, refusal_score


def test_best_threshold_separates_separable_scores() -> None:
    cut, accuracy = best_threshold([0.6, 0.7, 0.8], [0.2, 0.3, 0.4])
    assert accuracy == 1.0
    assert 0.4 < cut < 0.6


def test_best_threshold_takes_the_middle_of_a_plateau() -> None:
    cut, accuracy = best_threshold([0.5, 0.9], [0.1, 0.2])
    assert accuracy == 1.0
    assert cut == pytest.approx(0.35)


def test_accuracy_and_balanced_objectives_differ_on_unequal_classes() -> None:
    # Ten answerable, two unanswerable scoring among them: refusing both costs two answerable.
    answerable = [0.3, 0.32, 0.34, 0.5, 0.6, 0.62, 0.64, 0.7, 0.72, 0.8]
    unanswerable = [0.31, 0.33]
    cut, balanced = best_threshold(answerable, unanswerable, "balanced")
    assert 0.33 < cut < 0.34
    assert balanced == pytest.approx((0.8 + 1.0) / 2)
    cut, accuracy = best_threshold(answerable, unanswerable, "accuracy")
    assert accuracy == pytest.approx(10 / 12)
    assert refusal_score(cut, answerable, unanswerable) == pytest.approx(accuracy)


def test_best_threshold_needs_both_classes() -> None:
    with pytest.raises(InputError):
        best_threshold([0.5], [])
