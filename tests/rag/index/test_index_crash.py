"""An `index` process killed with SIGKILL at every stage of an incremental run leaves an index the next run
repairs: store, record table, manifest, BM25 and Chroma agree again and the new records are searchable."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import EmbeddingSettings, Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from rag.index.bm25_index import BM25Index
from rag.index.embeddings import LocalEmbeddings
from rag.index.indexer import CRASH_ENV, STAGES, Indexer, index_counts
from rag.index.layout import bm25_dir
from rag.index.manifest import read_manifest
from tests.conftest import CORPUS
from tests.rag.retrieve.retrieval_fixtures import extra_records, synthetic_records, synthetic_settings

CLI = str(Path(sys.executable).with_name("secretome-qa"))


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory) -> LocalEmbeddings:
    return LocalEmbeddings(EmbeddingSettings(), tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def base_index(tmp_path_factory, embeddings) -> Path:
    """The synthetic records indexed once; every test copies this data dir and crashes on the copy."""
    settings = synthetic_settings(tmp_path_factory.mktemp("base") / "data")
    Indexer(settings, embeddings).run(show_progress=False)
    return settings.data_dir


def copy_with_new_records(base: Path, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    shutil.copytree(base, data_dir)
    with DocumentStore(data_dir / "store.sqlite") as store:
        store.upsert(extra_records())
    return Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS)


def run_index(data_dir: Path, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env.pop(CRASH_ENV, None)
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run(
        [CLI, "--data-dir", str(data_dir), "index", "--quiet"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_whole(settings: Settings) -> None:
    counts = index_counts(settings)
    assert counts.disagreements() == [], counts
    n = len(synthetic_records()) + len(extra_records())
    assert counts.store_records == counts.manifest_records == counts.indexed_records == n
    assert counts.bm25_chunks == counts.chroma_chunks == counts.manifest_chunks == n
    table = BM25Index.load(bm25_dir(settings)).table
    assert {r.pmid for r in extra_records()} <= set(table.ids_of), "BM25 must hold the records added before the crash"


@pytest.mark.parametrize("stage", STAGES)
def test_index_killed_at_a_stage_is_repaired_by_the_next_run(stage, base_index, tmp_path, embeddings):
    settings = copy_with_new_records(base_index, tmp_path)
    crashed = run_index(settings.data_dir, crash_at=stage)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]

    summary = Indexer(settings, embeddings).run(show_progress=False)

    assert summary.bm25_rebuilt, "an interrupted run must force BM25 to be rebuilt"
    assert any("interrupted" in line for line in summary.repaired), summary.repaired
    assert_whole(settings)


def test_cli_rerun_after_a_crash_reports_the_repair(base_index, tmp_path):
    settings = copy_with_new_records(base_index, tmp_path)
    assert run_index(settings.data_dir, crash_at="before_bm25_save").returncode == -signal.SIGKILL
    again = run_index(settings.data_dir)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "repaired" in again.stdout and "nothing changed" not in again.stdout, again.stdout
    assert_whole(settings)


def test_chroma_chunks_no_record_has_are_deleted_and_missing_ones_embedded(base_index, tmp_path, embeddings):
    """Counts that disagree without a dirty mark (a Chroma collection edited behind the index's back)."""
    settings = copy_with_new_records(base_index, tmp_path)
    Indexer(settings, embeddings).run(show_progress=False)
    counts = index_counts(settings)
    import chromadb

    client = chromadb.PersistentClient(path=str(settings.index_dir / "chroma"))
    collection = client.get_collection(read_manifest(settings.index_dir).collection)
    collection.delete(ids=[f"{extra_records()[0].pmid}:0"])
    stray = collection.get(ids=[f"{synthetic_records()[0].pmid}:0"], include=["embeddings", "documents"])
    collection.add(ids=["91999998:0", "91999999:0"], embeddings=[stray["embeddings"][0]] * 2,
                   documents=stray["documents"] * 2, metadatas=[{"pmid": "91999998"}, {"pmid": "91999999"}])
    assert index_counts(settings).chroma_chunks == counts.chroma_chunks + 1

    summary = Indexer(settings, embeddings, chroma_client=client).run(show_progress=False)

    assert any("deleted 2 Chroma chunks" in line for line in summary.repaired), summary.repaired
    assert any("embedded 1 records" in line for line in summary.repaired), summary.repaired
    assert_whole(settings)


def test_records_over_the_size_caps_are_left_out_with_a_message(tmp_path, embeddings):
    settings = synthetic_settings(tmp_path / "data")
    one_sentence = "synthetic run-on text without any full stop " * 300  # ~13,500 characters, one "sentence"
    huge = "Synthetic filler sentence. " * 2_000  # ~54,000 characters
    with DocumentStore(settings.store_path) as store:
        store.upsert([
            PubMedRecord(pmid="91000001", title="Synthetic run-on record", abstract=one_sentence),
            PubMedRecord(pmid="91000002", title="Synthetic oversized record", abstract=huge),
        ])
    summary = Indexer(settings, embeddings).run(show_progress=False)
    assert any("PMID 91000001" in s and "SECRETOME_INDEX__MAX_PASSAGE_CHARS" in s for s in summary.skipped)
    assert any("PMID 91000002" in s and "SECRETOME_INGEST__MAX_RECORD_CHARS" in s for s in summary.skipped)
    counts = index_counts(settings)
    assert counts.disagreements() == [] and counts.chroma_chunks == counts.bm25_chunks == len(synthetic_records())
