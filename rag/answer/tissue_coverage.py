"""A question that names the tissue its stem cells come from is answered only from records that name that tissue.

The source facet (rag.answer.facet_coverage) reads the tissues the profile dictionary labels: bone marrow, adipose,
umbilical cord and the rest. Asked whether MSCs taken from the gums make a practical source of exosomes, or whether
urine-derived stem cells secrete exosomes as useful as bone-marrow ones, the service quoted adipose and bone-marrow
exosome studies: no label names gums or urine, so nothing checked that the evidence was about those cells. Here
the tissue is read from how the question names the cells' origin ("MSCs taken from the gums", "stem cells from the
periosteum", "urine-derived stem cells"), and a cited record must name it, by its stem or a longer form of it
("urine" is named by "urinary", "periosteum" by "periosteal"). A tissue the dictionary labels ("fat-derived" is
adipose, "placenta" placental) is left to the source facet, which also knows its synonyms.
"""

import re
from collections.abc import Iterable

from rag.answer.facet_coverage import CATCH_ALL, named_labels, record_text
from rag.review.profile import Dictionaries, load_dictionaries
from rag.text import WORD, StemmedTerms
from rag.types import Evidence

_CELLS = r"(?:MSCs?|(?:mesenchymal\s+)?(?:stem|stromal|progenitor)\s+cells?)"
ORIGIN = re.compile(
    rf"\b{_CELLS}\s+(?:(?:taken|isolated|obtained|derived|harvested|collected)\s+)?from\s+(?:the\s+)?"
    r"(?:(?:human|mouse|murine|rat|porcine|canine|equine|bovine)\s+)?(?P<after>[A-Za-z][\w']*)"
    r"|\b(?P<before>[A-Za-z]\w*)-derived\s+(?:MSCs?|mesenchymal|stem|stromal|progenitor)",
    re.IGNORECASE,
)
# Words that can stand where a tissue does without being one ("MSCs from healthy donors", "stem cells from mice").
NOT_TISSUES = frozenset(
    {
        "a", "adult", "aged", "allogeneic", "an", "animals", "autologous", "cells", "children", "different", "dogs",
        "donor", "donors", "elderly", "engineered", "fetal", "healthy", "horses", "human", "humans", "infants",
        "mesenchymal", "mice", "mouse", "neonatal", "old", "older", "one", "other", "patient", "patients", "people",
        "pigs", "primed", "progenitor", "rat", "rats", "same", "several", "stem", "stromal", "these", "those",
        "tissue", "tissues", "various", "which", "women", "young",
    }
)  # fmt: skip
MIN_SHARED_STEM = 4
PHRASE_WORDS = 3
TISSUE_MISSING = "the question names the tissue its cells come from ({tissues}) and no record the answer cites names it"


def named_tissues(question: str, dictionaries: Dictionaries | None = None) -> set[str]:
    """Tissues (lower case) the question names as its cells' origin, leaving out those the dictionary labels."""
    d = dictionaries or load_dictionaries()
    tissues = set()
    for match in ORIGIN.finditer(question):
        group = "after" if match.group("after") else "before"
        word = match.group(group)
        if word.lower() in NOT_TISSUES:
            continue
        # the tissue with the words after it ("bone marrow", "exfoliated deciduous teeth") and as "<word>-derived"
        phrase = " ".join(question[match.start(group) :].split()[:PHRASE_WORDS])
        labels = named_labels(phrase, "source", d) | named_labels(f"{word}-derived", "source", d)
        if labels - {CATCH_ALL}:
            continue
        tissues.add(word.lower())
    return tissues


def names_stem(record_stems: set[str], stem: str) -> bool:
    """The record has the stem, or a stem that one of the two begins (from four letters: "urin" / "urinari")."""
    if stem in record_stems:
        return True
    if len(stem) < MIN_SHARED_STEM:
        return False
    return any(
        len(other) >= MIN_SHARED_STEM and (other.startswith(stem) or stem.startswith(other)) for other in record_stems
    )


def tissue_gap(
    question: str,
    cited: Iterable[Evidence],
    dictionaries: Dictionaries | None = None,
    terms: StemmedTerms | None = None,
) -> str | None:
    """Why the answer cannot stand (the tissues no cited record names), or None."""
    tissues = named_tissues(question, dictionaries)
    if not tissues:
        return None
    terms = terms or StemmedTerms()
    stems = [{terms.stem(w.lower()) for w in WORD.findall(record_text(record))} for record in cited]
    missing = sorted(t for t in tissues if not any(names_stem(s, terms.stem(t)) for s in stems))
    return TISSUE_MISSING.format(tissues=", ".join(missing)) if missing else None
