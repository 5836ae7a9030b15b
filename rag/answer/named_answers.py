"""What a factoid or list answer names: the answer tagger's spans merged across evidence sentences.

The same name read in several sentences is one answer whose confidence grows with each reading (noisy-or of
the span scores, each weighted by how relevant its sentence is), cited to the record of its best reading.
Pure functions; the tagger itself is `rag.models.answer_spans.AnswerSpanReader`.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.models.answer_spans import Span

_SPACE = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class NamedAnswer:
    """A name the evidence gives as the answer, the record it was best read in, and its confidence."""

    text: str
    pmid: str
    score: float


def answer_key(text: str) -> str:
    """Names that differ only in case, spacing, an article or closing punctuation are one answer."""
    return _LEADING_ARTICLE.sub("", _SPACE.sub(" ", text.strip().lower())).strip(" .,;:")


def rank_named_answers(
    spans: Sequence[Sequence[Span]], weights: Sequence[float], pmids: Sequence[str]
) -> list[NamedAnswer]:
    """Every distinct name, most confident first.

    Args:
        spans: per evidence sentence, the tagger's spans.
        weights: per sentence, how far its reading counts (its relevance), in [0, 1].
        pmids: per sentence, its record.
    """
    miss: dict[str, float] = {}
    best: dict[str, tuple[float, Span, str]] = {}
    for sentence_spans, weight, pmid in zip(spans, weights, pmids, strict=True):
        for span in sentence_spans:
            key = answer_key(span.text)
            if not key:
                continue
            reading = span.score * max(0.0, min(1.0, weight))
            miss[key] = miss.get(key, 1.0) * (1.0 - reading)
            if key not in best or reading > best[key][0]:
                best[key] = (reading, span, pmid)
    ranked = [NamedAnswer(best[k][1].text, best[k][2], 1.0 - miss[k]) for k in miss]
    return sorted(ranked, key=lambda a: (-a.score, a.text.lower()))


NAMES_OPENING = "Named in the evidence: "
NAME_SEPARATOR = "; "


def names_sentence(answers: Sequence[NamedAnswer]) -> str:
    """The opening sentence of a factoid or list answer: each name cited to the record it was read in."""
    return NAMES_OPENING + NAME_SEPARATOR.join(f"{a.text} [PMID:{a.pmid}]" for a in answers) + "."


def names_in(sentence: str) -> list[str] | None:
    """The names an opening sentence lists (citations already taken out), or None for any other sentence."""
    if not sentence.startswith(NAMES_OPENING):
        return None
    body = sentence[len(NAMES_OPENING) :].rstrip(" .")
    return [name.strip() for name in body.split(NAME_SEPARATOR.strip()) if name.strip()]
