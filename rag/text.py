"""The one home of text handling that chunking, BM25, sentence scoring, citations and chat share.

Sentence splitting: abstract text is not prose a generic splitter handles well: inline section labels
("RESULTS: ..."), abbreviations ("et al.", "vs.", "e.g."), decimals ("1.5 mg"), species names
("A. odocoilei"), snippets joined by " … ", and feeds that cut the abstract off mid-sentence. The rules
here are few and tested. Also here: section labels (built on ingest's definition), stopwords and
stemmed content terms.
"""

import re
from dataclasses import dataclass

import Stemmer

from ingest.pubmed_fields import SECTION_LABEL_WORDS
from rag.display import plain_text

SNIPPET_JOINER = re.compile(r"\s*(?:…|\.\.\.)\s+")
SECTION_LABEL = re.compile(rf"^{SECTION_LABEL_WORDS}:\s+")
# A label glued to the sentence before it ("... phenotype.METHODS: We ..."), as some sources joined sections.
GLUED_SECTION_LABEL = re.compile(rf"(?<=[a-z0-9)\]%][.!?])(?={SECTION_LABEL_WORDS}:\s)")
WORD = re.compile(r"[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")
# Lucene's English list plus the words every question carries but no abstract answers with (BM25 drops these).
STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "does", "do",
        "did", "can", "could", "should", "would", "has", "have", "had", "been", "being", "were", "its", "from",
        "than", "also",
    }
)
# Also dropped when comparing the content words of a sentence with a question's (sentence scoring, chat).
CONTENT_STOPWORDS = STOPWORDS | {
    "about", "all", "any", "between", "both", "each", "here", "i", "may", "me", "might", "more", "most", "must",
    "my", "only", "other", "our", "so", "some", "those", "very", "we", "while", "you", "your",
}
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


def split_prose(text: str) -> list[str]:
    """Sentences of plain prose, section labels left in place (chunking keeps them in the chunk text)."""
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
        for piece in split_prose(GLUED_SECTION_LABEL.sub(" ", part.strip())):
            cleaned = strip_section_label(piece).strip()
            if cleaned:
                sentences.append(Sentence(cleaned, True))
    if truncated and sentences and not TERMINAL.search(sentences[-1].text):
        sentences[-1] = Sentence(sentences[-1].text, False)
    return sentences


def passage_sentences(text: str, title: str = "", *, truncated: bool = False) -> list[Sentence]:
    """A retrieved passage's sentences, without the record title a passage may open with.

    The answer stage quotes these, and the indexer embeds the same ones ahead of time, so both must split
    a passage alike. Inline markup is flattened first: "<b>BACKGROUND</b>: ..." hid the section labels and
    sentence ends from the splitter, and a quote carries no tags."""
    text, title = plain_text(text), plain_text(title)
    if title and text.startswith(title) and text[len(title) :].strip(" .:\n"):
        text = text[len(title) :].lstrip(" .:\n")
    return split_sentences(text, truncated=truncated)


def title_sentence(title: str) -> str:
    """A record's title as the answer quotes it beside or in place of sentences (its citation closes it), as
    plain text: PubMed's inline markup ("ABCB5<sup>+</sup>", "<em>in vitro</em>") is no part of a quote."""
    return plain_text(title).rstrip(".")


# The final fragment of an abstract the source cut off mid-sentence is quoted as far as it goes, marked as cut
# ("... and carries drastic compli […]"), when long enough to state something: the snapshot's PubMed RSS
# records stop after ~500 characters, often inside the sentence that reports the finding.
ELISION = "[…]"
CUT_FRAGMENT_MIN_WORDS = 10


def cut_fragment_quote(fragment: str) -> str | None:
    """How an answer quotes a cut-off final fragment (with `ELISION`), or None when it is too short to."""
    text = fragment.strip().rstrip(",;:")
    return f"{text} {ELISION}" if len(text.split()) >= CUT_FRAGMENT_MIN_WORDS else None


# A title is quoted only when long enough to state a finding ("X alleviates Y by Z"), not a bare noun phrase
# ("multipotent bone marrow-derived stem cells"); a title that asks a question (PubMedQA's) states none.
TITLE_MIN_WORDS = 8


def title_states_finding(title: str) -> bool:
    """Whether a title (as `title_sentence` gives it) may be quoted as the record's statement of its finding."""
    return len(title.split()) >= TITLE_MIN_WORDS and not title.rstrip().endswith("?")


class StemmedTerms:
    """Snowball-stemmed words of a text, memoised; one instance per thread (PyStemmer objects are not shared)."""

    def __init__(self, stopwords: frozenset[str] = CONTENT_STOPWORDS):
        self._stemmer = Stemmer.Stemmer("english")
        self._memo: dict[str, str] = {}
        self.stopwords = stopwords

    def stem(self, word: str) -> str:
        """The stem of a lower-case word; words with digits or hyphens stay as they are."""
        stem = self._memo.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word) if word.isalpha() else word
            self._memo[word] = stem
        return stem

    def terms(self, text: str) -> set[str]:
        """Stemmed content words of `text`, stopwords left out."""
        return {self.stem(w) for w in (m.lower() for m in WORD.findall(text)) if w not in self.stopwords}
