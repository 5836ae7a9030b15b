"""The choices users pick from (retrieval mode, answer backend, briefing format), declared once.

Standard library only, so settings, typer options (`secretome-qa --help` stays instant) and API schemas
all validate against these enums without importing anything heavy.
"""

from enum import StrEnum


class RetrievalMode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


class AnswerBackend(StrEnum):
    EXTRACTIVE = "extractive"
    LLM = "llm"


class BriefingFormat(StrEnum):
    MD = "md"
    HTML = "html"
    JSON = "json"


RETRIEVAL_MODES: tuple[str, ...] = tuple(mode.value for mode in RetrievalMode)
