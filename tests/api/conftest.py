"""Fixtures for the service tests: real uvicorn servers over a small synthetic store and the full corpus."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.app import create_app
from core.settings import Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore
from tests.api.live_server import LiveServer
from tests.conftest import CORPUS

pytest.register_assert_rewrite("tests.api.checks")

ADMIN_KEY = "test-admin-key-0123456789"


def synthetic_records() -> list[PubMedRecord]:
    """Visibly synthetic records: enough for the endpoints that read the store without an index."""
    return [
        PubMedRecord(
            pmid=str(99_000_000 + i),
            title=f"Synthetic record about secretome topic {i}",
            abstract=f"Synthetic abstract {i}: written for the API tests, not taken from any article.",
            year=2020 + i,
            pub_types=["Journal Article"],
            sources=["synthetic"],
        )
        for i in range(3)
    ]


def small_settings(data_dir: Path, **api: object) -> Settings:
    """A store of synthetic records and no index; tight limits so tests can reach them."""
    with DocumentStore(data_dir / "store.sqlite") as store:
        store.upsert(synthetic_records())
    limits = {"admin_key": ADMIN_KEY, "max_body_bytes": 4_000, "max_question_chars": 200, "rate_limit_per_minute": 600}
    return Settings(_env_file=None, data_dir=data_dir, corpus_path=CORPUS, api={**limits, **api})


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = small_settings(tmp_path_factory.mktemp("small"), cors_origins=["http://allowed.example"])
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.fixture(scope="session")
def corpus_server(corpus_settings: Settings) -> Iterator[LiveServer]:
    """The service over the test corpus index (10,000 real records, built once per session by `corpus_settings`), limits relaxed
    so the load smoke is not rate limited."""
    api = corpus_settings.api.model_copy(update={"admin_key": SecretStr(ADMIN_KEY), "rate_limit_per_minute": 100_000})
    with LiveServer(create_app(corpus_settings.model_copy(update={"api": api}))) as server:
        yield server
