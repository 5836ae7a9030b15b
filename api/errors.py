"""One place that turns every failure into `{"error": {"code", "message"}}`; no stack trace ever leaks.

Project errors map to statuses through their class hierarchy, so a new subclass of an existing error is
served correctly without touching this module.
"""

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import (
    IndexMismatchError,
    IndexMissingError,
    InputError,
    ModelUnavailableError,
    NCBIError,
    SecretomeQAError,
    StoreError,
    VectorStoreUnavailableError,
)

log = logging.getLogger("api.errors")

STATUS_BY_ERROR: dict[type[SecretomeQAError], int] = {
    InputError: 400,
    NCBIError: 502,
    VectorStoreUnavailableError: 503,
    IndexMissingError: 503,
    IndexMismatchError: 503,
    ModelUnavailableError: 503,
    StoreError: 503,
    SecretomeQAError: 500,
}

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    431: "headers_too_large",
    503: "unavailable",
}


class ApiError(Exception):
    """A failure that only exists at the HTTP layer (not found, unauthorized, too long, rate limited)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def error_code(exc: SecretomeQAError) -> str:
    """`VectorStoreUnavailableError` -> `vector_store_unavailable`, `LLMNotConfiguredError` -> `llm_not_configured`."""
    name = type(exc).__name__.removesuffix("Error") or "error"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def status_for(exc: SecretomeQAError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def describe_validation(exc: RequestValidationError) -> str:
    """Pydantic's errors as one readable line: `body.question: String should have at most 2000 characters`."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def public_message(exc: SecretomeQAError) -> str:
    """What a client may read: the vector store's address (host and port) stays in the logs only."""
    if isinstance(exc, VectorStoreUnavailableError):
        return "the vector store is not answering; retry in a few seconds"
    return str(exc)


async def _project_error(request: Request, exc: SecretomeQAError) -> JSONResponse:
    status = status_for(exc)
    log.warning("request failed", extra={"error": type(exc).__name__, "status": status, "detail": str(exc)})
    headers = {"Retry-After": "5"} if exc.retryable else None
    return error_response(status, error_code(exc), public_message(exc), headers)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(422, "invalid_request", describe_validation(exc))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error; the request id in the logs has details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SecretomeQAError, _project_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
