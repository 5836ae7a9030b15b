"""What the retrievers found for one query, and how it becomes ranked evidence records.

A record ranks where its best chunk ranks, so one long abstract cannot fill the list. `Evidence.relevance`
is the best cosine of any of the record's chunks to the query, also for records only BM25 found (cosines
are read back from the stored vectors), since refusal and sentence scores are calibrated on it.
"""

from dataclasses import dataclass, field

import numpy as np

from rag.index.chunking import Chunk
from rag.retrieve.index_reader import IndexReader
from rag.types import Evidence, Passage

MAX_PASSAGES = 3


@dataclass
class Candidates:
    """The chunks each retriever returned for one query, and every cosine to the query known so far."""

    vector: np.ndarray
    dense: list[str] = field(default_factory=list)
    bm25: dict[str, float] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    cosine: dict[str, float] = field(default_factory=dict)


def record_best(found: Candidates, scores: dict[str, float]) -> dict[str, float]:
    """pmid -> best chunk score, in order of the first (best) chunk."""
    best: dict[str, float] = {}
    for cid, score in sorted(scores.items(), key=lambda item: -item[1]):
        best.setdefault(found.chunks[cid].pmid, score)
    return best


def fill_cosines(index: IndexReader, found: Candidates, pmids: list[str]) -> None:
    """Cosine of every chunk of these records, from the stored vectors (one `get` by id)."""
    table = index.bm25.table
    missing = [cid for pmid in pmids for cid in table.ids_of.get(pmid, []) if cid not in found.cosine]
    for cid, vector in index.chroma.vectors(missing).items():
        found.cosine[cid] = float(vector @ found.vector)
        row = table.row_of.get(cid)
        if row is not None:
            found.chunks.setdefault(cid, table[row])


def build_evidence(pmid: str, score: float, found: Candidates, chunk_scores: dict[str, float]) -> Evidence:
    """The record with its best passages (by `chunk_scores`, then abstract order)."""
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
