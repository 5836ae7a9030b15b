"""The 503 path with a real `chroma run` server: stopped, the service answers 503 with a clear message;
restarted on the same port, the service recovers by itself, without a restart of its own."""

import time
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from core.settings import Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from rag.index.indexer import Indexer
from tests.api.live_server import LiveServer
from tests.chroma_server import ChromaServer
from tests.conftest import CORPUS

TOPICS = (
    ("mesenchymal stem cell secretome", "angiogenesis in ischemic tissue through secreted VEGF"),
    ("amniotic fluid stem cell conditioned medium", "wound closure in a skin injury model"),
    ("extracellular vesicles from bone marrow stromal cells", "reduced fibrosis after kidney injury"),
    ("adipose stem cell exosomes", "microRNA cargo that dampens macrophage inflammation"),
)


def outage_records() -> list[PubMedRecord]:
    return [
        PubMedRecord(
            pmid=str(98_000_000 + i),
            title=f"Synthetic record about {source}",
            abstract=f"Synthetic abstract: the {source} was associated with {effect} in this invented study.",
            year=2022,
            sources=["synthetic"],
        )
        for i, (source, effect) in enumerate(TOPICS)
    ]


@pytest.fixture(scope="module")
def chroma_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ChromaServer, LiveServer]]:
    root = tmp_path_factory.mktemp("outage")
    chroma = ChromaServer(root / "chroma").start()
    try:
        settings = Settings(
            _env_file=None,
            data_dir=root / "data",
            corpus_path=CORPUS,
            chroma={"mode": "http", "host": "127.0.0.1", "port": chroma.port},
        )
        with DocumentStore(settings.store_path) as store:
            store.upsert(outage_records())
        Indexer(settings).run(show_progress=False)
        with LiveServer(create_app(settings)) as server:
            yield chroma, server
    finally:
        chroma.stop()


def wait_until_ready(client: httpx.Client, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)


def test_search_fails_with_503_while_chroma_is_down_and_recovers_after(chroma_setup) -> None:
    chroma, server = chroma_setup
    query = {"q": "secretome angiogenesis VEGF"}
    with server.client() as client:
        before = client.get("/v1/search", params=query)
        assert before.status_code == 200, before.text
        assert before.json()["results"][0]["pmid"] == "98000000"
        assert client.get("/readyz").status_code == 200

        chroma.stop()
        down = client.get("/v1/search", params=query)
        asked = client.post("/v1/ask", json={"question": "Does the secretome promote angiogenesis?"})
        ready = client.get("/readyz")
        health = client.get("/healthz")

        chroma.start()
        recovered_ready = wait_until_ready(client)
        after = client.get("/v1/search", params=query)

    assert down.status_code == 503, down.text
    error = down.json()["error"]
    assert error["code"] == "vector_store_unavailable"
    assert str(chroma.port) not in error["message"] and "127.0.0.1" not in error["message"], "no address leaks"
    assert "vector store" in error["message"]
    assert down.headers["retry-after"] == "5"
    assert asked.status_code == 503 and asked.json()["error"]["code"] == "vector_store_unavailable"
    assert ready.status_code == 503 and ready.json()["checks"]["store"].startswith("ok")
    assert health.status_code == 200, "liveness does not depend on Chroma"

    assert recovered_ready.status_code == 200, recovered_ready.text
    assert after.status_code == 200, after.text
    assert [r["pmid"] for r in after.json()["results"]] == [r["pmid"] for r in before.json()["results"]]
