"""A question about a cell product that asks about regulation or about trials in patients is answered only from
records that speak of regulation or of patients.

Two of the questions the project exists for ("What regulatory hurdles face MSC-derived extracellular vesicle
therapeutics?", "Which clinical trials have tested stem cell secretome or exosomes in patients?") were answered from
an osteoarthritis study in rats and a breast-cancer study in cells: the product matched, what was asked did not. The
focus rule (rag.answer.focus_coverage) reads only words rare in general English, and "regulatory" and "trials" are
not; so what these two kinds of question ask for is read here, with patterns of its own close to the routing cues
(rag.answer.routing CUES, which count words for a category and also take "regulatory T cells"), and a cited record
must name it. Like the focus rule it reads only questions about a cell product or stem cells: a drug
question asking which antibodies "the FDA approved" is answered from records naming the antibodies.
"""

import re
from collections.abc import Iterable

from rag.answer.facet_coverage import named_labels, record_text
from rag.answer.stem_cell_coverage import names_stem_cells
from rag.retrieve.abbreviations import spell_out
from rag.review.profile import Dictionaries, load_dictionaries
from rag.types import Evidence

# "regulatory T cells" are immune cells, not regulation
ASKS_REGULATION = re.compile(
    r"\bregulat(?:ory|ors?|ion)\b(?!\s+T\b)|\b(?-i:GMP)\b|\bstandardi[sz]\w*|\bguidelines?\b|\b(?-i:FDA|EMA)\b|\bapproval\b"
    r"|\blicens\w+",
    re.IGNORECASE,
)
NAMES_REGULATION = re.compile(
    r"\bregulat(?:ory|ors?|ions?)\b(?!\s+T\b)|\b(?-i:GMP)\b|\bgood manufacturing\b|\bstandardi[sz]\w*|\bguidelines?\b"
    r"|\b(?-i:FDA|EMA)\b|\bapprov\w+|\blicens\w+|\b(?-i:MISEV)\w*|\bminimal information\b|\bquality control\b"
    r"|\brelease criteria\b|\bpotency\b|\breproducib\w+|\bharmoni[sz]\w*",
    re.IGNORECASE,
)
ASKS_PATIENTS = re.compile(
    r"\bclinical trials?\b|\btrials?\b[^?]*\b(?:patients|humans|people)\b"
    r"|\b(?:tested|used|given|studied|evaluated) in (?:patients|humans|people)\b",
    re.IGNORECASE,
)
NAMES_PATIENTS = re.compile(
    r"\btrials?\b|\bpatients?\b|\bparticipants\b|\brandomi[sz]ed\b|\bphase (?:I{1,3}|[1-3])\b|\b(?-i:NCT)\d+",
    re.IGNORECASE,
)
INTENTS = (
    ("regulation", ASKS_REGULATION, NAMES_REGULATION),
    ("trials in patients", ASKS_PATIENTS, NAMES_PATIENTS),
)
INTENT_MISSING = "the question asks about {intent} and no record the answer cites speaks of it"


def asked_intents(question: str, dictionaries: Dictionaries | None = None) -> list[tuple[str, re.Pattern[str]]]:
    """(intent, what a record must name) for each intent a question about a cell product or stem cells asks."""
    d = dictionaries or load_dictionaries()
    spelled = spell_out(question)
    if not (named_labels(spelled, "product", d) or names_stem_cells(question)):
        return []
    return [(intent, names) for intent, asks, names in INTENTS if asks.search(question)]


def intent_gap(question: str, cited: Iterable[Evidence], dictionaries: Dictionaries | None = None) -> str | None:
    """Why the answer cannot stand (an intent no cited record speaks of), or None."""
    intents = asked_intents(question, dictionaries)
    if not intents:
        return None
    texts = [record_text(record) for record in cited]
    for intent, names in intents:
        if not any(names.search(text) for text in texts):
            return INTENT_MISSING.format(intent=intent)
    return None
