"""The answer pipeline: route -> retrieve with the category's preferences -> generate -> verify -> refuse.

Whatever the backend, the text it produces is checked against this answer's own evidence before anyone
sees the final answer: foreign PMIDs are removed and reported, uncited sentences flagged or dropped, and
an answer with no cited sentence left becomes a refusal. Evidence sentences below the calibrated
relevance threshold are never used, and with none above it the answer is a refusal before any LLM call
(rag.answer.refusal). Retracted records are never handed to a generator. `stream`/`astream` yield text chunks as they are produced, then the final `CitedAnswer`
(whose text is the verified one); the API feeds SSE and OpenAI-style streaming from `astream`.
The llm backend (LangChain, the OpenAI and Ollama clients) is imported on first use, so an extractive
answer from the CLI does not pay for it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import InputError
from core.settings import Settings
from rag.answer.citations import pmid_link, verify_citations
from rag.answer.coverage import coverage_gap
from rag.answer.extractive import ExtractiveAnswer, ExtractiveGenerator, render
from rag.answer.product_coverage import product_evidence
from rag.answer.refusal import refusal_signal, refusal_text, refusal_threshold
from rag.answer.routing import Route, Router, prefer
from rag.answer.single_record import NO_SINGLE_RECORD, covering_records, rests_on_one_record
from rag.answer.study_type import StudyType, classify_study
from rag.answer.support import SupportChecker
from rag.answer.verdict import VerdictReader
from rag.models.answer_spans import SpanTagger
from rag.models.sentence_selector import SentenceSelector
from rag.retrieve.base import Retriever
from rag.retrieve.rerank import PairScorer
from rag.types import AnswerBackend, Citation, CitedAnswer, Evidence, SearchFilters, Verdict

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.answer.llm import LLMGenerator

Backend = AnswerBackend
UNSUPPORTED = "no evidence sentence reaches the calibrated relevance threshold"
StreamItem = str | CitedAnswer
EvidenceLevels = Callable[[Sequence[str]], Mapping[str, str]]


@dataclass
class Prepared:
    """Everything decided before generation: route, usable evidence, warnings, and a refusal if any."""

    question: str
    route: Route
    evidence: list[Evidence]
    kinds: dict[str, StudyType]
    vector: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)
    refusal: CitedAnswer | None = None


def study_type_of(item: Evidence) -> StudyType:
    return classify_study(item.pub_types, item.mesh, item.trial_ids, item.joined_text())


def verdict_in_text(text: str) -> Verdict:
    """An LLM's verdict is the first word it was asked to begin with."""
    first = text.strip().split(maxsplit=1)[0].strip(".,:;!").lower() if text.strip() else ""
    return first if first in ("yes", "no") else "undetermined"


class Answerer:
    """Answers questions from a searcher's evidence with verified PMID citations.

    Args:
        settings: the one Settings object (answer and retrieval sections are read).
        searcher: anything with `search(query, k, filters, *, vector) -> list[Evidence]` (rag.retrieve.searcher).
        embedder: the index's embedding model; the question is embedded once and the vector reused for
            routing, search and sentence selection.
        chat_model: a LangChain chat model for the llm backend; built from settings on first use if absent.
        index_warnings: what every answer over this index must say (e.g. its vectors are still being built).
        levels: the cited records' evidence levels by PMID, as the evidence map counts them
            (rag.review.record_levels); citations go without them when absent.
    """

    def __init__(
        self,
        settings: Settings,
        searcher: Retriever,
        embedder: Embeddings,
        chat_model: BaseChatModel | None = None,
        *,
        relevance: PairScorer | None = None,
        verdict: PairScorer | None = None,
        selector: SentenceSelector | None = None,
        namer: SpanTagger | None = None,
        index_warnings: Sequence[str] = (),
        levels: EvidenceLevels | None = None,
    ):
        self.settings = settings
        self.levels = levels
        self.searcher = searcher
        self.index_warnings = list(index_warnings)
        answer = settings.answer
        self.embedder = embedder
        self.router = Router(
            embedder,
            floor=answer.routing_floor,
            cue_weight=answer.routing_cue_weight,
            cache_dir=settings.cache_dir,
        )
        self.threshold = refusal_threshold(settings)
        self.relevance = relevance
        self.support = SupportChecker(relevance, answer.support_threshold)
        self.extractive = ExtractiveGenerator(
            embedder,
            scorer=relevance,
            verdict=VerdictReader(verdict, answer.verdict_margin) if verdict is not None else None,
            selector=selector,
            pool=answer.sentence_pool,
            read_records=answer.read_top_records,
            verdict_sentences=answer.verdict_sentences,
            verdict_records=answer.verdict_records,
            second_reading=answer.verdict_second_reading,
            reads_denials=answer.verdict_reads_denials,
            verdict_top_record=answer.verdict_top_record,
            top_record_title=answer.top_record_title,
            cut_tails=answer.quote_cut_tails,
            max_sentences=answer.max_sentences,
            max_per_record=answer.max_sentences_per_record,
            max_per_top_record=answer.max_sentences_top_record,
            lexical_weight=answer.lexical_weight,
            rank_weight=answer.rank_weight,
            diversity=answer.mmr_diversity,
            floor=self.threshold,
            floor_signal=refusal_signal(),
            rescue=answer.sentence_rescue,
            admit_records=answer.selector_admits_records,
            namer=namer,
            names_read=answer.names_read,
            names_min_score=answer.names_min_score,
            names_max=answer.names_max,
        )
        self._chat_model = chat_model
        self._llm: LLMGenerator | None = None

    @property
    def chat_model(self) -> BaseChatModel:
        """The llm backend's chat model, built from settings on first use."""
        if self._chat_model is None:
            from rag.answer.llm import build_chat_model

            self._chat_model = build_chat_model(self.settings.answer.llm)
        return self._chat_model

    @property
    def llm(self) -> LLMGenerator:
        if self._llm is None:
            from rag.answer.llm import LLMGenerator

            self._llm = LLMGenerator(self.chat_model)
        return self._llm

    def _backend(self, backend: str | None) -> Backend:
        chosen = backend or self.settings.answer.backend
        if chosen not in tuple(AnswerBackend):
            raise InputError(f"unknown answer backend {chosen!r}; choose extractive or llm")
        if chosen == AnswerBackend.LLM and self._chat_model is None:
            from rag.answer.llm import require_endpoint

            require_endpoint(self.settings.answer.llm)  # a setting to fix (4xx), before any retrieval
        return AnswerBackend(chosen)

    # the stages
    def prepare(self, question: str, filters: SearchFilters | None = None, route: Route | None = None) -> Prepared:
        """Route (unless a route is given), retrieve, drop retracted records, decide whether evidence suffices."""
        question = question.strip()
        if not question:
            raise InputError("the question is empty")
        vector = np.asarray(self.embedder.embed_query(question), dtype=np.float32)
        route = route or self.router.route(question, vector)
        wanted = self.settings.answer.evidence_records
        k = max(self.settings.retrieval.k, wanted * 2)
        retrieved = self.searcher.search(question, k=k, filters=filters, vector=vector)
        warnings: list[str] = list(self.index_warnings)
        if retrieved and retrieved[0].retracted:
            warnings.append(f"the best match, PMID {retrieved[0].pmid}, is retracted and is not cited")
        usable = [e for e in retrieved if not e.retracted]
        kinds = {e.pmid: study_type_of(e) for e in usable}
        if self.settings.answer.category_preferences:
            usable = prefer(usable, route.preference, {p: k.name for p, k in kinds.items()})
        ranked = usable[:wanted]
        if self.settings.answer.product_records_only:
            ranked = product_evidence(question, ranked)
        prepared = Prepared(question, route, ranked, {e.pmid: kinds[e.pmid] for e in ranked}, vector, warnings)
        if not ranked:
            prepared.refusal = self._refuse(prepared, "extractive", "no usable record was retrieved")
        return prepared

    def _refuse(
        self,
        prepared: Prepared,
        backend: str,
        reason: str,
        warnings: Sequence[str] = (),
        *,
        confidence: float | None = None,
    ) -> CitedAnswer:
        return CitedAnswer(
            question=prepared.question,
            answer=refusal_text(prepared.evidence),
            evidence=prepared.evidence,
            verdict="undetermined" if prepared.route.yes_no else None,
            refused=True,
            evidence_confidence=confidence,
            warnings=[*(warnings or prepared.warnings), f"refused: {reason}"],
            category=prepared.route.category,
            answer_form=prepared.route.form,
            backend=backend,
        )

    def finish(
        self,
        prepared: Prepared,
        text: str,
        backend: Backend,
        *,
        verdict: Verdict | None = None,
        p_yes: float | None = None,
        supporting: dict[str, tuple[str, float]] | None = None,
        confidence: float | None = None,
    ) -> CitedAnswer:
        """Verify the generated text against the evidence and build the final answer (or a refusal).

        Citations must point into this answer's evidence (rag.answer.citations) and each cited sentence
        must be backed by a passage of a record it cites (rag.answer.support): unsupported ones are
        flagged, or dropped when `answer.unsupported_citations` is "drop"."""
        answer_settings = self.settings.answer
        verified = verify_citations(text, [e.pmid for e in prepared.evidence], answer_settings.uncited_sentences)
        warnings = [*prepared.warnings, *verified.warnings]
        if not text.strip():
            return self._refuse(prepared, backend, UNSUPPORTED, confidence=confidence)
        by_pmid = {e.pmid: e for e in prepared.evidence}
        report = self.support.check(verified.sentences, by_pmid)
        for sentence in report.unsupported:
            action = "dropped" if answer_settings.unsupported_citations == "drop" else "flagged"
            warnings.append(f"unsupported citation {action}: no cited passage backs {sentence[:120]!r}")
        if report.unsupported and answer_settings.unsupported_citations == "drop":
            unsupported = set(report.unsupported)
            verified = verify_citations(
                " ".join(s.render() for s in verified.sentences if s.text not in unsupported),
                list(by_pmid),
                answer_settings.uncited_sentences,
            )
        if not verified.has_cited_sentence:
            reason = "no sentence of the answer had a valid citation"
            return self._refuse(prepared, backend, reason, warnings, confidence=confidence)
        cited_records = [by_pmid[p] for p in verified.cited_pmids]
        if reason := coverage_gap(prepared.question, cited_records, answer_settings):
            return self._refuse(prepared, backend, reason, warnings, confidence=confidence)
        if (
            answer_settings.yes_no_single_record
            and prepared.route.yes_no
            and not rests_on_one_record(
                prepared.question,
                cited_records,
                stem_cells=answer_settings.stem_cell_coverage,
                facets=answer_settings.facet_coverage,
            )
        ):
            return self._refuse(prepared, backend, NO_SINGLE_RECORD, warnings, confidence=confidence)
        supporting = supporting or {}
        levels = self.levels(verified.cited_pmids) if self.levels else {}
        citations = [
            self._citation(by_pmid[p], prepared.kinds[p], levels.get(p), *supporting.get(p, (None, None)))
            for p in verified.cited_pmids
        ]
        if prepared.route.yes_no and verdict is None:
            verdict = verdict_in_text(text)
        return CitedAnswer(
            question=prepared.question,
            answer=verified.text,
            citations=citations,
            evidence=prepared.evidence,
            verdict=verdict if prepared.route.yes_no else None,
            verdict_probability=p_yes if prepared.route.yes_no else None,
            unsupported_sentences=report.unsupported,
            supported_share=report.supported_share,
            evidence_confidence=confidence,
            warnings=warnings,
            category=prepared.route.category,
            answer_form=prepared.route.form,
            backend=backend,
        )

    @staticmethod
    def _citation(
        item: Evidence, kind: StudyType, level: str | None, passage: str | None, support: float | None
    ) -> Citation:
        return Citation(
            pmid=item.pmid,
            title=item.title,
            year=item.year,
            journal=item.journal,
            link=pmid_link(item.pmid),
            passage=passage or (item.passages[0].text if item.passages else ""),
            study_type=kind.name,
            evidence_level=level,
            phase=kind.phase,
            trial_ids=kind.trial_ids,
            support=round(support, 4) if support is not None else None,
            abstract_complete=item.abstract_complete,
        )

    def _extract(self, prepared: Prepared) -> CitedAnswer:
        result = self.extractive.answer(
            prepared.question,
            prepared.evidence,
            yes_no=prepared.route.yes_no,
            form=prepared.route.form,
            vector=prepared.vector,
        )
        if self.settings.answer.cite_covering_records:
            result = self._covering_only(prepared, result)
        texts: dict[str, list[str]] = {}
        best: dict[str, float] = {}
        for sentence in result.sentences:
            texts.setdefault(sentence.candidate.pmid, []).append(sentence.candidate.text)
            best[sentence.candidate.pmid] = max(best.get(sentence.candidate.pmid, -1.0), sentence.score)
        supporting = {p: (" ".join(s), best[p]) for p, s in texts.items()}
        return self.finish(
            prepared,
            result.text,
            "extractive",
            verdict=result.verdict,
            p_yes=result.p_yes,
            supporting=supporting,
            confidence=result.best_relevance,
        )

    def _covering_only(self, prepared: Prepared, result: ExtractiveAnswer) -> ExtractiveAnswer:
        """The answer without the sentences of cited records that do not themselves cover the question, when some
        cited record does (`rag.answer.single_record.covering_records`)."""
        by_pmid = {e.pmid: e for e in prepared.evidence}
        cited = [by_pmid[p] for p in dict.fromkeys(s.candidate.pmid for s in result.sentences)]
        keep = covering_records(prepared.question, cited, self.settings.answer)
        kept = [s for s in result.sentences if s.candidate.pmid in keep]
        if len(kept) == len(result.sentences):
            return result
        return replace(result, text=render(kept, result.verdict, result.names), sentences=kept)

    # public entry points
    def ask(self, question: str, filters: SearchFilters | None = None, backend: str | None = None) -> CitedAnswer:
        chosen = self._backend(backend)
        prepared = self.prepare(question, filters)
        if prepared.refusal:
            prepared.refusal.backend = chosen
            return prepared.refusal
        if chosen == "extractive":
            return self._extract(prepared)
        if not self.supported(prepared):
            return self._refuse(prepared, chosen, UNSUPPORTED)
        return self.finish(prepared, self.llm.generate(prepared.question, prepared.evidence), chosen)

    def supported(self, prepared: Prepared) -> bool:
        """Whether any evidence sentence reaches the threshold: checked before paying for an LLM call."""
        return self.extractive.support(prepared.question, prepared.evidence, prepared.vector) >= self.threshold

    async def astream(
        self, question: str, filters: SearchFilters | None = None, backend: str | None = None
    ) -> AsyncIterator[StreamItem]:
        """Text chunks as produced, then the verified CitedAnswer; blocking retrieval and embedding run in a thread."""
        chosen = self._backend(backend)
        prepared = await asyncio.to_thread(self.prepare, question, filters)
        extract = chosen == "extractive" or prepared.refusal is not None
        if extract or not await asyncio.to_thread(self.supported, prepared):
            answer = await asyncio.to_thread(self._complete_extractive, prepared, chosen)
            for chunk in _sentence_chunks(answer):
                yield chunk
            yield answer
            return
        parts: list[str] = []
        async for chunk in self.llm.astream(prepared.question, prepared.evidence):
            parts.append(chunk)
            yield chunk
        yield self.finish(prepared, "".join(parts), chosen)

    def _complete_extractive(self, prepared: Prepared, backend: Backend) -> CitedAnswer:
        """The extractive answer, or the refusal when evidence is missing or (for llm) unsupported."""
        if prepared.refusal:
            prepared.refusal.backend = backend
            return prepared.refusal
        if backend == "llm":
            return self._refuse(prepared, backend, UNSUPPORTED)
        return self._extract(prepared)


SENTENCE_CHUNK = re.compile(r".+?(?:[.!?](?:\s+|$)|$)", re.DOTALL)


def _sentence_chunks(answer: CitedAnswer) -> list[str]:
    """An extractive answer streams sentence by sentence; the chunks join back to exactly its text."""
    return [chunk for chunk in SENTENCE_CHUNK.findall(answer.answer) if chunk]
