"""Multi-turn chat: follow-ups become standalone questions, and every turn is kept in the store.

A follow-up such as "Were they tested in patients?" means nothing to a retriever. With the llm backend
the chat model rewrites it from the history (LangChain's history-aware rewriting, rag.answer.llm); with the
extractive backend the previous turn's key entities are carried into it, so the question stays
deterministic and offline. Turns persist in the ConversationStore, so a conversation survives
restarts and `GET /v1/conversations/{id}` can show it.
"""

import asyncio
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

from core.errors import InputError
from rag.answer.answerer import Answerer
from rag.answer.llm import history_messages, question_rewriter
from rag.conversations import ConversationStore
from rag.text import CONTENT_STOPWORDS, WORD
from rag.types import CitedAnswer, SearchFilters

REFERRING = re.compile(r"\b(?:it|its|they|them|their|theirs|these|those|this|that|such|same)\b", re.IGNORECASE)
REPLACEABLE = re.compile(r"\b(?:it|they|them)\b", re.IGNORECASE)
FOLLOW_UP_START = re.compile(r"^\s*(?:and|also|what about|how about|what else|which of|why|then)\b", re.IGNORECASE)
COMMON_VERBS = frozenset(
    ["contain", "contains", "carry", "carries", "have", "has", "show", "shows", "affect", "affects", "promote", "promotes", "reduce", "reduces", "increase", "increases", "cause", "causes", "mediate", "mediates", "use", "used", "work", "works", "help", "helps", "improve", "improves", "act", "acts", "make", "makes", "give", "gives", "given", "take", "takes", "protect", "protects", "produce", "produces", "secrete", "secretes", "release", "releases"]
)
MAX_CONTEXT_TURNS = 6


@dataclass(frozen=True)
class ChatReply:
    conversation_id: str
    answer: CitedAnswer


def new_conversation_id() -> str:
    return secrets.token_hex(8)


def key_entities(question: str, evidence_text: str = "") -> str:
    """The topic phrase of a question: its longest run of content words, trimmed to words the evidence uses.

    "What cargo do mesenchymal stem cell exosomes carry?" with evidence about MSC exosomes gives
    "mesenchymal stem cell exosomes".
    """
    runs: list[list[str]] = [[]]
    for word in WORD.findall(question):
        if word.lower() in CONTENT_STOPWORDS or word.lower() in COMMON_VERBS:
            runs.append([])
        else:
            runs[-1].append(word)
    seen = evidence_text.lower()
    if seen:
        trimmed = []
        for run in runs:
            while run and run[0].lower() not in seen:
                run = run[1:]
            while run and run[-1].lower() not in seen:
                run = run[:-1]
            trimmed.append(run)
        runs = [r for r in trimmed if r] or runs
    best = max(runs, key=len, default=[])
    return " ".join(best)


def is_follow_up(message: str) -> bool:
    content = [w for w in WORD.findall(message) if w.lower() not in CONTENT_STOPWORDS]
    return bool(REFERRING.search(message) or FOLLOW_UP_START.match(message) or len(content) <= 2)


def carry_entities(message: str, entities: str) -> str:
    """Put the previous topic into a follow-up: replace "it/they/them", else add it at the end."""
    if not entities or entities.lower() in message.lower():
        return message
    if REPLACEABLE.search(message):
        return REPLACEABLE.sub(entities, message, count=1)
    body = message.rstrip().rstrip("?").rstrip()
    return f"{body}, regarding {entities}?"


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
        return carry_entities(message, key_entities(prior_question, evidence_text))

    def _begin(self, message: str, conversation_id: str | None, backend: str | None) -> tuple[str, str, str]:
        message = message.strip()
        if not message:
            raise InputError("the message is empty")
        conversation_id = conversation_id or new_conversation_id()
        chosen = backend or self.answerer.settings.answer.backend
        standalone = self.standalone_question(message, self._turns(conversation_id), chosen)
        return conversation_id, message, standalone

    def _record(self, conversation_id: str, message: str, standalone: str, answer: CitedAnswer) -> CitedAnswer:
        answer = answer.model_copy(update={"question": message, "standalone_question": standalone})
        self.store.append_turn(conversation_id, "user", message, {"standalone_question": standalone})
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
        conversation_id, message, standalone = self._begin(message, conversation_id, backend)
        answer = self.answerer.ask(standalone, filters=filters, backend=backend)
        return ChatReply(conversation_id, self._record(conversation_id, message, standalone, answer))

    async def astream(
        self,
        message: str,
        conversation_id: str | None = None,
        filters: SearchFilters | None = None,
        backend: str | None = None,
    ) -> AsyncIterator[str | ChatReply]:
        """Text chunks as they are produced, then the ChatReply with the verified answer (stored)."""
        conversation_id, message, standalone = await asyncio.to_thread(self._begin, message, conversation_id, backend)
        async for item in self.answerer.astream(standalone, filters=filters, backend=backend):
            if isinstance(item, CitedAnswer):
                yield ChatReply(conversation_id, self._record(conversation_id, message, standalone, item))
            else:
                yield item
