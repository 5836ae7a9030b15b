"""The dense index in a helper process answers exactly as the one in process, and fails as clearly."""

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.errors import IndexMissingError, VectorStoreUnavailableError
from core.settings import Settings
from rag.index.chroma_process import ChromaProcess
from rag.index.chroma_store import ChromaIndex, index_address, make_client
from rag.index.embeddings import LocalEmbeddings
from rag.index.indexer import Indexer
from rag.index.manifest import read_manifest
from rag.types import SearchFilters
from tests.conftest import run_python
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Settings:
    settings = synthetic_settings(tmp_path_factory.mktemp("helper") / "data")
    Indexer(settings).run(show_progress=False)
    return settings


@pytest.fixture(scope="module")
def in_process(indexed) -> ChromaIndex:
    collection = read_manifest(indexed.index_dir).collection
    return ChromaIndex(make_client(indexed), collection, index_address(indexed), create=False)


@pytest.fixture
def helper(indexed) -> Iterator[ChromaProcess]:
    opened = ChromaProcess(indexed)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def question_vector(indexed) -> np.ndarray:
    embeddings = LocalEmbeddings(indexed.embedding, indexed.cache_dir, use_cache=False)
    return embeddings.query_vector("hypoxia raises VEGF secretion by stem cells")


@pytest.mark.parametrize(
    ("filters", "top"),
    [(None, "92000008"), (SearchFilters(exclude_retracted=True), "92000008"), (SearchFilters(year_from=2019), None)],
)
def test_queries_return_what_the_index_in_process_returns(helper, in_process, question_vector, filters, top):
    expected = in_process.query(question_vector, 5, filters)
    got = helper.query(question_vector, 5, filters)
    assert [h.chunk_id for h in got] == [h.chunk_id for h in expected]
    assert [h.similarity for h in got] == pytest.approx([h.similarity for h in expected])
    assert [h.text for h in got] == [h.text for h in expected]
    assert got[0].pmid == top or (top is None and all(h.metadata["year"] >= 2019 for h in got))


def test_stored_vectors_and_count_match(helper, in_process):
    ids = [h.chunk_id for h in in_process.query(np.ones(384, dtype=np.float32), 3)] + ["no-such-chunk"]
    expected, got = in_process.vectors(ids), helper.vectors(ids)
    assert got.keys() == expected.keys() and "no-such-chunk" not in got
    for chunk_id, vector in expected.items():
        np.testing.assert_allclose(got[chunk_id], vector)
    assert helper.count() == in_process.count() == 8


def test_an_unbuilt_index_is_reported_at_the_first_query(settings, question_vector):
    helper = ChromaProcess(settings)
    try:
        with pytest.raises(IndexMissingError, match="index"):
            helper.query(question_vector, 3)
        with pytest.raises(IndexMissingError):
            helper.count()
    finally:
        helper.close()


def test_an_error_inside_chroma_reaches_the_caller(helper):
    with pytest.raises(Exception, match="dimension") as failure:
        helper.query(np.ones(7, dtype=np.float32), 3)
    assert not isinstance(failure.value, VectorStoreUnavailableError)
    assert helper.count() == 8, "the helper keeps serving after an error"


def test_a_closed_or_dead_helper_is_a_clear_error(indexed, question_vector):
    closed = ChromaProcess(indexed)
    closed.close()
    with pytest.raises(VectorStoreUnavailableError, match="helper process stopped"):
        closed.query(question_vector, 3)
    dead = ChromaProcess(indexed)
    dead._process.kill()
    dead._process.join()
    with pytest.raises(VectorStoreUnavailableError, match="helper process stopped"):
        dead.count()
    dead.close()


def test_a_cli_ask_leaves_chromadb_to_the_helper(indexed):
    """The point of the helper: the asking process never imports chromadb (about 1.3 s of a cold ask)."""
    probe = (
        "import sys; from core.settings import Settings; from cli.answer_commands import open_answerer; "
        "answer = open_answerer(Settings(_env_file=None)).ask('Does hypoxia raise VEGF secretion by stem cells?'); "
        "print([c.pmid for c in answer.citations]); print('chromadb' in sys.modules)"
    )
    cited, imported = run_python(probe, indexed.data_dir).strip().splitlines()[-2:]
    assert "92000008" in cited
    assert imported == "False"


def helper_running(pid: int) -> bool:
    """Alive and not a zombie waiting for a reaper (Linux /proc)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_helper_ends_when_its_parent_dies_without_closing_it(indexed):
    probe = (
        "import os; from core.settings import Settings; from rag.index.chroma_process import ChromaProcess; "
        "helper = ChromaProcess(Settings(_env_file=None)); helper.count(); "
        "print(helper._process.pid, flush=True); os._exit(0)"
    )
    pid = int(run_python(probe, indexed.data_dir).split()[-1])
    deadline = time.monotonic() + 10
    while helper_running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not helper_running(pid), "an orphaned helper would hold its pipe open forever"
