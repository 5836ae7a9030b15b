"""PubMed XML reader on the real NCBI efetch responses in ../shared/fixtures/ncbi/entrez."""

from pathlib import Path

import pytest

from core.errors import InputError, ParseError
from ingest.pubmed_xml import parse_pubmed_xml, read_pubmed_xml
from ingest.records import AbstractSection, MeshHeading, PubMedRecord, SkippedRecord
from tests.conftest import FIXTURES

ENTREZ = FIXTURES / "entrez"

# PMIDs and titles as they stand in each recorded efetch response.
EXPECTED_TITLES = {
    "pubmed1.xml": {
        "12091962": "The treatment of AIDS behind the walls of correctional facilities.",
        "9997": "Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction.",
    },
    "pubmed2.xml": {
        "11748933": "Is cryopreservation a homogeneous process? Ultrastructure and motility of untreated, "
        "prefreezing, and postthawed spermatozoa of Diplodus puntazzo (Cetti).",
        "11700088": "Proton MRI of (13)C distribution by J and chemical shift editing.",
    },
    "pubmed4.xml": {
        "27797938": "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer."
    },
    "pubmed5.xml": {
        "28775130": "Occupational pesticide exposure and subclinical hypothyroidism among male pesticide applicators."
    },
    "pubmed6.xml": {
        "30108519": 'A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent and Maximal Lactate '
        "Steady State in Trained Runners. Back to the Old Days?"
    },
    "pubmed7.xml": {
        "29963580": "Development of a pulmonary imaging biomarker pipeline for phenotyping of chronic lung disease."
    },
}


def records_of(name: str) -> dict[str, PubMedRecord]:
    results = read_pubmed_xml(ENTREZ / name)
    assert all(isinstance(r, PubMedRecord) for r in results), results
    return {r.pmid: r for r in results}


def test_every_pubmed_fixture_is_covered():
    assert sorted(p.name for p in ENTREZ.glob("pubmed*.xml")) == sorted(EXPECTED_TITLES)


@pytest.mark.parametrize("name", sorted(EXPECTED_TITLES))
def test_each_fixture_yields_its_pmids_and_titles(name):
    records = records_of(name)
    assert {pmid: r.title for pmid, r in records.items()} == EXPECTED_TITLES[name]
    for record in records.values():
        assert record.sources == ["pubmed"]
        assert record.language == "eng"
        assert "<" not in record.title


def test_structured_abstract_keeps_labels_inline_and_as_sections():
    record = records_of("pubmed4.xml")["27797938"]
    assert [s.label for s in record.abstract_sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert record.abstract_sections[0].text.startswith("Telomere shortening occurs as an early event")
    assert record.abstract.startswith("OBJECTIVE: Telomere shortening occurs")
    assert " DESIGN: We measured prediagnostic leucocyte telomere length in 386" in record.abstract
    # inline markup (<i>TERT</i>, p<sub>trend</sub>) is flattened to its text
    assert "telomerase reverse transcriptase (TERT) gene region" in record.abstract
    assert "ptrend=0.048" in record.abstract
    assert record.abstract_complete


def test_journal_article_fields():
    record = records_of("pubmed4.xml")["27797938"]
    assert record.doi == "10.1136/gutjnl-2016-312510"
    assert record.pmc_id == "PMC5442267"
    assert record.journal == "Gut"
    assert (record.pub_date, record.year) == ("2017 Jun", 2017)
    assert record.pub_types == [
        "Journal Article",
        "Observational Study",
        "Research Support, N.I.H., Extramural",
        "Research Support, U.S. Gov't, Non-P.H.S.",
        "Research Support, Non-U.S. Gov't",
    ]
    assert record.authors[:3] == ["Bao Y", "Prescott J", "Yuan C"]
    assert record.authors[-1] == "Wolpin BM"
    assert record.keywords == ["PANCREATIC CANCER"]
    # a heading is a major topic when a qualifier is, as PubMed's [majr] treats it
    assert record.mesh[0] == MeshHeading(
        descriptor="Adenocarcinoma", major_topic=True, qualifiers=["epidemiology", "genetics"]
    )
    assert MeshHeading(descriptor="Adult") in record.mesh
    assert "Pancreatic Neoplasms" in [h.descriptor for h in record.mesh]
    # cited references (CommentsCorrections RefType=Cites) are neither retractions nor errata
    assert record.retraction_in == [] and record.erratum_in == [] and not record.retracted


def test_labelled_sections_of_a_second_export():
    record = records_of("pubmed5.xml")["28775130"]
    assert [s.label for s in record.abstract_sections] == ["OBJECTIVES", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert record.abstract_sections[1].text.startswith("Self-reported lifetime pesticide use was obtained")
    assert record.keywords == [
        "agriculture",
        "hypothyroidism",
        "pesticides",
        "thyroid disease",
        "thyroid stimulating hormone",
    ]
    assert record.doi == "10.1136/oemed-2017-104431"
    assert record.pmc_id == "PMC5771820"
    assert record.mesh == []


def test_older_citations_without_abstract_or_doi():
    records = records_of("pubmed1.xml")
    no_abstract = records["12091962"]
    assert no_abstract.abstract == "" and no_abstract.abstract_sections == []
    assert (no_abstract.pub_date, no_abstract.year) == ("1990 Spring", 1990)
    assert no_abstract.doi is None and no_abstract.pmc_id is None
    assert no_abstract.pub_types == ["Journal Article", "Review"]
    assert no_abstract.keywords == ["Health Care and Public Health", "Legal Approach"]
    assert no_abstract.authors == ["Olivero JM"]
    majors = [h.descriptor for h in no_abstract.mesh if h.major_topic]
    assert majors == [
        "Acquired Immunodeficiency Syndrome",
        "HIV Seropositivity",
        "Jurisprudence",
        "Prisoners",
        "Public Policy",
    ]

    flavocytochrome = records["9997"]
    assert flavocytochrome.doi == "10.1016/0005-2795(76)90109-4"
    assert flavocytochrome.pub_date == "1976 Sep 28"
    assert flavocytochrome.journal == "Biochim Biophys Acta"
    assert flavocytochrome.abstract_sections == [AbstractSection(text=flavocytochrome.abstract)]
    assert flavocytochrome.abstract.startswith("Electron paramagnetic resonance and magnetic susceptibility")
    assert MeshHeading(descriptor="Chromatium", major_topic=True, qualifiers=["enzymology"]) in flavocytochrome.mesh
    assert MeshHeading(descriptor="Iron", major_topic=False, qualifiers=["analysis"]) in flavocytochrome.mesh


def test_mathml_and_group_authors():
    imaging = records_of("pubmed7.xml")["29963580"]
    assert imaging.authors[-1] == "Canadian Respiratory Research Network"
    assert "inhaled He 3 / Xe 129 MRI ventilation" in imaging.abstract
    assert imaging.doi == "10.1117/1.JMI.5.2.026002"
    lactate = records_of("pubmed6.xml")["30108519"]
    assert (lactate.pub_date, lactate.year) == ("2018", 2018)
    assert lactate.keywords[0] == "Owles' point"


@pytest.mark.parametrize("name", sorted(EXPECTED_TITLES))
def test_truncated_copy_raises_parse_error_naming_the_file(tmp_path, name):
    data = (ENTREZ / name).read_bytes()
    truncated = tmp_path / f"truncated-{name}"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ParseError) as caught:
        read_pubmed_xml(truncated)
    message = str(caught.value)
    assert str(truncated) in message
    assert "line" in message and "column" in message


@pytest.mark.parametrize("name", ["efetch_pmc.xml", "einfo1.xml", "esummary1.xml", "pubmed3.html"])
def test_other_ncbi_documents_are_refused(name):
    with pytest.raises(ParseError, match=name):
        read_pubmed_xml(ENTREZ / name)


def test_ncbi_error_payload_is_named():
    with pytest.raises(ParseError, match="Neither query_key nor id specified"):
        parse_pubmed_xml((ENTREZ / "esummary8.xml").read_bytes(), "efetch answer")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="missing.xml"):
        read_pubmed_xml(tmp_path / "missing.xml")


SYNTHETIC_NO_PMID = b"""<PubmedArticle><MedlineCitation><Article>
<ArticleTitle>Synthetic record about an article without a PMID.</ArticleTitle>
</Article></MedlineCitation></PubmedArticle>"""

SYNTHETIC_LINKS = b"""<PubmedArticle><MedlineCitation><PMID>900000001</PMID><Article>
<ArticleTitle>Synthetic record about a retracted trial report.</ArticleTitle>
<Abstract><AbstractText>Synthetic text citing NCT01234567 and NCT07654321. (ABSTRACT TRUNCATED AT 250 WORDS)
</AbstractText></Abstract>
<DataBankList><DataBank><DataBankName>ClinicalTrials.gov</DataBankName><AccessionNumberList>
<AccessionNumber>NCT07654321</AccessionNumber></AccessionNumberList></DataBank>
<DataBank><DataBankName>GENBANK</DataBankName><AccessionNumberList><AccessionNumber>AB000001</AccessionNumber>
</AccessionNumberList></DataBank></DataBankList>
<PublicationTypeList><PublicationType>Journal Article</PublicationType></PublicationTypeList></Article>
<CommentsCorrectionsList>
<CommentsCorrections RefType="RetractionIn"><RefSource>Synthetic J</RefSource><PMID>900000002</PMID></CommentsCorrections>
<CommentsCorrections RefType="ErratumIn"><RefSource>Synthetic J</RefSource><PMID>900000003</PMID></CommentsCorrections>
<CommentsCorrections RefType="Cites"><RefSource>Synthetic J</RefSource><PMID>900000004</PMID></CommentsCorrections>
</CommentsCorrectionsList></MedlineCitation></PubmedArticle>"""

SYNTHETIC_BOOK = b"""<PubmedBookArticle><BookDocument><PMID>900000005</PMID>
<Book><BookTitle>Synthetic book about secretomes</BookTitle><PubDate><Year>2021</Year><Month>Mar</Month></PubDate>
</Book><ArticleTitle>Synthetic record about a book chapter.</ArticleTitle><Language>eng</Language>
<AuthorList Type="authors"><Author><LastName>Synthetic</LastName><Initials>AB</Initials></Author></AuthorList>
<PublicationType>Review</PublicationType>
<Abstract><AbstractText Label="INTRODUCTION">Synthetic chapter text.</AbstractText></Abstract>
</BookDocument><PubmedBookData><ArticleIdList><ArticleId IdType="pubmed">900000005</ArticleId>
<ArticleId IdType="doi">10.0000/synthetic.5</ArticleId></ArticleIdList></PubmedBookData></PubmedBookArticle>"""


def synthetic_set(*articles: bytes) -> bytes:
    """A real efetch document with synthetic articles appended inside its PubmedArticleSet."""
    real = (ENTREZ / "pubmed4.xml").read_bytes()
    return real.replace(b"</PubmedArticleSet>", b"".join(articles) + b"</PubmedArticleSet>")


def test_article_without_pmid_is_skipped_and_the_rest_kept():
    results = parse_pubmed_xml(synthetic_set(SYNTHETIC_NO_PMID, SYNTHETIC_BOOK), "export.xml")
    assert [type(r) for r in results] == [PubMedRecord, SkippedRecord, PubMedRecord]
    assert results[1] == SkippedRecord(origin="export.xml article 2", reason="no PMID")


def test_retraction_erratum_and_trial_links():
    (record,) = parse_pubmed_xml(b"<PubmedArticleSet>" + SYNTHETIC_LINKS + b"</PubmedArticleSet>", "links.xml")
    assert record.retraction_in == ["900000002"]
    assert record.erratum_in == ["900000003"]
    assert record.retracted
    assert record.trial_ids == ["NCT07654321", "NCT01234567"]  # DataBankList first, then the text
    assert not record.abstract_complete


def test_book_article():
    (record,) = parse_pubmed_xml(SYNTHETIC_BOOK, "book.xml")
    assert record.pmid == "900000005"
    assert record.title == "Synthetic record about a book chapter."
    assert record.journal is None
    assert (record.pub_date, record.year) == ("2021 Mar", 2021)
    assert record.authors == ["Synthetic AB"]
    assert record.pub_types == ["Review"]
    assert record.doi == "10.0000/synthetic.5"
    assert record.abstract == "INTRODUCTION: Synthetic chapter text."


def test_whole_document_parsed_before_anything_is_returned(tmp_path: Path):
    """Good articles before a corrupt tail are not returned: a damaged file stores nothing."""
    damaged = tmp_path / "damaged.xml"
    damaged.write_bytes(synthetic_set(SYNTHETIC_BOOK).replace(b"</PubmedArticleSet>", b"<PubmedArticle>"))
    with pytest.raises(ParseError, match="damaged.xml: malformed or truncated XML at line"):
        read_pubmed_xml(damaged)
