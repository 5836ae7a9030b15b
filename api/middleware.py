"""Pure ASGI middleware: request ids with JSON access logs and metrics, request head limits, body size
limit, rate limit.

Pure ASGI rather than `BaseHTTPMiddleware`, so streamed answers (SSE) pass through unbuffered.
"""

import hmac
import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from api.logs import request_id_var
from api.metrics import ServiceMetrics
from api.ratelimit import RateLimiter

log = logging.getLogger("api.access")

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/v1/records/{pmid}`), so metrics labels stay few."""
    route = scope.get("route")
    if route is not None:
        return getattr(route, "path_format", None) or getattr(route, "path", "unmatched")
    return scope.get("root_path") or "unmatched"  # a mount (the static files) sets root_path to its prefix


class RequestContextMiddleware:
    """Give every request an id (the caller's `X-Request-ID` when sane), echo it, log and count the request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = header(scope, REQUEST_ID_HEADER)
        request_id = incoming if incoming and _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.in_flight.dec()
            route = route_template(scope)
            self.metrics.observe(scope["method"], route, status, seconds)
            client = scope.get("client")
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "client": client[0] if client else None,
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` with a JSON 413: by Content-Length up front, else while reading.

    Starlette's own limiter answers in plain text from outside the app's error handlers; this one keeps
    the API's error shape and names the limit. Uploads to `upload_paths` that present the admin key get
    `upload_max_bytes` instead (real PubMed exports are larger than a JSON body; the route streams them
    to disk); without the key they keep the small limit, so nobody unauthenticated can send a large body.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        upload_max_bytes: int | None = None,
        upload_paths: tuple[str, ...] = ("/v1/ingest",),
        admin_key: str | None = None,
    ):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes
        self.upload_paths = upload_paths
        self.admin_key = admin_key

    def limit_for(self, scope: Scope) -> int:
        if self.admin_key and scope["path"] in self.upload_paths:
            presented = header(scope, "x-api-key")
            if presented is not None and hmac.compare_digest(presented.encode(), self.admin_key.encode()):
                return self.upload_max_bytes
        return self.max_bytes

    @staticmethod
    def _too_large(limit: int) -> JSONResponse:
        message = f"request body is larger than the limit of {limit} bytes"
        return error_response(413, "payload_too_large", message)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = header(scope, "content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(limit)(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException, so FastAPI's body parsing re-raises it instead of calling it a parse error.
                    raise HTTPException(413, "request body too large")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except HTTPException as exc:
            if exc.status_code != 413 or response_started:
                raise
            await self._too_large(limit)(scope, receive, send)


class RequestLimitsMiddleware:
    """Refuse oversized request heads with the API's JSON error shape: a path (with query) longer than
    `max_path_chars` is 414, more than `max_headers` headers or more than `max_header_bytes` of them 431.

    The server caps what it buffers before the app sees anything (`serve` runs h11 with a bounded
    incomplete-event size); this gives every request it lets through the same limits and a JSON answer.
    """

    def __init__(self, app: ASGIApp, max_path_chars: int, max_headers: int, max_header_bytes: int):
        self.app = app
        self.max_path_chars = max_path_chars
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes

    def refusal(self, scope: Scope) -> JSONResponse | None:
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if target > self.max_path_chars:
            message = f"the request path and query are {target} characters; the limit is {self.max_path_chars}"
            return error_response(414, "uri_too_long", message)
        headers = scope.get("headers", [])
        if len(headers) > self.max_headers:
            return error_response(
                431, "headers_too_large", f"{len(headers)} request headers; the limit is {self.max_headers}"
            )
        size = sum(len(k) + len(v) + 4 for k, v in headers)
        if size > self.max_header_bytes:
            return error_response(
                431, "headers_too_large", f"request headers are {size} bytes; the limit is {self.max_header_bytes}"
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (response := self.refusal(scope)) is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class RateLimitMiddleware:
    """Per-client token bucket on the API (`/v1/...`); health, metrics and the page are never limited.

    The client is the peer address as the server reports it; the server believes `X-Forwarded-For` only
    from the proxies named in `settings.api.trusted_proxies` (none by default), so a header cannot pick
    a fresh bucket. Wall-clock time, because workers in other processes share the buckets.
    """

    def __init__(self, app: ASGIApp, limiter: RateLimiter, prefix: str = "/v1/"):
        self.app = app
        self.limiter = limiter
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.limiter.acquire(client[0] if client else "unknown", time.time())
        if wait > 0:
            retry_after = str(max(1, round(wait)))
            message = f"rate limit of {self.limiter.per_minute} requests per minute exceeded; retry in {retry_after} s"
            response = error_response(429, "rate_limited", message, {"Retry-After": retry_after})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
