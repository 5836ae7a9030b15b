"""Liveness, readiness and metrics: what an orchestrator and Prometheus poll."""

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from api.deps import ServicesDep
from api.errors import public_message
from api.schemas import Health, Readiness
from api.services import Services
from core.errors import SecretomeQAError
from ingest.store import DocumentStore

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
async def healthz() -> Health:
    return Health()


def readiness_checks(services: Services) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with DocumentStore(services.settings.store_path) as store:
            checks["store"] = f"ok ({store.count()} records)"
    except SecretomeQAError as exc:
        checks["store"] = str(exc)
    try:
        checks["index"] = services.probe_index()
    except SecretomeQAError as exc:
        checks["index"] = public_message(exc)
    return checks


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="The store and the index are reachable",
    responses={503: {"model": Readiness, "description": "A dependency is missing or unreachable."}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    checks = await asyncio.to_thread(readiness_checks, services)
    ready = all(value.startswith("ok") for value in checks.values())
    body = Readiness(status="ready" if ready else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
