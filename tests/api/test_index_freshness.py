"""The served index is the one on disk: a running server reopens it when another process re-indexes,
`/readyz` reports what is actually served, an index left inconsistent by a killed `index` run is repaired
at startup, and a vector store outage never tells clients where the vector store lives."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from core.settings import Settings
from ingest.store import DocumentStore
from rag.index.indexer import CRASH_ENV, index_counts
from tests.api.live_server import LiveServer
from tests.api.synthetic_index import indexed_settings
from tests.chroma_server import free_port
from tests.rag.retrieve.retrieval_fixtures import extra_records, synthetic_records

CLI = str(Path(sys.executable).with_name("secretome-qa"))
NEW_TITLE = "platelet lysate in invented tendon repair"


def run_index(settings: Settings, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env.pop(CRASH_ENV, None)
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run([CLI, "--data-dir", str(settings.data_dir), "index", "--quiet"], env=env, check=False,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Settings:
    return indexed_settings(tmp_path_factory.mktemp("fresh") / "data")


def copy_of(base: Settings, tmp_path: Path) -> Settings:
    shutil.copytree(base.data_dir, tmp_path / "data")
    return base.model_copy(update={"data_dir": tmp_path / "data"})


def top_pmid(client, query: str) -> str | None:
    response = client.get("/v1/search", params={"q": query, "k": 1})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    return results[0]["pmid"] if results else None


def test_a_running_server_serves_the_index_another_process_rebuilt(base: Settings, tmp_path: Path) -> None:
    settings = copy_of(base, tmp_path)
    new = extra_records()[0]
    with LiveServer(create_app(settings)) as server, server.client() as client:
        assert top_pmid(client, NEW_TITLE) != new.pmid
        before = client.get("/readyz").json()["checks"]["index"]
        with DocumentStore(settings.store_path) as store:
            store.upsert(extra_records())
        indexed = run_index(settings)
        assert indexed.returncode == 0, indexed.stderr[-2000:]
        found = top_pmid(client, NEW_TITLE)
        after = client.get("/readyz").json()
    n = len(synthetic_records())
    assert before.startswith(f"ok ({n} records, {n} chunks")
    assert found == new.pmid, "the new record must be found without a restart"
    assert after["status"] == "ready" and after["checks"]["index"].startswith(f"ok ({n + 2} records, {n + 2} chunks")


def test_serve_start_repairs_an_index_killed_before_bm25_was_saved(base: Settings, tmp_path: Path) -> None:
    settings = copy_of(base, tmp_path)
    with DocumentStore(settings.store_path) as store:
        store.upsert(extra_records())
    assert run_index(settings, crash_at="before_bm25_save").returncode == -signal.SIGKILL
    assert index_counts(settings).disagreements(include_store=False), "the crash must leave a disagreement"

    with LiveServer(create_app(settings)) as server, server.client() as client:
        ready = client.get("/readyz").json()
        found = top_pmid(client, NEW_TITLE)

    n = len(synthetic_records()) + len(extra_records())
    assert ready["status"] == "ready" and ready["checks"]["index"].startswith(f"ok ({n} records, {n} chunks")
    assert found == extra_records()[0].pmid
    assert index_counts(settings).disagreements() == []


def test_a_vector_store_outage_does_not_name_its_host_or_port(base: Settings, tmp_path: Path) -> None:
    port = free_port()
    chroma = base.chroma.model_copy(update={"mode": "http", "host": "127.0.0.1", "port": port})
    settings = copy_of(base, tmp_path).model_copy(update={"chroma": chroma})
    with LiveServer(create_app(settings)) as server, server.client() as client:
        search = client.get("/v1/search", params={"q": "exosomes"})
        ready = client.get("/readyz")
    assert search.status_code == 503 and search.headers["Retry-After"]
    assert search.json()["error"]["code"] == "vector_store_unavailable"
    for text in (search.text, ready.text):
        assert str(port) not in text and "127.0.0.1" not in text, text
