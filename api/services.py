"""What the routes share for the app's lifetime: settings, metrics, the searcher, the answerer and ingest jobs.

The searcher and answerer are built on first use rather than at import, and dropped when the vector
store goes away, so a service started before its index (or during a Chroma outage) recovers by itself
once the dependency is back, without a restart.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from langchain_core.language_models import BaseChatModel

from api.jobs import JobRunner
from api.metrics import ServiceMetrics
from core.errors import SecretomeQAError, VectorStoreUnavailableError
from core.settings import Settings
from ingest.stats import StoreStats, store_stats
from ingest.store import DocumentStore
from rag.answer.answerer import Answerer
from rag.index.embeddings import LocalEmbeddings
from rag.pipeline import Pipeline, build_pipeline
from rag.retrieve.searcher import Searcher
from rag.types import Evidence, SearchFilters

log = logging.getLogger("api.services")


class Services:
    """Lazily built, thread-safe holders for the expensive objects, plus the ingest job runner."""

    def __init__(self, settings: Settings, metrics: ServiceMetrics, chat_model: BaseChatModel | None = None):
        self.settings = settings
        self.metrics = metrics
        self.chat_model = chat_model
        self.jobs = JobRunner(settings, after_ingest=self.reindex)
        self._lock = threading.Lock()
        self._embeddings: LocalEmbeddings | None = None
        self._pipeline: Pipeline | None = None
        self._stats: tuple[tuple, StoreStats] | None = None

    def pipeline(self) -> Pipeline:
        """Searcher and answerer over the index (IndexMissingError / VectorStoreUnavailableError when it cannot open).

        The embedding model outlives the pipeline: reopening the index after an outage or a re-index
        does not load the model again.
        """
        with self._lock:
            if self._pipeline is None:
                self._pipeline = build_pipeline(self.settings, embeddings=self._embeddings, chat_model=self.chat_model)
                self._embeddings = self._pipeline.embeddings
            return self._pipeline

    def searcher(self) -> Searcher:
        return self.pipeline().searcher

    def answerer(self) -> Answerer:
        return self.pipeline().answerer

    def forget_index(self) -> None:
        """Drop the pipeline so the next request opens the index afresh."""
        with self._lock:
            self._pipeline = None

    def note_failure(self, exc: BaseException) -> None:
        """A vector store that went away invalidates the open index; the next request reopens it."""
        if isinstance(exc, VectorStoreUnavailableError):
            self.forget_index()

    @contextmanager
    def index_guard(self) -> Iterator[None]:
        try:
            yield
        except VectorStoreUnavailableError as exc:
            self.note_failure(exc)
            raise

    def search(self, query: str, k: int | None, filters: SearchFilters | None) -> list[Evidence]:
        with self.index_guard():
            return self.searcher().search(query, k=k, filters=filters)

    def probe_index(self) -> int:
        """Chunks in the vector store: proves the index opens and the vector store answers."""
        with self.index_guard():
            return self.searcher().chroma.count()

    def warm_up(self) -> None:
        """Open the index and load the models before the first request; a failure here is only logged."""
        try:
            self.answerer()
        except (SecretomeQAError, OSError) as exc:  # the service starts anyway; /readyz reports what is missing
            log.warning("answering is not ready at startup", extra={"error": type(exc).__name__, "detail": str(exc)})

    def reindex(self) -> None:
        """Bring the index up to date with the store (after an ingest job) and reopen it."""
        from rag.index.indexer import Indexer

        indexer = Indexer(self.settings)
        try:
            indexer.run(show_progress=False)
        finally:
            indexer.embeddings.close()
        self.forget_index()

    def stats(self, store: DocumentStore) -> StoreStats:
        """Store statistics, recomputed only when the store changed (counting 30k records takes a second)."""
        runs = store.runs()
        fingerprint = (store.count(), len(runs), runs[0]["ended_at"] if runs else None)
        cached = self._stats
        if cached and cached[0] == fingerprint:
            return cached[1]
        report = store_stats(store)
        self._stats = (fingerprint, report)
        return report

    def close(self) -> None:
        self.jobs.shutdown()
        self.forget_index()
        if self._embeddings is not None:
            self._embeddings.close()
