"""BM25 (bm25s + PyStemmer) over the corpus titles and abstracts, to pick hard negatives: records that
share the question's words but are not among its gold records."""

import numpy as np


class Bm25:
    def __init__(self, records: dict[str, dict]):
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.pmids = list(records)
        corpus = [f"{records[p].get('title') or ''} {records[p].get('abstract') or ''}" for p in self.pmids]
        tokens = bm25s.tokenize(corpus, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.position = {p: i for i, p in enumerate(self.pmids)}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every record (corpus order) for the query."""
        tokens = self._bm25s.tokenize(
            [query], stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False
        )[0]
        return np.asarray(self.retriever.get_scores(tokens))

    def top(self, query: str, k: int, exclude: set[str] = frozenset()) -> list[str]:
        """The k best-scored pmids outside ``exclude``."""
        scores = self.scores(query)
        order = np.argsort(-scores)[: k + len(exclude) + 1]
        return [self.pmids[i] for i in order if self.pmids[i] not in exclude and scores[i] > 0][:k]
