"""http mode against a real `chroma run` server: same code path as embedded, clear errors when it is gone."""

from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from core.errors import VectorStoreUnavailableError
from core.settings import Settings
from rag.index.chroma_store import make_client
from rag.index.indexer import Indexer
from rag.retrieve.searcher import Searcher
from tests.chroma_server import ChromaServer, free_port
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ChromaServer]:
    running = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "db").start()
    yield running
    running.stop()


def http_settings(data_dir: Path, port: int) -> Settings:
    return synthetic_settings(data_dir, chroma={"mode": "http", "host": "127.0.0.1", "port": port})


def test_index_and_search_through_the_server(server, tmp_path):
    settings = http_settings(tmp_path / "data", server.port)
    summary = Indexer(settings).run(show_progress=False)
    assert summary.chroma_mode == "http" and summary.new == 8
    assert not (settings.index_dir / "chroma").exists(), "vectors live on the server, not under the data dir"
    collection = chromadb.HttpClient(host="127.0.0.1", port=server.port).get_collection(summary.collection)
    assert collection.count() == 8
    results = Searcher.from_settings(settings).search("exosomes from mesenchymal stem cells", k=3)
    assert results[0].pmid == "92000001"
    assert 0 < results[0].relevance <= 1


def test_http_and_embedded_modes_rank_alike(server, tmp_path):
    http = http_settings(tmp_path / "http", server.port)
    embedded = synthetic_settings(tmp_path / "embedded")
    for settings in (http, embedded):
        Indexer(settings).run(show_progress=False)
    query = "hypoxia and VEGF secretion by stem cells"
    ranked = [[e.pmid for e in Searcher.from_settings(s).search(query, k=5)] for s in (http, embedded)]
    assert ranked[0] == ranked[1]


def test_no_server_at_the_address_is_a_clear_error(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, chroma={"mode": "http", "port": free_port()})
    with pytest.raises(VectorStoreUnavailableError, match=r"http://127\.0\.0\.1:\d+ is not reachable"):
        make_client(settings)


def test_server_that_goes_away_gives_a_clear_error(tmp_path):
    own = ChromaServer(tmp_path / "db").start()
    try:
        settings = http_settings(tmp_path / "data", own.port)
        Indexer(settings).run(show_progress=False)
        searcher = Searcher.from_settings(settings)
        assert searcher.search("IL-6", k=1)[0].pmid == "92000002"
    finally:
        own.stop()
    with pytest.raises(VectorStoreUnavailableError, match=f"127.0.0.1:{own.port}") as failure:
        searcher.search("TGF-β1 collagen", k=1)
    assert failure.value.retryable
    with pytest.raises(VectorStoreUnavailableError, match="not reachable"):
        Searcher.from_settings(settings)
