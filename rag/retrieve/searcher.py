"""The read path's front door: a query -> the mode's retriever -> cross-encoder re-ranking (when configured).

One `Searcher` holds one opened index and a retriever per mode over it, so evaluations compare BM25,
dense and hybrid on the same index without reopening anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.errors import InputError
from core.settings import Settings
from rag.index.embeddings import LocalEmbeddings
from rag.retrieve.abbreviations import spell_out
from rag.retrieve.base import IndexRetriever
from rag.retrieve.bm25 import BM25Retriever
from rag.retrieve.dense import DenseRetriever
from rag.retrieve.hybrid import HybridRetriever
from rag.retrieve.index_reader import IndexReader
from rag.retrieve.rerank import PairScorer, rerank
from rag.types import RETRIEVAL_MODES, Evidence, RetrievalMode, SearchFilters

if TYPE_CHECKING:
    import chromadb

    from rag.index.chroma_store import DenseReader


class Searcher:
    """Search over an existing index in any mode; build one with `Searcher.from_settings`."""

    def __init__(
        self,
        settings: Settings,
        index: IndexReader,
        reranker: PairScorer | None = None,
        mode: RetrievalMode = "hybrid",
    ):
        self.settings = settings
        self.index = index
        self.reranker = reranker
        self.mode = mode
        self.retrievers: dict[RetrievalMode, IndexRetriever] = {
            cls.mode: cls(index, settings.retrieval) for cls in (HybridRetriever, DenseRetriever, BM25Retriever)
        }

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        mode: RetrievalMode = "hybrid",
        embeddings: LocalEmbeddings | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
        dense: DenseReader | None = None,
        reranker: PairScorer | None = None,
    ) -> Searcher:
        """Open the index the settings point at; IndexMissingError if none, IndexMismatchError if it differs.

        `reranker` re-orders results when given (build_pipeline passes the trained cross-encoder when
        `retrieval.rerank` is on); without one, results are in fused order.
        """
        index = IndexReader.open(settings, embeddings=embeddings, chroma_client=chroma_client, dense=dense)
        return cls(settings, index, reranker, mode)

    @property
    def chroma(self):
        return self.index.chroma

    @property
    def manifest(self):
        return self.index.manifest

    def search(
        self,
        query: str,
        k: int | None = None,
        filters: SearchFilters | None = None,
        *,
        mode: RetrievalMode | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Evidence]:
        """The `k` best records for `query` in `mode` (default: the searcher's), best first.

        The retrievers get the query with the field's abbreviations spelled out (`spell_out`); `vector`,
        the caller's embedding of `query`, is used only when that leaves the text unchanged. The cross-encoder
        re-ranks against the query as written.
        """
        mode = mode or self.mode
        if mode not in RETRIEVAL_MODES:
            raise InputError(f"unknown search mode {mode!r}; use one of {', '.join(RETRIEVAL_MODES)}")
        k = k or self.settings.retrieval.k
        retriever = self.retrievers[mode]
        searched = spell_out(query)
        if searched != query:
            vector = None
        if not self.reranker:
            return retriever.search(searched, k, filters, vector=vector)
        evidence = retriever.search(searched, max(k, self.settings.retrieval.rerank_depth), filters, vector=vector)
        return rerank(self.reranker, query.strip(), evidence)[:k]

    def close(self) -> None:
        self.index.close()
