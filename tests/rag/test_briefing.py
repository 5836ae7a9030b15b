"""Briefings: structure, every bullet cited, reference list and citations consistent, all three formats."""

import json
import re

import pytest

from core.errors import InputError
from core.settings import Settings
from ingest.store import DocumentStore
from rag.answer.answerer import Answerer
from rag.briefing import Briefing, BriefingBuilder, render_briefing
from rag.retrieve.searcher import Searcher
from tests.rag.answer.answer_fixtures import build_index, embedder, synthetic_evidence  # noqa: F401 (fixture)

EVIDENCE = [
    synthetic_evidence(
        "90000201",
        "Synthetic MSC extracellular vesicles carried miR-146a that shifted macrophages toward an anti-inflammatory state.",
        "The synthetic vesicles suppressed NF-kB signalling in target cells.",
        relevance=0.7, score=0.05,
    ),
    synthetic_evidence(
        "90000202",
        "Synthetic vesicles were isolated from umbilical cord MSC conditioned medium by ultracentrifugation.",
        "Hypoxic culture conditions increased the synthetic vesicle yield per cell.",
        relevance=0.65, score=0.045,
    ),
    synthetic_evidence(
        "90000203",
        "In this synthetic phase 1 trial, 12 patients received MSC extracellular vesicles without serious adverse events.",
        relevance=0.6, score=0.04, trial_ids=["NCT09999999"],
    ),
    synthetic_evidence(
        "90000204",
        "Synthetic standardization of vesicle potency assays remains a major regulatory challenge.",
        "Further studies are needed to define release criteria for synthetic vesicle products.",
        relevance=0.6, score=0.035,
    ),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory, embedder) -> Searcher:  # noqa: F811
    return build_index(tmp_path_factory.mktemp("briefing") / "data", EVIDENCE, embedder)


@pytest.fixture
def builder(settings: Settings, searcher: Searcher, embedder):  # noqa: F811
    settings.answer.min_relevance = 0.3
    with DocumentStore(searcher.settings.store_path) as store:
        yield BriefingBuilder(Answerer(settings, searcher, embedder), store)


@pytest.fixture
def briefing(builder: BriefingBuilder) -> Briefing:
    return builder.build("mesenchymal stem cell extracellular vesicles")


def test_sections_in_order_and_every_bullet_cited(briefing: Briefing) -> None:
    assert [s.title for s in briefing.sections] == [
        "Mechanisms", "Sources and manufacturing", "Clinical trials",
        "Regulatory and standardization hurdles", "Evidence gaps",
    ]
    assert briefing.executive_summary
    bullets = [*briefing.executive_summary, *(b for s in briefing.sections for b in s.bullets)]
    assert all(b.pmids and b.refs for b in bullets)
    for section in briefing.sections:
        assert section.bullets or section.note, f"{section.title} is empty without saying so"


def test_every_cited_pmid_is_listed_and_every_listed_pmid_is_cited(briefing: Briefing) -> None:
    listed = {r.pmid for r in briefing.references}
    assert briefing.cited_pmids() == listed
    assert [r.number for r in briefing.references] == list(range(1, len(listed) + 1))
    by_number = {r.number: r.pmid for r in briefing.references}
    reading_order = [*briefing.executive_summary, *(b for s in briefing.sections for b in s.bullets)]
    for bullet in reading_order:
        assert [by_number[n] for n in bullet.refs] == bullet.pmids
    first_seen = list(dict.fromkeys(n for b in reading_order for n in b.refs))
    assert first_seen == sorted(first_seen), "references are numbered in reading order"


def test_trial_bullets_show_registry_ids_and_phase(briefing: Briefing) -> None:
    trials = next(s for s in briefing.sections if s.title == "Clinical trials")
    assert trials.bullets, "the synthetic phase 1 trial should be found"
    assert all(b.pmids == ["90000203"] for b in trials.bullets)
    assert trials.bullets[0].detail == "NCT09999999, phase I"


def test_a_section_without_evidence_says_so(settings: Settings, tmp_path, embedder) -> None:  # noqa: F811
    settings.answer.min_relevance = 0.3
    no_trials = build_index(tmp_path / "data", [e for e in EVIDENCE if e.pmid != "90000203"], embedder)
    briefing = BriefingBuilder(Answerer(settings, no_trials, embedder)).build("MSC vesicles")
    trials = next(s for s in briefing.sections if s.title == "Clinical trials")
    assert trials.bullets == []
    assert trials.note == "No clinical trial on this topic is in the corpus."
    assert "90000203" not in briefing.cited_pmids()


def test_references_carry_authors_from_the_store(briefing: Briefing) -> None:
    assert all(r.authors == ["Synthetic A", "Example B"] for r in briefing.references)


def test_markdown_cites_by_number_and_lists_every_reference(briefing: Briefing) -> None:
    text = render_briefing(briefing, "md")
    assert text.startswith("# Evidence briefing: mesenchymal stem cell extracellular vesicles")
    body, references = text.split("## References")
    cited_numbers = {int(n) for n in re.findall(r"\[\[(\d+)\]\]\(https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/\)", body)}
    listed = re.findall(r"^(\d+)\. .*\[PMID:(\d+)\]\(https://pubmed\.ncbi\.nlm\.nih\.gov/\2/\)", references, re.MULTILINE)
    assert cited_numbers == {int(n) for n, _ in listed}
    assert {p for _, p in listed} == briefing.cited_pmids()
    assert "## Clinical trials" in body


def test_html_is_a_standalone_escaped_page(builder: BriefingBuilder) -> None:
    briefing = builder.build("vesicles <script>alert(1)</script>")
    page = render_briefing(briefing, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>" not in page
    assert page.count('<li id="ref-') == len(briefing.references)
    assert "https://pubmed.ncbi.nlm.nih.gov/" in page


def test_json_round_trips(briefing: Briefing) -> None:
    data = json.loads(render_briefing(briefing, "json"))
    assert Briefing.model_validate(data) == briefing


def test_bad_format_and_empty_topic_are_input_errors(briefing: Briefing, builder: BriefingBuilder) -> None:
    with pytest.raises(InputError, match="unknown briefing format"):
        render_briefing(briefing, "pdf")
    with pytest.raises(InputError):
        builder.build("  ")


def test_a_bullet_quotes_only_records_that_name_what_the_topic_names(builder: BriefingBuilder) -> None:
    briefing = builder.build("umbilical cord MSC extracellular vesicles")
    assert briefing.cited_pmids() == {"90000202"}  # the only synthetic record that names the umbilical cord


def test_a_topic_no_record_covers_gets_an_empty_briefing_that_says_so(builder: BriefingBuilder) -> None:
    briefing = builder.build("mesenchymal stem cell extracellular vesicles in kidney disease")
    assert not briefing.cited_pmids() and briefing.evidence_map is None
    assert "the corpus holds no evidence relevant enough for this topic" in briefing.warnings
    assert all(section.note for section in briefing.sections)


def test_the_topic_rule_can_be_turned_off(builder: BriefingBuilder) -> None:
    builder.answerer.settings.answer.briefing_topic_coverage = False
    assert builder.build("mesenchymal stem cell extracellular vesicles in kidney disease").cited_pmids()
