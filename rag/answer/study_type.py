"""What kind of study a record reports, so a reviewer sees at a glance how strong each citation is.

PubMed publication types and MeSH decide when present (records fetched live carry them). Records from the
offline snapshot often have neither, so the title and abstract text are read for the same signals, with
the stronger design winning. Pure: plain strings in, a `StudyType` out.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ingest.records import trial_ids_in_text

StudyTypeName = Literal[
    "clinical trial",
    "randomized controlled trial",
    "systematic review / meta-analysis",
    "review",
    "animal study",
    "in vitro",
    "other",
]

PHASE_PUB_TYPE = re.compile(r"^Clinical Trial, Phase (I{1,3}V?|IV)$", re.IGNORECASE)
PHASE_TEXT = re.compile(
    r"\bphase\s*(?P<a>I{1,3}V?|IV|[1-4])(?:\s*(?:/|-|and)\s*(?P<b>I{1,3}V?|IV|[1-4]))?(?:[ab])?\b", re.IGNORECASE
)
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}

RCT_PUB_TYPES = {"randomized controlled trial", "pragmatic clinical trial", "equivalence trial"}
TRIAL_PUB_TYPES = {
    "clinical trial", "controlled clinical trial", "clinical trial protocol", "adaptive clinical trial",
    "clinical trial, veterinary", "multicenter study",
}
SYSTEMATIC_PUB_TYPES = {"systematic review", "meta-analysis", "network meta-analysis"}
REVIEW_PUB_TYPES = {"review", "scoping review", "practice guideline", "guideline", "consensus development conference"}
ANIMAL_MESH = {
    "animals", "mice", "rats", "disease models, animal", "swine", "rabbits", "dogs", "sheep", "zebrafish",
    "mice, inbred c57bl", "rats, sprague-dawley", "rats, wistar", "mice, nude", "mice, knockout",
}
IN_VITRO_MESH = {"in vitro techniques", "cells, cultured", "cell line", "cell line, tumor", "culture media, conditioned"}

TEXT_RCT = re.compile(r"\brandomi[sz]ed\b.{0,40}\b(?:trial|study)\b|\bdouble[- ]blind", re.IGNORECASE)
TEXT_TRIAL = re.compile(
    r"\b(?:clinical|pilot|open[- ]label|single[- ]arm|phase\s*(?:I{1,3}V?|IV|[1-4]))\s+(?:clinical\s+)?(?:trial|study)\b"
    r"|\benrolled\b.{0,60}\bpatients\b",
    re.IGNORECASE,
)
TEXT_SYSTEMATIC = re.compile(r"\bmeta-analys[ie]s\b|\bsystematic(?:ally)? review", re.IGNORECASE)
TEXT_REVIEW = re.compile(
    r"\b(?:this|the present|in this|we)\s+(?:\w+\s+){0,2}review\b|\breview(?:s|ed)? (?:the|recent|current)\b"
    r"|\bwe summari[sz]e\b|\boverview\b",
    re.IGNORECASE,
)
TEXT_ANIMAL = re.compile(
    r"\b(?:mice|mouse model|murine|rats?|rat model|rabbits?|piglets?|swine|sheep|canine|dogs|zebrafish|"
    r"in vivo|xenograft)\b",
    re.IGNORECASE,
)
TEXT_IN_VITRO = re.compile(r"\bin vitro\b|\bcultured\b|\bcell lines?\b|\bco-?culture", re.IGNORECASE)


@dataclass(frozen=True)
class StudyType:
    """A record's study design, with the trial phase and registry ids where it reports them."""

    name: StudyTypeName
    phase: str | None = None
    trial_ids: list[str] = field(default_factory=list)


def _roman(token: str) -> str:
    return ROMAN.get(token, token.upper())


def phase_of(pub_types: Iterable[str], text: str = "") -> str | None:
    """Trial phase from a "Clinical Trial, Phase II" publication type, else from text ("phase I/II")."""
    phases = [m.group(1).upper() for p in pub_types if (m := PHASE_PUB_TYPE.match(p.strip()))]
    if phases:
        return "/".join(sorted(set(phases), key=["I", "II", "III", "IV"].index))
    match = PHASE_TEXT.search(text or "")
    if not match:
        return None
    first = _roman(match.group("a"))
    return f"{first}/{_roman(match.group('b'))}" if match.group("b") else first


def classify_study(
    pub_types: Iterable[str] = (),
    mesh: Iterable[str] = (),
    trial_ids: Iterable[str] = (),
    text: str = "",
) -> StudyType:
    """Classify a record; metadata first, text cues where metadata is missing.

    Args:
        pub_types: PubMed publication types.
        mesh: MeSH descriptor names.
        trial_ids: registry ids from the record (NCT numbers in the text are added).
        text: title and abstract (or the passages at hand).
    """
    types = {p.strip().lower() for p in pub_types}
    headings = {m.strip().lower() for m in mesh}
    ids = list(dict.fromkeys([*trial_ids, *trial_ids_in_text(text)]))
    phase = phase_of(pub_types, text)
    is_trial_type = bool(types & TRIAL_PUB_TYPES) or any(PHASE_PUB_TYPE.match(p) for p in types)

    if types & SYSTEMATIC_PUB_TYPES:
        return StudyType("systematic review / meta-analysis")
    if types & RCT_PUB_TYPES:
        return StudyType("randomized controlled trial", phase, ids)
    if is_trial_type:
        return StudyType("clinical trial", phase, ids)
    if types & REVIEW_PUB_TYPES:
        return StudyType("review")
    if headings & ANIMAL_MESH and "humans" not in headings:
        return StudyType("animal study")
    if headings & IN_VITRO_MESH and "humans" not in headings:
        return StudyType("in vitro")
    if types or headings:
        return StudyType("other", None, ids)
    return _classify_text(text, ids)


def _classify_text(text: str, ids: list[str]) -> StudyType:
    """The same decision from words alone, for records without publication types or MeSH."""
    if TEXT_SYSTEMATIC.search(text):
        return StudyType("systematic review / meta-analysis")
    if TEXT_REVIEW.search(text):
        return StudyType("review")
    if TEXT_RCT.search(text):
        return StudyType("randomized controlled trial", phase_of((), text), ids)
    if ids or TEXT_TRIAL.search(text):
        return StudyType("clinical trial", phase_of((), text), ids)
    if TEXT_ANIMAL.search(text):
        return StudyType("animal study")
    if TEXT_IN_VITRO.search(text):
        return StudyType("in vitro")
    return StudyType("other")
