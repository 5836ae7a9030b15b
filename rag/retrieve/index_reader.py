"""The read side's handle on a built index: the manifest checked against the settings, BM25, Chroma, the encoder.

Opening is the only I/O the retrievers need; a Chroma client and an embedding model can be injected (the
pipeline shares one model between retrieval and answering, tests inject a server client).
"""

from dataclasses import dataclass

import chromadb
import numpy as np

from core.settings import Settings
from rag.index.bm25_index import BM25Index
from rag.index.chroma_store import ChromaIndex, make_client, server_address
from rag.index.embeddings import LocalEmbeddings
from rag.index.layout import bm25_dir, identity_for
from rag.index.manifest import IndexManifest, check, read_manifest


@dataclass
class IndexReader:
    """An opened index; every retriever mode reads the same one."""

    embeddings: LocalEmbeddings
    chroma: ChromaIndex
    bm25: BM25Index
    manifest: IndexManifest

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        embeddings: LocalEmbeddings | None = None,
        chroma_client: chromadb.ClientAPI | None = None,
    ) -> "IndexReader":
        """IndexMissingError when nothing is built, IndexMismatchError when the settings imply another index."""
        manifest = read_manifest(settings.index_dir)
        embeddings = embeddings or LocalEmbeddings(settings.embedding, settings.cache_dir, use_cache=False)
        check(manifest.identity, identity_for(settings, embeddings.info), settings.index_dir)
        bm25 = BM25Index.load(bm25_dir(settings))
        address = server_address(settings) if settings.chroma.mode == "http" else str(settings.index_dir)
        client = chroma_client or make_client(settings)
        chroma = ChromaIndex(client, manifest.collection, address, create=False)
        return cls(embeddings, chroma, bm25, manifest)

    def query_vector(self, query: str) -> np.ndarray:
        return self.embeddings.query_vector(query)

    def close(self) -> None:
        self.embeddings.close()
