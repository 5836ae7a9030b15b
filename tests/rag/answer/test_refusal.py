"""The refusal threshold: chosen from labelled scores, shipped in a file, overridable by settings."""

import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.settings import Settings
from rag.answer.citations import parse_citations
from rag.answer.refusal import best_threshold, load_calibration, refusal_score, refusal_text, refusal_threshold
from tests.rag.answer.answer_fixtures import synthetic_evidence


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


def test_the_packaged_calibration_records_how_it_was_computed() -> None:
    calibration = load_calibration()
    assert -1.0 <= calibration.min_relevance <= 1.0
    assert {"signal", "method", "fit_sets", "refusal_accuracy", "command"} <= set(calibration.details)


def test_settings_override_the_calibration(settings: Settings) -> None:
    assert refusal_threshold(settings) == load_calibration().min_relevance
    settings.answer.min_relevance = 0.42
    assert refusal_threshold(settings) == 0.42


def test_a_broken_calibration_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"signal": "no threshold here"}))
    with pytest.raises(InputError, match="calibration"):
        load_calibration(path)


def test_refusal_lists_the_nearest_records() -> None:
    evidence = [
        synthetic_evidence("90000301", "Synthetic sentence one.", relevance=0.2, year=2020),
        synthetic_evidence("90000302", "Synthetic sentence two.", relevance=0.3),
    ]
    text = refusal_text(evidence)
    assert text.startswith("The corpus does not hold enough evidence to answer this question.")
    assert parse_citations(text) == ["90000302", "90000301"]
    assert refusal_text([]) == "The corpus does not hold enough evidence to answer this question."
