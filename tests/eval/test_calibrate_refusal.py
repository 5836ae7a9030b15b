"""Fitting the refusal threshold: the cut that best separates answerable from unanswerable scores."""

import pytest

from core.errors import InputError
from eval.calibrate_refusal import best_threshold, cross_validated_accuracy, refusal_score, stratified_folds


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


def test_folds_keep_the_class_ratio_and_are_reproducible() -> None:
    labels = [True] * 50 + [False] * 10
    folds = stratified_folds(labels, 5, seed=13)
    assert folds == stratified_folds(labels, 5, seed=13)
    for fold in range(5):
        members = [label for label, f in zip(labels, folds, strict=True) if f == fold]
        assert members.count(False) == 2 and members.count(True) == 10


def test_cross_validation_scores_each_fold_with_a_cut_fitted_without_it() -> None:
    separable = [(True, 0.8 + i / 100) for i in range(10)] + [(False, 0.1 + i / 100) for i in range(5)]
    assert cross_validated_accuracy(separable, 5, seed=1)["refusal_accuracy"] == 1.0
    # One unanswerable question scoring like the answerable ones cannot be fitted away out of sample.
    mixed = [*separable[:-1], (False, 0.85)]
    result = cross_validated_accuracy(mixed, 5, seed=1)
    assert result["refusal_accuracy"] < 1.0 and len(result["cuts"]) == 5
