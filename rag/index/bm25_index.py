"""The lexical side of the index: bm25s over biomedical tokens, with the chunk table it was built from.

bm25s cannot add documents to a saved index, but building one over 30k abstracts takes seconds, so the
indexer rebuilds it whenever the record set changed and swaps the directory in atomically. The chunk table
(text and metadata of every chunk, in BM25 row order) lives beside it: it turns rows into passages and
filters into a row mask without asking the vector store.
"""

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
import orjson

from core.errors import IndexMissingError
from rag.index.chunking import Chunk
from rag.index.tokenize import BioTokenizer
from rag.types import SearchFilters

CHUNKS_FILE = "chunks.jsonl"
# `save` writes `asdict(chunk)`, whose first fields are pmid and index
_ID_PREFIX = re.compile(rb'\{"pmid":"([^"\\]*)","index":(\d+),')


@dataclass(frozen=True)
class BM25Params:
    """Lucene BM25 parameters and title weighting (settings.index); part of the index identity."""

    k1: float = 1.2
    b: float = 0.75
    title_repeat: int = 2

    def describe(self) -> str:
        return f"lucene k1={self.k1} b={self.b} title_repeat={self.title_repeat}"


def document_terms(chunk: Chunk, tokenizer: BioTokenizer, title_repeat: int = BM25Params.title_repeat) -> list[str]:
    """Field weighting by repetition: title terms count `title_repeat` times, so a title match outweighs
    a passing mention. The title is skipped where the text already contains it (title-only records)."""
    terms = tokenizer.tokens(chunk.text)
    if chunk.title and chunk.title not in chunk.text:
        terms = tokenizer.tokens(chunk.title) * title_repeat + terms
    return terms


def row_chunk_id(row: bytes) -> str:
    """The chunk id of a saved JSONL row, read from its prefix without parsing the whole row."""
    found = _ID_PREFIX.match(row)
    if found:
        return f"{found[1].decode()}:{found[2].decode()}"
    fields = orjson.loads(row)  # a row in another key order or with escapes in the pmid
    return f"{fields['pmid']}:{fields['index']}"


class ChunkTable:
    """All chunks in BM25 row order, with column arrays for filter masks.

    A loaded table keeps each chunk's JSONL row and parses it on first access: a question reads a few hundred
    of 31k rows, and parsing them all took half a second of every cold `ask`. The filter columns are built
    on the first filtered search.
    """

    def __init__(self, chunk_ids: list[str], chunks: list[Chunk | None], rows: list[bytes] | None = None):
        self._chunks = chunks
        self._rows = rows or []
        self.row_of = {cid: i for i, cid in enumerate(chunk_ids)}
        self.ids_of: dict[str, list[str]] = {}
        for cid in chunk_ids:
            self.ids_of.setdefault(cid.rpartition(":")[0], []).append(cid)

    @classmethod
    def of(cls, chunks: list[Chunk]) -> "ChunkTable":
        return cls([c.chunk_id for c in chunks], list(chunks))

    @classmethod
    def from_rows(cls, rows: list[bytes]) -> "ChunkTable":
        """A table over saved JSONL rows (`asdict` of each chunk), parsed lazily."""
        return cls([row_chunk_id(r) for r in rows], [None] * len(rows), rows)

    def __len__(self) -> int:
        return len(self._chunks)

    def __getitem__(self, row: int) -> Chunk:
        chunk = self._chunks[row]
        if chunk is None:
            chunk = self._chunks[row] = Chunk(**orjson.loads(self._rows[row]))
        return chunk

    def __iter__(self) -> Iterator[Chunk]:
        return (self[row] for row in range(len(self)))

    @cached_property
    def years(self) -> np.ndarray:
        return np.array([c.year if c.year is not None else -1 for c in self], dtype=np.int32)

    @cached_property
    def has_trial(self) -> np.ndarray:
        return np.array([bool(c.trial_ids) for c in self], dtype=bool)

    @cached_property
    def retracted(self) -> np.ndarray:
        return np.array([c.retracted for c in self], dtype=bool)

    def _any_of(self, values: list[str], attr: str) -> np.ndarray:
        wanted = {v.lower() for v in values}
        return np.array([any(x.lower() in wanted for x in getattr(c, attr)) for c in self], dtype=bool)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Rows that pass `filters` (None when nothing is filtered); the same rules as the Chroma `where`."""
        if filters is None:
            return None
        keep = np.ones(len(self), dtype=bool)
        if filters.year_from is not None:
            keep &= self.years >= filters.year_from
        if filters.year_to is not None:
            keep &= (self.years <= filters.year_to) & (self.years >= 0)
        if filters.has_trial_id is not None:
            keep &= self.has_trial == filters.has_trial_id
        if filters.exclude_retracted:
            keep &= ~self.retracted
        if filters.pub_types:
            keep &= self._any_of(filters.pub_types, "pub_types")
        if filters.sources:
            keep &= self._any_of(filters.sources, "sources")
        return None if keep.all() else keep


class BM25Index:
    """A bm25s retriever over chunk terms, plus the chunk table; rows are chunk positions."""

    def __init__(self, retriever: bm25s.BM25, table: ChunkTable, tokenizer: BioTokenizer):
        self.retriever = retriever
        self.table = table
        self.tokenizer = tokenizer

    @classmethod
    def build(
        cls, chunks: list[Chunk], params: BM25Params = BM25Params(), tokenizer: BioTokenizer | None = None
    ) -> "BM25Index":
        tokenizer = tokenizer or BioTokenizer()
        retriever = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
        retriever.index([document_terms(c, tokenizer, params.title_repeat) for c in chunks], show_progress=False)
        return cls(retriever, ChunkTable.of(chunks), tokenizer)

    def save(self, directory: Path) -> None:
        """Write to a sibling temp dir, then swap it in, so readers never see half an index."""
        tmp = directory.with_name(directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.retriever.save(str(tmp), show_progress=False)
        with (tmp / CHUNKS_FILE).open("w") as handle:
            for chunk in self.table:
                handle.write(json.dumps(asdict(chunk), separators=(",", ":")) + "\n")
        old = directory.with_name(directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> "BM25Index":
        if not (directory / CHUNKS_FILE).is_file():
            raise IndexMissingError(f"no BM25 index at {directory}")
        retriever = bm25s.BM25.load(str(directory), mmap=True)
        rows = (directory / CHUNKS_FILE).read_bytes().splitlines()
        return cls(retriever, ChunkTable.from_rows(rows), BioTokenizer())

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, score) of the `n` best chunks, best first; chunks sharing no term with the query never appear."""
        ids = self.retriever.get_tokens_ids(self.tokenizer.tokens(query))
        if not ids or not len(self.table):
            return []
        scores = self.retriever.get_scores_from_ids(ids)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(row), float(scores[row])) for row in top if scores[row] > 0]
