"""Answers' citations show the evidence level the map counts (the record's profile), read from the store."""

import logging
from pathlib import Path

import pytest

from ingest.store import DocumentStore
from rag.answer.answerer import Answerer
from rag.retrieve.searcher import Searcher
from rag.review.profile import profile_record
from rag.review.record_levels import RecordEvidenceLevels
from tests.rag.answer.answer_fixtures import (  # noqa: F401 (fixture)
    answerer_with,
    build_index,
    embedder,
    synthetic_evidence,
)

GUIDELINE = "90000401"
TRIAL = "90000402"
EVIDENCE = [
    # the study-type classifier reads "other" here; the profile reads the title's "consensus statement"
    synthetic_evidence(
        GUIDELINE,
        "Synthetic potency assays for mesenchymal stem cell secretome products should measure angiogenic activity.",
        "Synthetic release criteria for secretome products should include a potency assay of angiogenic activity.",
        title="Synthetic consensus statement on potency assays for mesenchymal stem cell secretome products",
        relevance=0.7,
        score=0.05,
    ),
    # the classifier's "clinical trial" is the map's "human trial"
    synthetic_evidence(
        TRIAL,
        "Synthetic mesenchymal stem cell exosomes were given to twelve patients with synthetic knee disease in a"
        " single-arm open-label study, and knee pain fell.",
        relevance=0.6,
        score=0.04,
    ),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Searcher:  # noqa: F811
    return build_index(tmp_path_factory.mktemp("levels") / "data", EVIDENCE, embedder)


@pytest.fixture
def levels(searcher: Searcher) -> RecordEvidenceLevels:
    return RecordEvidenceLevels(searcher.settings.store_path)


def test_levels_are_the_stored_records_profile_levels(searcher: Searcher, levels: RecordEvidenceLevels) -> None:
    with DocumentStore(searcher.settings.store_path) as store:
        records = store.get_many([GUIDELINE, TRIAL])
    expected = {pmid: profile_record(record).evidence for pmid, record in records.items()}
    assert levels([GUIDELINE, TRIAL]) == expected == {GUIDELINE: "guideline", TRIAL: "human trial"}


def test_unknown_pmids_are_left_out_and_no_pmids_read_nothing(levels: RecordEvidenceLevels) -> None:
    assert levels([TRIAL, "99999999"]) == {TRIAL: "human trial"}
    assert levels([]) == {}


def test_a_missing_store_gives_no_levels_and_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "absent" / "records.sqlite"
    assert RecordEvidenceLevels(path)([TRIAL]) == {}
    assert not path.exists()


def test_an_unreadable_store_costs_the_labels_not_the_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "records.sqlite"
    path.write_bytes(b"this is not a SQLite database, a synthetic broken store")
    with caplog.at_level(logging.WARNING, logger="rag.review.record_levels"):
        assert RecordEvidenceLevels(path)([TRIAL]) == {}
    assert "without evidence levels" in caplog.text
    assert path.read_bytes() == b"this is not a SQLite database, a synthetic broken store"


def test_an_answers_citations_carry_the_profile_level_beside_the_study_type(
    searcher: Searcher, levels: RecordEvidenceLevels, embedder  # noqa: F811
) -> None:
    plain = answerer_with(searcher, embedder, searcher.settings.data_dir)
    answerer = Answerer(plain.settings, searcher, embedder, levels=levels)
    question = "What should potency assays of mesenchymal stem cell secretome products measure?"
    answer = answerer.ask(question)
    assert not answer.refused, answer.warnings
    cited = {c.pmid: c for c in answer.citations}
    assert GUIDELINE in cited
    assert (cited[GUIDELINE].study_type, cited[GUIDELINE].evidence_level) == ("other", "guideline")
    assert answer.evidence_line and "1 guideline" in answer.evidence_line
    without = plain.ask(question)
    assert all(c.evidence_level is None for c in without.citations) and without.evidence_line is None
