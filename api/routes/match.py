"""`POST /v1/match`: the ranked, explained shortlist, on a request path of its own.

FastAPI documents the route from `match`'s signature (body model, examples, security, error
responses) like every other, but its requests go straight to `serve_match` (`served_by`),
which authenticates, reads the body and answers without FastAPI's per-request machinery
(docs/design.md, "The /v1/match request path"). The route is built per app, because the
handler holds that app's authorizer, metrics, served log and in-flight count.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from api.deps import Authorizer, brand_of, documented_errors, presented_key, require
from api.errors import BODY_ERRORS
from api.match_answer import encode, match_answer
from api.metrics import HttpMetrics
from api.request_body import parse_body, served_by
from api.schemas import MATCH_EXAMPLES, FiltersIn, MatchRequest, MatchResponse
from api.served_log import ServedLog
from features.schema import FEATURE_NAMES
from matching.challenger import ChallengerJob, ChallengerScorer
from matching.filters import MatchFilters
from matching.pipeline import MatchPipeline, MatchResult
from matching.service import MatchService, NotReady, one_thread
from microtribe.settings import Settings
from models.bundle import Bundle
from models.guardrails import Guardrails


def filters_from(given: FiltersIn) -> MatchFilters:
    return MatchFilters(
        platforms=tuple(given.platforms),
        tiers=tuple(given.tiers),
        min_followers=given.min_followers,
        max_followers=given.max_followers,
        countries=tuple(given.countries),
        languages=tuple(given.languages),
        exclude_creator_ids=tuple(given.exclude_creator_ids),
        min_authenticity=given.min_authenticity,
        max_cost=given.max_cost,
    )


def shadow_job(
    pipe: MatchPipeline,
    bundle: Bundle,
    body: MatchRequest,
    result: MatchResult,
    sent: dict[str, Any],
) -> ChallengerJob:
    """The challenger's job for one answered match: references only, nothing copied."""
    assert result.candidates is not None  # `MatchPipeline.run` always sets them
    return ChallengerJob(
        request_id=sent["request_id"],
        brand_id=sent["brand_id"],
        champion_version=pipe.bundle.version,
        challenger=bundle,
        catalog=pipe.catalog,
        candidates=result.candidates,
        k=body.k,
        rank_by=result.rank_by,
        guardrails=result.guardrails,
        time=datetime.now(UTC),
    )


def make_router(
    state: State,
    settings: Settings,
    authorizer: Authorizer,
    metrics: HttpMetrics,
    served: ServedLog,
    challenger: ChallengerScorer | None = None,
) -> APIRouter:
    """The `/v1/match` route of the app whose `state` holds the service (from its lifespan);
    `challenger` scores the same candidates off the request path when a challenger is loaded."""
    authorize = authorizer.authorize

    def brief_of(body: MatchRequest) -> tuple[MatchPipeline, dict[str, Any]]:
        """The pipeline in service and the brand document the request asks about."""
        service: MatchService = state.service
        try:
            pipe = service.ready()
        except NotReady as exc:
            raise HTTPException(503, str(exc)) from exc
        return pipe, brand_of(service, body)

    def answer(
        body: MatchRequest, pipe: MatchPipeline, brand: dict[str, Any], started: float
    ) -> Response:
        one_thread()  # OpenMP limits are per thread: cap the thread running the pipeline
        with state.service.match_slots:  # bounded: see MatchService.match_slots
            result = pipe.run(
                brand,
                body.k,
                filters_from(body.filters),
                with_reasons=body.explain,
                diversify=body.diversify,
                rank_by=body.rank_by,
                guardrails=Guardrails.parse(body.guardrail_policies()),
                explain_ids=body.explain_creator_ids,
            )
        ids = pipe.catalog.creators.creator_id[result.rows].tolist()
        flags = state.service.flags(ids, result.judgement, result.guardrails, result.topics)
        metrics.observe_match_stages(result.timings_ms)
        took_ms = round((time.perf_counter() - started) * 1000, 3)
        sent = match_answer(pipe, result, uuid.uuid4().hex, took_ms, flags)
        served.record(body, sent, result.features, FEATURE_NAMES, brand)  # every column computed
        encoded = encode(sent)
        if pipe.challenger is not None and challenger is not None:
            challenger.offer(shadow_job(pipe, pipe.challenger, body, result, sent))
        return Response(encoded, media_type="application/json")

    def match(body: Annotated[MatchRequest, Body(openapi_examples=MATCH_EXAMPLES)]) -> Response:
        """Ranked, explained shortlist of creators for a brand brief or a stored brand."""
        started = time.perf_counter()
        return answer(body, *brief_of(body), started)

    in_flight = 0  # /v1/match requests past authentication, not answered yet (loop only)
    if challenger is not None:
        challenger.yield_to(lambda: in_flight > 0)

    async def serve_match(request: Request) -> Response:
        # FastAPI's request handling costs more than the HTTP target allows on this route:
        # the same checks, in the same order of precedence, without it (see `served_by`)
        nonlocal in_flight
        authorize(presented_key(request.headers), "read")
        raw, content_type = await request.body(), request.headers.get("content-type")
        started = time.perf_counter()

        def respond() -> Response:
            body = parse_body(raw, content_type, MatchRequest)
            return answer(body, *brief_of(body), started)

        in_flight += 1
        try:
            await asyncio.sleep(0)  # requests that arrived meanwhile count themselves first
            # In worker threads when so configured; when other matches are waiting or running,
            # so that two overlap and the loop keeps reading requests; and while a reload
            # loads, whose long hold on the GIL would stall the loop (docs/design.md)
            if settings.match_concurrency > 1 or in_flight > 1 or state.service.reloading:
                return await run_in_threadpool(respond)
            # Alone: on the event loop, an uncached brief's embedding included. A hand-off to
            # a worker thread and back cost more than the rest of the HTTP path together.
            return respond()
        finally:
            in_flight -= 1

    router = APIRouter()
    router.add_api_route(
        "/v1/match",
        match,
        methods=["POST"],
        route_class_override=served_by(serve_match),
        dependencies=[require("read")],  # documents the security; serve_match enforces it
        responses=documented_errors("read", (*BODY_ERRORS, 404, 503)),
        response_model=MatchResponse,
    )
    return router
