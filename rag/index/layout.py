"""Where an index lives under the data dir, what identity the settings imply, and which records it holds.

Shared by the write path (indexer) and the read path (searcher) so both agree on names and identity.
"""

import sqlite3
from pathlib import Path

from core.settings import Settings
from rag.index.bm25_index import BM25_PARAMS
from rag.index.chunking import CHUNKER_VERSION, ChunkingParams
from rag.index.embeddings import ModelInfo
from rag.index.manifest import IndexIdentity
from rag.index.tokenize import TOKENIZER_VERSION


def chunking_params(settings: Settings) -> ChunkingParams:
    return ChunkingParams(
        max_words=settings.retrieval.chunk_max_words,
        overlap_sentences=settings.retrieval.chunk_overlap_sentences,
    )


def identity_for(settings: Settings, model: ModelInfo) -> IndexIdentity:
    params = chunking_params(settings)
    return IndexIdentity(
        embedding_model=model.name,
        embedding_fingerprint=model.fingerprint,
        embedding_dimension=model.dimension,
        chunker=CHUNKER_VERSION,
        chunk_max_words=params.max_words,
        chunk_overlap_sentences=params.overlap_sentences,
        tokenizer=TOKENIZER_VERSION,
        bm25=BM25_PARAMS,
    )


def bm25_dir(settings: Settings) -> Path:
    return settings.index_dir / "bm25"


class IndexedRecords:
    """PMID -> content hash of what the index holds, updated batch by batch so an interrupted run resumes."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS indexed (pmid TEXT PRIMARY KEY, content_hash TEXT NOT NULL)")

    @classmethod
    def for_settings(cls, settings: Settings) -> "IndexedRecords":
        return cls(settings.index_dir / "records.sqlite")

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT pmid, content_hash FROM indexed"))

    def mark(self, hashes: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO indexed VALUES (?, ?)", hashes.items())

    def forget(self, pmids: list[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM indexed WHERE pmid = ?", ((p,) for p in pmids))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM indexed")

    def close(self) -> None:
        self._db.close()
