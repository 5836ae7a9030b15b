"""The record every stage shares: one PubMed article, whatever source it came from."""

import hashlib
import re

from pydantic import BaseModel, ConfigDict, Field, computed_field

NCT_PATTERN = re.compile(r"\bNCT\d{8}\b")


class AbstractSection(BaseModel):
    """A labelled part of a structured abstract (label is "" for unlabelled text)."""

    model_config = ConfigDict(frozen=True)

    label: str = ""
    text: str


class MeshHeading(BaseModel):
    """A MeSH descriptor with its major-topic flag and qualifiers."""

    model_config = ConfigDict(frozen=True)

    descriptor: str
    major_topic: bool = False
    qualifiers: list[str] = Field(default_factory=list)


class PubMedRecord(BaseModel):
    """One article as the document store keeps it.

    `abstract` keeps section labels inline ("BACKGROUND: ..."), so text search sees them;
    `abstract_sections` keeps the structure for chunking.
    """

    model_config = ConfigDict(extra="forbid")

    pmid: str = Field(pattern=r"^\d{1,9}$")
    title: str = ""
    abstract: str = ""
    abstract_sections: list[AbstractSection] = Field(default_factory=list)
    abstract_complete: bool = True
    journal: str | None = None
    pub_date: str | None = Field(None, description="Publication date as PubMed gives it, e.g. 2023 Jan 5.")
    year: int | None = None
    authors: list[str] = Field(default_factory=list)
    mesh: list[MeshHeading] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    pub_types: list[str] = Field(default_factory=list)
    doi: str | None = None
    pmc_id: str | None = None
    trial_ids: list[str] = Field(default_factory=list, description="Registry ids, e.g. NCT numbers.")
    language: str | None = None
    retraction_in: list[str] = Field(default_factory=list, description="PMIDs of retraction notices.")
    erratum_in: list[str] = Field(default_factory=list, description="PMIDs of errata.")
    sources: list[str] = Field(default_factory=list, description="Where the record came from (pubmed, pubmed-rss, ...).")

    @computed_field
    @property
    def retracted(self) -> bool:
        return bool(self.retraction_in) or "Retracted Publication" in self.pub_types

    def content_hash(self) -> str:
        """Hash of everything but provenance: an unchanged article re-ingested stores nothing."""
        payload = self.model_dump_json(exclude={"sources", "retracted"})
        return hashlib.sha256(payload.encode()).hexdigest()


def trial_ids_in_text(*texts: str) -> list[str]:
    """NCT registry numbers mentioned in free text, in order of first mention."""
    found: dict[str, None] = {}
    for text in texts:
        for match in NCT_PATTERN.findall(text or ""):
            found.setdefault(match, None)
    return list(found)


def merge_trial_ids(listed: list[str], *texts: str) -> list[str]:
    """Registry ids from DataBankList first, then any NCT number the text mentions."""
    return list(dict.fromkeys([*listed, *trial_ids_in_text(*texts)]))


class SkippedRecord(BaseModel):
    """A record a reader could not use; the run goes on and the summary reports it."""

    origin: str = Field(description="File (or query) and position, e.g. `export.txt record 3`.")
    reason: str
