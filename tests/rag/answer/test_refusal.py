"""The refusal threshold: chosen from labelled scores, shipped in a file, overridable by settings."""

import json
from pathlib import Path

import pytest

from core.errors import InputError
from core.settings import Settings
from rag.answer.citations import parse_citations
from rag.answer.refusal import load_calibration, refusal_text, refusal_threshold
from tests.rag.answer.answer_fixtures import synthetic_evidence


def test_the_packaged_calibration_records_how_it_was_computed() -> None:
    calibration = load_calibration()
    assert -1.0 <= calibration.min_relevance <= 1.0
    assert {"signal", "signal_name", "method", "fit_sets", "cross_validation", "relevance_model", "command"} <= set(
        calibration.details
    )
    assert calibration.details["signal_name"] in ("relevance", "first_pass")
    assert calibration.details["cross_validation"]["folds"] >= 2
    assert set(calibration.details["compared_signals"]) == {"relevance", "first_pass"}


def test_the_calibration_names_the_shipped_relevance_model_by_its_hash() -> None:
    import hashlib

    from rag.models import RELEVANCE_MODEL

    recorded = load_calibration().details["relevance_model"]["sha256"]
    assert recorded == hashlib.sha256(RELEVANCE_MODEL.read_bytes()).hexdigest()


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


def test_refusal_names_records_in_plain_text_or_by_their_opening_words() -> None:
    titled = synthetic_evidence("90000303", "Synthetic sentence three.", relevance=0.4)
    titled.title = "CD34<sup>+</sup> synthetic cells"
    untitled = synthetic_evidence("90000304", "Synthetic opening words of an untitled passage.", relevance=0.3)
    untitled.title = ""
    text = refusal_text([titled, untitled])
    assert "CD34+ synthetic cells" in text and "<sup>" not in text
    assert "Synthetic opening words of an untitled passage." in text and "untitled (" not in text
