"""Study types from publication types, MeSH, trial ids and (where metadata is missing) text."""

import pytest

from rag.answer.study_type import classify_study, phase_of


@pytest.mark.parametrize(
    ("pub_types", "mesh", "expected"),
    [
        (["Journal Article", "Meta-Analysis"], [], "systematic review / meta-analysis"),
        (["Systematic Review"], [], "systematic review / meta-analysis"),
        (["Randomized Controlled Trial"], ["Humans"], "randomized controlled trial"),
        (["Clinical Trial, Phase II"], ["Humans"], "clinical trial"),
        (["Review"], ["Animals"], "review"),
        (["Journal Article"], ["Animals", "Mice", "Exosomes"], "animal study"),
        (["Journal Article"], ["Cells, Cultured", "Culture Media, Conditioned"], "in vitro"),
        (["Journal Article"], ["Humans", "Cells, Cultured"], "other"),
    ],
)
def test_metadata_decides_when_present(pub_types: list[str], mesh: list[str], expected: str) -> None:
    assert classify_study(pub_types, mesh).name == expected


def test_phase_comes_from_publication_type_first() -> None:
    kind = classify_study(["Clinical Trial, Phase I", "Clinical Trial, Phase II"], [], ["NCT01234567"])
    assert (kind.name, kind.phase, kind.trial_ids) == ("clinical trial", "I/II", ["NCT01234567"])


@pytest.mark.parametrize(
    ("text", "phase"),
    [
        ("A synthetic phase 1/2 study of secretome.", "I/II"),
        ("A synthetic Phase II trial.", "II"),
        ("In this synthetic phase III randomized trial", "III"),
        ("No phase named in this synthetic text.", None),
    ],
)
def test_phase_from_text(text: str, phase: str | None) -> None:
    assert phase_of([], text) == phase


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Synthetic meta-analysis of 12 studies on conditioned medium.", "systematic review / meta-analysis"),
        ("In this review we summarize synthetic secretome findings.", "review"),
        ("A synthetic randomized, double-blind, placebo-controlled trial of exosomes.", "randomized controlled trial"),
        ("A synthetic open-label pilot study enrolled 10 patients (NCT04366063).", "clinical trial"),
        ("Synthetic exosomes reduced infarct size in rats.", "animal study"),
        ("Synthetic conditioned medium increased migration of cultured fibroblasts in vitro.", "in vitro"),
        ("A synthetic questionnaire about storage.", "other"),
    ],
)
def test_text_cues_when_metadata_is_missing(text: str, expected: str) -> None:
    assert classify_study([], [], [], text).name == expected


def test_nct_ids_in_text_make_a_trial_and_are_reported() -> None:
    kind = classify_study([], [], [], "Synthetic record registered as NCT04366063, a phase 2 study.")
    assert kind.name == "clinical trial"
    assert kind.trial_ids == ["NCT04366063"]
    assert kind.phase == "II"


def test_a_review_that_lists_trials_stays_a_review() -> None:
    assert classify_study(["Review"], [], ["NCT04366063"]).name == "review"
