"""Searching a real index (embedded Chroma, bm25s, the bundled model) over synthetic records, and the full corpus."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import IndexMismatchError, IndexMissingError, InputError
from core.settings import Settings
from rag.index.indexer import Indexer
from rag.retrieve.searcher import Searcher
from rag.types import SearchFilters
from tests.conftest import REPO, run_python
from tests.rag.retrieve.retrieval_fixtures import TOPICS, synthetic_settings


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Settings:
    settings = synthetic_settings(tmp_path_factory.mktemp("search") / "data")
    Indexer(settings).run(show_progress=False)
    return settings


@pytest.fixture(scope="module")
def searcher(indexed) -> Searcher:
    return Searcher.from_settings(indexed)


@pytest.mark.parametrize(
    ("query", "pmid"),
    [
        ("exosomes from mesenchymal stem cells", "92000001"),
        ("IL-6", "92000002"),
        ("TGF-β1 collagen", "92000003"),
        ("NCT04366063", "92000004"),
        ("CD63 tetraspanin", "92000005"),
        ("does hypoxia increase VEGF secretion", "92000008"),
    ],
)
def test_each_topic_finds_its_record_first(searcher, query, pmid):
    assert searcher.search(query, k=3)[0].pmid == pmid


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_returns_distinct_records_with_passages(searcher, mode):
    results = searcher.search("stem cell secretome", k=5, mode=mode)
    assert 0 < len(results) <= 5
    assert len({e.pmid for e in results}) == len(results)
    assert all(e.passages and e.passages[0].chunk_id.startswith(f"{e.pmid}:") for e in results)
    assert [e.score for e in results] == sorted((e.score for e in results), reverse=True)


def test_relevance_is_the_dense_cosine_also_for_bm25_only_modes(searcher):
    hybrid = {e.pmid: e.relevance for e in searcher.search("IL-6 infection", k=3)}
    lexical = {e.pmid: e.relevance for e in searcher.search("IL-6 infection", k=3, mode="bm25")}
    top = "92000002"
    assert lexical[top] == pytest.approx(hybrid[top], abs=1e-4)
    assert 0.2 < lexical[top] <= 1.0
    assert all(-1.0 <= r <= 1.0 for r in lexical.values())


def test_evidence_carries_the_record_metadata(searcher):
    [hit] = searcher.search("NCT04366063 conditioned medium trial", k=1)
    assert hit.pmid == "92000004" and hit.year == 2022
    assert hit.trial_ids == ["NCT04366063"] and hit.pub_types == ["Randomized Controlled Trial"]
    assert hit.title == "Synthetic record about a synthetic trial of conditioned medium"
    assert hit.source == "synthetic-trials" and not hit.retracted


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(year_from=2020), {p for p, _, _, y, *_ in TOPICS if y >= 2020}),
        (SearchFilters(year_to=2017), {p for p, _, _, y, *_ in TOPICS if y <= 2017}),
        (SearchFilters(year_from=2017, year_to=2019), {p for p, _, _, y, *_ in TOPICS if 2017 <= y <= 2019}),
        (SearchFilters(pub_types=["review"]), {"92000003"}),
        (SearchFilters(has_trial_id=True), {"92000004"}),
        (SearchFilters(has_trial_id=False), {t[0] for t in TOPICS} - {"92000004"}),
        (SearchFilters(exclude_retracted=True), {t[0] for t in TOPICS} - {"92000007"}),
        (SearchFilters(sources=["synthetic-trials"]), {"92000004"}),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_filters_apply_to_every_retriever(searcher, filters, allowed, mode):
    results = searcher.search("synthetic stem cells vesicles trial secretome", k=10, filters=filters, mode=mode)
    found = {e.pmid for e in results}
    assert found <= allowed
    if mode != "bm25":
        assert found == allowed, "dense search sees every record that passes the filter"


def test_bm25_mode_returns_nothing_for_unknown_terms(searcher):
    assert searcher.search("zyxqwv", mode="bm25") == []


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_is_an_input_error(searcher, query):
    with pytest.raises(InputError, match="empty"):
        searcher.search(query)


def test_unknown_mode_is_an_input_error(searcher):
    with pytest.raises(InputError, match="unknown search mode"):
        searcher.search("vesicles", mode="sparse")


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexMissingError, match="secretome-qa index"):
        Searcher.from_settings(Settings(_env_file=None, data_dir=tmp_path / "nothing"))


def test_opening_with_other_settings_is_refused(indexed):
    other = indexed.model_copy(update={"index": indexed.index.model_copy(update={"chunk_overlap_sentences": 3})})
    with pytest.raises(IndexMismatchError, match="chunk_overlap_sentences: index has 1, settings give 3"):
        Searcher.from_settings(other)


def test_rrf_fusion_is_selectable(indexed):
    rrf = indexed.model_copy(update={"retrieval": indexed.retrieval.model_copy(update={"fusion": "rrf"})})
    results = Searcher.from_settings(rrf).search("IL-6", k=3)
    assert results[0].pmid == "92000002"
    assert results[0].score <= 2 / 61


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SECRETOME_DATA_DIR": str(settings.data_dir)}
    command = [str(Path(sys.executable).parent / "secretome-qa"), *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_index_persists_across_processes_and_cli_searches_it(indexed, searcher):
    done = run_cli(indexed, "search", "exosomes from mesenchymal stem cells", "--k", "3", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    in_process = [e.pmid for e in searcher.search("exosomes from mesenchymal stem cells", k=3)]
    assert [r["pmid"] for r in payload["results"]] == in_process
    assert payload["results"][0]["passages"][0]["text"].startswith("Synthetic exosomes")


def invoke(settings: Settings, *args: str):
    """The CLI in this process (the model is already loaded), against `settings.data_dir`."""
    from typer.testing import CliRunner

    from cli.main import app

    return CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), *args])


def test_cli_filters(indexed):
    done = invoke(indexed, "search", "vesicles", "--pub-type", "Review", "--json")
    assert done.exit_code == 0, done.output
    assert {r["pmid"] for r in json.loads(done.stdout)["results"]} == {"92000003"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "vesicles", "--year-from", "2022", "--year-to", "2010"], "after --year-to"),
        (["search", "  "], "empty"),
        (["search", "vesicles", "--mode", "sparse"], "'sparse' is not one of"),
    ],
)
def test_cli_bad_input_exits_2_with_a_message(indexed, args, message):
    done = invoke(indexed, *args)
    assert done.exit_code == 2
    assert message in done.output


def test_cli_search_without_index_fails_cleanly(tmp_path):
    done = invoke(Settings(_env_file=None, data_dir=tmp_path / "none"), "search", "vesicles")
    assert done.exit_code == 1
    assert "secretome-qa index" in done.output and "Traceback" not in done.output


@pytest.mark.slow
def test_test_corpus_search_returns_ranked_pmids(corpus_settings):
    results = Searcher.from_settings(corpus_settings).search("exosomes from mesenchymal stem cells", k=10)
    assert len(results) == 10
    assert all(r.pmid.isdigit() and r.passages for r in results)
    text = " ".join((r.title + " " + r.passages[0].text).lower() for r in results[:5])
    assert "exosom" in text and "mesenchymal" in text


@pytest.mark.slow
def test_test_corpus_dev_subset_retrieval_floor(corpus_settings):
    """Hybrid beats either retriever alone on 150 dev questions (measured: see eval/bench/retrieval_dev.py)."""
    from eval.bench.retrieval_dev import measure
    from tests.conftest import SHARED

    figures = measure(corpus_settings, SHARED / "eval" / "bioasq-dev.jsonl", limit=150, progress=False)
    assert figures["hybrid_recall_at_10"] >= 0.85
    assert figures["hybrid_mrr_at_10"] >= 0.87
    assert figures["hybrid_recall_at_10"] > max(figures["bm25_recall_at_10"], figures["dense_recall_at_10"])


def test_the_trained_cross_encoder_orders_by_its_own_scores(indexed):
    from rag.pipeline import build_pipeline
    from rag.retrieve.rerank import PASSAGE_MAX_TOKENS, passage_text

    settings = indexed.model_copy(update={"retrieval": indexed.retrieval.model_copy(update={"rerank": True})})
    searcher = build_pipeline(settings).searcher
    assert searcher.reranker is not None
    results = searcher.search("stem cell vesicles", k=4)
    assert len(results) == 4
    expected = searcher.reranker.scores("stem cell vesicles", [passage_text(e) for e in results], PASSAGE_MAX_TOKENS)
    # int8 dynamic quantization scales activations per batch, so a logit moves a little with its batch-mates
    assert [e.score for e in results] == pytest.approx([float(x) for x in expected], abs=0.1)
    assert [e.score for e in results] == sorted((e.score for e in results), reverse=True)


def test_reranking_is_off_by_default(indexed):
    from rag.pipeline import build_pipeline

    searcher = build_pipeline(indexed).searcher
    assert searcher.reranker is None
    fused = [e.pmid for e in searcher.search("stem cell vesicles", k=4)]
    assert fused == [e.pmid for e in Searcher.from_settings(indexed).search("stem cell vesicles", k=4)]


def test_a_missing_reranker_model_is_a_clear_error(indexed, tmp_path):
    from core.errors import ModelUnavailableError
    from rag.pipeline import build_pipeline

    settings = indexed.model_copy(
        update={"retrieval": indexed.retrieval.model_copy(update={"reranker_model": tmp_path / "none.onnx"})}
    )
    with pytest.raises(ModelUnavailableError, match="re-ranker"):
        build_pipeline(settings)


def test_cli_search_exports_the_references_of_its_results(indexed, tmp_path):
    import rispy

    out = tmp_path / "refs.ris"
    done = invoke(indexed, "search", "IL-6", "--k", "2", "--cite", "ris", "--cite-out", str(out))
    assert done.exit_code == 0, done.output
    entries = rispy.loads(out.read_text())
    assert entries and entries[0]["accession_number"] == "92000002"
    assert all(e["accession_number"].startswith("9200000") for e in entries)


def test_a_cold_ask_imports_neither_langchain_chroma_nor_langsmith(indexed):
    """Dense reads call chromadb's `collection.query`: langchain_chroma pulled in langsmith's tracing, about
    a second of every `secretome-qa ask` that loads the index itself."""
    probe = (
        "import sys; from core.settings import Settings; from rag.pipeline import build_pipeline; "
        "build_pipeline(Settings(_env_file=None)).answerer.ask('Do synthetic exosomes carry miR-21?'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langchain_chroma', 'langsmith')))"
    )
    assert run_python(probe, indexed.data_dir).strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("mode", ["bm25", "hybrid"])
def test_an_abbreviation_finds_the_record_that_spells_it_out(searcher, mode):
    """The synthetic record says "mesenchymal stem cells", never "MSC"."""
    assert searcher.search("Which cytokines do MSCs secrete?", k=1, mode=mode)[0].pmid == "92000001"
