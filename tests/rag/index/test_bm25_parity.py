"""Our BM25 scores are bm25s' own Lucene BM25 scores over our terms: field weighting adds no hidden math."""

import bm25s
import numpy as np
import pytest

from rag.index.bm25_index import BM25Index, BM25Params, document_terms
from rag.index.chunking import Chunk
from rag.index.tokenize import BioTokenizer

CHUNKS = [
    Chunk(pmid="93000001", index=0, title="Synthetic IL-6 study", text="Invented IL-6 levels rose in made-up mice."),
    Chunk(pmid="93000002", index=0, title="", text="A fictional TGF-β1 assay measured synthetic collagen."),
    Chunk(pmid="93000003", index=0, title="Made-up vesicles", text="Synthetic CD63 vesicles carried miR-21 cargo."),
    Chunk(pmid="93000004", index=0, title="Imaginary trial", text="Invented patients received IL-6 blockade."),
]


def _lucene_reference(corpus: list[list[str]], query: list[str], k1: float, b: float) -> np.ndarray:
    """Lucene BM25 written out: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf saturation with length norm."""
    n = len(corpus)
    avg = sum(len(d) for d in corpus) / n
    scores = np.zeros(n)
    for term in set(query):
        df = sum(term in d for d in corpus)
        if not df:
            continue
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, doc in enumerate(corpus):
            tf = doc.count(term)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avg))
    return scores


@pytest.mark.parametrize("params", [BM25Params(), BM25Params(k1=0.9, b=0.4, title_repeat=3)])
def test_scores_match_bm25s_and_the_lucene_formula(params):
    index = BM25Index.build(CHUNKS, params)
    tokenizer = BioTokenizer()
    corpus = [document_terms(c, tokenizer, params.title_repeat) for c in CHUNKS]
    reference = bm25s.BM25(k1=params.k1, b=params.b, method="lucene")
    reference.index(corpus, show_progress=False)
    for query in ["IL-6 mice", "synthetic vesicles miR-21", "TGF-β1 collagen"]:
        terms = tokenizer.tokens(query)
        ours = dict(index.search(query, n=len(CHUNKS)))
        theirs = reference.get_scores(terms)
        formula = _lucene_reference(corpus, terms, params.k1, params.b)
        assert np.allclose(theirs, formula, atol=1e-5)
        for row, score in ours.items():
            assert score == pytest.approx(float(theirs[row]), abs=1e-5)
        assert set(ours) == {row for row, s in enumerate(theirs) if s > 0}


def test_title_terms_count_title_repeat_times():
    tokenizer = BioTokenizer()
    chunk = CHUNKS[0]
    terms = document_terms(chunk, tokenizer, title_repeat=3)
    assert terms.count("synthet") == 3
