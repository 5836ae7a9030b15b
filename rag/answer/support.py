"""Does the cited record back the sentence that cites it? A check every backend's answer goes through.

A sentence quoted from its cited record (what the extractive backend writes: a passage's sentence, a cut
abstract's final fragment marked `[…]`, or the title of the top record or of one whose partial abstract gives
none) is supported by construction; so is the extractive
opening that lists the names a factoid or list answer gives, when each name stands in a cited record.
Any other sentence (an LLM's paraphrase) is read against each passage of its cited records by the relevance
cross-encoder; it is supported when some passage reaches `threshold`. Unsupported sentences are flagged,
or dropped in strict mode (`answer.unsupported_citations = "drop"`).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.answer.citations import CitedSentence
from rag.answer.named_answers import names_in
from rag.display import plain_text
from rag.retrieve.rerank import PASSAGE_MAX_TOKENS, PairScorer
from rag.text import ELISION, title_sentence
from rag.types import Evidence

VERDICT_OPENING = re.compile(r"^(?:yes|no|undetermined)\s*[:,.-]\s*", re.IGNORECASE)


def _normal(text: str) -> str:
    """Plain text (no inline markup), lower case, single spaces, no closing punctuation, and no mark of a quote
    cut short (`ELISION`)."""
    return plain_text(text).lower().rstrip(".!? ").removesuffix(ELISION).rstrip(".!? ")


def quoted_in(sentence: str, passages: Sequence[str]) -> bool:
    """Whether the sentence (verdict opening aside) stands word for word in one of the passages."""
    body = _normal(VERDICT_OPENING.sub("", sentence.strip()))
    return bool(body) and any(body in _normal(p) for p in passages)


@dataclass
class SupportReport:
    """Per sentence: the best support any of its cited records gives (1.0 when quoted from one)."""

    scores: list[float] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def supported_share(self) -> float | None:
        return None if not self.scores else 1 - len(self.unsupported) / len(self.scores)


class SupportChecker:
    """Scores each cited sentence against the passages of the records it cites."""

    def __init__(self, scorer: PairScorer | None, threshold: float = 0.5):
        self.scorer = scorer
        self.threshold = threshold

    def _score(self, sentence: CitedSentence, evidence: Mapping[str, Evidence]) -> float:
        cited = [evidence[pmid] for pmid in sentence.pmids if pmid in evidence]
        passages = [p.text for item in cited for p in item.passages]
        if not passages:
            return 0.0
        # quoting a record's title counts (the answer quotes the top record's, and any whose partial abstract
        # gives no sentence); a paraphrase is read against passages only, since a topical title would back
        # almost any claim
        quotable = [*passages, *(title_sentence(item.title) for item in cited if item.title)]
        names = names_in(sentence.text)
        if names is not None:
            cited_text = " ".join(quotable).lower()
            return 1.0 if names and all(name.lower() in cited_text for name in names) else 0.0
        if quoted_in(sentence.text, quotable):
            return 1.0
        if self.scorer is None:
            return 0.0
        logits = self.scorer.scores(VERDICT_OPENING.sub("", sentence.text), passages, PASSAGE_MAX_TOKENS)
        return float(1.0 / (1.0 + np.exp(-float(np.max(logits)))))

    def check(self, sentences: Sequence[CitedSentence], evidence: Mapping[str, Evidence]) -> SupportReport:
        report = SupportReport()
        for sentence in sentences:
            if not sentence.pmids:
                continue
            score = self._score(sentence, evidence)
            report.scores.append(score)
            if score < self.threshold:
                report.unsupported.append(sentence.text)
        return report
