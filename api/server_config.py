"""How `secretome-qa serve` runs uvicorn: forwarded headers, request-head caps and worker processes.

- Forwarded headers (`X-Forwarded-For`, `-Proto`) are believed only from `settings.api.trusted_proxies`;
  with none named (the default) uvicorn's proxy-header support is off, so the client a log line or the
  rate limiter sees is always the TCP peer.
- HTTP/1.1 is parsed by h11 with a bounded incomplete-event size: a request head larger than
  `HEAD_LIMIT_BYTES` is refused by the server before it is buffered whole (httptools sets no limit);
  smaller ones reach the app, whose `RequestLimitsMiddleware` applies the configured limits with JSON errors.
- With `workers > 1` each worker process builds its app from the settings the parent passes in the
  environment (`worker_app`); they share the rate limit through its SQLite file.
"""

import json
import os
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr

from core.settings import Settings

SETTINGS_ENV = "SECRETOME_SERVE_SETTINGS_JSON"
LOG_FORMAT_ENV = "SECRETOME_SERVE_LOG_FORMAT"
HEAD_LIMIT_BYTES = 512 * 1024


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `uvicorn.Config` that apply the settings' network-facing limits."""
    trusted = settings.api.trusted_proxies
    return {
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": ",".join(trusted) if trusted else "",
        "http": "h11",
        "h11_max_incomplete_event_size": max(HEAD_LIMIT_BYTES, 2 * (settings.api.max_header_bytes + settings.api.max_path_chars)),
        "server_header": False,
    }


def settings_json(settings: Settings) -> str:
    """The settings as JSON with secrets in clear, for worker processes (passed in their environment)."""

    def plain(value: object) -> object:
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    return json.dumps(settings.model_dump(mode="python"), default=plain)


def worker_app() -> FastAPI:
    """The app factory uvicorn's worker processes import (`api.server_config:worker_app`)."""
    from api.app import create_app
    from api.logs import configure_logging

    configure_logging(log_format=os.environ.get(LOG_FORMAT_ENV, "json"))
    settings = Settings(_env_file=None, **json.loads(os.environ[SETTINGS_ENV]))
    return create_app(settings)
