"""Logs are readable in a terminal and JSON otherwise (or when asked), both with the request id."""

import io
import json
import logging
import re

from api.logs import configure_logging, request_id_var


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def emit(stream: io.StringIO, log_format: str) -> str:
    configure_logging(log_format=log_format, stream=stream)
    token = request_id_var.set("req-42")
    try:
        logging.getLogger("api").info("request", extra={"path": "/healthz", "status": 200})
    finally:
        request_id_var.reset(token)
    return stream.getvalue()


def test_auto_is_readable_on_a_terminal() -> None:
    text = re.sub(r"\x1b\[[0-9;]*m", "", emit(Terminal(), "auto"))
    assert not text.lstrip().startswith("{")
    assert "request" in text and "request_id=req-42" in text and "path=/healthz" in text


def test_auto_is_json_when_not_a_terminal_and_json_when_asked() -> None:
    for stream, log_format in ((io.StringIO(), "auto"), (Terminal(), "json")):
        entry = json.loads(emit(stream, log_format).strip())
        assert entry["request_id"] == "req-42" and entry["path"] == "/healthz" and entry["message"] == "request"
