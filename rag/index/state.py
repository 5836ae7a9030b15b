"""Which records the index holds (PMID -> content hash), in SQLite beside the index.

Updated batch by batch, so an interrupted run resumes where it stopped instead of starting over.
"""

import sqlite3
from pathlib import Path

from core.settings import Settings


class IndexedRecords:
    """PMID -> content hash of what the index holds, updated batch by batch so an interrupted run resumes."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS indexed (pmid TEXT PRIMARY KEY, content_hash TEXT NOT NULL)")

    @classmethod
    def for_settings(cls, settings: Settings) -> "IndexedRecords":
        return cls(settings.index_dir / "records.sqlite")

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT pmid, content_hash FROM indexed"))

    def mark(self, hashes: dict[str, str]) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO indexed VALUES (?, ?)", hashes.items())

    def forget(self, pmids: list[str]) -> None:
        with self._db:
            self._db.executemany("DELETE FROM indexed WHERE pmid = ?", ((p,) for p in pmids))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM indexed")

    def close(self) -> None:
        self._db.close()
