"""Briefings: a structured, citation-backed overview of a topic, rendered as Markdown, HTML or JSON.

Each section runs its own retrieval (the topic plus the section's focus, steered by the matching
question category) and picks evidence sentences with the extractive backend, so every bullet is a
sentence from a record and carries that record's citation. Sections never repeat a sentence; the
executive summary is chosen last, from the topic's own retrieval, and may restate a section's bullet.
References are numbered in reading order of first citation; a section without relevant evidence says so
instead of filling space. A bullet stands alone, so the record it quotes must itself name what the topic names
(`rag.answer.single_record.covers_question`): asked for MSC vesicles in acute lung injury, the 30k snapshot's
briefing had quoted a chondrogenic exosome study and a cancer exosome study, records the answer path would not cite
for that question.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel, Field

from core.errors import InputError
from ingest.store import DocumentStore
from rag.answer.answerer import Answerer, Prepared
from rag.answer.citations import pmid_link
from rag.answer.extractive import ScoredSentence
from rag.answer.routing import Route
from rag.answer.single_record import covers_question
from rag.display import display_title
from rag.evidence_line import evidence_line
from rag.review.evidence_map import EvidenceMap, build_map
from rag.review.profile import EvidenceProfile, profile_record
from rag.types import Category, Evidence, SearchFilters

FORMATS: tuple[str, ...] = ("md", "html", "json")
TRIAL_TYPES = {"clinical trial", "randomized controlled trial"}
GAP_CUE = re.compile(
    r"\b(?:remains? (?:unclear|unknown|elusive|to be)|(?:further|future|more|larger) (?:\w+ )?(?:studies|research|"
    r"trials|investigations?|work)|(?:is|are) (?:still )?(?:lacking|limited|unknown|unclear)|lack of|limitations?|"
    r"challeng\w+|not yet|poorly understood|little is known|heterogene\w+|need(?:ed|s)? (?:to|for))\b",
    re.IGNORECASE,
)
MECHANISM_CUE = re.compile(
    r"\b(?:mechanis\w*|pathways?|signal\w*|mediat\w*|paracrine|miR-?\w*|microRNAs?|cargo|via|through|"
    r"by (?:inhibiting|activating|promoting|reducing|suppressing|targeting)|regulat\w*|activat\w*|inhibit\w*|"
    r"suppress\w*|polari[sz]\w*|apoptosis|angiogen\w*|anti-inflammatory|immunomodulat\w*)\b",
    re.IGNORECASE,
)
SOURCE_CUE = re.compile(
    r"\b(?:derived|sources?|isolat\w*|produc\w*|manufactur\w*|yield|cultur\w*|bioreactors?|precondition\w*|"
    r"hypoxi\w*|bone marrow|adipose|umbilical|placenta\w*|amniotic|Wharton|dental pulp|ultracentrifugation|"
    r"scal\w+|harvest\w*|conditioned medi\w*)\b",
    re.IGNORECASE,
)
REGULATORY_CUE = re.compile(
    r"\b(?:regulat\w+ (?:approval|framework|agenc\w+|requirements?|hurdles?|issues?)|regulatory|FDA|EMA|GMP|"
    r"standardi[sz]\w*|guidelines?|potency|release criteria|quality|reproducib\w*|heterogene\w*|variab\w*|"
    r"harmoni[sz]\w*|characteri[sz]ation|safety concerns?|batch|lot|criteria|consensus|MISEV\w*)\b",
    re.IGNORECASE,
)
SUMMARY_BULLETS = 3
SECTION_BULLETS = 4


@dataclass(frozen=True)
class SectionSpec:
    title: str
    category: Category
    focus: str
    empty_note: str
    keep: Callable[[str], bool] | None = None


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "Mechanisms", "mechanisms", "mechanism of action paracrine signalling pathways cargo",
        "No record in the corpus describes mechanisms for this topic.",
        keep=lambda sentence: bool(MECHANISM_CUE.search(sentence)),
    ),
    SectionSpec(
        "Sources and manufacturing", "sources", "cell source isolation production culture conditions",
        "No record in the corpus describes sources or manufacturing for this topic.",
        keep=lambda sentence: bool(SOURCE_CUE.search(sentence)),
    ),
    SectionSpec(
        "Clinical trials", "trials", "clinical trial patients safety efficacy phase",
        "No clinical trial on this topic is in the corpus.",
    ),
    SectionSpec(
        "Regulatory and standardization hurdles", "regulatory",
        "regulatory standardization quality control potency guidelines challenges",
        "No record in the corpus addresses regulatory or standardization hurdles for this topic.",
        keep=lambda sentence: bool(REGULATORY_CUE.search(sentence)),
    ),
    SectionSpec(
        "Evidence gaps", "other", "limitations remains unclear further studies needed",
        "The retrieved records state no open questions or limitations for this topic.",
        keep=lambda sentence: bool(GAP_CUE.search(sentence)),
    ),
)


class Bullet(BaseModel):
    """One claim: an evidence sentence with its citations (PMIDs and their reference numbers)."""

    text: str
    pmids: list[str]
    refs: list[int] = Field(default_factory=list)
    detail: str | None = Field(None, description="Trial registry ids and phase, where the record has them.")


class Section(BaseModel):
    title: str
    bullets: list[Bullet] = Field(default_factory=list)
    note: str | None = Field(None, description="Why the section is empty, when it is.")
    evidence_line: str | None = Field(None, description="What kind of evidence backs the section's bullets.")


class Reference(BaseModel):
    number: int
    pmid: str
    title: str = ""
    authors: list[str] = Field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    link: str
    study_type: str = "other"
    evidence_level: str | None = Field(
        None, description="The evidence profile's level, as the map and the evidence lines show it (needs the store)."
    )
    phase: str | None = None
    trial_ids: list[str] = Field(default_factory=list)

    @property
    def author_line(self) -> str:
        if not self.authors:
            return ""
        shown = ", ".join(self.authors[:3])
        return f"{shown}, et al." if len(self.authors) > 3 else f"{shown}."


class Briefing(BaseModel):
    """A topic briefing; every bullet cites, every reference is cited."""

    topic: str
    title: str
    generated_at: str
    executive_summary: list[Bullet] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    evidence_map: EvidenceMap | None = Field(None, description="Source x evidence level of the topic's records.")

    def cited_pmids(self) -> set[str]:
        bullets = [*self.executive_summary, *(b for s in self.sections for b in s.bullets)]
        return {p for b in bullets for p in b.pmids}


class BriefingBuilder:
    """Builds briefings from an Answerer's retrieval and extractive selection (and the store for authors)."""

    def __init__(self, answerer: Answerer, store: DocumentStore | None = None):
        self.answerer = answerer
        self.store = store

    def build(self, topic: str, filters: SearchFilters | None = None) -> Briefing:
        topic = topic.strip()
        if not topic:
            raise InputError("the briefing topic is empty")
        found: dict[str, Reference] = {}
        used: set[str] = set()
        self._retrieved: dict[str, None] = {}
        built = {spec.title: self._section(spec, topic, filters, used, found) for spec in _claim_order(SECTIONS)}
        sections = [built[spec.title] for spec in SECTIONS]
        overview = self.answerer.prepare(topic, filters)
        overview.evidence = self._on_topic(topic, overview.evidence)
        warnings = list(overview.warnings)
        summary = [] if overview.refusal else self._bullets(overview, topic, SUMMARY_BULLETS, set(), found)
        if not summary and not any(s.bullets for s in sections):
            warnings.append("the corpus holds no evidence relevant enough for this topic")
        summary, sections, references = _number_references(summary, sections, self._with_authors(found))
        self._retrieved.update(dict.fromkeys(e.pmid for e in overview.evidence))
        profiles = self._profiles([*self._retrieved, *found])
        sections = [s.model_copy(update={"evidence_line": _evidence_line(s, profiles)}) for s in sections]
        references = [
            r.model_copy(update={"evidence_level": profiles[r.pmid].evidence}) if r.pmid in profiles else r
            for r in references
        ]
        return Briefing(
            topic=topic,
            title=f"Evidence briefing: {topic}",
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            executive_summary=summary,
            sections=sections,
            references=references,
            warnings=warnings,
            evidence_map=build_map(profiles.values(), "source", "evidence", query=topic) if profiles else None,
        )

    def _on_topic(self, topic: str, evidence: list[Evidence]) -> list[Evidence]:
        rules = self.answerer.settings.answer
        if not rules.briefing_topic_coverage:
            return evidence
        return [e for e in evidence if covers_question(topic, e, rules)]

    def _profiles(self, pmids: list[str]) -> dict[str, EvidenceProfile]:
        """Evidence profiles of the topic's records (needs the store; none without it)."""
        if self.store is None or not pmids:
            return {}
        return {pmid: profile_record(record) for pmid, record in self.store.get_many(pmids).items()}

    def _section(
        self,
        spec: SectionSpec,
        topic: str,
        filters: SearchFilters | None,
        used: set[str],
        found: dict[str, Reference],
    ) -> Section:
        query = f"{topic} {spec.focus}"
        route = Route(spec.category)
        prepared = self.answerer.prepare(query, filters, route=route)
        prepared.evidence = self._on_topic(topic, prepared.evidence)
        self._retrieved.update(dict.fromkeys(e.pmid for e in prepared.evidence))
        if spec.category == "trials":
            registered = (filters or SearchFilters()).model_copy(update={"has_trial_id": True})
            with_ids = self.answerer.prepare(query, registered, route=route)
            trial_like = [e for e in prepared.evidence if prepared.kinds[e.pmid].name in TRIAL_TYPES]
            merged = {e.pmid: e for e in [*self._on_topic(topic, with_ids.evidence), *trial_like]}
            prepared.kinds.update(with_ids.kinds)
            prepared.evidence = list(merged.values())
        if not prepared.evidence:
            return Section(title=spec.title, note=spec.empty_note)
        # Retrieval is steered by the section's focus; sentences are scored against the topic itself and
        # must carry the section's cue words, so a bullet is both on topic and about the section.
        bullets = self._bullets(prepared, topic, SECTION_BULLETS, used, found, spec.keep)
        return Section(title=spec.title, bullets=bullets, note=None if bullets else spec.empty_note)

    def _bullets(
        self,
        prepared: Prepared,
        query: str,
        limit: int,
        used: set[str],
        found: dict[str, Reference],
        keep: Callable[[str], bool] | None = None,
    ) -> list[Bullet]:
        picked: Sequence[ScoredSentence] = self.answerer.extractive.select(
            query, prepared.evidence, limit=limit, exclude=used, keep=keep
        )
        bullets = []
        for sentence in picked:
            used.add(sentence.candidate.text)
            pmid = sentence.candidate.pmid
            reference = found.setdefault(pmid, _reference(prepared, pmid))
            text = sentence.candidate.text
            bullets.append(
                Bullet(text=text if text[-1] in ".!?" else f"{text}.", pmids=[pmid], detail=_trial_detail(reference))
            )
        return bullets

    def _with_authors(self, found: dict[str, Reference]) -> dict[str, Reference]:
        """Evidence carries no author list; the store has it."""
        if self.store is None or not found:
            return found
        records = self.store.get_many(found)
        return {
            pmid: ref.model_copy(
                update={
                    "authors": r.authors,
                    "journal": ref.journal or r.journal,
                    "title": ref.title or display_title(r.title, r.abstract),
                }
            )
            if (r := records.get(pmid))
            else ref
            for pmid, ref in found.items()
        }


def _reference(prepared: Prepared, pmid: str) -> Reference:
    item = next(e for e in prepared.evidence if e.pmid == pmid)
    kind = prepared.kinds[pmid]
    return Reference(
        number=0,
        pmid=pmid,
        title=display_title(item.title, item.passages[0].text if item.passages else None),
        journal=item.journal,
        year=item.year,
        link=pmid_link(pmid),
        study_type=kind.name,
        phase=kind.phase,
        trial_ids=kind.trial_ids,
    )


def _number_references(
    summary: list[Bullet], sections: list[Section], found: dict[str, Reference]
) -> tuple[list[Bullet], list[Section], list[Reference]]:
    """Number references in reading order (summary, then sections) and point every bullet at its numbers."""
    order = list(dict.fromkeys(p for b in [*summary, *(b for s in sections for b in s.bullets)] for p in b.pmids))
    numbers = {pmid: index for index, pmid in enumerate(order, start=1)}

    def numbered(bullets: list[Bullet]) -> list[Bullet]:
        return [b.model_copy(update={"refs": [numbers[p] for p in b.pmids]}) for b in bullets]

    sections = [s.model_copy(update={"bullets": numbered(s.bullets)}) for s in sections]
    references = [found[p].model_copy(update={"number": numbers[p]}) for p in order]
    return numbered(summary), sections, references


def _evidence_line(section: Section, profiles: dict[str, EvidenceProfile]) -> str | None:
    """How many in vitro / animal / human studies (and reviews) the section's bullets cite."""
    cited = list(dict.fromkeys(p for b in section.bullets for p in b.pmids))
    return evidence_line([profiles[p].evidence for p in cited if p in profiles])


def _claim_order(specs: Sequence[SectionSpec]) -> list[SectionSpec]:
    """The most specific sections pick their sentences first, so a trial's sentence lands under trials
    rather than being taken by the broader mechanisms section; evidence gaps take what is left."""
    rank = {"trials": 0, "regulatory": 1, "sources": 2, "mechanisms": 3, "other": 4}
    return sorted(specs, key=lambda spec: rank[spec.category])


def _trial_detail(reference: Reference) -> str | None:
    if reference.study_type not in TRIAL_TYPES and not reference.trial_ids:
        return None
    parts = [*reference.trial_ids]
    if reference.phase:
        parts.append(f"phase {reference.phase}")
    return ", ".join(parts) or None


def _environment(autoescape: bool) -> Environment:
    return Environment(
        loader=PackageLoader("rag", "templates"),
        autoescape=select_autoescape(["html.j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_briefing(briefing: Briefing, fmt: str) -> str:
    """The briefing as Markdown (renders on GitHub), a standalone HTML page, or JSON."""
    if fmt not in FORMATS:
        raise InputError(f"unknown briefing format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "json":
        return briefing.model_dump_json(indent=2)
    template = "briefing.html.j2" if fmt == "html" else "briefing.md.j2"
    return _environment(fmt == "html").get_template(template).render(b=briefing)
