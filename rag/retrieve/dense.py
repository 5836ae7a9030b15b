"""Dense retrieval: cosine nearest neighbours of the question vector in Chroma (HNSW)."""

from rag.retrieve.base import IndexRetriever
from rag.retrieve.candidates import Candidates, record_best


class DenseRetriever(IndexRetriever):
    mode = "dense"
    uses_dense = True
    uses_bm25 = False

    def rank(self, found: Candidates) -> list[tuple[str, float]]:
        return list(record_best(found, found.cosine).items())

    def chunk_scores(self, found: Candidates) -> dict[str, float]:
        return found.cosine
