"""The app factory: `create_app(settings)` builds a FastAPI app whose state holds everything routes use.

Nothing is built at import time; the expensive objects (index, models) are opened in the lifespan, and a
missing index does not stop the service from starting (`/readyz` says what is missing).
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from langchain_core.language_models import BaseChatModel
from swagger_ui_bundle import swagger_ui_path

from api.errors import install_error_handlers
from api.metrics import ServiceMetrics
from api.middleware import (
    BodySizeLimitMiddleware,
    RateLimitMiddleware,
    RequestContextMiddleware,
    RequestLimitsMiddleware,
)
from api.ratelimit import RateLimiter
from api.routes import (
    ask,
    briefings,
    chat,
    docs,
    health,
    ingest_jobs,
    openai_compat,
    page,
    records,
    review,
    search,
    stats,
)
from api.routes.page import STATIC_DIR
from api.services import Services
from core.settings import Settings, get_settings

DESCRIPTION = """Cited question answering over PubMed abstracts on stem cell secretomes.

Every answer cites PMIDs that were in its own evidence; when the corpus does not hold enough evidence the
answer says so (`refused: true`). Errors are JSON: `{"error": {"code": ..., "message": ...}}`.
Admin endpoints need the `X-API-Key` header."""

# review before records: /v1/records/export is not a PMID
ROUTERS = (page, docs, health, ask, chat, openai_compat, briefings, search, review, records, stats, ingest_jobs)


def create_app(settings: Settings | None = None, *, chat_model: BaseChatModel | None = None) -> FastAPI:
    """Build the service over `settings` (default: environment and `.env`).

    `chat_model` replaces the llm backend's model built from settings (any LangChain chat model).
    """
    settings = get_settings(settings)
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services(settings, metrics, chat_model)
        app.state.services = services
        await asyncio.to_thread(services.warm_up)
        try:
            yield
        finally:
            await asyncio.to_thread(services.close)

    app = FastAPI(
        title="secretome-qa",
        docs_url=None,
        redoc_url=None,  # ReDoc loads its script from a CDN; /docs is bundled
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    api = settings.api
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=api.max_body_bytes,
        upload_max_bytes=api.max_upload_bytes,
        admin_key=api.admin_key.get_secret_value() if api.admin_key else None,
    )
    # one SQLite file under the data dir: every worker of `serve --workers N` shares the buckets
    limiter = RateLimiter(api.rate_limit_per_minute, settings.ratelimit_path, api.rate_limit_max_clients)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-API-Key", "X-Request-ID", "X-Conversation-Token"],
            expose_headers=["X-Request-ID", "Retry-After", "X-Conversation-Token"],
        )
    app.add_middleware(
        RequestLimitsMiddleware,
        max_path_chars=api.max_path_chars,
        max_headers=api.max_headers,
        max_header_bytes=api.max_header_bytes,
    )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(docs.ASSETS, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    return app
