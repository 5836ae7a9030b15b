"""PubMed XML (efetch output or PubMed's "Save: PubMed XML" export) -> records.

ElementTree rather than `Bio.Entrez.read`: Entrez.read needs the DTD the DOCTYPE names, goes to the network
for any it does not bundle (each new yearly PubMed DTD), and refuses files without a DOCTYPE, advising a
generic XML parser instead. ElementTree needs neither and reports the line and column of malformed XML.
"""

import calendar
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers.expat import ErrorString

from pydantic import ValidationError

from core.errors import InputError, ParseError
from ingest.pubmed_fields import (
    TRIAL_REGISTRIES,
    abstract_truncated,
    clean_text,
    join_sections,
    year_of,
)
from ingest.records import AbstractSection, MeshHeading, PubMedRecord, SkippedRecord, merge_trial_ids

ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
_MONTHS = {f"{n:02d}": calendar.month_abbr[n] for n in range(1, 13)} | {
    str(n): calendar.month_abbr[n] for n in range(1, 13)
}


def read_pubmed_xml(path: Path) -> list[PubMedRecord | SkippedRecord]:
    """Every article in a PubMed XML file; the whole file is parsed before anything is returned.

    Raises:
        InputError: the file cannot be read.
        ParseError: malformed or truncated XML (message names the file, line and column), or not PubMed XML.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return parse_pubmed_xml(data, str(path))


def parse_pubmed_xml(data: bytes, origin: str) -> list[PubMedRecord | SkippedRecord]:
    """Articles of one PubMed XML document; an article that cannot become a record is a SkippedRecord.

    Args:
        data: the document's bytes (its XML declaration names the encoding).
        origin: what to call the document in messages: a file name, or the query an efetch answered.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ParseError(
            f"{origin}: malformed or truncated XML at line {line}, column {column}: {ErrorString(exc.code)}"
        ) from exc
    if root.tag in ARTICLE_TAGS:
        articles = [root]
    elif root.tag == "PubmedArticleSet":
        articles = [child for child in root if child.tag in ARTICLE_TAGS]
    else:
        errors = "; ".join(clean_text(e.text) for e in root.iter("ERROR") if clean_text(e.text))
        detail = f"NCBI error: {errors}" if errors else f"root element <{root.tag}>, expected <PubmedArticleSet>"
        raise ParseError(f"{origin}: not PubMed XML ({detail})")
    return [_article(element, f"{origin} article {n}") for n, element in enumerate(articles, 1)]


def _article(element: ET.Element, origin: str) -> PubMedRecord | SkippedRecord:
    if element.tag == "PubmedBookArticle":
        fields = _book_fields(element)
    else:
        fields = _journal_fields(element)
    if not fields.get("pmid"):
        return SkippedRecord(origin=origin, reason="no PMID")
    try:
        return PubMedRecord(**fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return SkippedRecord(origin=origin, reason=f"invalid record: PMID {fields['pmid']}: {problems}")


def _journal_fields(element: ET.Element) -> dict:
    citation = _child(element, "MedlineCitation")
    article = _child(citation, "Article")
    issue_date = article.find("Journal/JournalIssue/PubDate")
    pub_date = _pub_date(issue_date)
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    comments = citation.findall("CommentsCorrectionsList/CommentsCorrections")
    return _common_fields(
        pmid=_text(citation.find("PMID")),
        title=title,
        abstract_holder=article,
        journal=(
            _text(citation.find("MedlineJournalInfo/MedlineTA"))
            or _text(article.find("Journal/ISOAbbreviation"))
            or _text(article.find("Journal/Title"))
            or None
        ),
        pub_date=pub_date,
        year=year_of(pub_date) or year_of(_text(article.find("ArticleDate/Year"))),
        author_list=article.find("AuthorList"),
        language=_text(article.find("Language")) or None,
        pub_types=[_text(p) for p in article.findall("PublicationTypeList/PublicationType")],
        keywords=[_text(k) for k in citation.findall("KeywordList/Keyword")],
        mesh=[_mesh(h) for h in citation.findall("MeshHeadingList/MeshHeading")],
        ids=element.findall("PubmedData/ArticleIdList/ArticleId"),
        doi_fallback=_elocation_doi(article),
        listed_trials=[
            _text(number)
            for bank in article.findall("DataBankList/DataBank")
            if _text(bank.find("DataBankName")) in TRIAL_REGISTRIES
            for number in bank.findall("AccessionNumberList/AccessionNumber")
        ],
        retraction_in=_referenced(comments, "RetractionIn"),
        erratum_in=_referenced(comments, "ErratumIn"),
    )


def _book_fields(element: ET.Element) -> dict:
    document = _child(element, "BookDocument")
    pub_date = _pub_date(document.find("Book/PubDate"))
    return _common_fields(
        pmid=_text(document.find("PMID")),
        title=_text(document.find("ArticleTitle")) or _text(document.find("Book/BookTitle")),
        abstract_holder=document,
        journal=None,
        pub_date=pub_date,
        year=year_of(pub_date),
        author_list=_first(document, "AuthorList", "Book/AuthorList"),
        language=_text(document.find("Language")) or None,
        pub_types=[_text(p) for p in document.findall("PublicationType")],
        keywords=[_text(k) for k in document.findall("KeywordList/Keyword")],
        mesh=[],
        ids=element.findall("PubmedBookData/ArticleIdList/ArticleId") + document.findall("ArticleIdList/ArticleId"),
        doi_fallback=None,
        listed_trials=[],
        retraction_in=[],
        erratum_in=[],
    )


def _common_fields(
    *,
    abstract_holder: ET.Element,
    author_list: ET.Element | None,
    ids: list[ET.Element],
    doi_fallback: str | None,
    listed_trials: list[str],
    **fields: object,
) -> dict:
    sections = [
        AbstractSection(label=clean_text(part.get("Label")), text=_text(part))
        for part in abstract_holder.findall("Abstract/AbstractText")
        if _text(part)
    ]
    abstract = join_sections(sections)
    id_of = {}
    for article_id in ids:
        id_of.setdefault(article_id.get("IdType"), _text(article_id))
    return fields | {
        "abstract": abstract,
        "abstract_sections": sections,
        "abstract_complete": not abstract_truncated(abstract),
        "authors": _authors(author_list),
        "doi": id_of.get("doi") or doi_fallback,
        "pmc_id": id_of.get("pmc"),
        "trial_ids": merge_trial_ids(listed_trials, str(fields["title"]), abstract),
        "sources": ["pubmed"],
    }


def _child(parent: ET.Element, tag: str) -> ET.Element:
    """A required child; an empty stand-in when absent, so the record is judged on its PMID alone."""
    found = parent.find(tag)
    return found if found is not None else ET.Element(tag)


def _text(element: ET.Element | None) -> str:
    """Text with inline markup (<i>, <sup>, MathML) flattened and whitespace collapsed."""
    return clean_text("".join(element.itertext())) if element is not None else ""


def _first(parent: ET.Element, *paths: str) -> ET.Element | None:
    """The first of several alternative children that is present."""
    return next((found for path in paths if (found := parent.find(path)) is not None), None)


def _pub_date(date: ET.Element | None) -> str | None:
    """PubMed's display form: "2018 Feb", "1976 Sep 28", "1990 Spring", or the free-text MedlineDate."""
    if date is None:
        return None
    medline_date = _text(date.find("MedlineDate"))
    if medline_date:
        return medline_date
    month = _text(date.find("Month"))
    day = _text(date.find("Day"))
    parts = [
        _text(date.find("Year")),
        _MONTHS.get(month, month) or _text(date.find("Season")),
        str(int(day)) if day.isdigit() else day,
    ]
    return " ".join(p for p in parts if p) or None


def _mesh(heading: ET.Element) -> MeshHeading:
    """A heading is a major topic when its descriptor or any of its qualifiers is (PubMed's [majr])."""
    descriptor = heading.find("DescriptorName")
    qualifiers = heading.findall("QualifierName")
    major = [e.get("MajorTopicYN") == "Y" for e in (descriptor, *qualifiers) if e is not None]
    return MeshHeading(descriptor=_text(descriptor), major_topic=any(major), qualifiers=[_text(q) for q in qualifiers])


def _authors(author_list: ET.Element | None) -> list[str]:
    """ "Last FM" (plus any suffix), or the collective name of a group author."""
    if author_list is None:
        return []
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":
            continue
        parts = [_text(author.find(tag)) for tag in ("LastName", "Initials", "Suffix")]
        name = " ".join(p for p in parts if p) or _text(author.find("CollectiveName"))
        if name:
            names.append(name)
    return names


def _elocation_doi(article: ET.Element) -> str | None:
    for location in article.findall("ELocationID"):
        if location.get("EIdType") == "doi" and location.get("ValidYN") != "N":
            return _text(location) or None
    return None


def _referenced(comments: list[ET.Element], ref_type: str) -> list[str]:
    return [_text(c.find("PMID")) for c in comments if c.get("RefType") == ref_type and _text(c.find("PMID"))]
