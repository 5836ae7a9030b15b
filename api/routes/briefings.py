"""`POST /v1/briefings`: a structured, cited briefing on a topic, as JSON or a Markdown/HTML download."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from api.deps import ServicesDep, SettingsDep, StoreDep, question_limit
from api.schemas import BriefingRequest
from rag.briefing import Briefing, BriefingBuilder, render_briefing

router = APIRouter(prefix="/v1", tags=["briefings"])

MEDIA_TYPES = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.post(
    "/briefings",
    response_model=Briefing,
    summary="Write a cited briefing (Mechanisms, Sources, Clinical trials, Regulatory, Evidence gaps)",
    responses={200: {"content": {"text/markdown": {}, "text/html": {}}}},
)
def briefing(body: BriefingRequest, services: ServicesDep, settings: SettingsDep, store: StoreDep) -> Response:
    question_limit(settings, body.topic, "topic")
    with services.index_guard():
        result = BriefingBuilder(services.answerer(), store).build(body.topic, body.filters)
    services.metrics.count_answer("briefing", not result.cited_pmids())
    if body.format == "json":
        return JSONResponse(result.model_dump(mode="json"))
    return Response(
        render_briefing(result, body.format),
        media_type=MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="briefing.{body.format}"'},
    )
