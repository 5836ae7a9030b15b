"""One builder for the whole read path, used by the API, the CLI, eval and the benchmarks.

`build_pipeline` opens the index once (optionally over an injected Chroma client or opened dense index, and an
embedding model) and wires the searcher and the answerer to share that one embedding model, so a request
embeds its question once, and one relevance cross-encoder (re-ranking, sentence scoring, citation support). The trained models
(rag/models) load with ONNX Runtime; a missing or unreadable model file is a ModelUnavailableError naming
the setting that points at it. A request's path: `Answerer.prepare` embeds the question -> `Router.route` (category, yes/no) ->
`Searcher.search` (BM25 + dense candidates, fusion, re-ranking) -> evidence preferences by category ->
a generator (extractive or LLM) -> `verify_citations` -> the `CitedAnswer` (or a refusal).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelUnavailableError
from core.settings import Settings
from rag.answer.answerer import Answerer
from rag.answer.verdict import MeanLogitScorer
from rag.index.embeddings import LocalEmbeddings
from rag.models import ANSWER_SPANS_MODEL, RELEVANCE_MODEL, SENTENCE_SELECTOR_MODEL, VERDICT_MODEL
from rag.models.answer_spans import AnswerSpanReader, Span
from rag.models.pair_classifier import PairClassifier
from rag.models.sentence_selector import SentenceSelector
from rag.retrieve.index_reader import IndexReader
from rag.retrieve.searcher import Searcher
from rag.review.record_levels import RecordEvidenceLevels

if TYPE_CHECKING:
    import chromadb
    from langchain_core.language_models import BaseChatModel

    from rag.index.chroma_store import DenseReader

NAMES_MODEL_SETTING = "SECRETOME_ANSWER__NAMES_MODEL"
PENDING_VECTORS_WARNING = "the vector index is still being built: this answer used BM25 and the vectors built so far"


def require_model_file(path: Path, what: str, setting: str) -> Path:
    """`path` when it is a file, else ModelUnavailableError saying which setting names it."""
    if not Path(path).is_file():
        raise ModelUnavailableError(f"the {what} model {path} does not exist (set {setting}, or run `make train`)")
    return Path(path)


def load_onnx_model(path: Path, what: str, setting: str, opener: Callable[[Path], Any] = PairClassifier):
    """A trained ONNX model (a pair classifier, or what another `opener` makes of its path, as the answer tagger
    or the sentence selector), or ModelUnavailableError saying which setting names the file."""
    require_model_file(path, what, setting)
    try:
        return opener(path)
    except Exception as exc:  # onnxruntime raises its own exception types for unreadable graphs
        raise ModelUnavailableError(f"cannot load the {what} model {path} (set {setting}): {exc}") from exc


class DeferredPairClassifier:
    """A pair classifier opened on its first `scores` call.

    The verdict model reads only yes/no questions, so a one-question CLI call about anything else does
    not pay the ~0.2 s of opening it. The file's existence is checked up front, so a wrong path still
    fails at start-up; an unreadable file fails on the first yes/no question, with the same error."""

    def __init__(self, path: Path, what: str, setting: str):
        self.path, self._what, self._setting = require_model_file(path, what, setting), what, setting
        self._model: PairClassifier | None = None

    @property
    def model(self) -> PairClassifier:
        if self._model is None:
            self._model = load_onnx_model(self.path, self._what, self._setting)
        return self._model

    def scores(self, query: str, texts: Sequence[str], max_length: int | None = None) -> np.ndarray:
        return self.model.scores(query, texts, max_length)


class DeferredAnswerSpanReader:
    """The answer tagger, opened on its first `read` call (only list answers use it); the file's existence is
    checked up front, like the verdict model's."""

    def __init__(self, path: Path):
        self.path = require_model_file(path, "answer tagger", NAMES_MODEL_SETTING)
        self._reader: AnswerSpanReader | None = None

    def read(self, question: str, sentences: Sequence[str]) -> list[list[Span]]:
        if self._reader is None:
            self._reader = load_onnx_model(self.path, "answer tagger", NAMES_MODEL_SETTING, AnswerSpanReader)
        return self._reader.read(question, sentences)


def load_sentence_selector(settings: Settings) -> SentenceSelector | None:
    """The trained sentence selector, unless the settings ask for the rule; ModelUnavailableError when unreadable."""
    if settings.answer.sentence_selection == "rule":
        return None
    path = settings.answer.sentence_selector_model or SENTENCE_SELECTOR_MODEL
    setting = "SECRETOME_ANSWER__SENTENCE_SELECTOR_MODEL, or SECRETOME_ANSWER__SENTENCE_SELECTION=rule"
    return load_onnx_model(path, "sentence selector", setting, SentenceSelector.load)


def load_verdict_models(settings: Settings) -> MeanLogitScorer:
    """The verdict model files the settings name (default: the shipped one), read as one; each opens on the
    first yes/no question. ModelUnavailableError at once when a file is missing."""
    paths = settings.answer.verdict_model or [VERDICT_MODEL]
    return MeanLogitScorer([DeferredPairClassifier(path, "verdict", "SECRETOME_ANSWER__VERDICT_MODEL") for path in paths])


@dataclass
class Pipeline:
    """The opened read path: search and answer over one index with one embedding model."""

    settings: Settings
    searcher: Searcher
    answerer: Answerer

    @property
    def embeddings(self) -> LocalEmbeddings:
        return self.searcher.index.embeddings

    def close(self) -> None:
        self.searcher.close()


def build_pipeline(
    settings: Settings,
    *,
    chroma_client: chromadb.ClientAPI | None = None,
    dense: DenseReader | None = None,
    embeddings: LocalEmbeddings | None = None,
    chat_model: BaseChatModel | None = None,
) -> Pipeline:
    """Open the index the settings name and wire searcher and answerer over it.

    Raises IndexMissingError when nothing is built, IndexMismatchError when the settings imply another
    index, VectorStoreUnavailableError when a Chroma server does not answer.
    """
    retrieval, answer = settings.retrieval, settings.answer
    verdict = load_verdict_models(settings)
    with ThreadPoolExecutor(1, thread_name_prefix="relevance-load") as pool:
        # opening an ONNX session releases the GIL: the cross-encoder opens while the index does
        loading = pool.submit(
            load_onnx_model,
            retrieval.reranker_model or RELEVANCE_MODEL,
            "re-ranker (relevance)",
            "SECRETOME_RETRIEVAL__RERANKER_MODEL",
        )
        index = IndexReader.open(settings, embeddings=embeddings, chroma_client=chroma_client, dense=dense)
        relevance = loading.result()
    searcher = Searcher(settings, index, relevance if retrieval.rerank else None)
    answerer = Answerer(
        settings,
        searcher,
        searcher.index.embeddings,
        chat_model,
        relevance=relevance,
        verdict=verdict,
        selector=load_sentence_selector(settings),
        namer=DeferredAnswerSpanReader(answer.names_model or ANSWER_SPANS_MODEL) if answer.named_answers else None,
        index_warnings=[PENDING_VECTORS_WARNING] if searcher.manifest.pending_records else [],
        levels=RecordEvidenceLevels(settings.store_path),
    )
    return Pipeline(settings, searcher, answerer)
