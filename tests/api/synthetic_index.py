"""A data dir with the synthetic retrieval records stored and indexed (real store, Chroma, BM25, model)."""

from pathlib import Path

from core.settings import Settings
from rag.index.indexer import Indexer
from tests.rag.retrieve.retrieval_fixtures import synthetic_settings


def indexed_settings(data_dir: Path, **api: object) -> Settings:
    """Synthetic records, indexed; `api` overrides the api settings (limits relaxed for tests)."""
    settings = synthetic_settings(data_dir)
    indexer = Indexer(settings)
    try:
        indexer.run(show_progress=False)
    finally:
        indexer.embeddings.close()
    return settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 10_000, **api})})
