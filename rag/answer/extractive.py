"""The default answer backend: no LLM, offline, deterministic.

It reads the evidence sentence by sentence: a cheap first pass (cosine with the index's embedding model
plus word overlap) keeps the `pool` most promising candidates, the trained relevance cross-encoder
(rag/models/relevance) scores each of those against the question, the trained sentence selector
(rag/models/sentence_selector.onnx) decides which of them may be quoted, maximal marginal relevance removes
redundancy, at most a few sentences per record are kept, and each is written with its `[PMID:n]` citation.
Yes/no questions get their verdict from the trained verdict model reading the best sentences of each of
the best records, averaged with its reading of the top record's own passages, whose conclusion comes last
(and, when that leaves it undetermined, the top record's passages alone); the answer opens with it. Given
the trained answer tagger (rag/models/answer_spans; opt-in, `SECRETOME_ANSWER__NAMED_ANSWERS`), list answers
open with the names it reads in the sentences the cross-encoder scored best, each cited to the record it was
read in; a factoid answer leads with the sentence that best names the answer, then its support.
Scoring and selection are pure functions; only `ExtractiveGenerator` touches the models.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.answer.citations import CITATION, CitedSentence
from rag.answer.injection import reads_as_instruction
from rag.answer.named_answers import NamedAnswer, names_sentence, rank_named_answers
from rag.answer.negated_claims import denying_sentence
from rag.answer.verdict import VerdictReader
from rag.models.answer_spans import SpanTagger
from rag.models.sentence_selector import SentenceCandidates, SentenceSelector, selector_features
from rag.retrieve.rerank import PairScorer
from rag.text import StemmedTerms, cut_fragment_quote, passage_sentences, title_sentence, title_states_finding
from rag.types import AnswerForm, Evidence, Passage, Verdict

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
    """A picked sentence: `score` is its relevance (the cross-encoder's probability when a model is loaded)."""

    candidate: Candidate
    score: float
    similarity: float


@dataclass(frozen=True)
class ExtractiveAnswer:
    text: str
    sentences: list[ScoredSentence]
    verdict: Verdict | None
    p_yes: float | None = None
    best_relevance: float | None = None
    names: list[NamedAnswer] = field(default_factory=list)


VERDICT_OPENING: dict[str, str] = {"yes": "Yes", "no": "No", "undetermined": "Undetermined"}


# Measured on the BioASQ validation split (`secretome-qa eval --split validation`): one sentence per record
# for list and summary questions moved key-fact recall by +0.004 and ROUGE-L by -0.006, so every form
# keeps the general rule (at most two per record); only the factoid order changes.
LEAD_WITH_BEST: frozenset[AnswerForm] = frozenset({"factoid"})
# Measured on the BioASQ validation split (`secretome-qa eval --split validation`): opening factoid answers with
# the tagger's names too left their key-fact recall where it was (.518; the best sentence already leads) and cost
# citation precision (.641 -> .631), so only list answers open with names.
NAMED_FORMS: frozenset[AnswerForm] = frozenset({"list"})
FloorSignal = Literal["relevance", "first_pass"]


@dataclass(frozen=True)
class Scored:
    """Every candidate sentence with its vectors and scores: `relevance` orders them (the cross-encoder's
    probability when a model is loaded), `first_pass` is cosine plus word overlap."""

    candidates: list[Candidate]
    vectors: np.ndarray
    relevance: np.ndarray
    similarity: np.ndarray
    first_pass: np.ndarray

    def gate(self, signal: FloorSignal) -> np.ndarray:
        """The scores the eligibility floor (the calibrated refusal threshold) applies to."""
        return self.first_pass if signal == "first_pass" else self.relevance


def overlap(question_terms: set[str], text_terms: set[str]) -> float:
    """Share of the question's terms the text contains."""
    return len(question_terms & text_terms) / len(question_terms) if question_terms else 0.0


def _chunk_index(passage: Passage) -> int:
    """Passages come best first; sentences are read in abstract order (`{pmid}:{index}` ids)."""
    tail = passage.chunk_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def record_text(item: Evidence) -> str:
    """A record's retrieved passages in abstract order, so its conclusion comes last."""
    return " ".join(p.text for p in sorted(item.passages, key=_chunk_index))


def quotable(text: str) -> bool:
    """Reasonably sized, and evidence is data, never an instruction."""
    return MIN_WORDS <= len(text.split()) <= MAX_WORDS and not reads_as_instruction(text)


def candidate_sentences(
    evidence: Sequence[Evidence], *, top_title: bool = True, cut_tails: bool = True
) -> list[Candidate]:
    """Complete, reasonably sized sentences from each record's passages, without repeats, and some titles.

    Passages of long abstracts overlap by a sentence, so the same sentence is kept once per record. Research
    titles mostly state the finding, so a record offers its title (`title_states_finding`) where it gives no
    complete sentence. The record retrieval ranks first offers more: its abstract, when the source cut it
    after ~500 characters (the snapshot's PubMed RSS records), often opens with background the question's
    words match better than the finding, so it offers its title beside its sentences (`top_title`) and its
    final fragment, cut mid-sentence, marked as cut (`cut_fragment_quote`; `cut_tails`). Other records' cut
    fragments brought more records that only share the question's topic into answers (README).
    """
    candidates: list[Candidate] = []
    for rank, item in enumerate(evidence):
        top = rank == 0
        seen: set[str] = set()
        position = complete = 0
        for passage in sorted(item.passages, key=_chunk_index):
            for sentence in passage_sentences(passage.text, item.title, truncated=not item.abstract_complete):
                if sentence.complete:
                    text = sentence.text
                else:
                    text = cut_fragment_quote(sentence.text) if cut_tails and top else None
                if text is None or text.lower() in seen or not quotable(text):
                    continue
                seen.add(text.lower())
                candidates.append(Candidate(item.pmid, text, rank, position))
                position += 1
                complete += sentence.complete
        title = title_sentence(item.title)
        offers_title = not complete or (top_title and top)
        if offers_title and item.passages and title_states_finding(title) and title.lower() not in seen and quotable(title):
            candidates.append(Candidate(item.pmid, title, rank, 0))
    return candidates


def in_cited_records(passes_floor: np.ndarray, groups: Sequence[str]) -> np.ndarray:
    """Candidates whose record (group) has a sentence at or above the floor: the records an answer may cite."""
    cited_groups = {groups[i] for i in np.flatnonzero(passes_floor)}
    return np.array([g in cited_groups for g in groups], dtype=bool)


def usable_sentences(
    passes_floor: np.ndarray, relevance: np.ndarray, groups: Sequence[str], *, rescue: float
) -> np.ndarray:
    """Which candidates may be picked: those at or above the floor, and those the cross-encoder scores at
    `rescue` or more whose record has a sentence at or above the floor.

    The floor (the calibrated refusal threshold on the first-pass score) decides which records may be cited;
    within those records the cross-encoder may add the sentence that states the answer in other words than
    the question's. Candidates it never read (relevance -1) are never usable.
    """
    passes_floor = np.asarray(passes_floor, dtype=bool)
    in_cited = in_cited_records(passes_floor, groups)
    return (passes_floor | (in_cited & (relevance >= rescue))) & (relevance > -1)


def selected_sentences(
    passes_floor: np.ndarray,
    relevance: np.ndarray,
    groups: Sequence[str],
    probability: np.ndarray,
    *,
    threshold: float,
    admit_records: bool = False,
) -> np.ndarray:
    """Which candidates may be picked when the trained selector decides: those the cross-encoder read, whose
    record has a sentence at or above the floor, with a selector probability at or above `threshold`.

    The floor still decides which records may be cited at all; when no sentence of those records reaches
    the threshold, the likeliest one alone is usable, so an answer the floor allowed is never empty. With
    `admit_records`, once some record reaches the floor, a record under it is allowed too when the selector
    would quote one of its sentences: the floor scores word overlap, and a record whose title states the finding
    in other words than the question's (retrieved first, the selector sure of it) was passed over for a weaker
    record that shared the question's words.
    """
    passes_floor = np.asarray(passes_floor, dtype=bool)
    records = in_cited_records(passes_floor, groups)
    if admit_records and passes_floor.any():
        records |= in_cited_records((probability >= threshold) & (relevance > -1), groups)
    allowed = records & (relevance > -1)
    usable = allowed & (probability >= threshold)
    if allowed.any() and not usable.any():
        usable[np.flatnonzero(allowed)[np.argmax(probability[allowed])]] = True
    return usable


def mmr_select(
    relevance: np.ndarray,
    similarity: np.ndarray,
    groups: Sequence[str],
    *,
    limit: int,
    per_group: int,
    caps: dict[str, int] | None = None,
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
        caps: most picks from the groups named here, in place of `per_group`.
        diversity: weight of redundancy against relevance (0 = plain top-k).
        floor: candidates scoring below this are never picked.
    """
    chosen: list[int] = []
    used: dict[str, int] = {}
    limits = caps or {}
    remaining = [i for i in range(len(relevance)) if relevance[i] >= floor]
    while remaining and len(chosen) < limit:
        best, best_value = -1, -np.inf
        for i in remaining:
            if used.get(groups[i], 0) >= limits.get(groups[i], per_group):
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


def verdict_readings(
    relevance: np.ndarray, groups: Sequence[str], *, records: int, sentences: int
) -> list[tuple[float, list[int]]]:
    """What the verdict model reads: for each of the `records` groups (records) whose best sentence is most
    relevant, that best relevance and the group's `sentences` most relevant candidates in reading order.

    Candidates come in reading order within a record; ones the cross-encoder never read (relevance -1) are
    left out."""
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        if relevance[i] > -1:
            members.setdefault(group, []).append(i)
    best = {group: max(relevance[i] for i in indices) for group, indices in members.items()}
    ranked = sorted(members, key=lambda group: -best[group])[:records]
    return [
        (float(best[g]), sorted(sorted(members[g], key=lambda i: -relevance[i])[:sentences])) for g in ranked
    ]


def _top_record(candidates: Sequence[Candidate]) -> str | None:
    return next((c.pmid for c in candidates if c.record_rank == 0), None)


def order_for_reading(picked: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """Records in the order their best sentence was picked; a record's sentences in abstract order."""
    first_pick: dict[str, int] = {}
    for index, item in enumerate(picked):
        first_pick.setdefault(item.candidate.pmid, index)
    return sorted(picked, key=lambda s: (first_pick[s.candidate.pmid], s.candidate.position))


def lead_with_best(ordered: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """The highest-scoring sentence first, the others in the order given."""
    if not ordered:
        return []
    best = max(range(len(ordered)), key=lambda i: ordered[i].score)
    return [ordered[best], *ordered[:best], *ordered[best + 1 :]]


def render(
    sentences: Sequence[ScoredSentence], verdict: Verdict | None = None, names: Sequence[NamedAnswer] = ()
) -> str:
    """Cited sentences in order; a verdict opens the first one ("Yes: ...") so it is cited with it; names,
    when given, come first as their own cited sentence."""
    parts = [CitedSentence(s.candidate.text, [s.candidate.pmid]).render() for s in sentences]
    if verdict and parts:
        parts[0] = f"{VERDICT_OPENING[verdict]}: {parts[0]}"
    if names and parts:
        parts.insert(0, names_sentence(names))
    return " ".join(parts)


def tagger_reading(relevance: np.ndarray, limit: int) -> list[int]:
    """What the answer tagger reads: the `limit` most relevant candidates the cross-encoder read (of any
    evidence record: the tagger's reading, weighted by that relevance, decides), most relevant first."""
    readable = np.flatnonzero(relevance > -1)
    return [int(i) for i in readable[np.argsort(-relevance[readable], kind="stable")][:limit]]


def chosen_names(ranked: Sequence[NamedAnswer], *, min_score: float, limit: int) -> list[NamedAnswer]:
    """The names an answer gives: confident enough, at most `limit`, none that reads as a citation marker."""
    return [a for a in ranked if a.score >= min_score and not CITATION.search(a.text)][:limit]


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


class ExtractiveGenerator:
    """Selects and cites evidence sentences; the embedder is the one the index uses.

    With a `scorer` (the relevance cross-encoder) a sentence's relevance is the model's probability that it
    answers the question; without one, the first-pass score (cosine and word overlap) is used as it is.
    With a `selector` (rag/models/sentence_selector.onnx) as well, the selector decides which sentences of the
    records over the `floor` (the calibrated refusal threshold on the first pass, as it was trained) are
    eligible (`selected_sentences`; with `admit_records`, also records under the floor it would quote from,
    once some record is over it); without one, a sentence is eligible when its relevance reaches the
    floor, or when the cross-encoder scores it at `rescue` or more and its record has an eligible sentence
    (`usable_sentences`). Among eligible ones, a small prior for the record's retrieval rank
    (`rank_weight / (1 + rank)`) breaks near-ties toward the records retrieval trusts most. MMR takes at most
    `max_per_record` sentences from a record, `max_per_top_record` from the one retrieval ranks first (which
    offers its title and cut tail besides its sentences).
    """

    def __init__(
        self,
        embedder: Embeddings,
        *,
        scorer: PairScorer | None = None,
        verdict: VerdictReader | None = None,
        selector: SentenceSelector | None = None,
        pool: int = 24,
        read_records: int = 0,
        verdict_sentences: int = 3,
        verdict_records: int = 3,
        max_sentences: int = 5,
        max_per_record: int = 2,
        max_per_top_record: int = 3,
        lexical_weight: float = 0.35,
        rank_weight: float = 0.05,
        diversity: float = 0.3,
        floor: float = 0.2,
        floor_signal: FloorSignal = "relevance",
        rescue: float = 0.5,
        admit_records: bool = False,
        second_reading: bool = True,
        reads_denials: bool = False,
        verdict_top_record: bool = True,
        top_record_title: bool = True,
        cut_tails: bool = True,
        namer: SpanTagger | None = None,
        names_read: int = 6,
        names_min_score: float = 0.3,
        names_max: int = 3,
    ):
        self._embedder = embedder
        self._terms = StemmedTerms()
        self.scorer = scorer
        self.verdict = verdict
        self.selector = selector
        self.pool = pool
        self.read_records = read_records
        self.verdict_sentences = verdict_sentences
        self.verdict_records = verdict_records
        self.rank_weight = rank_weight
        self.max_sentences = max_sentences
        self.max_per_record = max_per_record
        self.max_per_top_record = max_per_top_record
        self.lexical_weight = lexical_weight
        self.diversity = diversity
        self.floor = floor
        self.floor_signal = floor_signal
        self.rescue = rescue
        self.admit_records = admit_records
        self.second_reading = second_reading
        self.reads_denials = reads_denials
        self.verdict_top_record = verdict_top_record
        self.top_record_title = top_record_title
        self.cut_tails = cut_tails
        self.namer = namer
        self.names_read = names_read
        self.names_min_score = names_min_score
        self.names_max = names_max

    def score_candidates(
        self,
        question: str,
        evidence: Sequence[Evidence],
        exclude: set[str] | None = None,
        keep: Callable[[str], bool] | None = None,
        vector: np.ndarray | None = None,
    ) -> "Scored":
        """Candidates with their unit vectors, relevance to the question, cosine to it, first-pass score.

        With a scorer, the cross-encoder reads the first-pass pool and every candidate of the `read_records`
        records retrieval ranks first (a finding worded unlike the question falls outside the pool); the others
        get relevance -1 (never eligible)."""
        candidates = [
            c
            for c in candidate_sentences(evidence, top_title=self.top_record_title, cut_tails=self.cut_tails)
            if (not exclude or c.text not in exclude) and (keep is None or keep(c.text))
        ]
        if not candidates:
            empty = np.zeros(0, dtype=np.float32)
            return Scored([], np.zeros((0, 0), dtype=np.float32), empty, empty, empty)
        vectors = np.asarray(self._embedder.embed_documents([c.text for c in candidates]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        query = np.asarray(self._embedder.embed_query(question) if vector is None else vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        similarity = vectors @ query
        question_terms = self._terms.terms(question)
        lexical = np.array([overlap(question_terms, self._terms.terms(c.text)) for c in candidates])
        first_pass = (1 - self.lexical_weight) * similarity + self.lexical_weight * lexical
        if self.scorer is None:
            return Scored(candidates, vectors, first_pass, similarity, first_pass)
        pool = np.union1d(
            np.argsort(-first_pass, kind="stable")[: self.pool],
            [i for i, c in enumerate(candidates) if c.record_rank < self.read_records],
        ).astype(int)
        relevance = np.full(len(candidates), -1.0)
        relevance[pool] = sigmoid(self.scorer.scores(question, [candidates[i].text for i in pool]))
        return Scored(candidates, vectors, relevance, similarity, first_pass)

    def support(
        self,
        question: str,
        evidence: Sequence[Evidence],
        vector: np.ndarray | None = None,
        signal: FloorSignal | None = None,
    ) -> float:
        """The best evidence sentence's score on the refusal signal (-1 when there is none)."""
        return self.supports(question, evidence, vector)[signal or self.floor_signal]

    def supports(
        self, question: str, evidence: Sequence[Evidence], vector: np.ndarray | None = None
    ) -> dict[FloorSignal, float]:
        """The best evidence sentence's score on each refusal signal, from one scoring pass (calibration)."""
        scored = self.score_candidates(question, evidence, vector=vector)
        signals: tuple[FloorSignal, ...] = ("relevance", "first_pass")
        return {s: float(scored.gate(s).max()) if scored.gate(s).size else -1.0 for s in signals}

    def selector_inputs(self, scored: "Scored") -> SentenceCandidates:
        """What the trained selector reads about each candidate (training computes it with this too)."""
        candidates = scored.candidates
        return SentenceCandidates(
            relevance=scored.relevance,
            first_pass=scored.first_pass,
            cosine=scored.similarity,
            record_ranks=np.array([c.record_rank for c in candidates]),
            positions=np.array([c.position for c in candidates]),
            word_counts=np.array([len(c.text.split()) for c in candidates]),
            records=[c.pmid for c in candidates],
        )

    def usable(self, scored: "Scored") -> np.ndarray:
        """Which candidates may be picked: by the trained selector when one is loaded, else by the rule."""
        passes_floor = scored.gate(self.floor_signal) >= self.floor
        groups = [c.pmid for c in scored.candidates]
        if self.selector is None or self.scorer is None:
            return usable_sentences(passes_floor, scored.relevance, groups, rescue=self.rescue)
        features = selector_features(self.selector_inputs(scored), self.floor, self.lexical_weight)
        probability = self.selector.probabilities(features)
        return selected_sentences(
            passes_floor,
            scored.relevance,
            groups,
            probability,
            threshold=self.selector.threshold,
            admit_records=self.admit_records,
        )

    def pick(self, scored: "Scored", limit: int | None = None) -> list[ScoredSentence]:
        """The eligible sentences MMR picks, best first (training replays this on stored candidates)."""
        candidates, vectors, relevance, similarity = scored.candidates, scored.vectors, scored.relevance, scored.similarity
        eligible = np.flatnonzero(self.usable(scored))
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
            caps={top: self.max_per_top_record} if (top := _top_record(candidates)) else None,
            diversity=self.diversity,
        )
        picked = [int(eligible[j]) for j in chosen]
        return [ScoredSentence(candidates[i], float(relevance[i]), float(similarity[i])) for i in picked]

    def names(self, question: str, scored: "Scored") -> list[NamedAnswer]:
        """The names the answer tagger reads in the evidence sentences the cross-encoder scored best.

        Unlike quoted sentences, a name may come from a record under the refusal floor (the floor decides
        whether to answer and which sentences to quote; the tagger's reading, weighted by the cross-encoder's
        relevance, decides a name): on the BioASQ validation split, reading only the records over the floor
        found almost nothing the quoted sentences did not already say. Each name stands word for word in the
        record it cites (the support check verifies it)."""
        if self.namer is None or self.scorer is None or not scored.candidates:
            return []
        groups = [c.pmid for c in scored.candidates]
        read = tagger_reading(scored.relevance, self.names_read)
        if not read:
            return []
        spans = self.namer.read(question, [scored.candidates[i].text for i in read])
        ranked = rank_named_answers(spans, [float(scored.relevance[i]) for i in read], [groups[i] for i in read])
        return chosen_names(ranked, min_score=self.names_min_score, limit=self.names_max)

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
        return order_for_reading(self.pick(self.score_candidates(question, evidence, exclude, keep, vector), limit))

    def answer(
        self,
        question: str,
        evidence: Sequence[Evidence],
        *,
        yes_no: bool = False,
        form: AnswerForm | None = None,
        vector: np.ndarray | None = None,
    ) -> ExtractiveAnswer:
        """The cited answer (a factoid `form` opens with its best sentence); for yes/no questions the
        verdict model reads the best sentences first.

        A verdict is given only when a sentence was picked, and the picked sentences that the verdict
        model read (the deciding ones) come first, so the opening "Yes:"/"No:" is cited by what decided it.
        """
        scored = self.score_candidates(question, evidence, vector=vector)
        candidates, relevance = scored.candidates, scored.relevance
        gate = scored.gate(self.floor_signal)
        best_relevance = float(gate.max()) if gate.size else None
        picked = order_for_reading(self.pick(scored))
        if form in LEAD_WITH_BEST:
            picked = lead_with_best(picked)
        if not (yes_no and picked) or self.verdict is None:
            verdict = "undetermined" if yes_no else None
            names = self.names(question, scored) if form in NAMED_FORMS and picked and not yes_no else []
            return ExtractiveAnswer(
                render(picked, names=names), picked, verdict, best_relevance=best_relevance, names=names
            )
        readings = verdict_readings(
            relevance, [c.pmid for c in candidates], records=self.verdict_records, sentences=self.verdict_sentences
        )
        top_record = record_text(evidence[0]) if self.verdict_top_record else None
        reading = self.verdict.read_records(
            question, [(weight, [candidates[i].text for i in indices]) for weight, indices in readings], top_record
        )
        deciding = {(candidates[i].pmid, candidates[i].text) for _, indices in readings for i in indices}
        if top_record:
            deciding |= {(s.candidate.pmid, s.candidate.text) for s in picked if s.candidate.pmid == evidence[0].pmid}
        if reading.verdict == "undetermined" and self.second_reading:
            own = [s for s in picked if s.candidate.pmid == evidence[0].pmid]
            second = self.verdict.read(question, [record_text(evidence[0])]) if own else None
            if second is not None and second.verdict != "undetermined":
                reading, deciding = second, {(s.candidate.pmid, s.candidate.text) for s in own}
        verdict, p_yes = reading.verdict, reading.p_yes
        if verdict == "yes" and self.reads_denials:
            denial = denying_sentence(question, [s.candidate.text for s in picked], self._terms)
            if denial is not None:
                # the model's P(yes) did not decide this verdict, so none is reported with it
                verdict, p_yes = "no", None
                deciding = {(s.candidate.pmid, s.candidate.text) for s in picked if s.candidate.text == denial}
        ordered = sorted(picked, key=lambda s: (s.candidate.pmid, s.candidate.text) not in deciding)
        return ExtractiveAnswer(render(ordered, verdict), ordered, verdict, p_yes, best_relevance)
