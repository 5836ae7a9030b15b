"""Briefings carry the evidence map of their topic and a "what kind of evidence" line per section
(real index and store of synthetic records, the bundled embedding model)."""

import pytest

from core.settings import Settings
from ingest.store import DocumentStore
from rag.answer.answerer import Answerer
from rag.briefing import Briefing, BriefingBuilder, render_briefing
from rag.retrieve.searcher import Searcher
from tests.rag.answer.answer_fixtures import build_index, embedder  # noqa: F401 (fixture)
from tests.rag.test_briefing import EVIDENCE


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Searcher:  # noqa: F811
    return build_index(tmp_path_factory.mktemp("briefing-map") / "data", EVIDENCE, embedder)


@pytest.fixture
def briefing(settings: Settings, searcher: Searcher, embedder) -> Briefing:  # noqa: F811
    settings.answer.min_relevance = 0.3
    with DocumentStore(searcher.settings.store_path) as store:
        return BriefingBuilder(Answerer(settings, searcher, embedder), store).build(
            "mesenchymal stem cell extracellular vesicles"
        )


def test_the_briefing_maps_its_records_by_source_and_evidence_level(briefing: Briefing):
    evidence_map = briefing.evidence_map
    assert evidence_map is not None
    assert (evidence_map.rows_facet, evidence_map.cols_facet) == ("source", "evidence")
    mapped = {p for c in evidence_map.cells for p in c.pmids}
    assert briefing.cited_pmids() <= mapped
    assert "umbilical cord" in evidence_map.rows
    assert evidence_map.count("unknown", "human trial") == 1  # the synthetic phase 1 trial


def test_each_section_says_what_kind_of_evidence_backs_it(briefing: Briefing):
    trials = next(s for s in briefing.sections if s.title == "Clinical trials")
    assert trials.evidence_line is not None and "1 human" in trials.evidence_line
    for section in briefing.sections:
        if section.bullets:
            assert section.evidence_line and section.evidence_line.startswith("What kind of evidence: ")
        else:
            assert section.evidence_line is None


def test_markdown_and_html_show_the_map_and_the_lines(briefing: Briefing):
    markdown = render_briefing(briefing, "md")
    assert "## Evidence map" in markdown and "| source \\ evidence |" in markdown
    assert "_What kind of evidence: " in markdown
    html = render_briefing(briefing, "html")
    assert '<table class="evidence-map">' in html and 'class="meta evidence-line"' in html
    assert '"evidence_map"' in render_briefing(briefing, "json")


def test_references_carry_the_same_evidence_level_as_the_map(briefing: Briefing):
    mapped = {pmid: cell.col for cell in briefing.evidence_map.cells for pmid in cell.pmids}
    assert briefing.references
    for reference in briefing.references:
        assert reference.evidence_level == mapped[reference.pmid]
        assert f"({reference.evidence_level}" in render_briefing(briefing, "md")
