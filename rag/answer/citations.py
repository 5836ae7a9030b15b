"""Citation parsing and verification: never trust a PMID a generator wrote.

Pure functions over text. Every backend's output goes through `verify_citations` against the PMIDs of
that answer's own evidence: foreign PMIDs are removed and reported, and sentences left without a valid
citation are flagged or dropped. Tolerated forms: `[PMID:1]`, `[PMID: 1, 2]`, `[PMIDs: 1; 2]`,
`[PMID 1]`, `(PMID: 1)`, bare `PMID 1` / `PMID:1`; the canonical form written back is `[PMID:1]`.
Text quoted from an abstract is rendered with its own PMID mentions made inert (rag.answer.injection), so
"as proven by PMID 2" inside record 1's sentence never becomes a citation of 2.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rag.answer.injection import neutralize_markers
from rag.text import split_sentences

_IDS = r"\d{1,9}(?:\s*(?:,|;|and|&)\s*(?:PMID[s]?\s*:?\s*)?\d{1,9})*"
CITATION = re.compile(
    rf"\[\s*PMIDs?\s*:?\s*(?P<bracketed>{_IDS})\s*\]"
    rf"|\(\s*PMIDs?\s*:?\s*(?P<parenthesised>{_IDS})\s*\)"
    rf"|\bPMIDs?\s*:?\s*(?P<bare>{_IDS})",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d{1,9}")
_CITATIONS_ONLY = re.compile(rf"^(?:\s*(?:{CITATION.pattern})\s*[.,;]?)+\s*$", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


def pmid_link(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def format_citation(pmids: Iterable[str]) -> str:
    """The canonical marker for a sentence's sources: `[PMID:1] [PMID:2]`."""
    return " ".join(f"[PMID:{p}]" for p in dict.fromkeys(pmids))


def parse_citations(text: str) -> list[str]:
    """Every PMID cited in the text, in order of first citation."""
    found: dict[str, None] = {}
    for match in CITATION.finditer(text or ""):
        ids = match.group("bracketed") or match.group("parenthesised") or match.group("bare")
        for pmid in _NUMBER.findall(ids):
            found.setdefault(pmid, None)
    return list(found)


@dataclass(frozen=True)
class CitedSentence:
    """A sentence of an answer with the PMIDs it cites (text without the markers)."""

    text: str
    pmids: list[str]

    def render(self) -> str:
        """The sentence with its own citations appended; PMID mentions inside its text stay plain text."""
        text = neutralize_markers(self.text)
        if not self.pmids:
            return text
        body = text.rstrip()
        end = body[-1] if body and body[-1] in ".!?" else "."
        body = body.rstrip(".!?").rstrip()
        return f"{body} {format_citation(self.pmids)}{end}"


def cited_sentences(text: str) -> list[CitedSentence]:
    """Split an answer into sentences, attaching each citation to the sentence it follows.

    A citation written after the full stop ("Claim. [PMID:1] Next claim.") belongs to the claim before it.
    """
    result: list[CitedSentence] = []
    for sentence in split_sentences(text):
        raw = sentence.text
        leading = re.match(rf"^(?:\s*(?:{CITATION.pattern})\s*[.,;]?)+", raw, re.IGNORECASE)
        if leading and result:
            carried = parse_citations(leading.group(0))
            previous = result[-1]
            result[-1] = CitedSentence(previous.text, list(dict.fromkeys([*previous.pmids, *carried])))
            raw = raw[leading.end() :]
        if not raw.strip() or _CITATIONS_ONLY.match(raw):
            if raw.strip() and result:
                previous = result[-1]
                result[-1] = CitedSentence(previous.text, list(dict.fromkeys([*previous.pmids, *parse_citations(raw)])))
            continue
        pmids = parse_citations(raw)
        stripped = _SPACE_BEFORE_PUNCT.sub(r"\1", CITATION.sub("", raw)).strip()
        stripped = re.sub(r"\s{2,}", " ", stripped).strip(" ,;")
        result.append(CitedSentence(stripped, pmids))
    return result


@dataclass
class VerifiedText:
    """The outcome of checking an answer's citations against its evidence."""

    text: str
    sentences: list[CitedSentence]
    cited_pmids: list[str]
    removed_pmids: list[str] = field(default_factory=list)
    uncited: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_cited_sentence(self) -> bool:
        return any(s.pmids for s in self.sentences)


def verify_citations(
    text: str, allowed_pmids: Iterable[str], uncited: Literal["flag", "drop"] = "flag"
) -> VerifiedText:
    """Keep only citations to `allowed_pmids`; flag or drop sentences left without one.

    Returns the rewritten text (canonical markers), the surviving sentences, what was removed and
    one warning per removed PMID and per uncited sentence.
    """
    allowed = set(allowed_pmids)
    removed: dict[str, None] = {}
    kept: list[CitedSentence] = []
    uncited_texts: list[str] = []
    warnings: list[str] = []
    for sentence in cited_sentences(text):
        valid = [p for p in sentence.pmids if p in allowed]
        for pmid in sentence.pmids:
            if pmid not in allowed:
                removed.setdefault(pmid, None)
        clean = CitedSentence(sentence.text, valid)
        if not valid:
            uncited_texts.append(sentence.text)
            if uncited == "drop":
                continue
        kept.append(clean)
    for pmid in removed:
        warnings.append(f"removed citation to PMID {pmid}: it is not in this answer's evidence")
    for sentence in uncited_texts:
        action = "dropped" if uncited == "drop" else "flagged"
        warnings.append(f"uncited sentence {action}: {sentence[:120]!r}")
    cited = list(dict.fromkeys(p for s in kept for p in s.pmids))
    return VerifiedText(
        text=" ".join(s.render() for s in kept),
        sentences=kept,
        cited_pmids=cited,
        removed_pmids=list(removed),
        uncited=uncited_texts,
        warnings=warnings,
    )
