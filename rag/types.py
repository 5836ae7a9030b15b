"""Domain types shared by retrieval, answering and briefings (and serialised by the API and eval).

The choices users pick from (retrieval mode, answer backend, briefing format) are declared once in
rag/choices.py (standard library only) and re-exported here.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rag.choices import RETRIEVAL_MODES, AnswerBackend, BriefingFormat, RetrievalMode
from rag.evidence_line import evidence_line

__all__ = [
    "RETRIEVAL_MODES", "AnswerBackend", "BriefingFormat", "Category", "Citation", "CitedAnswer", "Evidence",
    "Passage", "RetrievalMode", "SearchFilters", "Verdict",
]

Category = Literal["mechanisms", "sources", "trials", "regulatory", "other"]
Verdict = Literal["yes", "no", "undetermined"]
AnswerForm = Literal["yes_no", "factoid", "list", "summary"]




class SearchFilters(BaseModel):
    """Metadata filters applied to every retriever before fusion."""

    model_config = ConfigDict(extra="forbid")

    year_from: int | None = Field(None, ge=1800, le=2100)
    year_to: int | None = Field(None, ge=1800, le=2100)
    pub_types: list[str] = Field(default_factory=list, description="Keep records with any of these publication types.")
    has_trial_id: bool | None = Field(None, description="Keep only records with (True) or without (False) a trial id.")
    exclude_retracted: bool = False
    sources: list[str] = Field(default_factory=list, description="Keep records from any of these sources.")


class Passage(BaseModel):
    """A chunk of a record that matched the query."""

    chunk_id: str = Field(description="`{pmid}:{index}`, stable across rebuilds.")
    text: str
    section: str = ""
    score: float = Field(description="Fused score of this chunk.")


class Evidence(BaseModel):
    """One retrieved record with its best passages: the unit answers cite."""

    pmid: str
    title: str = ""
    year: int | None = None
    journal: str | None = None
    pub_types: list[str] = Field(default_factory=list)
    mesh: list[str] = Field(default_factory=list)
    trial_ids: list[str] = Field(default_factory=list)
    retracted: bool = False
    source: str = ""
    abstract_complete: bool = True
    score: float = Field(description="Fused retrieval score (higher is better).")
    relevance: float = Field(description="Best dense cosine similarity of a passage to the query, in [-1, 1].")
    passages: list[Passage] = Field(default_factory=list)

    def joined_text(self, *, mesh: bool = False) -> str:
        """Title and retrieved passages (and MeSH headings), joined: what the rules that read a record search."""
        return " ".join([self.title, *(p.text for p in self.passages), *(self.mesh if mesh else ())])


class Citation(BaseModel):
    """A cited record, with what a reviewer needs to judge it at a glance."""

    pmid: str
    title: str = ""
    year: int | None = None
    journal: str | None = None
    link: str
    passage: str = Field("", description="The evidence text the citing sentence rests on.")
    study_type: str = "other"
    evidence_level: str | None = Field(
        None,
        description="The record's evidence level as the evidence map counts it (in vitro, animal, human trial, "
        "review, guideline, other); absent when the document store could not be read.",
    )
    phase: str | None = None
    trial_ids: list[str] = Field(default_factory=list)
    support: float | None = Field(
        None, description="The cross-encoder's probability that the cited passage answers the question."
    )
    abstract_complete: bool = Field(
        True, description="False when the store holds only part of the abstract: the rest may say more, or otherwise."
    )


class CitedAnswer(BaseModel):
    """An answer whose every citation was checked against its own evidence."""

    question: str
    standalone_question: str | None = Field(None, description="The question as rewritten from chat history.")
    answer: str = Field(description="Answer text; each sentence ends with `[PMID:n]` citations.")
    citations: list[Citation] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    verdict: Verdict | None = Field(None, description="For yes/no questions only.")
    verdict_probability: float | None = Field(None, description="The verdict model's P(yes), when it decided.")
    unsupported_sentences: list[str] = Field(
        default_factory=list, description="Cited sentences no passage of their cited records supports (flagged)."
    )
    supported_share: float | None = Field(None, description="Share of cited sentences their records support.")
    evidence_confidence: float | None = Field(
        None, description="The best evidence sentence's probability of answering the question (the refusal signal)."
    )
    refused: bool = False
    warnings: list[str] = Field(default_factory=list)
    category: Category = "other"
    answer_form: AnswerForm | None = Field(
        None, description="What the question asks for (yes_no, factoid, list, summary); shapes the extractive answer."
    )
    backend: str = "extractive"

    @computed_field(description="How many in vitro, animal and human studies the cited records are (their evidence levels).")
    @property
    def evidence_line(self) -> str | None:
        return evidence_line([c.evidence_level for c in self.citations if c.evidence_level])
