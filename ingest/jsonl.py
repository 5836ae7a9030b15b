"""JSON Lines in the schema of the offline corpus snapshot (`../shared/corpus/README.md`)."""

import json
from pathlib import Path

from pydantic import ValidationError

from core.errors import ParseError
from ingest.records import PubMedRecord, SkippedRecord, merge_trial_ids


def record_from_snapshot(row: dict) -> PubMedRecord:
    """Map one snapshot object to a record; raises ValueError/ValidationError when it is unusable."""
    if not isinstance(row, dict):
        raise ValueError("line is not a JSON object")  # noqa: TRY004 (callers report ValueError per line)
    pmid = str(row.get("pmid") or "").strip()
    if not pmid:
        raise ValueError("no pmid")
    title = row.get("title") or ""
    abstract = row.get("abstract") or ""
    return PubMedRecord(
        pmid=pmid,
        title=title,
        abstract=abstract,
        abstract_complete=bool(row.get("abstract_complete", False)),
        journal=row.get("journal"),
        year=row.get("year"),
        authors=list(row.get("authors") or []),
        mesh=[{"descriptor": m} if isinstance(m, str) else m for m in row.get("mesh") or []],
        pub_types=list(row.get("pub_types") or []),
        doi=row.get("doi"),
        trial_ids=merge_trial_ids(list(row.get("trial_ids") or []), title, abstract),
        sources=list(row.get("sources") or ["jsonl"]),
    )


def read_jsonl(path: Path) -> list[PubMedRecord | SkippedRecord]:
    """Every line as a record, or a SkippedRecord naming the file, line and what was wrong with it."""
    results: list[PubMedRecord | SkippedRecord] = []
    try:
        handle = Path(path).open(encoding="utf-8")  # noqa: SIM115 (opened apart so the error names the file)
    except OSError as exc:
        raise ParseError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                origin = f"{path} line {number}"
                try:
                    results.append(record_from_snapshot(json.loads(line)))
                except json.JSONDecodeError as exc:
                    results.append(SkippedRecord(origin=origin, reason=f"invalid JSON: {exc.msg} (column {exc.colno})"))
                except ValidationError as exc:
                    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
                    results.append(SkippedRecord(origin=origin, reason=problems))
                except ValueError as exc:
                    results.append(SkippedRecord(origin=origin, reason=str(exc)))
        except UnicodeDecodeError as exc:
            raise ParseError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return results
