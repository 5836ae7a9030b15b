"""Reference export: real PubMed records (the recorded NCBI efetch answers) and synthetic edge cases,
written as RIS / BibTeX / CSL-JSON and read back by independent libraries (rispy, bibtexparser,
citeproc-py), keeping PMID, DOI, title, authors, journal and year."""

import json

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON

from core.errors import InputError
from ingest.pubmed_xml import parse_pubmed_xml
from ingest.records import PubMedRecord
from rag.review.citation_export import clean_title, export_references, split_author
from tests.conftest import FIXTURES


def fixture_records() -> list[PubMedRecord]:
    records = []
    for name in ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml", "pubmed7.xml"):
        data = (FIXTURES / "entrez" / name).read_bytes()
        records += [r for r in parse_pubmed_xml(data, name) if isinstance(r, PubMedRecord)]
    return records


def synthetic_edge_cases() -> list[PubMedRecord]:
    return [
        PubMedRecord(pmid="94000001", title="Synthetic CD34<sup>+</sup> cells &amp; <i>in vitro</i> 50% {braces}.",
                     authors=["Hambrick GW Jr", "Synthetic Consortium for Tests", "O'Neil-Smith AB"],
                     journal="J Synth Tests & Methods", year=2024, doi="10.5555/synthetic_1", sources=["synthetic"]),
        PubMedRecord(pmid="94000002", title="", abstract="Synthetic record without title, authors, journal or year."),
    ]


@pytest.fixture(scope="module")
def records() -> list[PubMedRecord]:
    found = fixture_records() + synthetic_edge_cases()
    assert len(found) >= 9 and sum(bool(r.doi) for r in found) >= 6
    return found


def family_names(record: PubMedRecord) -> list[str]:
    return [split_author(a).family for a in record.authors]


def test_ris_reads_back_with_rispy(records):
    entries = rispy.loads(export_references(records, "ris"))
    assert len(entries) == len(records)
    for entry, record in zip(entries, records, strict=True):
        assert entry["accession_number"] == record.pmid
        assert entry.get("doi") == record.doi
        assert entry.get("title", "") == clean_title(record.title)
        assert entry.get("journal_name") == record.journal
        assert entry.get("year") == (str(record.year) if record.year else None)
        assert [a.split(",")[0] for a in entry.get("authors", [])] == family_names(record)


def test_ris_records_start_at_their_type_line_without_numbering_or_empty_titles(records):
    """Reference managers read a record from its TY line, as PubMed writes RIS: no "1." line (rispy's default
    header) and no empty TI for the untitled snapshot records."""
    text = export_references(records, "ris")
    blocks = [block for block in text.strip().split("\n\n") if block]
    assert len(blocks) == len(records)
    assert all(block.startswith("TY  - JOUR\n") and block.rstrip().endswith("ER  -") for block in blocks)
    assert "TI  - \n" not in text and not any(line.rstrip(".").isdigit() for line in text.splitlines())


def test_bibtex_reads_back_with_bibtexparser(records):
    library = bibtexparser.parse_string(export_references(records, "bibtex"))
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == [f"pmid{r.pmid}" for r in records]
    for entry, record in zip(library.entries, records, strict=True):
        fields = {k: v.strip("{}") for k, v in entry.fields_dict.items() for v in [entry.fields_dict[k].value]}
        assert fields["pmid"] == record.pmid
        assert fields.get("doi") == record.doi
        assert fields.get("year") == (str(record.year) if record.year else None)
        title = fields["title"].replace("\\", "")
        assert title == clean_title(record.title).replace("{", "(").replace("}", ")")
        if record.journal:
            assert fields["journal"].replace("\\", "") == record.journal
        authors = [a.strip().strip("{}").split(",")[0] for a in fields.get("author", "").split(" and ") if a.strip()]
        assert authors == family_names(record)


def test_csl_json_renders_with_citeproc(records):
    items = json.loads(export_references(records, "csljson"))
    assert [i["PMID"] for i in items] == [r.pmid for r in records]
    assert [i.get("DOI") for i in items] == [r.doi for r in records]
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == len(records)
    text = "\n".join(rendered)
    for record in records:
        if record.title:
            assert clean_title(record.title)[:30] in text
        if record.authors:
            assert family_names(record)[0] in text
        if record.year:
            assert str(record.year) in text


def test_titles_lose_inline_markup_in_every_format():
    record = synthetic_edge_cases()[0]
    assert clean_title(record.title) == "Synthetic CD34+ cells & in vitro 50% {braces}"
    for fmt in ("ris", "bibtex", "csljson"):
        assert "<sup>" not in export_references([record], fmt)


def test_author_names_are_split_as_pubmed_writes_them():
    assert split_author("Hambrick GW Jr") == split_author("Hambrick GW Jr")
    name = split_author("Hambrick GW Jr")
    assert (name.family, name.given, name.suffix) == ("Hambrick", "GW", "Jr")
    assert split_author("Beane Freeman LE").family == "Beane Freeman"
    assert split_author("Synthetic Consortium for Tests").literal


def test_an_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="use one of ris, bibtex, csljson"):
        export_references([], "endnote")
