"""Multi-turn chat: follow-ups become standalone questions, and every turn is kept in the store.

A follow-up such as "Were they tested in patients?" means nothing to a retriever. With the llm backend
the chat model rewrites it from the history (LangChain's history-aware rewriting, rag.answer.llm); with the
extractive backend rag.followup resolves pronouns and ellipsis against the previous question's subject,
so the question stays deterministic and offline. A follow-up without filters keeps the previous turn's.
Turns persist in the ConversationStore, so a conversation survives restarts and
`GET /v1/conversations/{id}` can show it.
"""

import asyncio
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from core.errors import InputError
from rag.answer.answerer import Answerer
from rag.answer.llm import history_messages, question_rewriter
from rag.conversations import ConversationStore
from rag.followup import is_follow_up, key_entities, rewrite_follow_up
from rag.types import CitedAnswer, SearchFilters

__all__ = ["Chat", "ChatReply", "is_follow_up", "key_entities", "new_conversation_id", "rewrite_follow_up"]

MAX_CONTEXT_TURNS = 6


@dataclass(frozen=True)
class ChatReply:
    conversation_id: str
    answer: CitedAnswer


def new_conversation_id() -> str:
    return secrets.token_hex(8)


class Chat:
    """Conversations over an Answerer, persisted in the conversation store."""

    def __init__(self, answerer: Answerer, store: ConversationStore, chat_model: BaseChatModel | None = None):
        self.answerer = answerer
        self.store = store
        self._chat_model = chat_model

    def _turns(self, conversation_id: str) -> list[dict]:
        return self.store.conversation(conversation_id) or []

    def standalone_question(self, message: str, turns: Sequence[dict], backend: str) -> str:
        """The follow-up rewritten so it can be answered without the history."""
        if not turns:
            return message
        if backend == "llm":
            model = self._chat_model or self.answerer.chat_model
            history = history_messages([(t["role"], t["content"]) for t in turns[-MAX_CONTEXT_TURNS:]])
            rewritten = question_rewriter(model).invoke({"input": message, "chat_history": history}).strip()
            return rewritten or message
        if not is_follow_up(message):
            return message
        previous = next((t for t in reversed(turns) if t["role"] == "user"), None)
        if previous is None:
            return message
        prior_question = (previous.get("payload") or {}).get("standalone_question") or previous["content"]
        reply = next((t for t in reversed(turns) if t["role"] == "assistant"), None)
        evidence = ((reply or {}).get("payload") or {}).get("evidence") or []
        evidence_text = " ".join(
            [e.get("title", "") for e in evidence] + [p.get("text", "") for e in evidence for p in e.get("passages", [])]
        )
        return rewrite_follow_up(message, prior_question, evidence_text)

    def inherited_filters(self, conversation_id: str | None, filters: SearchFilters | None) -> SearchFilters | None:
        """The filters given, else those of the conversation's previous turn ("and since 2020?" keeps them)."""
        if filters is not None or not conversation_id:
            return filters
        previous = next((t for t in reversed(self._turns(conversation_id)) if t["role"] == "user"), None)
        stored = ((previous or {}).get("payload") or {}).get("filters")
        return SearchFilters.model_validate(stored) if stored else None

    def _begin(self, message: str, conversation_id: str | None, backend: str | None) -> tuple[str, str, str]:
        message = message.strip()
        if not message:
            raise InputError("the message is empty")
        conversation_id = conversation_id or new_conversation_id()
        chosen = backend or self.answerer.settings.answer.backend
        standalone = self.standalone_question(message, self._turns(conversation_id), chosen)
        return conversation_id, message, standalone

    def _record(
        self, conversation_id: str, message: str, standalone: str, answer: CitedAnswer,
        filters: SearchFilters | None = None,
    ) -> CitedAnswer:
        answer = answer.model_copy(update={"question": message, "standalone_question": standalone})
        payload: dict = {"standalone_question": standalone}
        if filters is not None:
            payload["filters"] = filters.model_dump(mode="json")
        self.store.append_turn(conversation_id, "user", message, payload)
        self.store.append_turn(conversation_id, "assistant", answer.answer, answer.model_dump(mode="json"))
        return answer

    def send(
        self,
        message: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
        backend: str | None = None,
    ) -> ChatReply:
        """Answer one message in a conversation (a new one when no id is given)."""
        filters = self.inherited_filters(conversation_id, filters)
        conversation_id, message, standalone = self._begin(message, conversation_id, backend)
        answer = self.answerer.ask(standalone, filters=filters, backend=backend)
        return ChatReply(conversation_id, self._record(conversation_id, message, standalone, answer, filters))

    async def astream(
        self,
        message: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
        backend: str | None = None,
    ) -> AsyncIterator[str | ChatReply]:
        """Text chunks as they are produced, then the ChatReply with the verified answer (stored)."""
        filters = await asyncio.to_thread(self.inherited_filters, conversation_id, filters)
        conversation_id, message, standalone = await asyncio.to_thread(self._begin, message, conversation_id, backend)
        async for item in self.answerer.astream(standalone, filters=filters, backend=backend):
            if isinstance(item, CitedAnswer):
                yield ChatReply(conversation_id, self._record(conversation_id, message, standalone, item, filters))
            else:
                yield item
