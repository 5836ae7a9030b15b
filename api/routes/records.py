"""`GET /v1/records/{pmid}`: one stored record, as the document store keeps it."""

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import StoreDep
from api.errors import ApiError
from ingest.records import PubMedRecord

router = APIRouter(prefix="/v1", tags=["records"])


@router.get("/records/{pmid}", response_model=PubMedRecord, summary="A stored PubMed record")
def get_record(
    store: StoreDep, pmid: Annotated[str, Path(pattern=r"^\d{1,9}$", examples=["31234567"])]
) -> PubMedRecord:
    record = store.get(pmid)
    if record is None:
        raise ApiError(404, "not_found", f"PMID {pmid} is not in the document store")
    return record
