"""`GET /v1/creators/{creator_id}/similar`: lookalikes, with the reasons they resemble it.

Same engine as `microtribe similar` (matching/similar.py, matching/lookalikes.py). Built per
app (`make_router`) because the route writes to that app's served log.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from api.deps import PipelineDep, ServiceDep, route
from api.match_answer import encode
from api.plan_answer import similar_answer
from api.plan_schemas import Platform, SimilarResponse, Tier
from api.served_log import ServedLog
from matching.filters import MatchFilters
from matching.service import one_thread

MAX_EXCLUDE = 1000


def make_router(served: ServedLog) -> APIRouter:
    router = APIRouter()

    @route(
        router.get,
        "/v1/creators/{creator_id}/similar",
        "read",
        (404, 422, 503),
        response_model=SimilarResponse,
        operation_id="similar_creators",
    )
    def similar(
        creator_id: str,
        pipe: PipelineDep,
        service: ServiceDep,
        k: Annotated[int, Query(ge=1, le=200, description="How many lookalikes")] = 10,
        platforms: Annotated[list[Platform], Query()] = [],  # noqa: B006 - FastAPI copies it
        tiers: Annotated[list[Tier], Query()] = [],  # noqa: B006
        min_followers: Annotated[int, Query(ge=0)] = 0,
        max_followers: Annotated[int | None, Query(ge=0)] = None,
        countries: Annotated[list[str], Query(max_length=300)] = [],  # noqa: B006
        languages: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006
        min_authenticity: Annotated[float | None, Query(ge=0, le=1)] = None,
        max_cost: Annotated[float | None, Query(ge=0, description="EUR per post")] = None,
        exclude: Annotated[
            list[str],
            Query(max_length=MAX_EXCLUDE, description="Creator ids to leave out (repeatable)"),
        ] = [],  # noqa: B006
    ) -> Response:
        """Creators like this one: content, audience and size, each with its reasons."""
        from matching.similar import UnknownCreator, similar_creators  # with the first call

        started = time.perf_counter()
        filters = MatchFilters(
            platforms=tuple(platforms),
            tiers=tuple(tiers),
            min_followers=min_followers,
            max_followers=max_followers,
            countries=tuple(countries),
            languages=tuple(languages),
            min_authenticity=min_authenticity,
            max_cost=max_cost,
        )
        one_thread()
        try:
            found = similar_creators(pipe.catalog, creator_id, k, filters, exclude)
        except UnknownCreator as exc:
            raise HTTPException(404, f"unknown creator_id {creator_id!r}") from exc
        ids = pipe.catalog.creators.creator_id[found.rows].tolist()
        flags = service.flags(ids, found.judgement, None)
        took_ms = round((time.perf_counter() - started) * 1000, 3)
        answer = similar_answer(pipe.catalog, creator_id, found, uuid.uuid4().hex, took_ms, flags)
        request: dict[str, Any] = {"k": k, "exclude": exclude, **_given(filters)}
        served.record_answer("similar", request, answer)
        return Response(encode(answer), media_type="application/json")

    return router


def _given(filters: MatchFilters) -> dict[str, Any]:
    """The filters that were set, as JSON data."""
    values = {name: getattr(filters, name) for name in filters.__slots__}
    return {name: list(v) if isinstance(v, tuple) else v for name, v in values.items() if v}
