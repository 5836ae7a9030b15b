"""How many in vitro, animal and human studies a text rests on, said the same way under an answer and under a
briefing's section (the levels are the evidence profile's, rag.review.profile)."""

from collections.abc import Sequence

LEVEL_WORDS = (
    ("in vitro", "in vitro"),
    ("animal", "animal"),
    ("human trial", "human"),
    ("review", "review"),
    ("guideline", "guideline"),
    ("other", "other"),
)


def evidence_line(levels: Sequence[str]) -> str | None:
    """"What kind of evidence: 2 in vitro, 1 animal (3 cited records)" for the cited records' levels; None for none."""
    if not levels:
        return None
    parts = [f"{levels.count(level)} {word}" for level, word in LEVEL_WORDS if level in levels]
    noun = "record" if len(levels) == 1 else "records"
    return f"What kind of evidence: {', '.join(parts)} ({len(levels)} cited {noun})"
