"""Where an index lives under the data dir and what identity (and HNSW configuration) the settings imply.

Shared by the write path (indexer) and the read path (searcher) so both agree on names and identity.
"""

from pathlib import Path

from core.settings import Settings
from rag.index.bm25_index import BM25Params
from rag.index.chunking import CHUNKER_VERSION, ChunkingParams
from rag.index.embeddings import ModelInfo
from rag.index.manifest import IndexIdentity
from rag.index.tokenize import TOKENIZER_VERSION


def chunking_params(settings: Settings) -> ChunkingParams:
    return ChunkingParams(
        max_words=settings.index.chunk_max_words,
        overlap_sentences=settings.index.chunk_overlap_sentences,
    )


def bm25_params(settings: Settings) -> BM25Params:
    return BM25Params(k1=settings.index.bm25_k1, b=settings.index.bm25_b, title_repeat=settings.index.bm25_title_repeat)


def hnsw_config(settings: Settings) -> dict:
    """Chroma's collection configuration: cosine space and the HNSW knobs from settings.index."""
    index = settings.index
    return {
        "hnsw": {
            "space": "cosine",
            "ef_construction": index.hnsw_ef_construction,
            "ef_search": index.hnsw_ef_search,
            "max_neighbors": index.hnsw_max_neighbors,
        }
    }


def identity_for(settings: Settings, model: ModelInfo) -> IndexIdentity:
    params = chunking_params(settings)
    return IndexIdentity(
        embedding_model=model.name,
        embedding_fingerprint=model.fingerprint,
        embedding_dimension=model.dimension,
        chunker=CHUNKER_VERSION,
        chunk_max_words=params.max_words,
        chunk_overlap_sentences=params.overlap_sentences,
        tokenizer=TOKENIZER_VERSION,
        bm25=bm25_params(settings).describe(),
    )


def bm25_dir(settings: Settings) -> Path:
    return settings.index_dir / "bm25"
