"""The default answer backend: no LLM, offline, deterministic.

It picks the evidence sentences that best answer the question (cosine similarity with the index's own
embedding model plus lexical overlap), removes redundancy with maximal marginal relevance, keeps at most
a few sentences per record, and writes each with its `[PMID:n]` citation. Yes/no questions get a verdict
from the polarity of the selected sentences. The scoring and selection are pure functions; only
`ExtractiveGenerator` touches the embedder.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answer.citations import CitedSentence
from rag.answer.injection import reads_as_instruction
from rag.text import StemmedTerms, split_sentences
from rag.types import Evidence, Passage, Verdict

NEGATION = re.compile(
    r"\b(?:no significant|not significant\w*|did not|does not|do not|was not|were not|is not|are not|"
    r"cannot|could not|failed to|fails to|no evidence|no effect|no association|not associated|"
    r"no difference|no role|unlikely|neither|lack of|no (?:clear |clinical )?benefit|"
    r"not (?:required|necessary|involved|affected|effective|increased|reduced))\b",
    re.IGNORECASE,
)
MIN_WORDS = 5
MAX_WORDS = 90


@dataclass(frozen=True)
class Candidate:
    """An evidence sentence that could go into the answer."""

    pmid: str
    text: str
    record_rank: int
    position: int


@dataclass(frozen=True)
class ScoredSentence:
    candidate: Candidate
    score: float
    similarity: float


@dataclass(frozen=True)
class ExtractiveAnswer:
    text: str
    sentences: list[ScoredSentence]
    verdict: Verdict | None


def overlap(question_terms: set[str], text_terms: set[str]) -> float:
    """Share of the question's terms the text contains."""
    return len(question_terms & text_terms) / len(question_terms) if question_terms else 0.0


def _chunk_index(passage: Passage) -> int:
    """Passages come best first; sentences are read in abstract order (`{pmid}:{index}` ids)."""
    tail = passage.chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def candidate_sentences(evidence: Sequence[Evidence]) -> list[Candidate]:
    """Complete, reasonably sized sentences from each record's passages, without repeats.

    Passages of long abstracts overlap by a sentence, so the same sentence is kept once per record.
    """
    candidates: list[Candidate] = []
    for rank, item in enumerate(evidence):
        seen: set[str] = set()
        position = 0
        for passage in sorted(item.passages, key=_chunk_index):
            text = passage.text
            if item.title and text.startswith(item.title) and text[len(item.title) :].strip(" .:\n"):
                text = text[len(item.title) :].lstrip(" .:\n")
            for sentence in split_sentences(text, truncated=not item.abstract_complete):
                words = len(sentence.text.split())
                key = sentence.text.lower()
                if not sentence.complete or key in seen or not MIN_WORDS <= words <= MAX_WORDS:
                    continue
                if reads_as_instruction(sentence.text):  # evidence is data, never an instruction
                    continue
                seen.add(key)
                candidates.append(Candidate(item.pmid, sentence.text, rank, position))
                position += 1
    return candidates


def mmr_select(
    relevance: np.ndarray,
    similarity: np.ndarray,
    groups: Sequence[str],
    *,
    limit: int,
    per_group: int,
    diversity: float = 0.3,
    floor: float = 0.0,
) -> list[int]:
    """Maximal marginal relevance with a cap per group (record).

    Args:
        relevance: score of each candidate for the question.
        similarity: candidate-by-candidate cosine similarity.
        groups: the record each candidate comes from.
        limit: how many to pick.
        per_group: most picks from one group.
        diversity: weight of redundancy against relevance (0 = plain top-k).
        floor: candidates scoring below this are never picked.
    """
    chosen: list[int] = []
    used: dict[str, int] = {}
    remaining = [i for i in range(len(relevance)) if relevance[i] >= floor]
    while remaining and len(chosen) < limit:
        best, best_value = -1, -np.inf
        for i in remaining:
            if used.get(groups[i], 0) >= per_group:
                continue
            redundancy = max((similarity[i, j] for j in chosen), default=0.0)
            value = (1 - diversity) * relevance[i] - diversity * redundancy
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used[groups[best]] = used.get(groups[best], 0) + 1
        remaining.remove(best)
    return chosen


def order_for_reading(picked: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """Records in the order their best sentence was picked; a record's sentences in abstract order."""
    first_pick: dict[str, int] = {}
    for index, item in enumerate(picked):
        first_pick.setdefault(item.candidate.pmid, index)
    return sorted(picked, key=lambda s: (first_pick[s.candidate.pmid], s.candidate.position))


def polarity(sentence: str) -> int:
    """-1 when the sentence states a negative finding, else +1."""
    return -1 if NEGATION.search(sentence) else 1


def verdict_from(sentences: Sequence[ScoredSentence]) -> Verdict:
    """Weighted vote of the selected sentences' polarity; no evidence or a tie is undetermined."""
    if not sentences:
        return "undetermined"
    net = sum(s.score * polarity(s.candidate.text) for s in sentences)
    if abs(net) < 1e-9:
        return "undetermined"
    return "yes" if net > 0 else "no"


def render(sentences: Sequence[ScoredSentence]) -> str:
    return " ".join(CitedSentence(s.candidate.text, [s.candidate.pmid]).render() for s in sentences)


class ExtractiveGenerator:
    """Selects and cites evidence sentences; the embedder is the one the index uses.

    A sentence is eligible when its relevance (cosine and lexical overlap) reaches `floor`, the
    calibrated refusal threshold; among eligible ones, a small prior for the record's retrieval rank
    (`rank_weight / (1 + rank)`) breaks near-ties toward the records retrieval trusts most.
    """

    def __init__(
        self,
        embedder: Embeddings,
        *,
        max_sentences: int = 5,
        max_per_record: int = 2,
        lexical_weight: float = 0.35,
        rank_weight: float = 0.05,
        diversity: float = 0.3,
        floor: float = 0.2,
    ):
        self._embedder = embedder
        self._terms = StemmedTerms()
        self.rank_weight = rank_weight
        self.max_sentences = max_sentences
        self.max_per_record = max_per_record
        self.lexical_weight = lexical_weight
        self.diversity = diversity
        self.floor = floor

    def _score(
        self,
        question: str,
        evidence: Sequence[Evidence],
        exclude: set[str] | None = None,
        keep: Callable[[str], bool] | None = None,
        vector: np.ndarray | None = None,
    ) -> tuple[list[Candidate], np.ndarray, np.ndarray, np.ndarray]:
        """Candidates with their unit vectors, relevance to the question and cosine to it."""
        candidates = [
            c
            for c in candidate_sentences(evidence)
            if (not exclude or c.text not in exclude) and (keep is None or keep(c.text))
        ]
        if not candidates:
            empty = np.zeros(0, dtype=np.float32)
            return [], np.zeros((0, 0), dtype=np.float32), empty, empty
        vectors = np.asarray(self._embedder.embed_documents([c.text for c in candidates]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        query = np.asarray(self._embedder.embed_query(question) if vector is None else vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        similarity = vectors @ query
        question_terms = self._terms.terms(question)
        lexical = np.array([overlap(question_terms, self._terms.terms(c.text)) for c in candidates])
        relevance = (1 - self.lexical_weight) * similarity + self.lexical_weight * lexical
        return candidates, vectors, relevance, similarity

    def support(self, question: str, evidence: Sequence[Evidence], vector: np.ndarray | None = None) -> float:
        """Relevance of the best evidence sentence (-1 when there is none): the refusal signal."""
        _, _, relevance, _ = self._score(question, evidence, vector=vector)
        return float(relevance.max()) if relevance.size else -1.0

    def select(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        limit: int | None = None,
        exclude: set[str] | None = None,
        keep: Callable[[str], bool] | None = None,
        vector: np.ndarray | None = None,
    ) -> list[ScoredSentence]:
        """The best non-redundant sentences for the question, in reading order.

        `exclude` holds sentence texts already used elsewhere (briefings use it across sections);
        `keep`, when given, must accept a sentence for it to be a candidate.
        """
        candidates, vectors, relevance, similarity = self._score(question, evidence, exclude, keep, vector)
        eligible = np.flatnonzero(relevance >= self.floor)
        if not eligible.size:
            return []
        ranks = np.array([candidates[i].record_rank for i in eligible])
        ranking = relevance[eligible] + self.rank_weight / (1.0 + ranks)
        chosen = mmr_select(
            ranking,
            vectors[eligible] @ vectors[eligible].T,
            [candidates[i].pmid for i in eligible],
            limit=limit or self.max_sentences,
            per_group=self.max_per_record,
            diversity=self.diversity,
        )
        picked = [int(eligible[j]) for j in chosen]
        scored = [ScoredSentence(candidates[i], float(relevance[i]), float(similarity[i])) for i in picked]
        return order_for_reading(scored)

    def answer(
        self, question: str, evidence: Sequence[Evidence], *, yes_no: bool = False, vector: np.ndarray | None = None
    ) -> ExtractiveAnswer:
        picked = self.select(question, evidence, vector=vector)
        return ExtractiveAnswer(render(picked), picked, verdict_from(picked) if yes_no else None)
