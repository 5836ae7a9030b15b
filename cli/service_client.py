"""`ask` through a running `secretome-qa serve`, whose index and models are already loaded.

A cold `ask` spends seconds importing Chroma and loading the index and three models before its first answer;
the service answers the same question in well under one. The CLI uses it only when it answers from the very
index build this invocation would open (same collection, same manifest time and size), and falls back to
answering in process on any failure, so the service is an accelerator and never changes what is answered.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from core.errors import SecretomeQAError
from rag.index.manifest import IndexManifest, read_manifest

if TYPE_CHECKING:
    import httpx

    from core.settings import Settings
    from rag.choices import AnswerBackend
    from rag.types import CitedAnswer, SearchFilters

# Nothing listening refuses a loopback connection at once; a service that cannot say which index it serves
# within this long is not worth waiting for.
PROBE_TIMEOUT_S = 1.0
ANSWER_TIMEOUT_S = 120.0


class ServiceUnavailableError(SecretomeQAError):
    """The service stopped answering (or refused a question); the caller answers in process instead."""


def service_host(settings: Settings) -> str:
    """The host `secretome-qa serve` listens on with these settings, as a client on this machine reaches it."""
    host = settings.api.host
    return "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host


def service_url(settings: Settings) -> str:
    host = service_host(settings)
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.api.port}"


def something_listens(settings: Settings) -> bool:
    """Whether anything accepts connections at the service's address: a plain socket answers that in
    microseconds, where an HTTP client first spends about 0.1 s building its TLS context."""
    try:
        with socket.create_connection((service_host(settings), settings.api.port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def same_build(served: IndexManifest, local: IndexManifest) -> bool:
    """True when the service answers from the index build on disk here, not merely from the same kind of one."""
    fields = ("collection", "updated_at", "records", "chunks", "pending_records")
    return all(getattr(served, name) == getattr(local, name) for name in fields)


class ServiceAnswerer:
    """Answers over HTTP from a service serving this data dir's index."""

    def __init__(self, url: str, client: httpx.Client):
        self.url = url
        self.client = client

    @classmethod
    def find(cls, settings: Settings) -> ServiceAnswerer | None:
        """The running service when it serves this index build; None when there is none (or another one)."""
        try:
            local = read_manifest(settings.index_dir)
        except (SecretomeQAError, OSError, ValueError):
            return None  # no index here: answering in process reports why
        if not something_listens(settings):
            return None
        import httpx  # here, not at the top: a CLI call with no service running never needs it

        url = service_url(settings)
        client = httpx.Client(base_url=url, timeout=httpx.Timeout(ANSWER_TIMEOUT_S, connect=PROBE_TIMEOUT_S))
        try:
            reply = client.get("/v1/index", timeout=PROBE_TIMEOUT_S)
            if reply.status_code == 200 and same_build(IndexManifest.model_validate_json(reply.content), local):
                return cls(url, client)
        except (httpx.HTTPError, ValueError):
            pass
        client.close()
        return None

    def ask(
        self, question: str, filters: SearchFilters | None = None, backend: AnswerBackend | None = None
    ) -> CitedAnswer:
        import httpx

        from rag.types import CitedAnswer

        body = {
            "question": question,
            "filters": filters.model_dump(mode="json") if filters else None,
            "backend": backend.value if backend else None,
        }
        try:
            reply = self.client.post("/v1/ask", json=body)
        except httpx.HTTPError as exc:
            raise ServiceUnavailableError(f"the service at {self.url} stopped answering: {exc}") from exc
        if reply.status_code != 200:
            raise ServiceUnavailableError(f"the service at {self.url} answered HTTP {reply.status_code}: {reply.text[:200]}")
        return CitedAnswer.model_validate_json(reply.content)

    def close(self) -> None:
        self.client.close()
