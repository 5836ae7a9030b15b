"""Shared fixtures: where ../shared lives, and a settings object over a fresh data dir."""

import os
from pathlib import Path

import pytest

from core.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SECRETOME_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "records.jsonl"
FIXTURES = SHARED / "fixtures" / "ncbi"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; tests read real data from it")
    return SHARED


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data dir, ignoring any developer .env."""
    return Settings(_env_file=None, data_dir=tmp_path / "data", corpus_path=CORPUS)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The whole ../shared corpus ingested and indexed once per session; API and eval tests reuse it.

    Set SECRETOME_TEST_DATA_DIR to keep the data dir between sessions: ingest and index are incremental,
    so a second session only checks that nothing changed.
    """
    from ingest.jsonl import read_jsonl
    from ingest.records import PubMedRecord
    from ingest.store import DocumentStore
    from rag.index.indexer import Indexer

    if not CORPUS.is_file():
        pytest.fail(f"corpus snapshot not found at {CORPUS}")
    reuse = os.environ.get("SECRETOME_TEST_DATA_DIR")
    data_dir = Path(reuse) if reuse else tmp_path_factory.mktemp("corpus") / "data"
    settings = Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS)
    records = [r for r in read_jsonl(CORPUS) if isinstance(r, PubMedRecord)]
    with DocumentStore(settings.store_path) as store:
        for start in range(0, len(records), 2000):
            store.upsert(records[start : start + 2000])
    Indexer(settings).run(show_progress=False)
    return settings
