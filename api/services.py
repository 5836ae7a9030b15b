"""What the routes share for the app's lifetime: settings, metrics, the searcher, the answerer and ingest jobs.

The searcher and answerer are built on first use rather than at import, and dropped when the vector
store goes away, so a service started before its index (or during a Chroma outage) recovers by itself
once the dependency is back, without a restart. They are also reopened when the index's manifest changes
(another process re-indexed), so the service never keeps answering from a stale BM25 table. At startup
an index whose parts disagree (an `index` run was killed) is repaired before it is served, and an index
whose vectors are pending (a lexical pass, as `secretome-qa run` makes) is served at once while a background
run builds the vectors; `/readyz` reports its progress.
"""

import logging
import os
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
from rag.index.background import BackgroundIndexer
from rag.index.embeddings import LocalEmbeddings, encoder_variant
from rag.index.manifest import MANIFEST_NAME, IndexManifest, read_manifest
from rag.pipeline import Pipeline, build_pipeline
from rag.retrieve.searcher import Searcher
from rag.types import Evidence, SearchFilters

log = logging.getLogger("api.services")


def detach_embedded_chroma(pipeline: Pipeline) -> None:
    """Make the next embedded client for this path start afresh.

    Chroma shares one in-process system per persistent path, and that system does not see what another
    process wrote (its vector segments stay as loaded). Dropping it from Chroma's cache makes the next
    client load the index as it is on disk now; requests still running on the old pipeline keep their
    collection handles, which hold the old system directly.
    """
    from chromadb.api.shared_system_client import SharedSystemClient

    identifier = getattr(pipeline.searcher.chroma.client, "_identifier", None)
    if pipeline.settings.chroma.mode == "embedded" and identifier:
        SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)


class Services:
    """Lazily built, thread-safe holders for the expensive objects, plus the ingest job runner."""

    def __init__(self, settings: Settings, metrics: ServiceMetrics, chat_model: BaseChatModel | None = None):
        self.settings = settings
        self.metrics = metrics
        self.chat_model = chat_model
        self.jobs = JobRunner(settings, after_ingest=self.reindex)
        self.indexing = BackgroundIndexer(settings, on_done=self.forget_index)
        self._lock = threading.Lock()
        self._embeddings: LocalEmbeddings | None = None
        self._pipeline: Pipeline | None = None
        self._stamp: tuple[int, int] | None = None
        self._stats: tuple[tuple, StoreStats] | None = None

    def pipeline(self) -> Pipeline:
        """Searcher and answerer over the index (IndexMissingError / VectorStoreUnavailableError when it cannot open).

        The embedding model outlives the pipeline: reopening the index after an outage or a re-index
        does not load the model again.
        """
        with self._lock:
            stamp = self._manifest_stamp()
            if self._pipeline is not None and stamp != self._stamp:
                log.info("the index changed on disk; reopening it", extra={"manifest": str(stamp)})
                detach_embedded_chroma(self._pipeline)
                self._pipeline = None
            if self._pipeline is None:
                self._pipeline = build_pipeline(self.settings, embeddings=self._embeddings, chat_model=self.chat_model)
                self._embeddings = self._pipeline.embeddings
                self._stamp = stamp
            return self._pipeline

    def _manifest_stamp(self) -> tuple[int, int] | None:
        """(mtime, inode) of the manifest: it is replaced atomically as the last step of every index run."""
        try:
            stat = os.stat(self.settings.index_dir / MANIFEST_NAME)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_ino

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

    def probe_index(self) -> str:
        """What the served index holds, from the manifest it was opened with, checked against the vector
        store (so it proves the index opens and Chroma answers); while the background run builds the
        vectors, how far it has got."""
        with self.index_guard():
            searcher = self.searcher()
            manifest = searcher.manifest
            vectors = searcher.chroma.count()
        status = self.indexing.status()
        if status and status.error:
            return status.describe()
        if status and status.running:
            return f"ok ({status.describe()}; answers use BM25 and the vectors built so far)"
        served = f"{manifest.records} records, {manifest.chunks} chunks, updated {manifest.updated_at}"
        if vectors != manifest.chunks:
            return f"serving {served}; the vector store now holds {vectors} chunks (an index run is in progress?)"
        return f"ok ({served})"

    def repair_index(self) -> list[str]:
        """Compare record table, manifest, BM25 and Chroma; if they disagree (a killed `index` run), run the
        indexer, which reconciles them. Returns what disagreed (empty when the index is whole or absent)."""
        from rag.index.indexer import index_counts

        try:
            problems = index_counts(self.settings).disagreements(include_store=False)
        except (SecretomeQAError, OSError):
            return []  # no index yet, or Chroma unreachable: /readyz reports it
        if problems:
            log.warning("the index is inconsistent; repairing it before serving", extra={"problems": problems})
            self.reindex()
        return problems

    def unfinished_manifest(self) -> IndexManifest | None:
        """The index's manifest when a background run has work left on it (None when there is no index)."""
        try:
            manifest = read_manifest(self.settings.index_dir)
        except SecretomeQAError:
            return None
        wanted = self.settings.index.sentence_vectors
        return manifest if manifest.unfinished(wanted, encoder_variant(self.settings.embedding)) else None

    def warm_up(self) -> None:
        """Mark dead ingest runs interrupted, start building pending vectors (or sentence vectors) in the
        background (or repair an inconsistent index), open the index and load the models before the first
        request; a failure here is only logged."""
        try:
            with DocumentStore(self.settings.store_path) as store:
                interrupted = store.mark_interrupted_runs()
            if interrupted:
                log.warning("ingest runs whose process died were marked interrupted", extra={"runs": interrupted})
            manifest = self.unfinished_manifest()
            if manifest is not None:
                self.indexing.start(done=manifest.records - manifest.pending_records, total=manifest.records)
            else:
                self.repair_index()
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
