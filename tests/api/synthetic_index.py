"""A data dir with the synthetic retrieval records stored and indexed (real store, Chroma, BM25, model)."""

from pathlib import Path

from core.settings import Settings
from tests.rag.retrieve.retrieval_fixtures import run_indexer, synthetic_settings


def indexed_settings(data_dir: Path, **api: object) -> Settings:
    """Synthetic records, indexed; `api` overrides the api settings (limits relaxed for tests)."""
    settings = synthetic_settings(data_dir)
    run_indexer(settings)
    return settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 10_000, **api})})
