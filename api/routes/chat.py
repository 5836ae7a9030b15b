"""`POST /v1/chat` (multi-turn, optionally streamed as Server-Sent Events) and `GET /v1/conversations/{id}`.

Conversations have owners. Only the server issues ids: a message without `conversation_id` starts one and
its response carries a secret `X-Conversation-Token` header, shown this once. Continuing or reading the
conversation needs that token (or, when an admin key is configured, the same valid `X-API-Key` that
started it); anyone else gets the same 404 as for an id that does not exist.
"""

import asyncio
import hmac
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import ConversationsDep, ServicesDep, SettingsDep, question_limit
from api.errors import ApiError, error_body, error_code, public_message, status_for
from api.schemas import CONVERSATION_ID, ChatRequest, ChatResponse, ConversationResponse, ConversationTurn
from api.services import Services
from api.streaming import Final, StreamItem, start_stream
from core.errors import InputError, SecretomeQAError
from core.settings import Settings
from rag.chat import Chat
from rag.conversations import ConversationStore, digest

router = APIRouter(prefix="/v1", tags=["chat"])

SSE_DOC = (
    "With `stream: true` the answer arrives as Server-Sent Events: `start` (conversation_id), `token`* "
    "(text as produced), `citations` (the verified answer object, without evidence), then `done`. "
    "A failure after the stream started arrives as an `error` event."
)


TOKEN_HEADER = "X-Conversation-Token"
TokenHeader = Annotated[
    str | None,
    Header(alias=TOKEN_HEADER, description="The token returned when the conversation was started."),
]
KeyHeader = Annotated[str | None, Header(alias="X-API-Key", description="The admin key, when one is configured.")]


def caller_identity(settings: Settings, api_key: str | None) -> str | None:
    """The owner identity of a caller presenting the configured admin key; None without auth or key."""
    configured = settings.api.admin_key.get_secret_value() if settings.api.admin_key else ""
    if configured and api_key and hmac.compare_digest(api_key.encode(), configured.encode()):
        return "key:" + digest(configured)
    return None


def owned_conversation(
    store: ConversationStore, conversation_id: str, token: str | None, settings: Settings, api_key: str | None
) -> None:
    """404 unless the caller holds the conversation's token or owner key; the same 404 as an unknown id."""
    if not store.authorized(conversation_id, token, caller_identity(settings, api_key)):
        raise ApiError(404, "not_found", f"no conversation {conversation_id}")


def _event(name: str, data: object) -> ServerSentEvent:
    return ServerSentEvent(event=name, data=json.dumps(data))


async def chat_events(
    items: AsyncIterator[StreamItem], conversation_id: str, services: Services
) -> AsyncIterator[ServerSentEvent]:
    yield _event("start", {"conversation_id": conversation_id})
    try:
        async for item in items:
            if isinstance(item, Final):
                services.metrics.count_answer("chat", item.answer.refused)
                yield _event("citations", item.answer.model_dump(mode="json", exclude={"evidence"}))
                yield _event("done", {"conversation_id": conversation_id, "refused": item.answer.refused})
            else:
                yield _event("token", {"text": item})
    except SecretomeQAError as exc:
        services.note_failure(exc)
        yield _event("error", {**error_body(error_code(exc), public_message(exc))["error"], "status": status_for(exc)})


@router.post(
    "/chat",
    response_model=ChatResponse,
    summary="Send a message in a conversation (new one when no id is given)",
    description=SSE_DOC,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat(
    body: ChatRequest,
    request: Request,
    services: ServicesDep,
    settings: SettingsDep,
    store: ConversationsDep,
    token: TokenHeader = None,
    api_key: KeyHeader = None,
):
    question_limit(settings, body.message, "message")
    if not body.message.strip():
        raise InputError("the message is empty")
    new_token: str | None = None
    if body.conversation_id is None:
        conversation_id, new_token = store.create(caller_identity(settings, api_key))
    else:
        conversation_id = body.conversation_id
        owned_conversation(store, conversation_id, token, settings, api_key)
    headers = {TOKEN_HEADER: new_token} if new_token else {}
    with services.index_guard():
        answerer = await asyncio.to_thread(services.answerer)
        conversation = Chat(answerer, store)
        if not body.stream:
            reply = await asyncio.to_thread(
                conversation.send, body.message, conversation_id, body.filters, body.backend
            )
            services.metrics.count_answer("chat", reply.answer.refused)
            response = ChatResponse(conversation_id=reply.conversation_id, answer=reply.answer)
            return JSONResponse(response.model_dump(mode="json"), headers=headers)
        source = conversation.astream(body.message, conversation_id, body.filters, body.backend)
        items = await start_stream(request, source)
    return EventSourceResponse(chat_events(items, conversation_id, services), ping=15, headers=headers)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationResponse,
    summary="Every turn of a conversation, with the answers as they were given",
)
def conversation(
    store: ConversationsDep,
    settings: SettingsDep,
    conversation_id: Annotated[str, Path(pattern=CONVERSATION_ID)],
    token: TokenHeader = None,
    api_key: KeyHeader = None,
) -> ConversationResponse:
    owned_conversation(store, conversation_id, token, settings, api_key)
    turns = store.conversation(conversation_id)
    if turns is None:
        raise ApiError(404, "not_found", f"no conversation {conversation_id}")
    return ConversationResponse(conversation_id=conversation_id, turns=[ConversationTurn(**t) for t in turns])
