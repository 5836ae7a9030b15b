"""A full index run on a worker thread, so a service can answer (BM25 plus the vectors built so far) while
the dense index fills in after a lexical pass, and report how far it has got."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from core.settings import Settings
from rag.index.indexer import Checkpoint, Indexer, crash_at_env_stage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexingStatus:
    """Records with vectors out of records in the store; `error` when the run failed."""

    done: int
    total: int
    running: bool
    error: str | None = None

    def describe(self) -> str:
        if self.error:
            return f"building the vectors failed: {self.error}"
        return f"indexing {self.done:,} / {self.total:,} records"


class BackgroundIndexer:
    """Runs `Indexer.run` once on a daemon thread; `on_done` is called after a successful run (the service
    reopens its index there)."""

    def __init__(
        self,
        settings: Settings,
        on_done: Callable[[], None],
        checkpoint: Checkpoint = crash_at_env_stage,
    ):
        self.settings = settings
        self.on_done = on_done
        self.checkpoint = checkpoint
        self._lock = threading.Lock()
        self._status: IndexingStatus | None = None
        self._thread: threading.Thread | None = None

    def start(self, done: int = 0, total: int = 0) -> None:
        """Start the run unless one is already going; `done` and `total` are what the manifest knows, reported
        until the run has counted for itself (a page polling at once would otherwise read "0 / 0")."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._status = IndexingStatus(done, total, running=True)
            self._thread = threading.Thread(target=self._work, name="background-index", daemon=True)
            self._thread.start()

    def status(self) -> IndexingStatus | None:
        """None when no run was started; otherwise the latest progress (or the failure)."""
        with self._lock:
            return self._status

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends; False when it is still going after `timeout` seconds."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not (thread is not None and thread.is_alive())

    def _progress(self, done: int, total: int) -> None:
        with self._lock:
            self._status = IndexingStatus(done, total, running=True)

    def _work(self) -> None:
        indexer = Indexer(self.settings, checkpoint=self.checkpoint)
        try:
            summary = indexer.run(show_progress=False, progress=self._progress)
        except Exception as exc:  # reported by /readyz; the service keeps answering from what exists
            log.exception("the background index run failed")
            with self._lock:
                previous = self._status or IndexingStatus(0, 0, running=False)
                self._status = IndexingStatus(previous.done, previous.total, running=False, error=str(exc))
            return
        finally:
            indexer.embeddings.close()
        log.info("the background index run finished", extra={"records": summary.records, "seconds": summary.seconds})
        with self._lock:
            self._status = IndexingStatus(summary.records, summary.records, running=False)
        self.on_done()
