"""Builders shared by the answer-side tests: visibly synthetic evidence and the real bundled embedder."""

import pytest
from langchain_core.embeddings import Embeddings

from core.settings import EmbeddingSettings
from rag.embeddings import LocalEmbeddings
from rag.types import Evidence, Passage


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


@pytest.fixture(scope="session")
def embedder() -> Embeddings:
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
        "A synthetic retracted report claimed exosomes cure every disease.",
        relevance=0.80,
        score=0.040,
        retracted=True,
    ),
]


class ListSearcher:
    """A searcher over a fixed list of synthetic records, ranked as given (retracted one first)."""

    def __init__(self, evidence: list[Evidence]):
        self.evidence = sorted(evidence, key=lambda e: e.score, reverse=True)
        self.queries: list[str] = []

    def search(self, query: str, k: int | None = None, filters=None) -> list[Evidence]:
        self.queries.append(query)
        return self.evidence[: k or 10]
