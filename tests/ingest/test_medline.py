"""MEDLINE text reader on the real PubMed exports in ../shared/fixtures/ncbi/medline."""

import pytest

from core.errors import InputError, ParseError
from ingest.medline import read_medline
from ingest.pubmed_fields import split_labelled_abstract
from ingest.records import AbstractSection, MeshHeading, PubMedRecord, SkippedRecord
from tests.conftest import FIXTURES

MEDLINE = FIXTURES / "medline"

EXPECTED_TITLES = {
    "pubmed_result1.txt": {"12230038": "The Bio* toolkits--a brief overview."},
    "pubmed_result2.txt": {
        "16403221": "A high level interface to SCOP and ASTRAL implemented in python.",
        "16377612": "GenomeDiagram: a python package for the visualization of large-scale genomic data.",
        "14871861": "Open source clustering software.",
        "14630660": "PDB file parser and structure class implemented in Python.",
    },
    "pubmed_result3.txt": {
        "23039619": "Effects of different parameters in the fast scanning method for HIFU treatment."
    },
}


def records_of(name: str) -> dict[str, PubMedRecord]:
    results = read_medline(MEDLINE / name)
    assert all(isinstance(r, PubMedRecord) for r in results), results
    return {r.pmid: r for r in results}


def test_every_medline_fixture_is_covered():
    assert sorted(p.name for p in MEDLINE.glob("*.txt")) == sorted(EXPECTED_TITLES)


@pytest.mark.parametrize("name", sorted(EXPECTED_TITLES))
def test_each_fixture_yields_its_pmids_and_titles_in_order(name):
    results = read_medline(MEDLINE / name)
    assert [(r.pmid, r.title) for r in results] == list(EXPECTED_TITLES[name].items())
    assert all(r.sources == ["pubmed"] and r.language == "eng" for r in results)


def test_single_record_fields():
    record = records_of("pubmed_result1.txt")["12230038"]
    assert record.abstract.startswith("Bioinformatics research is often difficult to do with commercial software.")
    assert record.abstract.endswith("particularly from the point of view of the beginning biologist programmer.")
    assert "\n" not in record.abstract and "  " not in record.abstract
    assert record.abstract_sections == [AbstractSection(text=record.abstract)]
    assert record.authors == ["Mangalam H"]
    assert record.journal == "Brief Bioinform"
    assert (record.pub_date, record.year) == ("2002 Sep", 2002)
    assert record.pub_types == ["Journal Article"]
    assert record.doi is None
    assert [h.descriptor for h in record.mesh if h.major_topic] == [
        "Computational Biology",
        "Programming Languages",
        "Software",
    ]
    assert MeshHeading(descriptor="Humans") in record.mesh


def test_labelled_abstract_is_split_into_sections():
    record = records_of("pubmed_result3.txt")["23039619"]
    assert [s.label for s in record.abstract_sections] == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.abstract.startswith("PURPOSE: High-intensity focused ultrasound is a promising method")
    assert record.abstract_sections[2].text.startswith("Based on the results of the fast-scanning method")
    assert record.doi == "10.1118/1.4748329"
    assert record.journal == "Med Phys"
    assert record.pub_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert record.authors == ["Qiao S", "Shen G", "Bai J", "Chen Y"]
    # a MeSH term wrapped over two lines, with a starred (major) qualifier
    assert (
        MeshHeading(
            descriptor="High-Intensity Focused Ultrasound Ablation",
            major_topic=True,
            qualifiers=["adverse effects", "instrumentation", "methods"],
        )
        in record.mesh
    )


def test_multi_record_export_fields():
    records = records_of("pubmed_result2.txt")
    scop = records["16403221"]
    assert [s.label for s in scop.abstract_sections] == ["BACKGROUND", "RESULTS", "CONCLUSION"]
    assert scop.doi == "10.1186/1471-2105-7-10"
    assert scop.pmc_id == "PMC1373603"
    assert (scop.pub_date, scop.year) == ("2006", 2006)
    assert scop.pub_types == ["Evaluation Studies", "Journal Article"]
    assert MeshHeading(descriptor="Sequence Alignment", major_topic=True, qualifiers=["methods"]) in scop.mesh

    diagram = records["16377612"]
    assert [s.label for s in diagram.abstract_sections] == ["SUMMARY", "AVAILABILITY", "SUPPLEMENTARY INFORMATION"]
    assert diagram.doi == "10.1093/bioinformatics/btk021"
    assert diagram.pub_date == "2006 Mar 1"

    clustering = records["14871861"]
    assert clustering.authors[0] == "de Hoon MJ"
    assert clustering.doi == "10.1093/bioinformatics/bth078"
    assert clustering.pub_types == ["Comparative Study", "Evaluation Studies", "Journal Article", "Validation Studies"]

    pdb = records["14630660"]
    assert pdb.doi is None and pdb.pmc_id is None
    assert len(pdb.abstract_sections) == 1  # a label in mid-text is not a structured abstract


def test_broken_record_is_skipped_and_the_others_kept(tmp_path):
    real = (MEDLINE / "pubmed_result1.txt").read_text()
    text = (
        real
        + "\nTI  - Synthetic record about a citation that lost its PMID.\nLA  - eng\n"
        + "\nPMID- 900000001\nTI  - Synthetic record about a damaged export.\n{not a MEDLINE line}\n"
        + "\n"
        + (MEDLINE / "pubmed_result3.txt").read_text()
    )
    export = tmp_path / "export.txt"
    export.write_text(text)
    bad_line = text.splitlines().index("{not a MEDLINE line}") + 1
    results = read_medline(export)
    assert [type(r) for r in results] == [PubMedRecord, SkippedRecord, SkippedRecord, PubMedRecord]
    assert results[1].origin == f"{export} record 2"
    assert results[1].reason.startswith("no PMID")
    assert results[2].origin == f"{export} record 3"
    assert results[2].reason.startswith(f"malformed record: line {bad_line}: not a MEDLINE field")
    assert [r.pmid for r in results if isinstance(r, PubMedRecord)] == ["12230038", "23039619"]


def test_retraction_erratum_and_trial_fields(tmp_path):
    export = tmp_path / "links.txt"
    export.write_text(
        "PMID- 900000002\n"
        "TI  - Synthetic record about a retracted trial (NCT01234567).\n"
        "AB  - Synthetic abstract. (ABSTRACT TRUNCATED AT 250 WORDS)\n"
        "PT  - Journal Article\n"
        "PT  - Retracted Publication\n"
        "SI  - ClinicalTrials.gov/NCT07654321\n"
        "SI  - GENBANK/AB000001\n"
        "RIN - Synthetic J. 2024;1:1. PMID: 900000003\n"
        "EIN - Synthetic J. 2023;1:2. PMID: 900000004\n"
        "CN  - Synthetic Study Group\n"
    )
    (record,) = read_medline(export)
    assert record.trial_ids == ["NCT07654321", "NCT01234567"]
    assert record.retraction_in == ["900000003"]
    assert record.erratum_in == ["900000004"]
    assert record.retracted
    assert record.authors == ["Synthetic Study Group"]
    assert not record.abstract_complete


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\n\n   \n", "no MEDLINE records"),
        (b'{"pmid": "900000005", "title": "Synthetic record"}\n', "not MEDLINE text: line 1"),
        (b"PMID- 900000006\nTI  - Synthetic \xff record\n", "not UTF-8 text at line 2 (byte offset 32)"),
    ],
)
def test_unusable_files_raise_parse_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ParseError) as caught:
        read_medline(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_xml_given_as_medline_is_refused():
    with pytest.raises(ParseError, match="pubmed1.xml: not MEDLINE text: line 1"):
        read_medline(FIXTURES / "entrez" / "pubmed1.xml")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="gone.txt"):
        read_medline(tmp_path / "gone.txt")


def test_label_splitting_rules():
    assert split_labelled_abstract("BACKGROUND: One. RESULTS: Two (p<0.05). CONCLUSIONS: Three.") == [
        AbstractSection(label="BACKGROUND", text="One."),
        AbstractSection(label="RESULTS", text="Two (p<0.05)."),
        AbstractSection(label="CONCLUSIONS", text="Three."),
    ]
    assert split_labelled_abstract("Plain text. NOTE: not a structured abstract.") == [
        AbstractSection(text="Plain text. NOTE: not a structured abstract.")
    ]
    assert split_labelled_abstract("") == []
