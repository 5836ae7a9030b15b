"""Shared fixtures: where ../shared lives, and a settings object over a fresh data dir."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import IndexSettings, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SECRETOME_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "records.jsonl"
FIXTURES = SHARED / "fixtures" / "ncbi"


def run_python(code: str, data_dir: Path) -> str:
    """Run `code` in a new interpreter over `data_dir` (as SECRETOME_DATA_DIR) and return its stdout; for what
    only a fresh process shows (which modules load, what outlives it). Fails the test when the code fails."""
    env = {**os.environ, "SECRETOME_DATA_DIR": str(data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; tests read real data from it")
    return SHARED


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data dir, ignoring any developer .env."""
    return Settings(_env_file=None, data_dir=tmp_path / "data", corpus_path=CORPUS)


# The slow tests' index: a third of the snapshot. Embedding is what a CI run spends its time on (about 30
# records/s on a 2-core AVX2 host: 18 minutes for all 30,106), so the index holds every record the gate's
# questions need and a seeded sample of the rest as distractors. README figures on the whole snapshot come
# from `secretome-qa eval` and `make bench`, not from this index.
TEST_CORPUS_RECORDS = 10_000
TEST_CORPUS_SEED = 13
GATE_DEV_QUESTIONS = 200


def gate_corpus_records() -> list:
    """Every gold record of the curated set and of the first 200 BioASQ dev questions (the gate's), every
    on-topic record, then distractors drawn with a fixed seed from the rest, 10,000 records in all."""
    import json
    import random

    from eval.questionset import CURATED_SET
    from ingest.jsonl import read_jsonl
    from ingest.records import PubMedRecord
    from ingest.topic import is_on_topic

    records = [r for r in read_jsonl(CORPUS) if isinstance(r, PubMedRecord)]
    with (SHARED / "eval" / "bioasq-dev.jsonl").open() as handle:
        dev = [json.loads(line) for _, line in zip(range(GATE_DEV_QUESTIONS), handle, strict=False)]
    curated = [json.loads(line) for line in CURATED_SET.read_text().splitlines() if line.strip()]
    gold = {pmid for question in [*dev, *curated] for pmid in question.get("gold_pmids", [])}
    needed, rest = [], []
    for record in records:
        (needed if record.pmid in gold or is_on_topic(record) else rest).append(record)
    distractors = random.Random(TEST_CORPUS_SEED).sample(rest, TEST_CORPUS_RECORDS - len(needed))
    return needed + distractors


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test corpus (`gate_corpus_records`: 10,000 real records of the snapshot) ingested and indexed
    once per session; API, answer and eval tests reuse it.

    Set SECRETOME_TEST_DATA_DIR to keep the data dir between sessions: ingest and index are incremental,
    so a second session only checks that nothing changed.
    """
    from ingest.store import DocumentStore
    from rag.index.indexer import Indexer

    if not CORPUS.is_file():
        pytest.fail(f"corpus snapshot not found at {CORPUS}")
    reuse = os.environ.get("SECRETOME_TEST_DATA_DIR")
    data_dir = Path(reuse) if reuse else tmp_path_factory.mktemp("corpus") / "data"
    # stored sentence vectors speed answers up and leave them as they are (the int8 encoder gives a text the same
    # vector at index and at question time); embedding the test corpus's sentences costs 77 s, more than CI's asks save
    index = IndexSettings(sentence_vectors=False)
    settings = Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS, index=index)
    records = gate_corpus_records()
    with DocumentStore(settings.store_path) as store:
        for start in range(0, len(records), 2000):
            store.upsert(records[start : start + 2000])
    Indexer(settings).run(show_progress=False)
    return settings
