"""Per-client token buckets in SQLite, so every worker process of one server shares one limit.

With `path` the buckets live in a SQLite file (the server uses `ratelimit.sqlite` under the data dir), and
each `acquire` is one short immediate transaction, so `serve --workers N` still allows `per_minute` per
client in total rather than N times that. Without a path they live in an in-memory database (one
process). The table is bounded: past `max_clients` the longest-idle buckets are forgotten. The clock is
passed in (wall-clock seconds, shared by processes), so tests need not wait.
"""

import sqlite3
import threading
from pathlib import Path

SCHEMA = "CREATE TABLE IF NOT EXISTS buckets (client TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL)"


class RateLimiter:
    """`per_minute` requests per client, refilled continuously; a burst of up to `per_minute` is allowed."""

    def __init__(self, per_minute: int, path: Path | None = None, max_clients: int = 10_000):
        self.per_minute = per_minute
        self.max_clients = max_clients
        self.path = path
        self._lock = threading.Lock()
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", timeout=30, check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA)
        self._db.execute("CREATE INDEX IF NOT EXISTS buckets_updated ON buckets (updated)")

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0

    def acquire(self, client: str, now: float) -> float:
        """Take one token for `client`; returns 0 when allowed, else the seconds until a token is free."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT tokens, updated FROM buckets WHERE client = ?", (client,)).fetchone()
                full = float(self.per_minute)
                tokens = full if row is None else min(full, row[0] + max(0.0, now - row[1]) * self.rate)
                wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
                if not wait:
                    tokens -= 1.0
                self._db.execute("INSERT OR REPLACE INTO buckets VALUES (?, ?, ?)", (client, tokens, now))
                if row is None:
                    self._forget_idle()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return wait

    def _forget_idle(self) -> None:
        """Past `max_clients`, drop the longest-idle tenth: memory and disk stay bounded."""
        (count,) = self._db.execute("SELECT COUNT(*) FROM buckets").fetchone()
        if count > self.max_clients:
            excess = count - self.max_clients + self.max_clients // 10
            self._db.execute(
                "DELETE FROM buckets WHERE client IN (SELECT client FROM buckets ORDER BY updated LIMIT ?)", (excess,)
            )

    def clients(self) -> int:
        """How many clients the table tracks now."""
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM buckets").fetchone()[0]

    def close(self) -> None:
        self._db.close()
