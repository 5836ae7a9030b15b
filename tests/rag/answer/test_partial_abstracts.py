"""A citation says when the store holds only part of the cited abstract, so a reviewer knows to read the rest."""

import pytest

from rag.retrieve.searcher import Searcher
from tests.rag.answer.answer_fixtures import (  # noqa: F401 (fixture)
    answerer_with,
    build_index,
    embedder,
    synthetic_evidence,
)

PARTIAL = "90000501"
COMPLETE = "90000502"
EVIDENCE = [
    synthetic_evidence(
        PARTIAL,
        "Synthetic placental MSC exosomes lowered synthetic liver fibrosis scores in rats.",
        "The synthetic exosomes also reduced collagen deposition and the rats",
        abstract_complete=False,
        relevance=0.7,
        score=0.05,
    ),
    synthetic_evidence(
        COMPLETE,
        "Synthetic placental MSC exosomes lowered hepatic stellate cell activation in a synthetic fibrosis model.",
        relevance=0.6,
        score=0.04,
    ),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Searcher:  # noqa: F811
    return build_index(tmp_path_factory.mktemp("partial") / "data", EVIDENCE, embedder)


def test_each_citation_says_whether_its_abstract_is_whole(searcher: Searcher, embedder) -> None:  # noqa: F811
    answerer = answerer_with(searcher, embedder, searcher.settings.data_dir)
    answer = answerer.ask("Do placental MSC exosomes reduce liver fibrosis?")
    assert not answer.refused, answer.warnings
    whole = {c.pmid: c.abstract_complete for c in answer.citations}
    assert whole.get(PARTIAL) is False, answer.answer
    assert all(whole[p] for p in whole if p != PARTIAL)
