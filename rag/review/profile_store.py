"""Stored evidence profiles: one SQLite table beside the document store, kept in step with it.

A profile is recomputed only when its record's content hash or the dictionary version changed, so the
first map over the 30k snapshot profiles every record once and later ones only read. Profiles are
computed in rag (not at ingest) because the evidence level comes from `rag.answer.study_type`.
"""

from collections.abc import Iterable
from pathlib import Path

from core.settings import Settings
from core.sqlite_file import SQLiteFile
from ingest.store import DocumentStore
from rag.review.profile import Dictionaries, EvidenceProfile, load_dictionaries, profile_record

BATCH = 1000


class ProfileStore(SQLiteFile):
    """PMID -> evidence profile, with the content hash and dictionary version it was computed from."""

    schema = (
        "CREATE TABLE IF NOT EXISTS profiles (pmid TEXT PRIMARY KEY, content_hash TEXT NOT NULL,"
        " version TEXT NOT NULL, data TEXT NOT NULL)"
    )
    kind = "profile store"

    def __init__(self, path: Path, dictionaries: Dictionaries | None = None):
        self.dictionaries = dictionaries or load_dictionaries()
        super().__init__(path)

    @classmethod
    def for_settings(cls, settings: Settings) -> "ProfileStore":
        return cls(settings.data_dir / "profiles.sqlite")

    def refresh(self, store: DocumentStore) -> int:
        """Profile new and changed records, drop removed ones; returns how many were (re)computed."""
        version = self.dictionaries.version
        current = store.content_hashes()
        known = {p: (h, v) for p, h, v in self._db.execute("SELECT pmid, content_hash, version FROM profiles")}
        todo = sorted(p for p, h in current.items() if known.get(p) != (h, version))
        gone = [p for p in known if p not in current]
        with self._db:
            self._db.executemany("DELETE FROM profiles WHERE pmid = ?", ((p,) for p in gone))
        for start in range(0, len(todo), BATCH):
            records = store.get_many(todo[start : start + BATCH])
            rows = [
                (pmid, current[pmid], version, profile_record(record, self.dictionaries).model_dump_json())
                for pmid, record in records.items()
            ]
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO profiles VALUES (?, ?, ?, ?)", rows)
        return len(todo)

    def get_many(self, pmids: Iterable[str] | None = None) -> dict[str, EvidenceProfile]:
        """Stored profiles of `pmids` (all when None), keyed by PMID; missing PMIDs are left out."""
        if pmids is None:
            rows = self._db.execute("SELECT data FROM profiles ORDER BY pmid")
            return {p.pmid: p for p in (EvidenceProfile.model_validate_json(d) for (d,) in rows)}
        found: dict[str, EvidenceProfile] = {}
        for (data,) in self.rows_in("SELECT data FROM profiles WHERE pmid IN ({marks})", pmids):
            profile = EvidenceProfile.model_validate_json(data)
            found[profile.pmid] = profile
        return found


def refreshed_profiles(settings: Settings, pmids: Iterable[str] | None = None) -> dict[str, EvidenceProfile]:
    """Bring the stored profiles up to date with the document store and read them (all, or `pmids`)."""
    with DocumentStore(settings.store_path) as store, ProfileStore.for_settings(settings) as profiles:
        profiles.refresh(store)
        return profiles.get_many(pmids)
