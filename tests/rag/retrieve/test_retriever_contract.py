"""The contract every Retriever keeps, checked once per implementation over the same real index.

Each subclass supplies only its retriever; the assertions are shared, so BM25, dense and hybrid cannot
drift apart on filters, ordering, deduplication to PMIDs, unknown terms or an empty index.
"""

import pytest

from core.errors import InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.index.indexer import Indexer
from rag.retrieve.base import IndexRetriever
from rag.retrieve.bm25 import BM25Retriever
from rag.retrieve.dense import DenseRetriever
from rag.retrieve.hybrid import HybridRetriever
from rag.retrieve.index_reader import IndexReader
from rag.types import SearchFilters
from tests.rag.retrieve.retrieval_fixtures import extra_records, synthetic_settings

QUERY = "synthetic stem cells vesicles trial secretome"


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> IndexReader:
    settings = synthetic_settings(tmp_path_factory.mktemp("contract") / "data")
    Indexer(settings).run(show_progress=False)
    reader = IndexReader.open(settings)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def settings(index: IndexReader, tmp_path_factory) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("unused"))


class RetrieverContract:
    """Shared assertions; subclasses set `retriever_class`."""

    retriever_class: type[IndexRetriever]

    @pytest.fixture
    def retriever(self, index: IndexReader, settings: Settings) -> IndexRetriever:
        return self.retriever_class(index, settings.retrieval)

    def test_records_are_distinct_pmids_best_first(self, retriever):
        results = retriever.search(QUERY, k=6)
        assert 0 < len(results) <= 6
        assert len({e.pmid for e in results}) == len(results)
        assert [e.score for e in results] == sorted((e.score for e in results), reverse=True)

    def test_each_record_carries_its_own_passages(self, retriever):
        for item in retriever.search(QUERY, k=6):
            assert item.passages
            assert all(p.chunk_id.startswith(f"{item.pmid}:") for p in item.passages)

    @pytest.mark.parametrize(
        ("filters", "allowed"),
        [
            (SearchFilters(year_from=2020), lambda e: e.year is not None and e.year >= 2020),
            (SearchFilters(year_to=2017), lambda e: e.year is not None and e.year <= 2017),
            (SearchFilters(has_trial_id=True), lambda e: bool(e.trial_ids)),
            (SearchFilters(exclude_retracted=True), lambda e: not e.retracted),
            (SearchFilters(pub_types=["Review"]), lambda e: "Review" in e.pub_types),
            (SearchFilters(sources=["synthetic-trials"]), lambda e: e.source == "synthetic-trials"),
        ],
    )
    def test_filters_apply_before_ranking(self, retriever, filters, allowed):
        results = retriever.search(QUERY, k=10, filters=filters)
        assert results, "every filter keeps at least one synthetic record"
        assert all(allowed(e) for e in results)

    def test_the_question_vector_can_be_passed_in(self, retriever, index):
        vector = index.query_vector(QUERY)
        passed = [e.pmid for e in retriever.search(QUERY, k=5, vector=vector)]
        assert passed == [e.pmid for e in retriever.search(QUERY, k=5)]

    @pytest.mark.parametrize("query", ["", "   "])
    def test_an_empty_query_is_an_input_error(self, retriever, query):
        with pytest.raises(InputError):
            retriever.search(query)

    def test_k_below_one_is_an_input_error(self, retriever):
        with pytest.raises(InputError):
            retriever.search(QUERY, k=-1)


class TestBM25Retriever(RetrieverContract):
    retriever_class = BM25Retriever

    def test_unknown_terms_give_nothing(self, retriever):
        assert retriever.search("zyxqwv qqqxj") == []


class TestDenseRetriever(RetrieverContract):
    retriever_class = DenseRetriever


class TestHybridRetriever(RetrieverContract):
    retriever_class = HybridRetriever

    def test_unknown_terms_still_rank_by_meaning_only(self, retriever):
        results = retriever.search("zyxqwv qqqxj", k=3)
        assert all(e.score <= 0.7 for e in results), "no BM25 share for terms no record has"


@pytest.mark.parametrize("retriever_class", [BM25Retriever, DenseRetriever, HybridRetriever])
def test_an_index_of_one_record_returns_at_most_that_record(tmp_path, retriever_class):
    settings = Settings(_env_file=None, data_dir=tmp_path / "data")
    with DocumentStore(settings.store_path) as store:
        store.upsert(extra_records()[:1])
    Indexer(settings).run(show_progress=False)
    reader = IndexReader.open(settings)
    try:
        results = retriever_class(reader, settings.retrieval).search("synthetic platelet lysate tendon", k=5)
        assert [e.pmid for e in results] == ["92000101"]
    finally:
        reader.close()
