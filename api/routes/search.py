"""`GET /v1/search`: hybrid retrieval without answering, for people who want the records themselves."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import ValidationError

from api.deps import ServicesDep, SettingsDep, question_limit
from api.errors import ApiError
from api.schemas import SearchResponse
from rag.types import SearchFilters

router = APIRouter(prefix="/v1", tags=["search"])

PUB_TYPES = "Keep records with any of these publication types (repeatable)."


@router.get("/search", response_model=SearchResponse, summary="Ranked records with their best passages")
def search(
    services: ServicesDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, description="The query.", examples=["exosomes from mesenchymal stem cells"])],
    k: Annotated[int | None, Query(ge=1, le=200, description="Records to return; default from settings.")] = None,
    year_from: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    pub_type: Annotated[list[str] | None, Query(description=PUB_TYPES)] = None,
    has_trial_id: bool | None = None,
    exclude_retracted: bool = False,
    source: Annotated[list[str] | None, Query(description="Keep records from any of these sources.")] = None,
) -> SearchResponse:
    question_limit(settings, q, "q")
    try:
        filters = SearchFilters(
            year_from=year_from,
            year_to=year_to,
            pub_types=pub_type or [],
            has_trial_id=has_trial_id,
            exclude_retracted=exclude_retracted,
            sources=source or [],
        )
    except ValidationError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from exc
    k = k or settings.retrieval.k
    return SearchResponse(query=q, k=k, results=services.search(q, k, filters))
