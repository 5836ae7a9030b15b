"""The read path: a query -> dense and BM25 candidates -> fused, filtered, deduplicated evidence records.

Both retrievers see the same filters before fusion. Fusion happens twice: over chunks (to order a record's
passages) and over records (a record ranks where its best chunk ranks), so one long abstract cannot fill
the list. `Evidence.relevance` is the best cosine of any of the record's chunks to the query, also for
records only BM25 found, since answer refusal thresholds are calibrated on it.
"""

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.errors import InputError
from core.settings import Settings
from rag.index.bm25_index import BM25Index
from rag.index.chroma_store import ChromaIndex, make_client, server_address
from rag.index.chunking import Chunk
from rag.index.embeddings import LocalEmbeddings
from rag.retrieve.fusion import dedupe, fuse, rrf_scores, score_fusion
from rag.index.layout import bm25_dir, identity_for
from rag.index.manifest import IndexManifest, check, read_manifest
from rag.retrieve.rerank import CrossEncoderReranker
from rag.types import Evidence, Passage, SearchFilters

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25")
MAX_PASSAGES = 3
RECENT_QUERIES = 64


@dataclass
class Candidates:
    """What the retrievers returned for one query, and every cosine to the query known so far."""

    vector: np.ndarray
    dense: list[str] = field(default_factory=list)
    bm25: dict[str, float] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    cosine: dict[str, float] = field(default_factory=dict)


class Searcher:
    """Hybrid search over an existing index; build one with `Searcher.from_settings`."""

    def __init__(
        self,
        settings: Settings,
        embeddings: LocalEmbeddings,
        chroma: ChromaIndex,
        bm25: BM25Index,
        manifest: IndexManifest,
        reranker: CrossEncoderReranker | None = None,
        mode: Mode = "hybrid",
    ):
        self.settings = settings
        self.embeddings = embeddings
        self.chroma = chroma
        self.bm25 = bm25
        self.manifest = manifest
        self.reranker = reranker
        self.mode = mode
        self._recent: dict[str, np.ndarray] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, *, mode: Mode = "hybrid", embeddings: LocalEmbeddings | None = None
    ) -> "Searcher":
        """Open the index the settings point at; IndexMissingError if none, IndexMismatchError if it differs."""
        manifest = read_manifest(settings.index_dir)
        embeddings = embeddings or LocalEmbeddings(settings.embedding, settings.data_dir, use_cache=False)
        check(manifest.identity, identity_for(settings, embeddings.info), settings.index_dir)
        bm25 = BM25Index.load(bm25_dir(settings))
        address = server_address(settings) if settings.chroma.mode == "http" else str(settings.index_dir)
        chroma = ChromaIndex(make_client(settings), manifest.collection, embeddings, address, create=False)
        reranker = (
            CrossEncoderReranker(settings.retrieval.reranker_model) if settings.retrieval.reranker_model else None
        )
        return cls(settings, embeddings, chroma, bm25, manifest, reranker, mode)

    @property
    def embedder(self) -> LocalEmbeddings:
        """The index's embedding model (a LangChain `Embeddings`), for callers that embed sentences too."""
        return self.embeddings

    def _query_vector(self, query: str) -> np.ndarray:
        """Embed the query, remembering the last few (evaluations ask each question in several modes)."""
        vector = self._recent.get(query)
        if vector is None:
            vector = self.embeddings.query_vector(query)
            if len(self._recent) >= RECENT_QUERIES:
                self._recent.pop(next(iter(self._recent)))
            self._recent[query] = vector
        return vector

    def candidates(self, query: str, n: int, filters: SearchFilters | None, mode: Mode) -> Candidates:
        """The top `n` chunks of each retriever the mode uses, with the chunks they name."""
        found = Candidates(vector=self._query_vector(query))
        table = self.bm25.table
        if mode in ("hybrid", "dense"):
            for hit in self.chroma.query(found.vector, n, filters):
                found.dense.append(hit.chunk_id)
                found.cosine[hit.chunk_id] = hit.similarity
                row = table.row_of.get(hit.chunk_id)
                found.chunks[hit.chunk_id] = table.chunks[row] if row is not None else hit.chunk()
        if mode in ("hybrid", "bm25"):
            for row, score in self.bm25.search(query, n, table.mask(filters)):
                chunk = table.chunks[row]
                found.bm25[chunk.chunk_id] = score
                found.chunks.setdefault(chunk.chunk_id, chunk)
        return found

    def _fill_cosines(self, found: Candidates, pmids: list[str]) -> None:
        """Cosine of every chunk of these records, from the stored vectors (one `get` by id)."""
        table = self.bm25.table
        missing = [cid for pmid in pmids for cid in table.ids_of.get(pmid, []) if cid not in found.cosine]
        for cid, vector in self.chroma.vectors(missing).items():
            found.cosine[cid] = float(vector @ found.vector)
            row = table.row_of.get(cid)
            if row is not None:
                found.chunks.setdefault(cid, table.chunks[row])

    def _record_best(self, found: Candidates, scores: dict[str, float]) -> dict[str, float]:
        """pmid -> best chunk score, in order of the first (best) chunk."""
        best: dict[str, float] = {}
        for cid, score in sorted(scores.items(), key=lambda item: -item[1]):
            pmid = found.chunks[cid].pmid
            best.setdefault(pmid, score)
        return best

    def _rank(self, found: Candidates, mode: Mode) -> list[tuple[str, float]]:
        """(pmid, score), best first: a record scores what its best chunk scores."""
        retrieval = self.settings.retrieval
        if mode == "dense":
            return list(self._record_best(found, found.cosine).items())
        if mode == "bm25":
            return list(self._record_best(found, found.bm25).items())
        if retrieval.fusion == "rrf":
            rankings = {"dense": found.dense, "bm25": list(found.bm25)}
            records = {name: dedupe([found.chunks[c].pmid for c in ids]) for name, ids in rankings.items()}
            return fuse(records, self._weights(), retrieval.rrf_k)
        dense_pmids = {found.chunks[cid].pmid for cid in found.dense}
        self._fill_cosines(found, [p for p in dedupe(found.chunks[c].pmid for c in found.bm25) if p not in dense_pmids])
        return score_fusion(
            self._record_best(found, found.bm25),
            self._record_best(found, found.cosine),
            retrieval.bm25_weight,
            retrieval.dense_weight,
        )

    def _weights(self) -> dict[str, float]:
        return {"dense": self.settings.retrieval.dense_weight, "bm25": self.settings.retrieval.bm25_weight}

    def _chunk_scores(self, found: Candidates, mode: Mode) -> dict[str, float]:
        """The score of each known chunk on the scale its mode ranks records by (orders passages)."""
        retrieval = self.settings.retrieval
        if mode == "dense":
            return found.cosine
        if mode == "bm25":
            return found.bm25
        if retrieval.fusion == "rrf":
            return rrf_scores({"dense": found.dense, "bm25": list(found.bm25)}, self._weights(), retrieval.rrf_k)
        top = max(found.bm25.values(), default=0.0) or 1.0
        return {
            cid: retrieval.dense_weight * cos + retrieval.bm25_weight * found.bm25.get(cid, 0.0) / top
            for cid, cos in found.cosine.items()
        }

    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None, *, mode: Mode | None = None
    ) -> list[Evidence]:
        """The `k` best records for `query`, each with its best passages, best first."""
        query = query.strip()
        if not query:
            raise InputError("the query is empty")
        mode = mode or self.mode
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        k = k or self.settings.retrieval.k
        if k < 1:
            raise InputError("k must be at least 1")
        found = self.candidates(query, max(self.settings.retrieval.candidates, k), filters, mode)
        ranked = self._rank(found, mode)
        top = ranked[: 3 * k if self.reranker else k]
        self._fill_cosines(found, [pmid for pmid, _ in top])
        chunk_scores = self._chunk_scores(found, mode)
        evidence = [self._evidence(pmid, score, found, chunk_scores) for pmid, score in top]
        if self.reranker:
            evidence = self._rerank(query, evidence)
        return evidence[:k]

    def _evidence(self, pmid: str, score: float, found: Candidates, chunk_scores: dict[str, float]) -> Evidence:
        chunk_ids = [cid for cid, chunk in found.chunks.items() if chunk.pmid == pmid]
        relevance = max((found.cosine[c] for c in chunk_ids if c in found.cosine), default=0.0)
        chunk_ids.sort(key=lambda cid: (-chunk_scores.get(cid, float("-inf")), found.chunks[cid].index))
        head = found.chunks[chunk_ids[0]]
        passages = [
            Passage(
                chunk_id=cid,
                text=found.chunks[cid].text,
                section=found.chunks[cid].section,
                score=chunk_scores.get(cid, 0.0),
            )
            for cid in chunk_ids[:MAX_PASSAGES]
        ]
        return Evidence(
            pmid=pmid,
            title=head.title,
            year=head.year,
            journal=head.journal,
            pub_types=head.pub_types,
            mesh=head.mesh,
            trial_ids=head.trial_ids,
            retracted=head.retracted,
            source=",".join(head.sources),
            abstract_complete=head.abstract_complete,
            score=score,
            relevance=max(-1.0, min(1.0, relevance)),
            passages=passages,
        )

    def _rerank(self, query: str, evidence: list[Evidence]) -> list[Evidence]:
        """Re-order by cross-encoder score of the best passage (title in front); the score replaces the fused one."""
        texts = [f"{e.title}\n{e.passages[0].text}" if e.title else e.passages[0].text for e in evidence]
        scores = self.reranker.scores(query, texts)
        for item, score in zip(evidence, scores):
            item.score = float(score)
        return sorted(evidence, key=lambda e: -e.score)

    def close(self) -> None:
        self.embeddings.close()
