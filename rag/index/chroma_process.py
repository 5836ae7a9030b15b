"""The dense index opened in a helper process, for the CLI's commands that answer or search.

`import chromadb` and opening a client take about 1.4 s of a cold `secretome-qa ask` (3.8 s in all), and all
of it is Python holding the GIL, so a thread cannot hide it. Started before the models load, a second process
pays it on the other core while this one loads BM25 and the ONNX models and embeds the question; queries then
cross a pipe in milliseconds. The service, the benchmarks and the indexer keep Chroma in process.

This module imports nothing heavy at the top, so starting the helper is the first thing a command can do.
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, TypeVar

from core.errors import VectorStoreUnavailableError
from core.settings import Settings

if TYPE_CHECKING:
    import numpy as np

    from rag.index.chroma_store import DenseHit
    from rag.types import SearchFilters

CLOSE_TIMEOUT_S = 5.0
T = TypeVar("T")


def serve_dense_index(connection: Connection, parent_end: Connection, settings: Settings) -> None:
    """The helper's loop: open the index's collection, then answer `(method, args)` until the pipe closes.

    An error opening the collection is the answer to every request, so the caller sees it (the same
    IndexMissingError or VectorStoreUnavailableError as in process) at its first query.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's; the helper ends with its pipe
    parent_end.close()  # a forked helper holds a copy: closed here, the pipe ends when the parent does
    from rag.index.chroma_store import ChromaIndex, index_address, make_client
    from rag.index.manifest import read_manifest

    index: ChromaIndex | None = None
    opening_error: Exception | None = None
    try:
        manifest = read_manifest(settings.index_dir)
        index = ChromaIndex(make_client(settings), manifest.collection, index_address(settings), create=False)
    except Exception as exc:  # noqa: BLE001 - handed to the caller with its type, whatever chromadb raised
        opening_error = exc
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        method, args = request
        try:
            if index is None:
                raise opening_error or VectorStoreUnavailableError("the dense index did not open")
            reply: tuple[bool, Any] = (True, getattr(index, method)(*args))
        except Exception as exc:  # noqa: BLE001 - raised again in the caller
            reply = (False, exc)
        try:
            connection.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an exception that does not pickle
            connection.send((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})")))


def start_method() -> str:
    """Fork (the helper starts in milliseconds) on Linux while chromadb is not loaded here, else spawn.

    A forked child would inherit a loaded chromadb's clients and Rust-side state, which are not fork-safe.
    """
    return "fork" if sys.platform == "linux" and "chromadb" not in sys.modules else "spawn"


class ChromaProcess:
    """A read-only `ChromaIndex` in a helper process: the same `query`, `vectors` and `count`.

    The helper starts at once and opens Chroma in the background; the first call waits for it.
    """

    def __init__(self, settings: Settings):
        context = multiprocessing.get_context(start_method())
        self._connection, child_end = context.Pipe()
        self._lock = threading.Lock()
        self._process = context.Process(
            target=serve_dense_index,
            args=(child_end, self._connection, settings),
            name="secretome-qa-chroma",
            daemon=True,
        )
        self._process.start()
        child_end.close()

    def _call(self, method: str, *args: Any) -> Any:
        with self._lock:
            try:
                self._connection.send((method, args))
                ok, value = self._connection.recv()
            except (EOFError, OSError) as exc:
                raise VectorStoreUnavailableError(f"the Chroma helper process stopped: {exc!r}") from exc
        if not ok:
            raise value
        return value

    def query(self, vector: np.ndarray, n: int, filters: SearchFilters | None = None) -> list[DenseHit]:
        return self._call("query", vector, n, filters)

    def vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        return self._call("vectors", chunk_ids)

    def count(self) -> int:
        return self._call("count")

    def close(self) -> None:
        """Ask the helper to stop and wait for it (terminated if it does not stop in time)."""
        with self._lock:
            if self._process.is_alive():
                try:
                    self._connection.send(None)
                except OSError:
                    pass
                self._process.join(CLOSE_TIMEOUT_S)
                if self._process.is_alive():
                    self._process.terminate()
                    self._process.join()
            self._connection.close()


def open_beside_helper(settings: Settings, open_read_path: Callable[[ChromaProcess], T]) -> T:
    """`open_read_path(helper)` with the helper started first, so Chroma opens while the rest loads; the
    helper is closed when opening fails. `open_read_path` should import the read path itself (after the start)."""
    dense = ChromaProcess(settings)
    try:
        return open_read_path(dense)
    except BaseException:
        dense.close()
        raise
