"""How a record is named to a reader: inline markup flattened, and a stand-in when it has no title.

PubMed titles carry inline HTML (`<sup>+</sup>`, `<i>Drosophila</i>`, `&amp;`); most records of the
offline snapshot (BioASQ snippets) have no title at all. Every surface (CLI, page, briefings) names a
record the same way: its title as plain text, else the opening words of its passage.
"""

import html
import re

TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
SPACE = re.compile(r"\s+")
OPENING_WORDS = 12


def plain_text(text: str | None) -> str:
    """`text` without inline tags and with HTML entities decoded: "CD34<sup>+</sup> cells" -> "CD34+ cells"."""
    if not text:
        return ""
    return SPACE.sub(" ", html.unescape(TAG.sub("", text))).strip()


def opening_words(text: str | None, words: int = OPENING_WORDS) -> str:
    """The first `words` words of a passage, with an ellipsis when it goes on."""
    tokens = plain_text(text).split()
    return " ".join(tokens[:words]) + (" …" if len(tokens) > words else "")


def display_title(title: str | None, passage: str | None = None) -> str:
    """The record's title as plain text, else the opening words of its passage, else "(no title)"."""
    return plain_text(title) or opening_words(passage) or "(no title)"
