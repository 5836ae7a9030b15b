"""MEDLINE text (PubMed's "PubMed format" export) -> records, through `Bio.Medline`.

Bio.Medline reads any text without complaint, so each record is first checked line by line: a record
with a line that is neither a `TAG - value` field nor an indented continuation is skipped with its line
number, and a file with no MEDLINE record at all is refused.
"""

import re
from collections.abc import Iterator
from pathlib import Path

from Bio import Medline
from pydantic import ValidationError

from core.errors import InputError, ParseError
from ingest.pubmed_fields import (
    TRIAL_REGISTRIES,
    abstract_truncated,
    clean_text,
    pmids_in,
    split_labelled_abstract,
    year_of,
)
from ingest.records import MeshHeading, PubMedRecord, SkippedRecord, merge_trial_ids

_FIELD = re.compile(r"^[A-Z][A-Z0-9]{0,3} {0,3}-(?: |\r?\n|$)")
_CONTINUATION = "      "
_ID_TYPE = re.compile(r"^(\S+)\s*\[(\w+)\]$")


def read_medline(path: Path) -> list[PubMedRecord | SkippedRecord]:
    """Every record in a MEDLINE file; a broken record is a SkippedRecord naming `<file> record N`.

    Raises:
        InputError: the file cannot be read.
        ParseError: the file is not UTF-8 text or holds no MEDLINE record (message names the file).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(f"{path}: not UTF-8 text at line {line} (byte offset {exc.start})") from exc
    blocks = list(_record_blocks(text))
    if not blocks:
        raise ParseError(f"{path}: no MEDLINE records (the file is blank)")
    problems = [_malformed_line(lines, first_line) for first_line, lines in blocks]
    if all(problems):
        raise ParseError(f"{path}: not MEDLINE text: {problems[0]}")
    results: list[PubMedRecord | SkippedRecord] = []
    for n, ((first_line, lines), problem) in enumerate(zip(blocks, problems, strict=True), 1):
        origin = f"{path} record {n}"
        if problem:
            results.append(SkippedRecord(origin=origin, reason=f"malformed record: {problem}"))
        else:
            results.append(_record(Medline.read(lines), origin, first_line))
    return results


def _record_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, lines) of each blank-line-separated record.

    A line of six or more spaces inside a record is a blank continuation (a paragraph break in an
    abstract), as Bio.Medline reads it; any other whitespace-only line ends the record.
    """
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if not line.strip() and not (block and line.startswith(_CONTINUATION)):
            if block:
                yield start, block
            block = []
            continue
        if not block:
            start = number
        block.append(line)
    if block:
        yield start, block


def _malformed_line(lines: list[str], first_line: int) -> str | None:
    """Where a record stops being MEDLINE text, or None when every line is a field or a continuation."""
    for offset, line in enumerate(lines):
        if _FIELD.match(line) or (offset and line.startswith(_CONTINUATION)):
            continue
        return f"line {first_line + offset}: not a MEDLINE field: {line.strip()[:60]!r}"
    return None


def _record(fields: dict, origin: str, first_line: int) -> PubMedRecord | SkippedRecord:
    pmid = _one(fields, "PMID")
    if not pmid:
        return SkippedRecord(origin=origin, reason=f"no PMID: record at line {first_line} has no PMID field")
    title = _one(fields, "TI") or _one(fields, "BTI") or _one(fields, "TT")
    abstract = clean_text(_one(fields, "AB"))
    pub_date = _one(fields, "DP") or None
    listed_trials = [
        number for bank, number in (_bank_entry(si) for si in fields.get("SI", [])) if bank in TRIAL_REGISTRIES
    ]
    try:
        return PubMedRecord(
            pmid=pmid,
            title=title,
            abstract=abstract,
            abstract_sections=split_labelled_abstract(abstract),
            abstract_complete=not abstract_truncated(abstract),
            journal=_one(fields, "TA") or _one(fields, "JT") or None,
            pub_date=pub_date,
            year=year_of(pub_date),
            authors=[clean_text(a) for a in [*fields.get("AU", []), *fields.get("CN", [])] if clean_text(a)],
            mesh=[_mesh(term) for term in fields.get("MH", [])],
            keywords=[clean_text(k) for k in fields.get("OT", []) if clean_text(k)],
            pub_types=[clean_text(p) for p in fields.get("PT", []) if clean_text(p)],
            doi=_doi(fields),
            pmc_id=_one(fields, "PMC") or None,
            trial_ids=merge_trial_ids(listed_trials, title, abstract),
            language=next(iter(fields.get("LA", [])), None),
            retraction_in=pmids_in(fields.get("RIN", [])),
            erratum_in=pmids_in(fields.get("EIN", [])),
            sources=["pubmed"],
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return SkippedRecord(origin=origin, reason=f"invalid record: PMID {pmid}: {problems}")


def _one(fields: dict, tag: str) -> str:
    """A single-valued field as clean text (Bio.Medline gives some fields as lists of wrapped lines)."""
    value = fields.get(tag, "")
    return clean_text(" ".join(value) if isinstance(value, list) else value)


def _mesh(term: str) -> MeshHeading:
    """ "Sequence Alignment/*methods": descriptor, qualifiers; a `*` on either marks a major topic."""
    descriptor, *qualifiers = [clean_text(part) for part in term.split("/")]
    major = descriptor.startswith("*") or any(q.startswith("*") for q in qualifiers)
    return MeshHeading(
        descriptor=descriptor.lstrip("*"), major_topic=major, qualifiers=[q.lstrip("*") for q in qualifiers]
    )


def _doi(fields: dict) -> str | None:
    """From `AID`/`LID` values such as "10.1118/1.4748329 [doi]"."""
    for value in [*fields.get("AID", []), _one(fields, "LID")]:
        match = _ID_TYPE.match(clean_text(value))
        if match and match.group(2) == "doi":
            return match.group(1)
    return None


def _bank_entry(value: str) -> tuple[str, str]:
    """ "ClinicalTrials.gov/NCT00000000" -> (bank, accession number)."""
    bank, _, number = clean_text(value).partition("/")
    return bank, number
