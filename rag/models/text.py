"""Text shaping shared by training (``train/``) and serving, so a model sees at inference the same kind
of input it was fitted on. Pure functions, standard library only."""

import re

SNIPPET_JOINER = re.compile(r"\s*(?:…|\.\.\.)\s+")
SECTION_LABEL = re.compile(r"^[A-Z][A-Z /&-]{2,40}:\s+")
BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
_ABBREVIATIONS = {
    "al",
    "e.g",
    "i.e",
    "vs",
    "fig",
    "figs",
    "ref",
    "approx",
    "ca",
    "cf",
    "no",
    "etc",
    "spp",
    "sp",
    "dr",
    "prof",
    "mr",
    "mrs",
}

# The verdict model was fitted on the last ~500 characters of its context (conclusions come last).
VERDICT_CONTEXT_CHARS = 500


def split_sentences(text: str) -> list[str]:
    """Sentences of an abstract or of expert snippets joined by " … ", section labels dropped.

    Deliberately simple (a boundary is end punctuation + space + capital or digit, not after a short
    abbreviation or an initial): the models are robust to the odd wrong split."""
    sentences: list[str] = []
    for part in SNIPPET_JOINER.split(text or ""):
        start = 0
        part = part.strip()
        for match in BOUNDARY.finditer(part):
            fragment = part[start : match.start()].strip()
            last = fragment.rsplit(None, 1)[-1].rstrip(".").lower() if fragment else ""
            if fragment and last not in _ABBREVIATIONS and not (len(last) == 1 and last.isalpha()):
                sentences.append(fragment)
                start = match.end()
        if part[start:].strip():
            sentences.append(part[start:].strip())
    return [s for s in (SECTION_LABEL.sub("", s, count=1).strip() for s in sentences) if s]


def tail(text: str, limit: int = VERDICT_CONTEXT_CHARS) -> str:
    """The last ``limit`` characters of ``text``, starting at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return cut[space + 1 :] if 0 <= space < 40 else cut


def passage(title: str, body: str) -> str:
    """A record as one passage for re-ranking: title then text, as the relevance model was trained."""
    title = (title or "").strip()
    body = " ".join((body or "").split())
    if title and not title.endswith((".", "?", "!")):
        title += "."
    return f"{title} {body}".strip()
