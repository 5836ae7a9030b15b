"""Scoring follow-up rewriting: written conversations, each follow-up with the standalone question expected.

A conversation set is JSON Lines, one conversation a line:
`{"id": "fu-01", "turns": [{"user": "..."}, {"user": "...", "standalone": "..."}, ...]}`; the first turn is
standalone already, every later turn gives the standalone question a careful reader would write.

Each follow-up is rewritten from the *expected* standalone question of the turn before (teacher forcing), so
one miss does not cascade and every rewrite is scored on its own. Scores: exact match (case and final
punctuation aside), normalised match (same content words in any order) and token F1 over content words.
The extractive backend's rewriting (rag.followup) is what is scored: the same function Chat uses.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from core.errors import InputError, ParseError
from rag.followup import rewrite_follow_up
from rag.text import CONTENT_STOPWORDS, WORD

FOLLOWUP_SET = Path(__file__).parent / "questions" / "followups.jsonl"


@dataclass(frozen=True)
class FollowUp:
    conversation: str
    previous: str
    message: str
    expected: str


def load_followups(path: Path) -> list[FollowUp]:
    """Every follow-up of a conversation set, with the previous turn's expected standalone question.

    Raises:
        InputError: the file is missing or holds no follow-up.
        ParseError: a line is not JSON or lacks "turns", "user" or "standalone" (file and line named).
    """
    if not path.is_file():
        raise InputError(f"conversation set {path} does not exist")
    followups: list[FollowUp] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            conversation = json.loads(line)
            turns = conversation["turns"]
            previous = turns[0]["user"]
            for turn in turns[1:]:
                followups.append(FollowUp(conversation.get("id", str(number)), previous, turn["user"], turn["standalone"]))
                previous = turn["standalone"]
        except (json.JSONDecodeError, KeyError, IndexError, TypeError) as exc:
            raise ParseError(f"{path}:{number}: a conversation needs turns with user (and standalone after the first)") from exc
    if not followups:
        raise InputError(f"conversation set {path} holds no follow-up")
    return followups


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip("?.! ")).lower()


def content_tokens(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text) if w.lower() not in CONTENT_STOPWORDS]


def token_f1(candidate: str, reference: str) -> float:
    cand, ref = Counter(content_tokens(candidate)), Counter(content_tokens(reference))
    common = sum((cand & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(cand.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def score_followups(followups: list[FollowUp]) -> dict:
    """Exact, normalised and token-F1 scores over all follow-ups, and each rewrite next to what was expected."""
    rows = []
    for item in followups:
        got = rewrite_follow_up(item.message, item.previous)
        rows.append({
            "conversation": item.conversation,
            "message": item.message,
            "expected": item.expected,
            "rewritten": got,
            "exact": _plain(got) == _plain(item.expected),
            "normalised": sorted(content_tokens(got)) == sorted(content_tokens(item.expected)),
            "token_f1": round(token_f1(got, item.expected), 4),
        })
    n = len(rows)
    return {
        "followups": n,
        "exact": sum(r["exact"] for r in rows) / n,
        "normalised": sum(r["normalised"] for r in rows) / n,
        "token_f1": sum(r["token_f1"] for r in rows) / n,
        "rows": rows,
    }
