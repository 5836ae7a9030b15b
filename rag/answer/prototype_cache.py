"""The router's prototype vectors, kept on disk per embedding model.

Embedding the prototype questions took about 0.3 s of every cold one-question CLI call. The vectors change
only when the prototypes or the model do, so both are in the file's name and a stale file is never read.
A cache that cannot be read or written is ignored: the vectors are then embedded, as before.
"""

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings


def embed_prototypes(embedder: Embeddings, texts: Sequence[str]) -> np.ndarray:
    return np.asarray(embedder.embed_documents(list(texts)), dtype=np.float32)


def cache_file(cache_dir: Path, model_id: str, texts: Sequence[str]) -> Path:
    key = hashlib.sha256("\0".join([model_id, *texts]).encode()).hexdigest()[:16]
    return cache_dir / f"router-prototypes-{key}.npy"


def prototype_vectors(embedder: Embeddings, texts: Sequence[str], cache_dir: Path | None) -> np.ndarray:
    """Vectors of `texts` (rows in order), read from `cache_dir` when an earlier run stored them.

    Only embedders that say which model they are (`LocalEmbeddings.info`) are cached."""
    info = getattr(embedder, "info", None)
    if cache_dir is None or info is None:
        return embed_prototypes(embedder, texts)
    path = cache_file(cache_dir, f"{info.fingerprint}/{info.variant}", texts)
    try:
        vectors = np.load(path)
        if vectors.shape == (len(texts), info.dimension):
            return vectors
    except (OSError, ValueError, EOFError):
        pass
    vectors = embed_prototypes(embedder, texts)
    store(path, vectors)
    return vectors


def store(path: Path, vectors: np.ndarray) -> None:
    """Write atomically (a reader never sees half a file); a cache that cannot be written is skipped."""
    part: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as handle:
            part = Path(handle.name)
            np.save(handle, vectors)
        os.replace(part, path)
    except OSError:
        if part is not None:
            part.unlink(missing_ok=True)
