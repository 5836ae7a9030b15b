"""A question that names a cell source, a preconditioning or (about a cell product) a disease area is answered
only from records that name the same.

The refusal threshold scores single sentences, and a sentence can match half a question well: asked whether
Wharton's jelly MSCs were tested in lupus nephritis, the service quoted MSC studies of other sources; asked
whether adipose stem cell secretome heals pressure ulcers, it quoted secretome studies of kidney injury. What
a question names of these facets is what it is about, so when no cited record names it the evidence is about
something else and the service says so (README "Answers").

The facets and their terms are the evidence profile's dictionaries (`rag/review/profile_terms.json`), so the
answer and the evidence map read questions and records alike. Catch-all labels ("other") and a facet's
"none" never count; a record names the question's phrase also inside a compound ("neuroinflammation" names
"acute inflammation" where the record says "acute") or by its initials ("UC" names "ulcerative colitis"), and a
question's exclusion clause ("apart from bone marrow, which tissues ...") asks nothing (`rag.answer.exclusions`).
The disease area is checked only for questions about a cell product (MSCs, exosomes, a secretome, ...): elsewhere
organ words are often incidental ("Is ameloblastoma a tumour of the brain?").
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.answer.exclusions import without_exclusions
from rag.retrieve.abbreviations import spell_out
from rag.review.profile import Dictionaries, load_dictionaries
from rag.text import WORD
from rag.types import Evidence

CHECKED_FACETS = ("source", "preconditioning")
PRODUCT_QUESTION_FACETS = ("indication",)
CATCH_ALL = "other"
COMPOUND_MIN = 6
TOKEN = re.compile(r"[A-Za-z0-9]+")
FACET_NOUNS = {"source": "cell source", "preconditioning": "preconditioning", "indication": "disease area"}


@dataclass(frozen=True)
class FacetGap:
    """Labels of one facet the question names and no cited record mentions."""

    facet: str
    labels: tuple[str, ...]

    @property
    def reason(self) -> str:
        named = " and ".join(self.labels)
        return f"the question names a {FACET_NOUNS[self.facet]} ({named}) that no record the answer cites mentions"


def named_labels(text: str, facet: str, dictionaries: Dictionaries) -> set[str]:
    """The specific labels of `facet` whose terms occur in `text` (not the catch-all, not the facet's none)."""
    terms = dictionaries.facets[facet]
    return {label for label, count in terms.scores(text, "").items() if count and label not in (CATCH_ALL, terms.none)}


def naming_phrases(text: str, facet: str, dictionaries: Dictionaries) -> dict[str, set[str]]:
    """label -> the phrases of `text` (lower case) that name it; terms of one label written next to each other
    ("ulcerative" and "colitis") also count as one phrase."""
    terms = dictionaries.facets[facet]
    spans = sorted(
        (match.start(), match.end(), terms.group_labels[match.lastgroup])
        for pattern in terms.term_patterns
        for match in pattern.finditer(text)
    )
    phrases: dict[str, set[str]] = {}
    run_start, run_end, run_label = None, None, None
    for start, end, label in spans:
        phrases.setdefault(label, set()).add(text[start:end].lower())
        if label == run_label and not text[run_end:start].strip():
            run_end = max(run_end, end)
            phrases[label].add(text[run_start:run_end].lower())
        else:
            run_start, run_end, run_label = start, end, label
    return phrases


def names_word(record_words: set[str], word: str) -> bool:
    """The word is a word of the record or, from six letters on, ends one: "neuroinflammation" names
    "inflammation" too (shorter words would be named by chance: "deliver" is no liver)."""
    return word in record_words or (len(word) >= COMPOUND_MIN and any(w.endswith(word) for w in record_words))


def names_phrase(record_words: set[str], phrase: str) -> bool:
    """Every word of the phrase is named by the record (`names_word`)."""
    return all(names_word(record_words, part) for part in WORD.findall(phrase))


def initials(phrase: str) -> str | None:
    """"UC" for "ulcerative colitis": how a record that defined the phrase earlier (or a snippet cut after the
    definition) writes it. Single words have none."""
    words = WORD.findall(phrase)
    return "".join(w[0] for w in words).upper() if len(words) > 1 else None


def record_text(record: Evidence) -> str:
    """Title, passages and MeSH, the field's abbreviations spelled out ("OA", "AKI" name no area otherwise)."""
    return spell_out(record.joined_text(mesh=True))


def facet_gaps(question: str, cited: Iterable[Evidence], dictionaries: Dictionaries | None = None) -> list[FacetGap]:
    """Every facet whose labels named in the question are not all mentioned by some cited record."""
    d = dictionaries or load_dictionaries()
    question = spell_out(without_exclusions(question))
    facets = list(CHECKED_FACETS)
    if named_labels(question, "product", d):
        facets += PRODUCT_QUESTION_FACETS
    asked = {facet: labels for facet in facets if (labels := named_labels(question, facet, d))}
    if not asked:
        return []  # most questions: the cited records need not be read at all
    texts = [record_text(record) for record in cited]
    record_words = [{w.lower() for w in WORD.findall(text)} for text in texts]
    tokens = {token for text in texts for token in TOKEN.findall(text)}
    gaps = []
    for facet, labels in asked.items():
        mentioned = set().union(*(named_labels(text, facet, d) for text in texts))
        phrases = naming_phrases(question, facet, d)
        missing = {
            label
            for label in labels - mentioned
            if not any(names_phrase(words, phrase) for phrase in phrases.get(label, ()) for words in record_words)
            and not any(initials(phrase) in tokens for phrase in phrases.get(label, ()))
        }
        if missing:
            gaps.append(FacetGap(facet, tuple(sorted(missing))))
    return gaps
