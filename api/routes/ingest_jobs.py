"""`POST /v1/ingest` (admin) starts a background ingest job; `GET /v1/jobs/{id}` reports it."""

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import JSONResponse

from api.deps import AdminDep, ServicesDep, StoreDep
from api.errors import ApiError
from api.jobs import IngestRequest, Job
from api.schemas import IngestAccepted

router = APIRouter(prefix="/v1", tags=["admin"])

DATE = r"^\d{4}(/\d{2}(/\d{2})?)?$"
UPLOAD_CHUNK = 1 << 20


def _safe_name(name: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name or "upload")[:100] or "upload"


@router.post(
    "/ingest",
    status_code=202,
    response_model=IngestAccepted,
    summary="Start an ingest job: an uploaded file (PubMed XML, MEDLINE, JSONL), a PubMed query or a preset",
    description="Needs the `X-API-Key` header. Give exactly one of `file`, `query` or `preset`. When the job has "
    "stored the records it updates the index, so they become searchable without a restart.",
)
async def start_ingest(
    _: AdminDep,
    services: ServicesDep,
    file: Annotated[UploadFile | None, File(description="A PubMed XML, MEDLINE text or JSON Lines file.")] = None,
    query: Annotated[str | None, Form(min_length=1, examples=['"stem cell" AND "secretome"'])] = None,
    preset: Annotated[str | None, Form(min_length=1, examples=["seed-review"])] = None,
    mindate: Annotated[str | None, Form(pattern=DATE, description="YYYY/MM/DD (query only).")] = None,
    maxdate: Annotated[str | None, Form(pattern=DATE, description="YYYY/MM/DD (query only).")] = None,
    update: Annotated[bool, Form(description="Fetch only records newer than the last run of this query.")] = False,
) -> JSONResponse:
    given = [name for name, value in (("file", file), ("query", query), ("preset", preset)) if value]
    if len(given) != 1:
        raise ApiError(422, "invalid_request", "give exactly one of file, query or preset")
    if file is not None:
        if mindate or maxdate or update:
            raise ApiError(422, "invalid_request", "mindate, maxdate and update apply to query or preset only")
        name = _safe_name(file.filename)
        uploads = services.settings.data_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        path = uploads / f"{uuid.uuid4().hex}-{name}"
        with path.open("wb") as handle:
            while chunk := await file.read(UPLOAD_CHUNK):
                handle.write(chunk)
        request = IngestRequest(kind="file", source=name, path=path)
    elif query:
        request = IngestRequest(kind="query", source=query, mindate=mindate, maxdate=maxdate, update=update)
    else:
        if mindate or maxdate:
            raise ApiError(422, "invalid_request", "mindate and maxdate apply to query only; a preset has its own")
        request = IngestRequest(kind="preset", source=preset or "", update=update)
    job = services.jobs.submit(request)
    status_url = f"/v1/jobs/{job.id}"
    body = IngestAccepted(job_id=job.id, status_url=status_url)
    return JSONResponse(body.model_dump(), status_code=202, headers={"Location": status_url})


@router.get("/jobs/{job_id}", response_model=Job, summary="Progress and outcome of an ingest job")
def get_job(_: AdminDep, job_id: str, services: ServicesDep, store: StoreDep) -> Job:
    job = services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no job {job_id}")
    return services.jobs.progress(job, store)
