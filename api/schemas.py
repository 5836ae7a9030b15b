"""Request and response bodies of the HTTP API, split by direction; domain types come from rag and ingest.

Field descriptions and examples feed the OpenAPI page at `/docs`.
"""

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.types import AnswerBackend, BriefingFormat, CitedAnswer, Evidence, SearchFilters

EXAMPLE_QUESTION = "Which factors in the mesenchymal stem cell secretome promote angiogenesis?"
CONVERSATION_ID = r"^[A-Za-z0-9_-]{1,64}$"


def question_field(description: str) -> Any:
    """The bounded text field shared by every endpoint that takes a question; its length cap is a setting."""
    return Field(min_length=1, description=description, examples=[EXAMPLE_QUESTION])


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": EXAMPLE_QUESTION, "filters": {"year_from": 2019}}]},
    )

    question: str = question_field("The question, in plain language.")
    filters: SearchFilters | None = Field(None, description="Metadata filters applied before retrieval.")
    backend: AnswerBackend | None = Field(None, description="Answer generator; default from settings.")


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"message": "What do exosomes from mesenchymal stem cells carry?", "stream": False},
                {"message": "Were they tested in patients?", "conversation_id": "3f2a9c0d1b7e4a55"},
            ]
        },
    )

    message: str = question_field("The next user message; follow-ups may refer to earlier turns.")
    conversation_id: str | None = Field(
        None, pattern=CONVERSATION_ID, description="Continue this conversation; omit to start a new one."
    )
    filters: SearchFilters | None = None
    backend: AnswerBackend | None = None
    stream: bool = Field(False, description="Answer as Server-Sent Events: token*, citations, done.")


class ChatResponse(BaseModel):
    conversation_id: str
    answer: CitedAnswer


class ConversationTurn(BaseModel):
    turn: int
    role: str
    content: str
    payload: dict | None = None
    created_at: str


class ConversationResponse(BaseModel):
    conversation_id: str
    turns: list[ConversationTurn]


class BriefingRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"topic": "mesenchymal stem cell extracellular vesicles", "format": "md"}]},
    )

    topic: str = Field(
        min_length=1, description="What the briefing covers.", examples=["mesenchymal stem cell extracellular vesicles"]
    )
    format: BriefingFormat = Field(BriefingFormat.JSON, description="json (the Briefing object), md or html (a download).")
    filters: SearchFilters | None = None


class SearchResponse(BaseModel):
    query: str
    k: int
    results: list[Evidence]


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="Each dependency and `ok` or what is wrong with it.")


class IngestAccepted(BaseModel):
    job_id: str
    status_url: str


# OpenAI-compatible chat completions (the subset chat front ends send; unknown fields are accepted and ignored).


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """Content as plain text; list content (text parts) is joined, other parts are ignored."""
        if isinstance(self.content, list):
            return " ".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "secretome-qa"


class ModelList(BaseModel):
    """`GET /v1/models`: the one model this service answers as (clients list models before chatting)."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field("secretome-qa", description="Ignored except for being echoed back.")
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = Field(
        None, description="With `include_usage`, a streamed response ends with a chunk carrying `usage`."
    )
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=1)


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class CompletionChoice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """OpenAI's `chat.completion`, plus `citations` (the verified citations) and `secretome` (the full answer)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[CompletionChoice]
    usage: Usage
    citations: list[dict[str, Any]] = Field(default_factory=list, description="The verified citations.")
    secretome: dict[str, Any] | None = Field(None, description="The full answer object, without evidence.")
