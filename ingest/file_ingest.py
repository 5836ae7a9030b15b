"""Ingest record files into the store: read, upsert in atomic batches, log the run."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.errors import SecretomeQAError
from ingest.readers import read_records
from ingest.records import PubMedRecord, SkippedRecord
from ingest.store import DocumentStore, UpsertCounts

BATCH_SIZE = 1000


@dataclass
class FileOutcome:
    """What happened to one file; `error` is set when nothing usable could be read from it."""

    path: Path
    fmt: str | None = None
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    skipped: list[SkippedRecord] = field(default_factory=list)
    error: str | None = None

    @property
    def read_anything(self) -> bool:
        return self.error is None and (self.counts.new + self.counts.updated + self.counts.unchanged) > 0


def store_in_batches(
    store: DocumentStore, records: Iterable[PubMedRecord], total: int, label: str, batch_size: int = BATCH_SIZE
) -> UpsertCounts:
    """Upsert with one transaction per batch, so an interruption loses at most the batch in flight."""
    counts = UpsertCounts()
    batch: list[PubMedRecord] = []
    with tqdm(total=total, desc=label, unit="rec", disable=total < batch_size, leave=False) as bar:
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                counts.add(store.upsert(batch))
                bar.update(len(batch))
                batch = []
        if batch:
            counts.add(store.upsert(batch))
            bar.update(len(batch))
    return counts


def ingest_file(store: DocumentStore, path: Path) -> FileOutcome:
    """Ingest one file, recording the run; a parse failure is reported, never raised past here."""
    outcome = FileOutcome(path=Path(path))
    run_id = store.start_run(source=f"file:{path}")
    try:
        outcome.fmt, results = read_records(path)
    except SecretomeQAError as exc:
        outcome.error = str(exc)
        store.finish_run(run_id, outcome.counts, "failed", outcome.error)
        return outcome
    records = [r for r in results if isinstance(r, PubMedRecord)]
    outcome.skipped = [r for r in results if isinstance(r, SkippedRecord)]
    for problem in outcome.skipped:
        outcome.counts.skip(problem.reason.split(":", 1)[0])
    try:
        outcome.counts.add(store_in_batches(store, records, len(records), Path(path).name))
    except SecretomeQAError as exc:
        outcome.error = str(exc)
        store.finish_run(run_id, outcome.counts, "failed", outcome.error)
        return outcome
    if not records:
        outcome.error = f"{path}: no usable records ({len(outcome.skipped)} skipped)"
    store.finish_run(run_id, outcome.counts, "failed" if outcome.error else "ok", outcome.error)
    return outcome
