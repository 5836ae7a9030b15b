"""The one async generator behind every streamed answer (SSE chat and OpenAI-style streaming).

The first item is awaited before the response starts, so a failure in routing or retrieval (index
missing, Chroma down) still becomes a proper JSON error status instead of a broken stream. After that,
chunks flow until the final answer, and the stream stops early when the client goes away.
"""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request

from rag.chat import ChatReply
from rag.types import CitedAnswer

log = logging.getLogger("api.streaming")

Source = AsyncIterator[str | CitedAnswer | ChatReply]


@dataclass(frozen=True)
class Final:
    """The verified answer that ends every stream (and the conversation it belongs to, for chat)."""

    answer: CitedAnswer
    conversation_id: str | None = None


StreamItem = str | Final


def _normalise(item: str | CitedAnswer | ChatReply) -> StreamItem:
    if isinstance(item, ChatReply):
        return Final(item.answer, item.conversation_id)
    if isinstance(item, CitedAnswer):
        return Final(item)
    return item


async def start_stream(request: Request, source: Source) -> AsyncIterator[StreamItem]:
    """Pull the first item now (errors raise here, before any byte is sent) and return the whole stream."""
    try:
        first = _normalise(await anext(source))
    except BaseException:
        await source.aclose()
        raise
    return _continue(request, first, source)


async def _continue(request: Request, first: StreamItem, source: Source) -> AsyncIterator[StreamItem]:
    try:
        yield first
        async for item in source:
            if await request.is_disconnected():
                log.info("client went away; stream stopped")
                return
            yield _normalise(item)
    finally:
        await source.aclose()
