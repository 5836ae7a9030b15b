"""The review workbench over HTTP: the evidence map, the evidence table, reference export, PRISMA counts.

`GET /v1/records/export` is declared here, and this router is included before `records`, so the path is
not taken for a PMID.
"""

import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.deps import ServicesDep, SettingsDep, StoreDep, question_limit
from api.errors import ApiError
from rag.review.citation_export import MEDIA_TYPES, CiteFormat
from rag.review.evidence_map import EvidenceMap
from rag.review.evidence_table import EvidenceTable, table_csv, table_xlsx
from rag.review.prisma import PrismaCounts, indexed_pmids, prisma_counts
from rag.review.workbench import evidence_map, evidence_table, references
from rag.types import SearchFilters

router = APIRouter(prefix="/v1", tags=["review"])

Facet = Literal["product", "source", "indication", "evidence", "preconditioning", "year"]
MAX_EXPORT = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_refresh_lock = threading.Lock()  # one profile refresh at a time (the first over 30k records takes minutes)


def _filters(year_from: int | None, year_to: int | None, exclude_retracted: bool) -> SearchFilters | None:
    if year_from and year_to and year_from > year_to:
        raise ApiError(422, "invalid_request", f"year_from {year_from} is after year_to {year_to}")
    if not (year_from or year_to or exclude_retracted):
        return None
    return SearchFilters(year_from=year_from, year_to=year_to, exclude_retracted=exclude_retracted)


@router.get("/map", response_model=EvidenceMap, summary="Evidence map: record counts over two facets, with PMIDs")
def get_map(
    services: ServicesDep,
    settings: SettingsDep,
    rows: Facet = "source",
    cols: Facet = "indication",
    q: Annotated[str | None, Query(description="Map this search's results instead of the whole store.")] = None,
    k: Annotated[int, Query(ge=1, le=2000, description="With q: records to map.")] = 500,
    year_from: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    exclude_retracted: bool = False,
    hide_unlabelled: Annotated[bool, Query(description="Leave out unknown / not stated labels.")] = False,
) -> EvidenceMap:
    if q:
        question_limit(settings, q, "q")
    filters = _filters(year_from, year_to, exclude_retracted)
    with _refresh_lock, services.index_guard():
        return evidence_map(
            settings, rows=rows, cols=cols, query=q or None, k=k, filters=filters, hide_unlabelled=hide_unlabelled,
            search=services.search if q else None,
        )


@router.get(
    "/table",
    response_model=EvidenceTable,
    summary="Evidence table: one row per retrieved record (JSON, CSV or XLSX)",
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def get_table(
    services: ServicesDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, description="The search.", examples=["exosomes for wound healing"])],
    k: Annotated[int, Query(ge=1, le=500)] = 20,
    year_from: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    exclude_retracted: bool = False,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Response:
    question_limit(settings, q, "q")
    with _refresh_lock, services.index_guard():
        table = evidence_table(settings, q, k, _filters(year_from, year_to, exclude_retracted), services.search)
    if format == "json":
        return JSONResponse(table.model_dump(mode="json"))
    if format == "csv":
        body, media = table_csv(table).encode(), "text/csv; charset=utf-8"
    else:
        body, media = table_xlsx(table), XLSX
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="evidence.{format}"'})


@router.get(
    "/records/export",
    summary="Export references as RIS, BibTeX or CSL-JSON",
    responses={200: {"content": {m: {} for m, _ in MEDIA_TYPES.values()}}},
)
def export_records(
    request: Request,
    settings: SettingsDep,
    pmids: Annotated[
        list[str], Query(description="PMIDs, comma-separated and/or repeated.", examples=["31234567,32345678"])
    ],
    format: CiteFormat = CiteFormat.RIS,
) -> Response:
    wanted = [p.strip() for item in pmids for p in item.split(",") if p.strip()]
    if not wanted:
        raise ApiError(422, "invalid_request", "no PMIDs given")
    if len(wanted) > MAX_EXPORT:
        raise ApiError(422, "invalid_request", f"{len(wanted)} PMIDs; at most {MAX_EXPORT} per export")
    if bad := [p for p in wanted if not p.isdigit() or len(p) > 9]:
        raise ApiError(422, "invalid_request", f"not PMIDs: {', '.join(bad[:5])}")
    text, missing = references(settings, wanted, format)
    if len(missing) == len(set(wanted)):
        raise ApiError(404, "not_found", f"none of the PMIDs is in the document store: {', '.join(missing[:5])}")
    media, extension = MEDIA_TYPES[format]
    headers = {"Content-Disposition": f'attachment; filename="references.{extension}"'}
    if missing:
        headers["X-Missing-PMIDs"] = ",".join(missing)
    return Response(text.encode("utf-8"), media_type=f"{media}; charset=utf-8", headers=headers)


@router.get("/prisma", response_model=PrismaCounts, summary="PRISMA 2020 counts of an ingest run")
def get_prisma(
    settings: SettingsDep,
    store: StoreDep,
    run: Annotated[int | None, Query(description="Ingest run id; default: the newest with searches.")] = None,
) -> PrismaCounts:
    return prisma_counts(store, indexed_pmids(settings), run)
