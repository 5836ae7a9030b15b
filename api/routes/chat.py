"""`POST /v1/chat` (multi-turn, optionally streamed as Server-Sent Events) and `GET /v1/conversations/{id}`."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import ConversationsDep, ServicesDep, SettingsDep, question_limit
from api.errors import ApiError, error_body, error_code, status_for
from api.schemas import CONVERSATION_ID, ChatRequest, ChatResponse, ConversationResponse, ConversationTurn
from api.services import Services
from api.streaming import Final, StreamItem, start_stream
from core.errors import SecretomeQAError
from rag.chat import Chat, new_conversation_id

router = APIRouter(prefix="/v1", tags=["chat"])

SSE_DOC = (
    "With `stream: true` the answer arrives as Server-Sent Events: `start` (conversation_id), `token`* "
    "(text as produced), `citations` (the verified answer object, without evidence), then `done`. "
    "A failure after the stream started arrives as an `error` event."
)


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
        yield _event("error", {**error_body(error_code(exc), str(exc))["error"], "status": status_for(exc)})


@router.post(
    "/chat",
    response_model=ChatResponse,
    summary="Send a message in a conversation (new one when no id is given)",
    description=SSE_DOC,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat(
    body: ChatRequest, request: Request, services: ServicesDep, settings: SettingsDep, store: ConversationsDep
):
    question_limit(settings, body.message, "message")
    with services.index_guard():
        answerer = await asyncio.to_thread(services.answerer)
        conversation = Chat(answerer, store)
        if not body.stream:
            reply = await asyncio.to_thread(
                conversation.send, body.message, body.conversation_id, body.filters, body.backend
            )
            services.metrics.count_answer("chat", reply.answer.refused)
            return ChatResponse(conversation_id=reply.conversation_id, answer=reply.answer)
        conversation_id = body.conversation_id or new_conversation_id()
        source = conversation.astream(body.message, conversation_id, body.filters, body.backend)
        items = await start_stream(request, source)
    return EventSourceResponse(chat_events(items, conversation_id, services), ping=15)


@router.get(
    "/conversations/{conversation_id}",
    response_model=ConversationResponse,
    summary="Every turn of a conversation, with the answers as they were given",
)
def conversation(
    store: ConversationsDep, conversation_id: Annotated[str, Path(pattern=CONVERSATION_ID)]
) -> ConversationResponse:
    turns = store.conversation(conversation_id)
    if turns is None:
        raise ApiError(404, "not_found", f"no conversation {conversation_id}")
    return ConversationResponse(conversation_id=conversation_id, turns=[ConversationTurn(**t) for t in turns])
