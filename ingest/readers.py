"""Pick the right reader for a file from its content, not its name."""

from collections.abc import Callable
from pathlib import Path

from core.errors import InputError, ParseError
from ingest.records import PubMedRecord, SkippedRecord

ReadResult = list[PubMedRecord | SkippedRecord]


def detect_format(head: bytes) -> str:
    """`xml`, `medline` or `jsonl`, judged from the first bytes of a file."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "xml"
    if text.startswith(b"{"):
        return "jsonl"
    first_line = text.split(b"\n", 1)[0]
    if first_line.startswith(b"PMID-") or first_line[:4].rstrip().isalpha() and b"- " in first_line[:6]:
        return "medline"
    raise ParseError("unrecognised format: expected PubMed XML, MEDLINE text or JSON Lines")


def _reader_for(fmt: str) -> Callable[[Path], ReadResult]:
    if fmt == "xml":
        from ingest.pubmed_xml import read_pubmed_xml

        return read_pubmed_xml
    if fmt == "medline":
        from ingest.medline import read_medline

        return read_medline
    from ingest.jsonl import read_jsonl

    return read_jsonl


def read_records(path: Path) -> tuple[str, ReadResult]:
    """Read a file of records in any supported format; returns the format and what was read.

    Raises:
        InputError: the path is missing or not a file.
        ParseError: the content is unrecognised, malformed or truncated (message names the file).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise ParseError(f"{path}: file is empty")
    try:
        fmt = detect_format(head)
    except ParseError as exc:
        raise ParseError(f"{path}: {exc}") from exc
    return fmt, _reader_for(fmt)(path)
