"""Which records the index holds (PMID -> content hash), in SQLite beside the index, and whether it is dirty.

Updated batch by batch, so an interrupted run resumes where it stopped instead of starting over. A run
that is about to change anything first marks the index dirty and clears the mark only once BM25 and the
manifest agree with the vectors again; a run killed in between leaves the mark, and the next run (or
`serve` start) sees it and repairs the index instead of trusting the record table.
"""

import sqlite3
from pathlib import Path

from core.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS indexed (pmid TEXT PRIMARY KEY, content_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
STATE_FILE = "records.sqlite"


class IndexedRecords:
    """PMID -> content hash of what the index holds, updated batch by batch so an interrupted run resumes."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> "IndexedRecords":
        return cls(settings.index_dir / STATE_FILE)

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT pmid, content_hash FROM indexed"))

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM indexed").fetchone()[0]

    def mark(self, hashes: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO indexed VALUES (?, ?)", hashes.items())

    def forget(self, pmids: list[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM indexed WHERE pmid = ?", ((p,) for p in pmids))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM indexed")

    # the dirty mark: set before the first write of a run, cleared after BM25 and the manifest are written
    def dirty(self) -> str | None:
        """Why the index is dirty (the reason the interrupted run recorded), or None when it is clean."""
        row = self._db.execute("SELECT value FROM index_state WHERE key = 'dirty'").fetchone()
        return row[0] if row else None

    def set_dirty(self, reason: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO index_state VALUES ('dirty', ?)", (reason,))

    def set_clean(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM index_state WHERE key = 'dirty'")

    def close(self) -> None:
        self._db.close()
