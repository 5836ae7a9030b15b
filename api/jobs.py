"""Background ingest jobs: one at a time, on a worker thread, with status the API can report.

A job stores records (from an uploaded file, a PubMed query or a preset) and then runs `after_ingest`
(the service re-indexes and reloads its searcher there), so new records become searchable without a
restart. Progress comes from the store's own run and search log, which ingest writes as it goes.
"""

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from core.errors import InputError, SecretomeQAError
from core.settings import Settings
from ingest import live
from ingest.file_ingest import ingest_file
from ingest.store import DocumentStore, UpsertCounts

log = logging.getLogger("api.jobs")

JobStatus = Literal["queued", "running", "succeeded", "failed"]
JobStage = Literal["queued", "reading", "fetching", "indexing", "done"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class JobCounts(BaseModel):
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


class SearchProgress(BaseModel):
    query: str
    count_found: int | None = None
    fetched: int = 0
    completed: bool = False


class Job(BaseModel):
    """What `GET /v1/jobs/{id}` reports."""

    id: str
    kind: Literal["file", "query", "preset"]
    source: str = Field(description="File name, query string or preset name.")
    status: JobStatus = "queued"
    stage: JobStage = "queued"
    counts: JobCounts = Field(default_factory=JobCounts)
    searches: list[SearchProgress] = Field(default_factory=list)
    indexed: bool = False
    run_id: int | None = None
    message: str | None = None
    created_at: str = Field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None


@dataclass(frozen=True)
class IngestRequest:
    """One of: an uploaded file saved at `path`, a query (with date window), or a preset name."""

    kind: Literal["file", "query", "preset"]
    source: str
    path: Path | None = None
    mindate: str | None = None
    maxdate: str | None = None
    update: bool = False


class JobRunner:
    """Runs ingest jobs one after another on a single worker thread and keeps their status in memory."""

    def __init__(self, settings: Settings, after_ingest: Callable[[], None]):
        self.settings = settings
        self.after_ingest = after_ingest
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-job")

    def submit(self, request: IngestRequest) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=request.kind, source=request.source)
        with self._lock:
            self._jobs[job.id] = job
        self._executor.submit(self._run, job.id, request)
        return job.model_copy()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return job.model_copy(deep=True) if job else None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _update(self, job_id: str, **changes: object) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = job.model_copy(update=changes)

    def _run(self, job_id: str, request: IngestRequest) -> None:
        self._update(job_id, status="running", started_at=_now())
        try:
            with DocumentStore(self.settings.store_path) as store:
                counts = self._ingest(job_id, store, request)
            self._update(
                job_id,
                stage="indexing",
                counts=JobCounts(
                    new=counts.new, updated=counts.updated, unchanged=counts.unchanged, skipped=counts.skipped
                ),
            )
            self.after_ingest()
            self._update(job_id, status="succeeded", stage="done", indexed=True, finished_at=_now())
        except SecretomeQAError as exc:
            self._update(job_id, status="failed", message=str(exc), finished_at=_now())
        except Exception as exc:  # a job must always end with a status, whatever broke inside it
            log.exception("ingest job failed", extra={"job_id": job_id})
            self._update(job_id, status="failed", message=f"internal error: {type(exc).__name__}", finished_at=_now())
        finally:
            if request.path is not None:
                request.path.unlink(missing_ok=True)

    def _ingest(self, job_id: str, store: DocumentStore, request: IngestRequest) -> UpsertCounts:
        if request.kind == "file" and request.path is not None:
            return self._ingest_file(job_id, store, request.path, request.source)
        return self._ingest_live(job_id, store, request)

    def _ingest_file(self, job_id: str, store: DocumentStore, path: Path, name: str) -> UpsertCounts:
        self._update(job_id, stage="reading")
        outcome = ingest_file(store, path, self.settings.ingest.max_record_chars)
        runs = store.runs()
        self._update(job_id, run_id=runs[0]["id"] if runs else None)
        if outcome.error:
            raise InputError(outcome.error.replace(str(path), name))
        return outcome.counts

    def _ingest_live(self, job_id: str, store: DocumentStore, request: IngestRequest) -> UpsertCounts:
        if request.kind == "preset":
            specs = live.load_preset(request.source)
        else:
            specs = [live.SearchSpec(query=request.source, mindate=request.mindate, maxdate=request.maxdate)]
        run_id = store.start_run(source="pubmed", query=request.source)
        self._update(job_id, stage="fetching", run_id=run_id)
        counts = UpsertCounts()
        try:
            counts = live.ingest_searches(store, self.settings, specs, update=request.update, run_id=run_id)
        except BaseException as exc:
            store.finish_run(run_id, counts, "failed", str(exc) or type(exc).__name__)
            raise
        store.finish_run(run_id, counts, "ok")
        return counts

    def progress(self, job: Job, store: DocumentStore) -> Job:
        """The job with the searches its run has logged so far (live ingest writes them as it goes)."""
        if job.run_id is None:
            return job
        for run in store.runs():
            if run["id"] == job.run_id:
                searches = [
                    SearchProgress(
                        query=s["query"],
                        count_found=s["count_found"],
                        fetched=s["fetched"],
                        completed=bool(s["completed"]),
                    )
                    for s in run["searches"]
                ]
                counts = job.counts
                if job.stage == "fetching":
                    counts = JobCounts(
                        new=sum(s["stored_new"] for s in run["searches"]),
                        updated=sum(s["stored_updated"] for s in run["searches"]),
                    )
                return job.model_copy(update={"searches": searches, "counts": counts})
        return job
