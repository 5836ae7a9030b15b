"""`POST /v1/chat/completions`: the OpenAI chat API, so the `openai` client and chat front ends can ask.

The conversation comes in `messages` (stateless, as OpenAI clients expect): earlier turns rewrite the
last user message into a standalone question the same way `/v1/chat` does. Citations appear in the text
(`[PMID:n]` plus a reference list) and, verified, in the extra `citations` field; streamed responses put
them in the last chunk, then `data: [DONE]`.
"""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.deps import ConversationsDep, ServicesDep, SettingsDep, question_limit
from api.errors import ApiError, error_body, error_code, public_message
from api.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    CompletionChoice,
    CompletionMessage,
    ModelCard,
    ModelList,
    Usage,
)
from api.services import Services
from api.streaming import Final, StreamItem, start_stream
from core.errors import SecretomeQAError
from rag.answer.answerer import Answerer
from rag.chat import Chat
from rag.types import CitedAnswer

router = APIRouter(prefix="/v1", tags=["openai"])


MODEL_ID = "secretome-qa"


def verdict_line(answer: CitedAnswer) -> str:
    """The yes/no verdict as the text's first line, so a plain chat client shows it."""
    return f"Verdict: {answer.verdict}\n\n" if answer.verdict else ""


def usage(prompt_words: int, content: str) -> Usage:
    return Usage(prompt_tokens=prompt_words, completion_tokens=word_count(content),
                 total_tokens=prompt_words + word_count(content))


@router.get("/models", response_model=ModelList, summary="The model this service answers as (OpenAI list format)")
async def list_models() -> ModelList:
    return ModelList(data=[ModelCard(id=MODEL_ID)])


def references(answer: CitedAnswer) -> str:
    """The reference list appended to the text, one cited record a line with its evidence level, then what
    kind of evidence the answer rests on (chat clients show only the text)."""
    if not answer.citations:
        return ""
    lines = ["", "", "References:"]
    for c in answer.citations:
        where = ", ".join(str(x) for x in (c.journal, c.year) if x)
        kind = ", ".join(x for x in (c.evidence_level, "" if c.abstract_complete else "partial abstract") if x)
        lines.append(f"[PMID:{c.pmid}] {c.title}{f' ({where})' if where else ''}{f' [{kind}]' if kind else ''} {c.link}")
    if answer.evidence_line:
        lines += ["", answer.evidence_line]
    return "\n".join(lines)


def word_count(text: str) -> int:
    """Usage is reported in words: this service runs no tokenizer of its own."""
    return len(text.split())


def split_conversation(body: ChatCompletionRequest) -> tuple[str, list[dict]]:
    """The last user message, and the earlier user/assistant turns in the shape rag.chat keeps them."""
    turns = [m for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(422, "invalid_request", "the last message must come from the user")
    history = [{"role": m.role, "content": m.text(), "payload": None} for m in turns[:-1]]
    return turns[-1].text().strip(), history


def _chunk(
    completion_id: str, model: str, created: int, delta: dict, finish: str | None = None, **extra: object
) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [choice],
    }
    return json.dumps({**body, **extra})


async def completion_chunks(
    items: AsyncIterator[StreamItem], model: str, services: Services, prompt_words: int | None = None
) -> AsyncIterator[ServerSentEvent]:
    """SSE chunks in OpenAI's shape; with `prompt_words` (stream_options.include_usage) a last chunk with
    empty `choices` carries `usage`, as OpenAI sends it."""
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    yield ServerSentEvent(data=_chunk(completion_id, model, created, {"role": "assistant", "content": ""}))
    streamed: list[str] = []
    try:
        async for item in items:
            if isinstance(item, Final):
                answer = item.answer
                services.metrics.count_answer("openai", answer.refused)
                tail = references(answer)
                if "".join(streamed).strip() != answer.answer.strip():
                    tail = f"\n\nVerified answer (citations checked after generation):\n{answer.answer}{tail}"
                if answer.verdict:
                    tail += f"\n\nVerdict: {answer.verdict}"
                streamed.append(tail)
                citations = [c.model_dump(mode="json") for c in answer.citations]
                yield ServerSentEvent(data=_chunk(completion_id, model, created, {"content": tail}))
                yield ServerSentEvent(
                    data=_chunk(completion_id, model, created, {}, "stop", citations=citations,
                                secretome=answer.model_dump(mode="json", exclude={"evidence"}))
                )
                if prompt_words is not None:
                    body = {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                            "model": model, "choices": [],
                            "usage": usage(prompt_words, "".join(streamed)).model_dump()}
                    yield ServerSentEvent(data=json.dumps(body))
            else:
                streamed.append(item)
                yield ServerSentEvent(data=_chunk(completion_id, model, created, {"content": item}))
    except SecretomeQAError as exc:
        services.note_failure(exc)
        yield ServerSentEvent(data=json.dumps(error_body(error_code(exc), public_message(exc))))
    yield ServerSentEvent(data="[DONE]")


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="OpenAI-compatible chat completions (streaming and not)",
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def chat_completions(
    body: ChatCompletionRequest, request: Request, services: ServicesDep, settings: SettingsDep, store: ConversationsDep
):
    message, history = split_conversation(body)
    if not message:
        raise ApiError(422, "invalid_request", "the last user message is empty")
    question_limit(settings, message, "message")
    with services.index_guard():
        answerer: Answerer = await asyncio.to_thread(services.answerer)
        backend = settings.answer.backend
        question = await asyncio.to_thread(Chat(answerer, store).standalone_question, message, history, backend)
        if body.stream:
            items = await start_stream(request, answerer.astream(question))
            wants_usage = bool(body.stream_options and body.stream_options.include_usage)
            prompt_words = sum(word_count(m.text()) for m in body.messages) if wants_usage else None
            return EventSourceResponse(completion_chunks(items, body.model, services, prompt_words), ping=15)
        answer = await asyncio.to_thread(answerer.ask, question)
    services.metrics.count_answer("openai", answer.refused)
    answer = answer.model_copy(update={"question": message, "standalone_question": question})
    content = verdict_line(answer) + answer.answer + references(answer)
    prompt_words = sum(word_count(m.text()) for m in body.messages)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        model=body.model,
        choices=[CompletionChoice(message=CompletionMessage(content=content))],
        usage=usage(prompt_words, content),
        citations=[c.model_dump(mode="json") for c in answer.citations],
        secretome=answer.model_dump(mode="json", exclude={"evidence"}),
    )
