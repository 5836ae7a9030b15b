"""Hybrid retrieval: BM25 and dense candidates fused (rag.retrieve.fusion), the default.

Score fusion needs a cosine for every BM25 candidate, so the records only BM25 found get theirs from the
stored vectors before ranking (a record with no vector yet counts cosine 0); rank fusion (`retrieval.fusion = "rrf"`) needs only the two rankings.
"""

from rag.retrieve.base import IndexRetriever
from rag.retrieve.candidates import Candidates, fill_cosines, record_best
from rag.retrieve.fusion import chunk_score_fusion, dedupe, fuse, rrf_scores, score_fusion


class HybridRetriever(IndexRetriever):
    mode = "hybrid"
    uses_dense = True
    uses_bm25 = True

    def _weights(self) -> dict[str, float]:
        return {"dense": self.settings.dense_weight, "bm25": self.settings.bm25_weight}

    def _rankings(self, found: Candidates) -> dict[str, list[str]]:
        return {"dense": found.dense, "bm25": list(found.bm25)}

    def rank(self, found: Candidates) -> list[tuple[str, float]]:
        if self.settings.fusion == "rrf":
            records = {name: dedupe([found.chunks[c].pmid for c in ids]) for name, ids in self._rankings(found).items()}
            return fuse(records, self._weights(), self.settings.rrf_k)
        dense_pmids = {found.chunks[cid].pmid for cid in found.dense}
        lexical_only = [p for p in dedupe(found.chunks[c].pmid for c in found.bm25) if p not in dense_pmids]
        fill_cosines(self.index, found, lexical_only)
        lexical, cosines = record_best(found, found.bm25), record_best(found, found.cosine)
        # Records without vectors yet (a lexical-first index still being embedded) rank on BM25 alone.
        cosines.update({pmid: 0.0 for pmid in lexical if pmid not in cosines})
        return score_fusion(lexical, cosines, self.settings.bm25_weight, self.settings.dense_weight)

    def chunk_scores(self, found: Candidates) -> dict[str, float]:
        if self.settings.fusion == "rrf":
            return rrf_scores(self._rankings(found), self._weights(), self.settings.rrf_k)
        return chunk_score_fusion(found.bm25, found.cosine, self.settings.bm25_weight, self.settings.dense_weight)
