"""`GET /v1/stats`: what the store holds (records by source, year, publication type; on-topic share)."""

from fastapi import APIRouter

from api.deps import ServicesDep, StoreDep
from ingest.stats import StoreStats

router = APIRouter(prefix="/v1", tags=["records"])


@router.get("/stats", response_model=StoreStats, summary="Counts over the document store")
def stats(services: ServicesDep, store: StoreDep) -> StoreStats:
    return services.stats(store)
