"""`ask` through a running `secretome-qa serve`, whose index and models are already loaded.

A cold `ask` spends seconds importing Chroma and loading the index and three models before its first answer;
the service answers the same question in well under one. The CLI uses it only when it answers from the very
index build this invocation would open (same collection, same manifest time and size), and falls back to
answering in process on any failure, so the service is an accelerator and never changes what is answered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from core.errors import SecretomeQAError
from rag.index.manifest import IndexManifest, read_manifest

if TYPE_CHECKING:
    from core.settings import Settings
    from rag.choices import AnswerBackend
    from rag.types import CitedAnswer, SearchFilters

# Nothing listening refuses a loopback connection at once; a service that cannot say which index it serves
# within this long is not worth waiting for.
PROBE_TIMEOUT_S = 1.0
ANSWER_TIMEOUT_S = 120.0


class ServiceUnavailableError(SecretomeQAError):
    """The service stopped answering (or refused a question); the caller answers in process instead."""


def service_url(settings: Settings) -> str:
    """Where `secretome-qa serve` listens with these settings, as a client on this machine reaches it."""
    host = settings.api.host
    if host in {"", "0.0.0.0", "::"}:
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.api.port}"


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
