"""Shared fixtures: where ../shared lives, and a settings object over a fresh data dir."""

import os
from pathlib import Path

import pytest

from core.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SECRETOME_SHARED_DIR", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "records.jsonl"
FIXTURES = SHARED / "fixtures" / "ncbi"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found at {SHARED}; tests read real data from it")
    return SHARED


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings over an empty data dir, ignoring any developer .env."""
    return Settings(_env_file=None, data_dir=tmp_path / "data", corpus_path=CORPUS)
