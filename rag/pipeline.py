"""One builder for the whole read path, used by the API, the CLI, eval and the benchmarks.

`build_pipeline` opens the index once (optionally over an injected Chroma client and embedding model) and
wires the searcher and the answerer to share that one embedding model, so a request embeds its question
once. A request's path: `Answerer.prepare` embeds the question -> `Router.route` (category, yes/no) ->
`Searcher.search` (BM25 + dense candidates, fusion, re-ranking) -> evidence preferences by category ->
a generator (extractive or LLM) -> `verify_citations` -> the `CitedAnswer` (or a refusal).
"""

from dataclasses import dataclass

import chromadb
from langchain_core.language_models import BaseChatModel

from core.settings import Settings
from rag.answer.answerer import Answerer
from rag.index.embeddings import LocalEmbeddings
from rag.retrieve.searcher import Searcher


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
    embeddings: LocalEmbeddings | None = None,
    chat_model: BaseChatModel | None = None,
) -> Pipeline:
    """Open the index the settings name and wire searcher and answerer over it.

    Raises IndexMissingError when nothing is built, IndexMismatchError when the settings imply another
    index, VectorStoreUnavailableError when a Chroma server does not answer.
    """
    searcher = Searcher.from_settings(settings, embeddings=embeddings, chroma_client=chroma_client)
    answerer = Answerer(settings, searcher, searcher.index.embeddings, chat_model)
    return Pipeline(settings, searcher, answerer)
