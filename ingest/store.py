"""The SQLite document store: the source of truth every index is rebuilt from.

Records are upserted by PMID in batches, each batch one transaction, so an interrupted run leaves whole
batches behind and a re-run picks up where it stopped. Every ingest run and every search it ran is logged.
"""

import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.sqlite_file import SQLiteFile
from ingest.records import PubMedRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    pmid TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    year INTEGER,
    source TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    query TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    message TEXT
);
CREATE TABLE IF NOT EXISTS search_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES ingest_runs(id),
    query_name TEXT,
    query TEXT NOT NULL,
    mindate TEXT,
    maxdate TEXT,
    count_found INTEGER,
    fetched INTEGER NOT NULL DEFAULT 0,
    stored_new INTEGER NOT NULL DEFAULT 0,
    stored_updated INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    logged_at TEXT NOT NULL
);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine (None: a run logged before pids were kept)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class UpsertCounts:
    """What one batch (or run) did to the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: "UpsertCounts") -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        for reason, n in other.skipped_reasons.items():
            self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + n

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1


class DocumentStore(SQLiteFile):
    """SQLite-backed record store; open one per process (or per request thread) and close it."""

    schema = SCHEMA
    kind = "document store"

    # records
    def upsert(self, records: Iterable[PubMedRecord], run_id: int | None = None) -> UpsertCounts:
        """Insert new PMIDs, replace changed ones, leave identical ones alone; one transaction.

        With `run_id`, the batch's counts are added to that run in the same transaction, so a run killed
        later still says how many records it stored.
        """
        counts = UpsertCounts()
        with self.transaction() as db:
            for record in records:
                digest = record.content_hash()
                row = db.execute("SELECT content_hash FROM records WHERE pmid = ?", (record.pmid,)).fetchone()
                if row is not None and row[0] == digest:
                    counts.unchanged += 1
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO records (pmid, content_hash, year, source, data, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        record.pmid,
                        digest,
                        record.year,
                        ",".join(record.sources) or "unknown",
                        record.model_dump_json(exclude={"retracted"}),
                        now(),
                    ),
                )
                if row is None:
                    counts.new += 1
                else:
                    counts.updated += 1
            if run_id is not None:
                self.add_run_counts(run_id, counts, db)
        return counts

    def get(self, pmid: str) -> PubMedRecord | None:
        row = self._db.execute("SELECT data FROM records WHERE pmid = ?", (pmid,)).fetchone()
        return PubMedRecord.model_validate_json(row[0]) if row else None

    def get_many(self, pmids: Iterable[str]) -> dict[str, PubMedRecord]:
        found: dict[str, PubMedRecord] = {}
        for (data,) in self.rows_in("SELECT data FROM records WHERE pmid IN ({marks})", pmids):
            record = PubMedRecord.model_validate_json(data)
            found[record.pmid] = record
        return found

    def partial_abstract_pmids(self) -> list[str]:
        """Records whose source gave only part of the abstract (`abstract_complete` false), in PMID order."""
        rows = self._db.execute(
            "SELECT pmid FROM records WHERE json_extract(data, '$.abstract_complete') = 0 ORDER BY pmid"
        )
        return [pmid for (pmid,) in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def iter_records(self, batch_size: int = 1000) -> Iterator[PubMedRecord]:
        """Every record in PMID order, read in batches so memory stays flat."""
        last = ""
        while True:
            rows = self._db.execute(
                "SELECT pmid, data FROM records WHERE pmid > ? ORDER BY pmid LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            for _, data in rows:
                yield PubMedRecord.model_validate_json(data)
            last = rows[-1][0]

    def content_hashes(self) -> dict[str, str]:
        """PMID -> content hash, so indexers can tell new and changed records from unchanged ones."""
        return dict(self._db.execute("SELECT pmid, content_hash FROM records"))

    # runs and the search log
    def _run_columns(self) -> None:
        """The `pid` column (added after the first release) that tells a dead run from a live one."""
        have = {row[1] for row in self._db.execute("PRAGMA table_info(ingest_runs)")}
        if "pid" not in have:
            with self.transaction() as db:
                db.execute("ALTER TABLE ingest_runs ADD COLUMN pid INTEGER")

    def start_run(self, source: str, query: str | None = None) -> int:
        """Log a new run owned by this process; runs left `running` by dead processes become `interrupted`."""
        self.mark_interrupted_runs()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO ingest_runs (source, query, started_at, pid) VALUES (?, ?, ?, ?)",
                (source, query, now(), os.getpid()),
            )
            return int(cur.lastrowid)

    def mark_interrupted_runs(self) -> list[int]:
        """Runs still `running` whose process is gone (killed mid-ingest) become `interrupted`, keeping the
        counts of the batches they committed. Returns their ids."""
        self._run_columns()
        dead = [
            run_id
            for run_id, pid in self._db.execute("SELECT id, pid FROM ingest_runs WHERE outcome = 'running'")
            if not _alive(pid)
        ]
        with self.transaction() as db:
            db.executemany(
                "UPDATE ingest_runs SET outcome = 'interrupted', ended_at = ?,"
                " message = 'the process ended before the run finished; the counts are of the batches it committed'"
                " WHERE id = ?",
                [(now(), run_id) for run_id in dead],
            )
        return dead

    def add_run_counts(self, run_id: int, counts: UpsertCounts, db: sqlite3.Connection | None = None) -> None:
        """Add one committed batch's counts to a run (in the caller's transaction when `db` is given)."""
        statement = (
            "UPDATE ingest_runs SET new = new + ?, updated = updated + ?, unchanged = unchanged + ?,"
            " skipped = skipped + ? WHERE id = ?"
        )
        values = (counts.new, counts.updated, counts.unchanged, counts.skipped, run_id)
        if db is not None:
            db.execute(statement, values)
            return
        with self.transaction() as own:
            own.execute(statement, values)

    def finish_run(self, run_id: int, counts: UpsertCounts, outcome: str, message: str | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE ingest_runs SET ended_at = ?, outcome = ?, new = ?, updated = ?, unchanged = ?,"
                " skipped = ?, message = ? WHERE id = ?",
                (now(), outcome, counts.new, counts.updated, counts.unchanged, counts.skipped, message, run_id),
            )

    def log_search(
        self,
        run_id: int,
        query: str,
        *,
        query_name: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        count_found: int | None = None,
        fetched: int = 0,
        stored_new: int = 0,
        stored_updated: int = 0,
        completed: bool = False,
    ) -> int:
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO search_log (run_id, query_name, query, mindate, maxdate, count_found, fetched,"
                " stored_new, stored_updated, completed, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, query_name, query, mindate, maxdate, count_found, fetched, stored_new, stored_updated,
                 int(completed), now()),
            )
            return int(cur.lastrowid)

    def last_completed_search(self, query: str) -> dict | None:
        """The newest completed search for exactly this query string, for `--update`."""
        self._db.row_factory = sqlite3.Row
        try:
            row = self._db.execute(
                "SELECT s.*, r.started_at FROM search_log s JOIN ingest_runs r ON r.id = s.run_id"
                " WHERE s.query = ? AND s.completed = 1 ORDER BY s.id DESC LIMIT 1",
                (query,),
            ).fetchone()
        finally:
            self._db.row_factory = None
        return dict(row) if row else None

    def runs(self) -> list[dict]:
        """Every ingest run, newest first, each with the searches it ran."""
        self._db.row_factory = sqlite3.Row
        try:
            runs = [dict(r) for r in self._db.execute("SELECT * FROM ingest_runs ORDER BY id DESC")]
        finally:
            self._db.row_factory = None
        for run in runs:
            run["searches"] = self.searches(run["id"])
        return runs

    def searches(self, run_id: int) -> list[dict]:
        """The searches one ingest run logged, in the order it ran them."""
        self._db.row_factory = sqlite3.Row
        try:
            return [dict(s) for s in self._db.execute("SELECT * FROM search_log WHERE run_id = ? ORDER BY id", (run_id,))]
        finally:
            self._db.row_factory = None

    def stats_rows(self) -> Iterator[tuple[str, int | None, str]]:
        """(source, year, data) for every record, for the stats report."""
        yield from self._db.execute("SELECT source, year, data FROM records")
