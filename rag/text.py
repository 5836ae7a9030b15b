"""Sentence splitting for abstracts and answers.

Abstract text is not prose a generic splitter handles well: inline section labels ("RESULTS: ..."),
abbreviations ("et al.", "vs.", "e.g."), decimals ("1.5 mg"), species names ("A. odocoilei"), snippets
joined by " … ", and feeds that cut the abstract off mid-sentence. The rules here are few and tested.
"""

import re
from dataclasses import dataclass

SNIPPET_JOINER = re.compile(r"\s*(?:…|\.\.\.)\s+")
SECTION_LABEL = re.compile(r"^(?:[A-Z][A-Z /&-]{2,40}):\s+")
BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|(?<=\][.!?])\s+(?=\S)")
TERMINAL = re.compile(r"[.!?][\"')\]]?$")
ABBREVIATIONS = {
    "al", "e.g", "i.e", "vs", "fig", "figs", "ref", "refs", "approx", "ca", "cf", "dr", "prof", "no", "nos",
    "vol", "etc", "resp", "spp", "sp", "var", "st", "mr", "mrs", "ms", "jr", "sr", "inc", "ltd", "co", "dept",
    "univ", "eq", "eqs", "min", "max", "tab", "suppl",
}


@dataclass(frozen=True)
class Sentence:
    """One sentence and whether it ends like a sentence (a cut-off tail does not)."""

    text: str
    complete: bool


def _ends_with_abbreviation(fragment: str) -> bool:
    last = fragment.rsplit(None, 1)[-1].rstrip(".").lower()
    if last in ABBREVIATIONS:
        return True
    # A single capital before the period is an initial or a genus ("A. odocoilei"), not a sentence end.
    return len(last) == 1 and last.isalpha()


def _split_prose(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in BOUNDARY.finditer(text):
        fragment = text[start : match.start()].strip()
        if fragment and not _ends_with_abbreviation(fragment):
            pieces.append(fragment)
            start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def strip_section_label(sentence: str) -> str:
    """Drop a leading structured-abstract label such as "RESULTS: "."""
    return SECTION_LABEL.sub("", sentence, count=1)


def split_sentences(text: str, *, truncated: bool = False) -> list[Sentence]:
    """Split abstract or answer text into sentences.

    Args:
        text: the text; snippets joined by " … " are split apart first.
        truncated: the source cut the text off, so a final fragment without terminal punctuation is
            marked incomplete (other unterminated fragments, e.g. expert snippets, count as complete).
    """
    sentences: list[Sentence] = []
    for part in SNIPPET_JOINER.split(text or ""):
        for piece in _split_prose(part.strip()):
            cleaned = strip_section_label(piece).strip()
            if cleaned:
                sentences.append(Sentence(cleaned, True))
    if truncated and sentences and not TERMINAL.search(sentences[-1].text):
        sentences[-1] = Sentence(sentences[-1].text, False)
    return sentences


def sentence_texts(text: str) -> list[str]:
    """Just the sentence strings, for callers that do not care about completeness."""
    return [s.text for s in split_sentences(text)]
