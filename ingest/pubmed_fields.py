"""Field rules both PubMed readers (XML and MEDLINE) share, so one article reads the same from either."""

import re

from ingest.records import AbstractSection

# DataBank names PubMed uses for clinical trial registries (other banks, e.g. GENBANK, hold sequences).
TRIAL_REGISTRIES = frozenset(
    {
        "ANZCTR",
        "ChiCTR",
        "ClinicalTrials.gov",
        "CRiS",
        "CTRI",
        "DRKS",
        "EudraCT",
        "IRCT",
        "ISRCTN",
        "JPRN",
        "NTR",
        "PACTR",
        "ReBec",
        "RPCEC",
        "SLCTR",
        "TCTR",
        "UMIN CTR",
    }
)

# Old MEDLINE citations carry only the first 250 or 400 words, ending with this note.
_TRUNCATED = re.compile(r"\(?\s*ABSTRACT TRUNCATED(?: AT \d+ WORDS)?\s*\)?\s*\.?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[6-9]\d\d|2\d\d\d)\b")
_PMID_REF = re.compile(r"PMID:\s*(\d{1,9})")
# A structured-abstract label ("RESULTS", "MATERIALS AND METHODS"): upper-case words before a colon. The one
# definition of what a label looks like; rag.text builds its sentence-level patterns from it.
SECTION_LABEL_WORDS = r"[A-Z][A-Z0-9 ,&/()'-]*[A-Z)]"
# A label and its colon at the start of the text or after a sentence.
INLINE_SECTION_LABEL = re.compile(rf"(?:^|(?<=[.!?]) )({SECTION_LABEL_WORDS}):\s+")


def clean_text(text: str | None) -> str:
    """Collapse the line breaks and indentation of wrapped source text into single spaces."""
    return " ".join((text or "").split())


def year_of(date_text: str | None) -> int | None:
    """The first plausible year in a PubMed date ("2001 Jun", "1998 Dec-1999 Jan", "1990 Spring")."""
    match = _YEAR.search(date_text or "")
    return int(match.group(1)) if match else None


def abstract_truncated(abstract: str) -> bool:
    """True for the old MEDLINE abstracts cut at 250/400 words ("ABSTRACT TRUNCATED AT 250 WORDS")."""
    return bool(_TRUNCATED.search(abstract))


def join_sections(sections: list[AbstractSection]) -> str:
    """Abstract text with section labels kept inline, as PubMed shows it: "BACKGROUND: ... METHODS: ..."."""
    return " ".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)


def split_labelled_abstract(abstract: str) -> list[AbstractSection]:
    """Sections of an abstract whose labels are inline (MEDLINE text); one unlabelled section otherwise."""
    text = clean_text(abstract)
    if not text:
        return []
    labels = list(INLINE_SECTION_LABEL.finditer(text))
    if not labels or labels[0].start() != 0:
        return [AbstractSection(text=text)]
    sections = []
    for label, following in zip(labels, [*labels[1:], None], strict=True):
        body = text[label.end() : following.start() if following else len(text)].strip()
        if body:
            sections.append(AbstractSection(label=label.group(1), text=body))
    return sections


def pmids_in(references: list[str]) -> list[str]:
    """PMIDs cited in MEDLINE comment/correction fields ("RIN - Nature. 2020;1:2. PMID: 123")."""
    return list(dict.fromkeys(m for ref in references for m in _PMID_REF.findall(ref)))
