"""The retriever seam: one contract, three implementations (BM25, dense, hybrid) over one opened index.

Every retriever takes the same filters (applied before ranking, never after), returns distinct records
best first, each with its best passages, and returns nothing rather than zero-score noise. The question
vector can be passed in, so a request embeds its question once for routing, search and sentence scoring.
`tests/rag/retrieve/test_retriever_contract.py` holds the shared contract every implementation passes.
"""

from typing import ClassVar, Protocol

import numpy as np

from core.errors import InputError
from core.settings import RetrievalSettings
from rag.retrieve.candidates import Candidates, build_evidence, fill_cosines
from rag.retrieve.index_reader import IndexReader
from rag.types import Evidence, RetrievalMode, SearchFilters


class Retriever(Protocol):
    """Ranked evidence records for a query; `vector` is the query's embedding when the caller has it."""

    mode: RetrievalMode

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        *,
        vector: np.ndarray | None = None,
    ) -> list[Evidence]: ...


class IndexRetriever:
    """The search template shared by the implementations: candidates -> record ranking -> evidence.

    Subclasses say which candidates they gather (`uses_dense`, `uses_bm25`), how records are ranked from
    them, and how a record's passages are ordered.
    """

    mode: ClassVar[RetrievalMode]
    uses_dense: ClassVar[bool]
    uses_bm25: ClassVar[bool]

    def __init__(self, index: IndexReader, settings: RetrievalSettings):
        self.index = index
        self.settings = settings

    def rank(self, found: Candidates) -> list[tuple[str, float]]:
        """(pmid, score), best first."""
        raise NotImplementedError

    def chunk_scores(self, found: Candidates) -> dict[str, float]:
        """Each known chunk's score on the scale records are ranked by (orders passages)."""
        raise NotImplementedError

    def candidates(self, query: str, vector: np.ndarray, n: int, filters: SearchFilters | None) -> Candidates:
        """The top `n` chunks of each retriever this mode uses, with the chunks they name."""
        found = Candidates(vector=vector)
        table = self.index.bm25.table
        if self.uses_dense:
            for hit in self.index.chroma.query(vector, n, filters):
                found.dense.append(hit.chunk_id)
                found.cosine[hit.chunk_id] = hit.similarity
                row = table.row_of.get(hit.chunk_id)
                found.chunks[hit.chunk_id] = table[row] if row is not None else hit.chunk()
        if self.uses_bm25:
            for row, score in self.index.bm25.search(query, n, table.mask(filters)):
                chunk = table[row]
                found.bm25[chunk.chunk_id] = score
                found.chunks.setdefault(chunk.chunk_id, chunk)
        return found

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        *,
        vector: np.ndarray | None = None,
    ) -> list[Evidence]:
        """The `k` best records for `query`, each with its best passages, best first."""
        query = query.strip()
        if not query:
            raise InputError("the query is empty")
        k = k or self.settings.k
        if k < 1:
            raise InputError("k must be at least 1")
        vector = self.index.query_vector(query) if vector is None else vector
        found = self.candidates(query, vector, max(self.settings.candidates, k), filters)
        top = self.rank(found)[:k]
        fill_cosines(self.index, found, [pmid for pmid, _ in top])
        scores = self.chunk_scores(found)
        return [build_evidence(pmid, score, found, scores) for pmid, score in top]
