"""Live PubMed ingestion: search, split result sets NCBI would cut, fetch in batches, store, log each search.

Every efetch batch is upserted in its own transaction, so an interrupted run keeps what it stored and a
re-run passes over those records at no cost (unchanged records are left alone). Each search is written
to the search log, complete or not, with the exact query, date window and counts.
"""

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from tqdm import tqdm

from core.errors import NCBIError, ParseError, SecretomeQAError
from core.settings import Settings
from ingest.entrez import EntrezClient, SearchResult
from ingest.file_ingest import oversized
from ingest.pubmed_xml import parse_pubmed_xml
from ingest.records import PubMedRecord
from ingest.searches import EARLIEST, LATEST, DateWindow, SearchSpec, load_preset, preset_names
from ingest.store import DocumentStore, UpsertCounts

__all__ = ["SearchSpec", "count_searches", "ingest_searches", "load_preset", "ncbi_reachable", "preset_names"]

log = logging.getLogger(__name__)


def ncbi_reachable(settings: Settings, timeout: float = 3.0) -> bool:
    """Whether live PubMed can be used now; False within `timeout` seconds when it cannot."""
    return EntrezClient(settings.entrez).reachable(timeout)


def count_searches(
    settings: Settings, specs: list[SearchSpec], *, client: EntrezClient | None = None
) -> list[tuple[SearchSpec, int]]:
    """Each query's hit count in its window, fetching nothing (the numbers a PRISMA diagram reports)."""
    client = client or EntrezClient(settings.entrez)
    return [(spec, client.search(spec.query, spec.window(), history=False).count) for spec in specs]


def ingest_searches(
    store: DocumentStore,
    settings: Settings,
    specs: list[SearchSpec],
    *,
    update: bool,
    run_id: int,
    client: EntrezClient | None = None,
) -> UpsertCounts:
    """Fetch and store every record the searches find; with `update`, only records modified since
    each query's last completed search.

    Raises:
        NCBIError: an NCBI error payload, or NCBI still failing after the retries (what was stored stays).
    """
    client = client or EntrezClient(settings.entrez)
    total = UpsertCounts()
    for spec in specs:
        total.add(_SearchJob(store, client, settings, spec, run_id).run(update=update))
    return total


@dataclass
class _SearchJob:
    """One query of a run: what it found, fetched and stored so far."""

    store: DocumentStore
    client: EntrezClient
    settings: Settings
    spec: SearchSpec
    run_id: int
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    seen: set[str] = field(default_factory=set)
    found: int | None = None

    def run(self, *, update: bool) -> UpsertCounts:
        term, window = self._plan(update)
        try:
            first = self.client.search(term, window)
            self.found = first.count
            if first.count == 0:
                notices = f" ({'; '.join(first.notices)})" if first.notices else ""
                log.warning("PubMed query %r found no records%s", self.spec.query, notices)
            label = self.spec.name or self.spec.query[:40]
            with tqdm(total=first.count, desc=label, unit="rec", file=sys.stderr, disable=None, leave=False) as bar:
                for leaf in self._leaves(term, window, first):
                    self._fetch(leaf, bar)
        except (SecretomeQAError, KeyboardInterrupt):
            self._log(window, completed=False)
            raise
        self._log(window, completed=True)
        return self.counts

    def _plan(self, update: bool) -> tuple[str, DateWindow | None]:
        """The term and date window to search: the spec's own, or for an update the records modified
        (`mdat`) since the day the last completed run of this query started, within the spec's dates."""
        if not update:
            return self.spec.query, self.spec.window()
        last = self.store.last_completed_search(self.spec.query)
        if last is None:
            log.warning("no completed earlier search for %r: fetching everything it finds", self.spec.query)
            return self.spec.query, self.spec.window()
        since = date.fromisoformat((last.get("started_at") or last["logged_at"])[:10])
        today = datetime.now(UTC).date()
        return self.spec.term_with_window(), DateWindow(since, max(since, today), "mdat")

    def _leaves(self, term: str, window: DateWindow | None, result: SearchResult) -> Iterator[SearchResult]:
        """Result sets small enough to fetch whole, halving the date window until each fits.

        Raises:
            NCBIError: a single day holds more records than one search may fetch.
        """
        limit = self.settings.entrez.max_records_per_search
        if result.count <= limit:
            yield result
            return
        window = window or DateWindow(EARLIEST, LATEST)
        halves = window.halves()
        if halves is None:
            raise NCBIError(
                f"query {term!r} finds {result.count} records on {window.mindate} ({window.datetype}) alone,"
                f" more than the {limit} one search may fetch; narrow the query"
            )
        for half in halves:
            yield from self._leaves(term, half, self.client.search(term, half))

    def _fetch(self, result: SearchResult, bar: tqdm) -> None:
        """Fetch one result set in batches; each batch is stored in one transaction."""
        batch_size = self.settings.entrez.batch_size
        for start in range(0, result.count, batch_size):
            data = self.client.fetch_pubmed(result, retstart=start, retmax=batch_size, context=self.spec.query)
            try:
                items = parse_pubmed_xml(data, f"efetch for query {self.spec.query!r} at retstart {start}")
            except ParseError as exc:
                raise NCBIError(str(exc)) from exc
            fresh: list[PubMedRecord] = []
            skips = UpsertCounts()
            for item in items:
                too_large = oversized(item, self.settings.ingest.max_record_chars) if isinstance(item, PubMedRecord) else None
                if not isinstance(item, PubMedRecord):
                    log.warning("skipped %s: %s", item.origin, item.reason)
                    skips.skip(item.reason.split(":", 1)[0])
                elif too_large:
                    log.warning("skipped PMID %s: %s", item.pmid, too_large)
                    skips.skip(too_large.split(":", 1)[0])
                elif item.pmid not in self.seen:
                    self.seen.add(item.pmid)
                    fresh.append(item)
            stored = self.store.upsert(fresh, self.run_id)  # the run's counts grow with each committed batch
            if skips.skipped:
                self.store.add_run_counts(self.run_id, skips)
            self.counts.add(stored)
            self.counts.add(skips)
            bar.update(len(items))

    def _log(self, window: DateWindow | None, *, completed: bool) -> None:
        self.store.log_search(
            self.run_id,
            self.spec.query,
            query_name=self.spec.name,
            mindate=window.mindate if window else None,
            maxdate=window.maxdate if window else None,
            count_found=self.found,
            fetched=len(self.seen),
            stored_new=self.counts.new,
            stored_updated=self.counts.updated,
            completed=completed,
        )
