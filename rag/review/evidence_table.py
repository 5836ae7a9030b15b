"""The evidence table: one row per retrieved record with its profile and the best passage for the query."""

import csv
import io
import json
from pathlib import Path

from pydantic import BaseModel, Field

from core.errors import InputError
from rag.review.citation_export import clean_title
from rag.review.profile import EvidenceProfile
from rag.types import Evidence

COLUMNS = (
    "pmid", "year", "journal", "title", "product", "source", "indication", "evidence_level", "study_type", "phase",
    "nct_ids", "preconditioning", "retracted", "score", "best_passage", "link",
)


class TableRow(BaseModel):
    pmid: str
    year: int | None = None
    journal: str | None = None
    title: str = ""
    product: str
    source: str
    indication: str
    evidence_level: str
    study_type: str
    phase: str | None = None
    nct_ids: list[str] = Field(default_factory=list)
    preconditioning: list[str] = Field(default_factory=list)
    retracted: bool = False
    score: float = 0.0
    best_passage: str = ""
    link: str


class EvidenceTable(BaseModel):
    query: str
    k: int
    rows: list[TableRow]


def build_table(query: str, k: int, evidence: list[Evidence], profiles: dict[str, EvidenceProfile]) -> EvidenceTable:
    """Rows in retrieval order; a record without a stored profile is skipped (the store lost it)."""
    rows = []
    for item in evidence:
        profile = profiles.get(item.pmid)
        if profile is None:
            continue
        rows.append(
            TableRow(
                pmid=item.pmid,
                year=item.year,
                journal=item.journal,
                title=clean_title(item.title),
                product=profile.product,
                source=profile.source,
                indication=profile.indication,
                evidence_level=profile.evidence,
                study_type=profile.study_type,
                phase=profile.phase,
                nct_ids=profile.trial_ids,
                preconditioning=profile.preconditioning,
                retracted=item.retracted or profile.retracted,
                score=round(item.score, 4),
                best_passage=item.passages[0].text if item.passages else "",
                link=f"https://pubmed.ncbi.nlm.nih.gov/{item.pmid}/",
            )
        )
    return EvidenceTable(query=query, k=k, rows=rows)


def _flat(row: TableRow) -> list[object]:
    values = row.model_dump()
    return ["; ".join(v) if isinstance(v, list) else ("" if v is None else v) for v in (values[c] for c in COLUMNS)]


def table_csv(table: EvidenceTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(_flat(row) for row in table.rows)
    return buffer.getvalue()


def table_xlsx(table: EvidenceTable) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "evidence"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(_flat(row))
    sheet.freeze_panes = "A2"
    meta = book.create_sheet("query")
    meta.append(["query", table.query])
    meta.append(["k", table.k])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_table(table: EvidenceTable, path: Path) -> None:
    """Write by extension: .csv, .xlsx or .json."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        Path(path).write_text(table_csv(table))
    elif suffix == ".xlsx":
        Path(path).write_bytes(table_xlsx(table))
    elif suffix == ".json":
        Path(path).write_text(json.dumps(table.model_dump(), indent=1, ensure_ascii=False))
    else:
        raise InputError(f"cannot write a table to {path}: use .csv, .xlsx or .json")
