"""Logs: readable lines (rich) in a terminal, one JSON object a line otherwise; both carry the request id.

The request id lives in a context variable, so log lines written deep inside rag during a request carry
it too, without passing it around.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else was passed through `extra=` and belongs in the JSON.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
LOGGERS = ("api", "rag", "ingest", "uvicorn.error")


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRS}


class JsonFormatter(logging.Formatter):
    """Render a record as JSON with time, level, logger, message, request id and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in _extras(record).items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """One readable line: the message, then `key=value` for the request id and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        fields = _extras(record)
        request_id = fields.pop("request_id", None) or request_id_var.get()
        if request_id:
            fields = {"request_id": request_id, **fields}
        text = record.getMessage() + "".join(f" {k}={v}" for k, v in fields.items())
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _handler(log_format: str, stream) -> logging.Handler:
    use_text = log_format == "text" or (log_format == "auto" and getattr(stream, "isatty", lambda: False)())
    if not use_text:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonFormatter())
        return handler
    try:
        from rich.console import Console
        from rich.logging import RichHandler
    except ImportError:  # rich comes with typer; plain text if it is missing
        handler = logging.StreamHandler(stream)
    else:
        console = Console(file=stream, force_terminal=log_format == "auto" or None)
        handler = RichHandler(console=console, show_path=False, rich_tracebacks=False, markup=False)
    handler.setFormatter(TextFormatter())
    return handler


def configure_logging(level: str = "INFO", log_format: str = "json", stream=None) -> None:
    """Send the service's loggers (and uvicorn's) to stderr; idempotent.

    `log_format`: "json" (one object a line), "text" (readable, rich), or "auto": text when the stream is a
    terminal, JSON otherwise. A process-wide choice, so `secretome-qa serve` makes it, not the app factory.
    """
    handler = _handler(log_format, stream or sys.stderr)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True
