"""FastAPI dependencies as `Annotated` aliases: routes declare what they need, the app state provides it."""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request

from api.errors import ApiError
from api.services import Services
from core.settings import Settings
from ingest.store import DocumentStore
from rag.conversations import ConversationStore


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    return request.app.state.services.settings


def get_store(services: Annotated[Services, Depends(get_services)]) -> Iterator[DocumentStore]:
    """A store connection for this request, closed after the response (streamed ones included)."""
    store = DocumentStore(services.settings.store_path)
    try:
        yield store
    finally:
        store.close()


def get_conversations(services: Annotated[Services, Depends(get_services)]) -> Iterator[ConversationStore]:
    """The conversation store for this request, closed after the response (streamed ones included)."""
    store = ConversationStore(services.settings.conversations_path, services.settings.api.conversation_max_turns)
    try:
        yield store
    finally:
        store.close()


def require_admin(
    settings: Annotated[Settings, Depends(get_settings)],
    x_api_key: Annotated[str | None, Header(description="The admin API key (SECRETOME_API__ADMIN_KEY).")] = None,
) -> None:
    """Admin endpoints need `X-API-Key` equal to the configured key, compared in constant time."""
    configured = settings.api.admin_key.get_secret_value() if settings.api.admin_key else ""
    if not configured:
        raise ApiError(401, "unauthorized", "admin endpoints are disabled: no admin key is configured on the server")
    if x_api_key is None:
        raise ApiError(401, "unauthorized", "missing X-API-Key header")
    if not hmac.compare_digest(x_api_key.encode(), configured.encode()):
        raise ApiError(401, "unauthorized", "invalid API key")


def question_limit(settings: Settings, text: str, field: str = "question") -> str:
    """Refuse questions longer than the configured limit with 422 and a message saying the limit."""
    limit = settings.api.max_question_chars
    if len(text) > limit:
        raise ApiError(422, "question_too_long", f"{field} is {len(text)} characters; the limit is {limit}")
    return text


ServicesDep = Annotated[Services, Depends(get_services)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[DocumentStore, Depends(get_store)]
ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
AdminDep = Annotated[None, Depends(require_admin)]
