"""A question about a cell product that names a technical subject ("angiogenesis", "bioactivity") is answered
only from records that name it.

The cross-encoder and the refusal floor score how well a sentence matches the whole question, and in a corpus
this thin on the topic the best match for "How do MSC exosomes promote angiogenesis?" was a study of MSC exosomes
after chondrogenic induction: the subject matched, the focus did not. Source, preconditioning and disease area
are read from the profile dictionaries (rag.answer.facet_coverage); this rule reads what is left of the
question once those terms are taken out: its rare words.

A word is the question's focus when it is rare in general English (wordfreq's Zipf scale under 3, under once per
million words: the "low frequency" band of van Heuven et al., 2014), can be a noun or an adjective (lemminflect;
words it does not know count, they are mostly technical) and is not a kind of answer ("which cytokine" is
answered by naming IL-10, not the word "cytokine"). Everyday words ("removed", "identity", "problems") are left
alone because questions paraphrase them freely. The question is refused when it has focus words and no cited
record names any of them; abbreviations are spelled out on both sides, a record names a focus word by its stem
or its root ("fibrosis" names "anti-fibrotic"), inside a compound written with or without its hyphen ("anti-fungal"
names "antifungal", "antifungal" names "fungal") and by the initials of the phrase it ends ("DIA-MS" names "mass
spectrometry").
"""

from collections.abc import Iterable
from dataclasses import dataclass

import lemminflect
from wordfreq import zipf_frequency

from rag.answer.exclusions import without_exclusions
from rag.answer.facet_coverage import TOKEN, initials, named_labels, names_word, record_text
from rag.retrieve.abbreviations import spell_out
from rag.review.profile import Dictionaries, load_dictionaries
from rag.text import WORD, StemmedTerms
from rag.types import Evidence

RARE_ZIPF = 3.0
SUBJECT_FACETS = ("product", "source", "preconditioning", "indication")
NOMINAL = frozenset({"NOUN", "ADJ", "PROPN"})
# What "which/what X" asks for; the answer names one (IL-10, Let-7, copper) and need not say the class word.
# fmt: off
ANSWER_KINDS = frozenset({
    "agent", "assay", "axis", "biomarker", "chemokine", "compound", "cytokine", "drug", "element", "enzyme", "family",
    "gene", "interleukin", "kinase", "ligand", "lncrna", "marker", "metal", "method", "microrna", "mirna", "molecule",
    "organelle", "pathway", "protein", "receptor", "technique",
})
# fmt: on
# Adjective and noun of one root ("fibrotic" / "fibrosis", "angiogenic" / "angiogenesis") stem apart; these endings,
# longest first, are cut before comparing, leaving at least `ROOT_MIN` letters.
DERIVATIONAL_ENDINGS = ("icity", "osis", "otic", "esis", "etic", "ical", "ity", "ory", "ion", "ic")
ROOT_MIN = 4


@dataclass(frozen=True)
class FocusWord:
    """A focus word and the initials of the two- and three-word phrases it ends, which records may write instead."""

    word: str
    initials: frozenset[str]


@dataclass(frozen=True)
class FocusGap:
    """The question's focus words, none of which a cited record names."""

    words: tuple[str, ...]

    @property
    def reason(self) -> str:
        return f"the question asks about {' and '.join(self.words)}, which no record the answer cites mentions"


def without_subject_terms(text: str, dictionaries: Dictionaries) -> str:
    """`text` with every profile term blanked: products, sources, preconditioning and areas have rules of their own."""
    for facet_name in SUBJECT_FACETS:
        for pattern in dictionaries.facets[facet_name].term_patterns:
            text = pattern.sub(" ", text)
    return text


def can_be_nominal(word: str) -> bool:
    parts_of_speech = lemminflect.getAllLemmas(word)
    return not parts_of_speech or bool(NOMINAL & set(parts_of_speech))


def is_focus_word(word: str, terms: StemmedTerms, answer_kinds: set[str]) -> bool:
    if len(word) < 3 or word in terms.stopwords or not word.isalpha() or terms.stem(word) in answer_kinds:
        return False
    return zipf_frequency(word, "en") < RARE_ZIPF and can_be_nominal(word)


def phrase_initials(words: list[str], end: int, stopwords: frozenset[str]) -> frozenset[str]:
    """Initials of the two- and three-word noun phrases ending at words[end] ("mass spectrometry": "MS")."""
    found = set()
    for start in (end - 1, end - 2):
        phrase = words[start : end + 1] if start >= 0 else []
        if not phrase or any(w in stopwords or not can_be_nominal(w) for w in phrase[:-1]):
            break
        found.add(initials(" ".join(phrase)))
    return frozenset(found)


def root(word: str) -> str:
    """The word without one derivational ending: "fibrotic" and "fibrosis" both give "fibr"."""
    for ending in DERIVATIONAL_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= ROOT_MIN:
            return word[: -len(ending)]
    return word


def words_of(text: str) -> list[str]:
    """Lower-case words, hyphenated and slashed compounds split ("synovium-derived" names the synovium)."""
    return [part for match in WORD.findall(text) for part in match.lower().replace("/", "-").split("-") if part]


def focus_words(question: str, dictionaries: Dictionaries | None = None) -> list[FocusWord]:
    """The question's rare content words outside the profile's terms, in question order, each once."""
    d = dictionaries or load_dictionaries()
    terms = StemmedTerms()
    answer_kinds = {terms.stem(kind) for kind in ANSWER_KINDS}
    words = words_of(without_subject_terms(spell_out(without_exclusions(question)), d))
    focus: dict[str, FocusWord] = {}
    for i, word in enumerate(words):
        if word not in focus and is_focus_word(word, terms, answer_kinds):
            focus[word] = FocusWord(word, phrase_initials(words, i, terms.stopwords))
    return list(focus.values())


def focus_gap(question: str, cited: Iterable[Evidence], dictionaries: Dictionaries | None = None) -> FocusGap | None:
    """The focus words of a question about a cell product when no cited record names any of them, else None."""
    d = dictionaries or load_dictionaries()
    if not named_labels(spell_out(question), "product", d):
        return None
    focus = focus_words(question, d)
    if not focus:
        return None  # most questions: the cited records need not be read at all
    terms = StemmedTerms()
    texts = [record_text(record) for record in cited]
    words = {word for text in texts for word in words_of(text)}
    words |= {compound.lower().replace("-", "") for text in texts for compound in WORD.findall(text) if "-" in compound}
    named = {terms.stem(word) for word in words} | {root(word) for word in words}
    tokens = {token for text in texts for token in TOKEN.findall(text)}

    def is_named(focus_word: FocusWord) -> bool:
        word = focus_word.word
        return bool({terms.stem(word), root(word)} & named or focus_word.initials & tokens or names_word(words, word))

    return None if any(is_named(f) for f in focus) else FocusGap(tuple(f.word for f in focus))
