"""The read side's handle on a built index: the manifest checked against the settings, BM25, Chroma, the encoder.

Opening is the only I/O the retrievers need; a Chroma client, an opened dense index and an embedding model
can be injected (the pipeline shares one model between retrieval and answering, the CLI opens the dense index
in a helper process, tests inject a server client).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.settings import Settings
from rag.index.bm25_index import BM25Index
from rag.index.chroma_store import ChromaIndex, DenseReader, index_address, make_client
from rag.index.embeddings import LocalEmbeddings
from rag.index.layout import bm25_dir, identity_for
from rag.index.manifest import IndexManifest, check, read_manifest

if TYPE_CHECKING:
    import chromadb


@dataclass
class IndexReader:
    """An opened index; every retriever mode reads the same one."""

    embeddings: LocalEmbeddings
    chroma: DenseReader
    bm25: BM25Index
    manifest: IndexManifest

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        embeddings: LocalEmbeddings | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
        dense: DenseReader | None = None,
    ) -> IndexReader:
        """IndexMissingError when nothing is built, IndexMismatchError when the settings imply another index."""
        manifest = read_manifest(settings.index_dir)
        with ThreadPoolExecutor(1, thread_name_prefix="bm25-load") as pool:
            # BM25 loads beside the embedding model: hashing its weights and opening its ONNX session
            # release the GIL, so the two overlap on a cold start
            loading = pool.submit(BM25Index.load, bm25_dir(settings))
            embeddings = embeddings or LocalEmbeddings(settings.embedding, settings.cache_dir, cache_writes=False)
            check(manifest.identity, identity_for(settings, embeddings.info), settings.index_dir)
            bm25 = loading.result()
        if dense is None:
            client = chroma_client or make_client(settings)
            dense = ChromaIndex(client, manifest.collection, index_address(settings), create=False)
        return cls(embeddings, dense, bm25, manifest)

    def query_vector(self, query: str) -> np.ndarray:
        return self.embeddings.query_vector(query)

    def close(self) -> None:
        self.embeddings.close()
        self.chroma.close()
