"""A small real data dir for the CLI tests: synthetic records (some without title or year, one title with
inline markup) in the SQLite store, indexed by the real Indexer with the bundled model."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings
from ingest.records import PubMedRecord
from ingest.store import DocumentStore

CLI = Path(sys.executable).with_name("secretome-qa")
CLI_ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "COLUMNS": "80", "TERM": "dumb"}


PARTIAL_ABSTRACT = "91000001"


def cli_records() -> list[PubMedRecord]:
    """Visibly synthetic records, written for these tests; the store holds only part of PARTIAL_ABSTRACT's abstract."""
    texts = [
        ("Synthetic CD34<sup>+</sup> cell exosomes in a test corpus", 2024,
         "Synthetic mesenchymal stem cell exosomes carried miR-21 and reduced cardiomyocyte apoptosis in mice."),
        ("", None,
         "Synthetic umbilical cord MSC extracellular vesicles contained microRNAs that eased lung injury in rats."),
        ("Synthetic adipose conditioned medium and angiogenesis", 2025,
         "Synthetic adipose stem cell conditioned medium raised VEGF and promoted angiogenesis in a wound model."),
        ("", None, "Synthetic reporting guidance asks EV studies to state isolation method and particle counts."),
        ("Synthetic record from an early year", 1998, "Synthetic bone marrow stromal cells secreted growth factors."),
    ]
    return [
        PubMedRecord(
            pmid=str(91_000_000 + i),
            title=title,
            abstract=abstract,
            year=year,
            sources=["synthetic"],
            abstract_complete=str(91_000_000 + i) != PARTIAL_ABSTRACT,
        )
        for i, (title, year, abstract) in enumerate(texts)
    ]


@pytest.fixture(scope="session")
def cli_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rag.index.indexer import Indexer

    data_dir = tmp_path_factory.mktemp("cli") / "data"
    settings = Settings(_env_file=None, data_dir=data_dir)
    with DocumentStore(settings.store_path) as store:
        store.upsert(cli_records())
    Indexer(settings).run(show_progress=False)
    return data_dir


def run_cli(*args: str, data_dir: Path | None = None, stdin: str | None = None, timeout: float = 240,
            env: dict | None = None) -> subprocess.CompletedProcess:
    """The installed `secretome-qa` in a subprocess, as a user runs it (not a TTY)."""
    prefix = ["--data-dir", str(data_dir)] if data_dir else []
    return subprocess.run([str(CLI), *prefix, *args], check=False, input=stdin, capture_output=True, text=True,
                          timeout=timeout, env={**CLI_ENV, **(env or {})})
