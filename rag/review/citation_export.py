"""References out to a reference manager: RIS (rispy), BibTeX (bibtexparser) and CSL-JSON.

Every format keeps PMID, DOI, title, authors, journal and year. Titles lose inline markup
(`<sup>+</sup>`, `<i>...</i>`) and PubMed's trailing period. Authors arrive as PubMed writes them
("Hambrick GW Jr", or a group name) and are split into family and given names here.
"""

import html
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from core.errors import InputError
from ingest.records import PubMedRecord

MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
SUFFIXES = {"Jr", "Sr", "II", "III", "IV", "2nd", "3rd"}
INITIALS = re.compile(r"^[A-Z][A-Za-z]{0,3}$")
BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


class CiteFormat(StrEnum):
    RIS = "ris"
    BIBTEX = "bibtex"
    CSLJSON = "csljson"


MEDIA_TYPES = {
    CiteFormat.RIS: ("application/x-research-info-systems", "ris"),
    CiteFormat.BIBTEX: ("application/x-bibtex", "bib"),
    CiteFormat.CSLJSON: ("application/vnd.citationstyles.csl+json", "json"),
}


def strip_markup(text: str) -> str:
    """Plain text of a PubMed title: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(MARKUP.sub("", text or "")).split())


def clean_title(title: str) -> str:
    return strip_markup(title).removesuffix(".")


@dataclass(frozen=True)
class Name:
    family: str
    given: str = ""
    suffix: str = ""
    literal: bool = False  # a group author, kept whole


def split_author(author: str) -> Name:
    """ "LoPresti PJ" -> LoPresti / PJ; "Hambrick GW Jr" -> Hambrick / GW / Jr; a group name stays whole."""
    tokens = author.split()
    suffix = tokens.pop() if len(tokens) > 2 and tokens[-1] in SUFFIXES else ""
    if len(tokens) >= 2 and INITIALS.match(tokens[-1]) and tokens[-1][0].isupper() and tokens[-1].isalpha():
        return Name(" ".join(tokens[:-1]), tokens[-1], suffix)
    return Name(author, literal=True)


def _initials(given: str) -> str:
    """ "GW" -> "G. W." for RIS and BibTeX given names."""
    return " ".join(f"{c}." for c in given if c.isupper()) or given


def _comma_name(name: Name) -> str:
    if name.literal:
        return name.family
    parts = [name.family, _initials(name.given)]
    if name.suffix:
        parts.insert(1, name.suffix)
    return ", ".join(parts)


def _link(record: PubMedRecord) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{record.pmid}/"


class PlainRisWriter(rispy.RisWriter):
    """rispy's RIS writer without the "1." line it puts before each record: here a record starts at its TY
    line, as in PubMed's own RIS export and the RIS specification."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(records: Iterable[PubMedRecord]) -> str:
    entries = []
    for r in records:
        entry: dict[str, object] = {"type_of_reference": "JOUR"}
        if title := clean_title(r.title):  # most snapshot records have none: no empty TI line
            entry["title"] = title
        entry |= {
            "authors": [_comma_name(split_author(a)) for a in r.authors],
            "accession_number": r.pmid,
            "notes": [f"PMID: {r.pmid}"] + (["RETRACTED"] if r.retracted else []),
            "urls": [_link(r)],
            "name_of_database": "PubMed",
        }
        if r.journal:
            entry["journal_name"] = r.journal
        if r.year:
            entry["year"] = str(r.year)
        if r.doi:
            entry["doi"] = r.doi
        entries.append(entry)
    return rispy.dumps(entries, implementation=PlainRisWriter)


def _bibtex_value(text: str) -> str:
    """Braces balanced and LaTeX specials escaped, so any BibTeX reader takes the value."""
    text = text.replace("\\", "").replace("{", "(").replace("}", ")")
    return BIBTEX_SPECIAL.sub(r"\\\1", text)


def to_bibtex(records: Iterable[PubMedRecord]) -> str:
    library = bibtexparser.Library()
    for r in records:
        fields = [Field("title", "{" + _bibtex_value(clean_title(r.title)) + "}")]
        if r.authors:
            names = [split_author(a) for a in r.authors]
            authors = " and ".join("{" + _bibtex_value(n.family) + "}" if n.literal else _comma_name(n) for n in names)
            fields.append(Field("author", "{" + authors + "}"))
        if r.journal:
            fields.append(Field("journal", "{" + _bibtex_value(r.journal) + "}"))
        if r.year:
            fields.append(Field("year", str(r.year)))
        if r.doi:
            fields.append(Field("doi", "{" + r.doi + "}"))
        fields.append(Field("pmid", "{" + r.pmid + "}"))
        fields.append(Field("url", "{" + _link(r) + "}"))
        if r.retracted:
            fields.append(Field("note", "{Retracted}"))
        library.add(Entry("article", f"pmid{r.pmid}", fields))
    return bibtexparser.write_string(library)


def to_csl(records: Iterable[PubMedRecord]) -> list[dict]:
    items = []
    for r in records:
        authors = []
        for a in r.authors:
            n = split_author(a)
            if n.literal:
                authors.append({"literal": n.family})
            else:
                authors.append({"family": n.family, "given": n.given, **({"suffix": n.suffix} if n.suffix else {})})
        item = {
            "id": f"pmid{r.pmid}",
            "type": "article-journal",
            "title": clean_title(r.title),
            "author": authors,
            "PMID": r.pmid,
            "URL": _link(r),
        }
        if r.journal:
            item["container-title"] = r.journal
        if r.year:
            item["issued"] = {"date-parts": [[r.year]]}
        if r.doi:
            item["DOI"] = r.doi
        if r.pmc_id:
            item["PMCID"] = r.pmc_id
        items.append(item)
    return items


def export_references(records: Iterable[PubMedRecord], fmt: CiteFormat | str) -> str:
    """The records as one file's text in `fmt` (ris, bibtex or csljson)."""
    try:
        fmt = CiteFormat(fmt)
    except ValueError as exc:
        raise InputError(f"unknown citation format {fmt!r}; use one of {', '.join(f.value for f in CiteFormat)}") from exc
    records = list(records)
    if fmt is CiteFormat.RIS:
        return to_ris(records)
    if fmt is CiteFormat.BIBTEX:
        return to_bibtex(records)
    return json.dumps(to_csl(records), indent=1, ensure_ascii=False) + "\n"


def records_in_order(found: dict[str, PubMedRecord], pmids: Iterable[str]) -> list[PubMedRecord]:
    """The stored records of `pmids` in the order asked (missing ones left out)."""
    return [found[p] for p in dict.fromkeys(pmids) if p in found]
