"""Chat conversations, kept in their own SQLite file beside the document store.

What a user typed is not corpus data: it lives apart from the records (`conversations.sqlite` under the
data dir), so the document store can be rebuilt or shared without carrying anyone's questions along.

A conversation has an owner. `create` issues a random id and a secret token (only its SHA-256 is
stored, and the token is handed out once); `authorized` accepts the token, or the caller's identity when
the conversation was bound to one (the API binds it to the admin key when auth is on). Each conversation
keeps at most `max_turns` turns, dropping the oldest, so neither storage nor a reload grows without bound.
"""

import hashlib
import hmac
import json
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from core.errors import StoreError
from core.sqlite_file import SQLiteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    turn INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    payload TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, turn)
);
"""
# Columns added after the first release; an older file gets them on open.
OWNER_COLUMNS = {"token_sha256": "TEXT", "owner": "TEXT"}
DEFAULT_MAX_TURNS = 100


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ConversationStore(SQLiteFile):
    """Turns of every conversation, in order; open one per request thread and close it."""

    schema = SCHEMA
    kind = "conversation store"

    def __init__(self, path: Path, max_turns: int = DEFAULT_MAX_TURNS):
        super().__init__(path)
        self.max_turns = max_turns
        try:
            have = {row[1] for row in self._db.execute("PRAGMA table_info(conversations)")}
            for column, kind in OWNER_COLUMNS.items():
                if column not in have:
                    with self._db:
                        self._db.execute(f"ALTER TABLE conversations ADD COLUMN {column} {kind}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot upgrade {self.kind} {self.path}: {exc}") from exc

    def create(self, owner: str | None = None) -> tuple[str, str]:
        """A new, empty conversation: (id, token). Only the token's hash is kept; `owner` (an identity
        such as a hash of the caller's key) may use the conversation without the token."""
        conversation_id = secrets.token_urlsafe(16)
        token = secrets.token_urlsafe(32)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO conversations (id, created_at, token_sha256, owner) VALUES (?, ?, ?, ?)",
                (conversation_id, _now(), digest(token), owner),
            )
        return conversation_id, token

    def authorized(self, conversation_id: str, token: str | None = None, owner: str | None = None) -> bool:
        """Whether this token (or owner identity) may read and append to the conversation.

        False for unknown ids and for conversations created without a token or owner (older rows, the
        CLI's own), so a caller cannot tell an id that exists from one that does not.
        """
        row = self._db.execute(
            "SELECT token_sha256, owner FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            return False
        stored_token, stored_owner = row
        if token and stored_token and hmac.compare_digest(digest(token), stored_token):
            return True
        return bool(owner and stored_owner and hmac.compare_digest(owner, stored_owner))

    def append_turn(self, conversation_id: str, role: str, content: str, payload: dict | None = None) -> int:
        """Add a turn (creating an unowned conversation on its first one); returns the turn number.

        Turns beyond `max_turns` are dropped, oldest first.
        """
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO conversations (id, created_at) VALUES (?, ?)", (conversation_id, _now()))
            (turn,) = db.execute(
                "SELECT COALESCE(MAX(turn), -1) + 1 FROM conversation_turns WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            db.execute(
                "INSERT INTO conversation_turns (conversation_id, turn, role, content, payload, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, turn, role, content, json.dumps(payload) if payload else None, _now()),
            )
            db.execute(
                "DELETE FROM conversation_turns WHERE conversation_id = ? AND turn <= ?",
                (conversation_id, turn - self.max_turns),
            )
            return int(turn)

    def conversation(self, conversation_id: str) -> list[dict] | None:
        """The kept turns of a conversation in order (at most `max_turns`), or None when it does not exist."""
        exists = self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if not exists:
            return None
        rows = self._db.execute(
            "SELECT turn, role, content, payload, created_at FROM conversation_turns"
            " WHERE conversation_id = ? ORDER BY turn DESC LIMIT ?",
            (conversation_id, self.max_turns),
        ).fetchall()
        return [
            {"turn": t, "role": r, "content": c, "payload": json.loads(p) if p else None, "created_at": at}
            for t, r, c, p, at in reversed(rows)
        ]
