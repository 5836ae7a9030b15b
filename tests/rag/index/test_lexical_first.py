"""Lexical first: BM25 for every record at once, the vectors afterwards (in the background for a service)."""

import threading

import pytest

from core.settings import Settings
from rag.index.background import BackgroundIndexer
from rag.index.indexer import PENDING, Indexer, index_counts
from rag.index.manifest import read_manifest
from rag.index.state import IndexedRecords
from rag.retrieve.searcher import Searcher
from tests.rag.retrieve.retrieval_fixtures import run_indexer, synthetic_records, synthetic_settings


@pytest.fixture
def lexical(tmp_path) -> Settings:
    """Synthetic records after a lexical pass: BM25 and manifest written, no vectors."""
    settings = synthetic_settings(tmp_path / "data")
    summary = run_indexer(settings, vectors=False)
    assert summary.pending == len(synthetic_records()) and summary.chunks_encoded == 0
    return settings


def test_lexical_pass_writes_bm25_and_counts_pending_vectors(lexical):
    manifest = read_manifest(lexical.index_dir)
    n = len(synthetic_records())
    assert manifest.records == n and manifest.chunks == n and manifest.pending_records == n
    counts = index_counts(lexical)
    assert counts.chroma_chunks == 0 and counts.bm25_chunks == n
    assert counts.dirty.startswith(PENDING)


def test_a_pending_index_already_answers_searches(lexical):
    searcher = Searcher.from_settings(lexical)
    try:
        assert searcher.search("TGF-β1 collagen fibroblasts", k=3, mode="bm25")[0].pmid == "92000003"
        assert searcher.search("TGF-β1 collagen fibroblasts", k=3)[0].pmid == "92000003"  # hybrid, dense empty
        assert searcher.search("TGF-β1 collagen fibroblasts", k=3, mode="dense") == []
    finally:
        searcher.close()


def test_the_next_full_run_embeds_only_the_pending_records_without_repairs(lexical):
    summary = run_indexer(lexical)
    n = len(synthetic_records())
    assert summary.repaired == [] and summary.pending == 0 and summary.chunks_encoded == n
    assert read_manifest(lexical.index_dir).pending_records == 0
    counts = index_counts(lexical)
    assert counts.disagreements() == [] and counts.chroma_chunks == n


def test_a_full_run_killed_midway_resumes_as_pending_not_as_a_repair(lexical):
    """The first batch's vectors are written, then the run dies: the next run picks up the rest."""

    class Killed(Exception):
        pass

    def die_after_first_batch(stage: str) -> None:
        if stage == "after_mark":
            raise Killed

    indexer = Indexer(lexical, checkpoint=die_after_first_batch)
    with pytest.raises(Killed):
        indexer.run(show_progress=False)
    indexer.embeddings.close()
    state = IndexedRecords.for_settings(lexical)
    assert state.dirty().startswith(PENDING)
    state.close()
    resumed = Indexer(lexical)
    try:
        summary = resumed.run(show_progress=False)
    finally:
        resumed.embeddings.close()
    assert summary.repaired == [] and read_manifest(lexical.index_dir).pending_records == 0


def test_background_indexer_reports_progress_then_calls_back(lexical):
    release, reached, finished = threading.Event(), threading.Event(), threading.Event()

    def hold_before_writing(stage: str) -> None:
        if stage == "after_embedding":
            reached.set()
            release.wait(60)

    background = BackgroundIndexer(lexical, on_done=finished.set, checkpoint=hold_before_writing)
    assert background.status() is None
    background.start()
    assert reached.wait(60)
    status = background.status()
    n = len(synthetic_records())
    assert status.running and (status.done, status.total) == (0, n)
    assert status.describe() == f"indexing 0 / {n} records"
    background.start()  # a second start while running is ignored
    release.set()
    assert background.wait(60) and finished.wait(5)
    status = background.status()
    assert not status.running and status.error is None and (status.done, status.total) == (n, n)
    assert read_manifest(lexical.index_dir).pending_records == 0


def test_background_indexer_reports_what_the_manifest_knows_until_the_run_counts(lexical, monkeypatch):
    # a page polling the moment the run starts reads the manifest's counts, never "0 / 0"
    counting = threading.Event()
    monkeypatch.setattr(BackgroundIndexer, "_work", lambda self: counting.wait(60))
    background = BackgroundIndexer(lexical, on_done=lambda: None)
    background.start(done=2, total=5)
    try:
        assert background.status().describe() == "indexing 2 / 5 records"
    finally:
        counting.set()
        background.wait(60)


def test_background_indexer_failure_is_reported_not_raised(lexical):
    def fail(stage: str) -> None:
        if stage == "after_embedding":
            raise RuntimeError("disk full (synthetic)")

    called = threading.Event()
    background = BackgroundIndexer(lexical, on_done=called.set, checkpoint=fail)
    background.start()
    assert background.wait(60)
    status = background.status()
    assert not status.running and status.error == "disk full (synthetic)"
    assert status.describe() == "building the vectors failed: disk full (synthetic)"
    assert not called.is_set()
