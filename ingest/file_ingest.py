"""Ingest record files into the store: read, upsert in atomic batches, log the run.

Each batch adds its counts to the run in the same transaction, so a run killed mid-file still says what it
stored (and the next run marks it `interrupted`). Records whose title and abstract exceed the size cap
(`settings.ingest.max_record_chars`) are skipped with a message naming the setting.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.errors import SecretomeQAError
from core.settings import IngestSettings
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


DEFAULT_MAX_RECORD_CHARS = IngestSettings().max_record_chars


def oversized(record: PubMedRecord, limit: int) -> str | None:
    """The skip reason for a record over the size cap, None when it fits."""
    size = len(record.title) + len(record.abstract)
    if size <= limit:
        return None
    return (
        f"too large: title and abstract have {size} characters, over the limit of {limit}"
        " (SECRETOME_INGEST__MAX_RECORD_CHARS)"
    )


def store_in_batches(
    store: DocumentStore,
    records: Iterable[PubMedRecord],
    total: int,
    label: str,
    batch_size: int = BATCH_SIZE,
    run_id: int | None = None,
) -> UpsertCounts:
    """Upsert with one transaction per batch, so an interruption loses at most the batch in flight; with
    `run_id`, each batch's counts are added to the run as it commits."""
    counts = UpsertCounts()
    batch: list[PubMedRecord] = []
    with tqdm(total=total, desc=label, unit="rec", disable=total < batch_size, leave=False) as bar:
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                counts.add(store.upsert(batch, run_id))
                bar.update(len(batch))
                batch = []
        if batch:
            counts.add(store.upsert(batch, run_id))
            bar.update(len(batch))
    return counts


def ingest_file(store: DocumentStore, path: Path, max_record_chars: int = DEFAULT_MAX_RECORD_CHARS) -> FileOutcome:
    """Ingest one file, recording the run; a parse failure is reported, never raised past here."""
    outcome = FileOutcome(path=Path(path))
    run_id = store.start_run(source=f"file:{path}")
    try:
        outcome.fmt, results = read_records(path)
    except SecretomeQAError as exc:
        outcome.error = str(exc)
        store.finish_run(run_id, outcome.counts, "failed", outcome.error)
        return outcome
    records: list[PubMedRecord] = []
    outcome.skipped = [r for r in results if isinstance(r, SkippedRecord)]
    for record in (r for r in results if isinstance(r, PubMedRecord)):
        reason = oversized(record, max_record_chars)
        if reason:
            outcome.skipped.append(SkippedRecord(origin=f"{Path(path).name} PMID {record.pmid}", reason=reason))
        else:
            records.append(record)
    for problem in outcome.skipped:
        outcome.counts.skip(problem.reason.split(":", 1)[0])
    try:
        if outcome.counts.skipped:
            skips = UpsertCounts(skipped=outcome.counts.skipped)
            store.add_run_counts(run_id, skips)
        outcome.counts.add(store_in_batches(store, records, len(records), Path(path).name, run_id=run_id))
    except SecretomeQAError as exc:
        outcome.error = str(exc)
        store.finish_run(run_id, outcome.counts, "failed", outcome.error)
        return outcome
    if not records:
        outcome.error = f"{path}: no usable records ({len(outcome.skipped)} skipped)"
    store.finish_run(run_id, outcome.counts, "failed" if outcome.error else "ok", outcome.error)
    return outcome
