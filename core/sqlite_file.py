"""One SQLite file in WAL mode with its schema: the shell the document store and the conversation store share."""

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar, Self

from core.errors import StoreError


class SQLiteFile:
    """Opens `path` (creating its folder and `schema`), closes on `close()` or at the end of a with-block.

    Subclasses set `schema` and `kind` (how errors name the file); one instance per process or per request
    thread (`check_same_thread=False` lets a request's worker thread use the one its dependency opened).
    """

    schema: ClassVar[str] = ""
    kind: ClassVar[str] = "database"

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(self.schema)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open {self.kind} {self.path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows_in(self, sql: str, keys: Iterable[str], batch: int = 500) -> Iterator[tuple]:
        """Rows of `sql`, whose one `{marks}` stands for an IN list, for all distinct `keys` in batches
        small enough for SQLite's variable limit."""
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), batch):
            part = wanted[start : start + batch]
            yield from self._db.execute(sql.format(marks=",".join("?" * len(part))), part)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a failure inside rolls the whole block back."""
        try:
            with self._db:
                yield self._db
        except sqlite3.Error as exc:
            raise StoreError(f"write to {self.path} failed and was rolled back: {exc}") from exc
