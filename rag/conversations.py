"""Chat conversations, kept in their own SQLite file beside the document store.

What a user typed is not corpus data: it lives apart from the records (`conversations.sqlite` under the
data dir), so the document store can be rebuilt or shared without carrying anyone's questions along.
"""

import json
from datetime import UTC, datetime

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ConversationStore(SQLiteFile):
    """Turns of every conversation, in order; open one per request thread and close it."""

    schema = SCHEMA
    kind = "conversation store"

    def append_turn(self, conversation_id: str, role: str, content: str, payload: dict | None = None) -> int:
        """Add a turn (creating the conversation on its first one); returns the turn number."""
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
            return int(turn)

    def conversation(self, conversation_id: str) -> list[dict] | None:
        """The turns of a conversation in order, or None when it does not exist."""
        exists = self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if not exists:
            return None
        return [
            {"turn": t, "role": r, "content": c, "payload": json.loads(p) if p else None, "created_at": at}
            for t, r, c, p, at in self._db.execute(
                "SELECT turn, role, content, payload, created_at FROM conversation_turns"
                " WHERE conversation_id = ? ORDER BY turn",
                (conversation_id,),
            )
        ]
