"""`POST /v1/ask`: one question, one verified answer."""

from fastapi import APIRouter

from api.deps import ServicesDep, SettingsDep, question_limit
from api.schemas import AskRequest
from rag.types import CitedAnswer

router = APIRouter(prefix="/v1", tags=["answers"])


@router.post(
    "/ask",
    response_model=CitedAnswer,
    summary="Answer a question with verified PMID citations",
    response_description="The answer; `refused` is true when the corpus does not hold enough evidence.",
)
def ask(body: AskRequest, services: ServicesDep, settings: SettingsDep) -> CitedAnswer:
    question_limit(settings, body.question)
    with services.index_guard():
        answer = services.answerer().ask(body.question, filters=body.filters, backend=body.backend)
    services.metrics.count_answer("ask", answer.refused)
    return answer
