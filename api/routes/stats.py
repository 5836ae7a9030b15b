"""`GET /v1/stats`: what the store holds (records by source, year, publication type; on-topic share);
`GET /v1/index`: which index build the service answers from."""

from fastapi import APIRouter

from api.deps import ServicesDep, StoreDep
from ingest.stats import StoreStats
from rag.index.manifest import IndexManifest

router = APIRouter(prefix="/v1", tags=["records"])


@router.get("/stats", response_model=StoreStats, summary="Counts over the document store")
def stats(services: ServicesDep, store: StoreDep) -> StoreStats:
    return services.stats(store)


@router.get(
    "/index",
    response_model=IndexManifest,
    summary="The manifest of the index the service answers from",
    response_description="What built the index, its size and when it was last updated; 503 while none opens.",
)
def index_manifest(services: ServicesDep) -> IndexManifest:
    with services.index_guard():
        return services.searcher().manifest
