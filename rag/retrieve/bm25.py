"""Lexical retrieval: bm25s over biomedical terms; records BM25 finds nothing for are never returned."""

from rag.retrieve.base import IndexRetriever
from rag.retrieve.candidates import Candidates, record_best


class BM25Retriever(IndexRetriever):
    mode = "bm25"
    uses_dense = False
    uses_bm25 = True

    def rank(self, found: Candidates) -> list[tuple[str, float]]:
        return list(record_best(found, found.bm25).items())

    def chunk_scores(self, found: Candidates) -> dict[str, float]:
        return found.bm25
