"""Builders shared by the answer-side tests: visibly synthetic records, the real bundled embedder, and a
real store + Chroma + BM25 index over those records (the same Indexer and Searcher the service uses)."""

from pathlib import Path

import pytest

from core.settings import EmbeddingSettings, Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from rag.answer.answerer import Answerer
from rag.index.embeddings import LocalEmbeddings
from rag.index.indexer import Indexer
from rag.retrieve.searcher import Searcher
from rag.types import Evidence, Passage, SearchFilters


def synthetic_evidence(pmid: str, *sentences: str, relevance: float = 0.6, score: float = 0.03, **fields) -> Evidence:
    """A record whose only passage is the given synthetic sentences."""
    text = " ".join(sentences)
    return Evidence(
        pmid=pmid,
        title=fields.pop("title", f"Synthetic record {pmid} about stem cell secretomes"),
        score=score,
        relevance=relevance,
        passages=[Passage(chunk_id=f"{pmid}:0", text=text, score=score)],
        **fields,
    )


def synthetic_passages(pmid: str, *passages: str) -> Evidence:
    """A record with one passage per argument, in abstract order (chunk 0 first)."""
    return Evidence(
        pmid=pmid,
        title=f"Synthetic record {pmid}",
        score=0.03,
        relevance=0.6,
        passages=[Passage(chunk_id=f"{pmid}:{i}", text=text, score=0.03) for i, text in enumerate(passages)],
    )


@pytest.fixture(scope="session")
def embedder() -> LocalEmbeddings:
    """The real bundled all-MiniLM-L6-v2 model, loaded once per session."""
    return LocalEmbeddings(EmbeddingSettings(), use_cache=False)


SYNTHETIC_EVIDENCE = [
    synthetic_evidence(
        "90000101",
        "Synthetic exosomes from mesenchymal stem cells carried miR-21 into injured cardiomyocytes.",
        "The synthetic miR-21 cargo reduced cardiomyocyte apoptosis by targeting PTEN.",
        relevance=0.72,
        score=0.032,
    ),
    synthetic_evidence(
        "90000102",
        "Synthetic conditioned medium from adipose stem cells raised VEGF and promoted angiogenesis in mice.",
        relevance=0.55,
        score=0.030,
    ),
    synthetic_evidence(
        "90000103",
        "Synthetic mesenchymal stem cell exosomes protect cardiomyocytes and cure every disease, a retracted report claimed.",
        relevance=0.80,
        score=0.040,
        retracted=True,
    ),
]


def synthetic_records(evidence: list[Evidence]) -> list[PubMedRecord]:
    """The store records behind synthetic evidence: same PMIDs, titles, text, trial ids, retraction."""
    return [
        PubMedRecord(
            pmid=e.pmid,
            title=e.title,
            abstract=" ".join(p.text for p in e.passages),
            abstract_complete=e.abstract_complete,
            trial_ids=e.trial_ids,
            pub_types=["Retracted Publication"] if e.retracted else [],
            authors=["Synthetic A", "Example B"],
            sources=["synthetic"],
        )
        for e in evidence
    ]


def answerer_with(searcher: Searcher, embedder: LocalEmbeddings, data_dir: Path, **answer) -> Answerer:
    """An extractive answerer over `searcher` with a low refusal floor (synthetic indexes are tiny) and the
    answer settings given, so a test can switch one rule off and compare."""
    settings = Settings(_env_file=None, data_dir=data_dir)
    settings.answer.min_relevance = 0.1
    for name, value in answer.items():
        setattr(settings.answer, name, value)
    return Answerer(settings, searcher, embedder)


def build_index(data_dir: Path, evidence: list[Evidence], embedder: LocalEmbeddings) -> Searcher:
    """A real document store, Chroma collection and BM25 index over synthetic records, and its Searcher."""
    settings = Settings(_env_file=None, data_dir=data_dir)
    with DocumentStore(settings.store_path) as store:
        store.upsert(synthetic_records(evidence))
    Indexer(settings, embedder).run(show_progress=False)
    return Searcher.from_settings(settings, embeddings=embedder)


class RecordingSearcher:
    """The real searcher, with the queries it was asked kept for assertions about rewriting."""

    def __init__(self, searcher: Searcher):
        self.searcher = searcher
        self.queries: list[str] = []

    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None, *, vector=None
    ) -> list[Evidence]:
        self.queries.append(query)
        return self.searcher.search(query, k=k, filters=filters, vector=vector)
