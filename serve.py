"""The FastAPI application: `/v1/match` and friends (see docs/design.md for every shape).

Nothing happens at import: `create_app` builds the app (reading limits from the environment
then), and its lifespan loads the catalog, the champion bundle and the embedder and opens the
served-candidates log when the server starts.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from api.errors import (
    BODY_ERRORS,
    error_response,
    error_responses,
    install_error_handlers,
)
from api.limits import ApiLimits, BodySizeLimit, RateLimiter
from api.match_answer import encode, match_answer
from api.metrics import HttpMetrics, HttpMetricsMiddleware
from api.request_body import parse_body, served_by
from api.schemas import (
    BRAND_LINKS,
    BRANDS_EXAMPLES,
    CREATOR_LINKS,
    CREATORS_EXAMPLES,
    FEEDBACK_EXAMPLES,
    MATCH_EXAMPLES,
    CreatorsUpserted,
    FiltersIn,
    MatchRequest,
    MatchResponse,
    ModelInfo,
    Stored,
)
from api.served_log import ServedLog
from api.strict_json import StrictJsonRoute
from features.schema import FEATURE_NAMES
from matching.filters import MatchFilters
from matching.pipeline import MatchPipeline
from matching.service import RELOAD_ERRORS, MatchService, NotReady, one_thread
from microtribe.auth import KeyRing, Role, allows
from microtribe.contract import Brand, Creator, Outcome
from microtribe.settings import Settings

log = logging.getLogger("microtribe.serve")
MAX_BATCH = 1000
# Declared so OpenAPI documents both ways to send a key (the Authorize button of /docs);
# `require` checks the key these extract.
BEARER = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: <key>`")


async def _service(request: Request) -> MatchService:
    service: MatchService = request.app.state.service
    return service


async def _pipeline(request: Request) -> MatchPipeline:
    try:
        return (await _service(request)).ready()
    except NotReady as exc:
        raise HTTPException(503, str(exc)) from exc


# async: these only read state, and a sync dependency would cost a thread hop per request
ServiceDep = Annotated[MatchService, Depends(_service)]
PipelineDep = Annotated[MatchPipeline, Depends(_pipeline)]


def presented_key(headers: Headers) -> str:
    """The key as `require` gets it from BEARER and API_KEY: a Bearer token, else X-API-Key."""
    scheme, token = get_authorization_scheme_param(headers.get("authorization"))
    if scheme.lower() == "bearer" and token:
        return token
    return headers.get("x-api-key") or ""


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


def _serving_pipeline(app: FastAPI) -> MatchPipeline | None:
    service: MatchService | None = getattr(app.state, "service", None)
    return None if service is None else service.pipeline


def _add_middleware(app: FastAPI, limits: ApiLimits, metrics: HttpMetrics) -> None:
    # Each one added wraps the previous ones: metrics run first, so they also count the
    # 413s, and the CORS preflights when CORS is on.
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    if limits.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(limits.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
            max_age=600,
        )
    app.add_middleware(HttpMetricsMiddleware, metrics=metrics)


def create_app(
    settings: Settings, keys: KeyRing | None, limits: ApiLimits | None = None
) -> FastAPI:
    """The API; `keys=None` disables authentication (local experiments only).

    `limits` default to `ApiLimits.from_env()`, read now rather than at import.
    """
    limits = limits or ApiLimits.from_env()
    rate = limits.rate_per_second
    limiter = RateLimiter(rate, limits.burst) if rate else None
    served = ServedLog(settings.home / "logs" / "served.jsonl")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = MatchService(settings)
        service.start()
        service.start_polling(settings.poll_seconds)  # new champion or catalog: safe reload
        app.state.service = service
        served.start()
        try:
            yield
        finally:
            served.stop()
            service.close()  # stops the poller too

    app = FastAPI(
        title="microtribe",
        version="1",
        description="Find the micro- and nano-creators who will genuinely champion a brand.",
        lifespan=lifespan,
    )
    app.router.route_class = StrictJsonRoute  # before any route is added
    metrics = HttpMetrics(lambda: _serving_pipeline(app))
    install_error_handlers(app)
    _add_middleware(app, limits, metrics)

    def authorize(key: str, role: Role) -> Role:
        # with authentication off everyone is admin and shares one rate-limit bucket
        granted: Role = "admin"
        identity = "anonymous"
        if keys is not None:
            found = keys.identify(key)
            if found is None:
                raise HTTPException(401, "a valid API key is required")
            identity, granted = found
        if limiter is not None and (wait := limiter.acquire(identity)) > 0:
            retry = str(max(1, math.ceil(wait)))
            message = f"rate limit of {rate:g} requests/s for this key exceeded"
            raise HTTPException(429, message, headers={"Retry-After": retry})
        if not allows(granted, role):
            raise HTTPException(403, f"a {granted!r} key cannot do this; it needs {role!r}")
        return granted

    def require(role: Role) -> Any:
        async def check(
            bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
            api_key: Annotated[str | None, Security(API_KEY)],
        ) -> Role:
            return authorize(bearer.credentials if bearer else api_key or "", role)

        return Depends(check)

    def documented_errors(role: Role | None, errors: Iterable[int]) -> dict[int | str, Any]:
        return error_responses({500, *errors, *((401, 403, 429) if role else ())})

    def route(
        method: Callable[..., Any],
        path: str,
        role: Role | None,
        errors: Iterable[int] = (),
        **extra: Any,
    ) -> Any:
        responses = {**documented_errors(role, errors), **extra.pop("responses", {})}
        dependencies = [require(role)] if role else []
        return method(path, dependencies=dependencies, responses=responses, **extra)

    @route(app.get, "/healthz", None)
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @route(app.get, "/readyz", None, errors=(503,))
    def readyz(service: ServiceDep) -> JSONResponse:
        """Readiness: a catalog and a champion model are loaded."""
        if service.pipeline is None:
            reason = service.not_ready_reason or "not loaded yet"
            return error_response(503, f"no catalog or model in service: {reason}")
        return JSONResponse({"status": "ready"})

    @route(
        app.get,
        "/metrics",
        None,
        response_class=PlainTextResponse,
        responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}},
    )
    async def prometheus_metrics() -> Response:
        """Prometheus metrics: requests and latency per route, match stages, model in service."""
        body, media_type = metrics.exposition()
        return Response(body, media_type=media_type)

    def brief_of(body: MatchRequest) -> tuple[MatchPipeline, dict[str, Any]]:
        """The pipeline in service and the brand document the request asks about."""
        service: MatchService = app.state.service
        try:
            pipe = service.ready()
        except NotReady as exc:
            raise HTTPException(503, str(exc)) from exc
        if body.brand is not None:
            return pipe, body.brand.model_dump(mode="json", exclude_none=True)
        stored = service.store.brand(body.brand_id or "")
        if stored is None:
            raise HTTPException(404, f"unknown brand_id {body.brand_id!r}")
        return pipe, stored

    def answer(
        body: MatchRequest, pipe: MatchPipeline, brand: dict[str, Any], started: float
    ) -> Response:
        one_thread()  # OpenMP limits are per thread: cap the thread running the pipeline
        with app.state.service.match_slots:  # bounded: see MatchService.match_slots
            result = pipe.run(
                brand,
                body.k,
                filters_from(body.filters),
                with_reasons=body.explain,
                diversify=body.diversify,
                rank_by=body.rank_by,
            )
        metrics.observe_match_stages(result.timings_ms)
        took_ms = round((time.perf_counter() - started) * 1000, 3)
        sent = match_answer(pipe, result, uuid.uuid4().hex, took_ms)
        served.record(body, sent, result.features, FEATURE_NAMES)  # every column computed
        return Response(encode(sent), media_type="application/json")

    def match(body: Annotated[MatchRequest, Body(openapi_examples=MATCH_EXAMPLES)]) -> Response:
        """Ranked, explained shortlist of creators for a brand brief or a stored brand."""
        started = time.perf_counter()
        return answer(body, *brief_of(body), started)

    in_flight = 0  # /v1/match requests past authentication, not answered yet (loop only)

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
            if settings.match_concurrency > 1 or in_flight > 1 or app.state.service.reloading:
                return await run_in_threadpool(respond)
            # Alone: on the event loop, an uncached brief's embedding included. A hand-off to
            # a worker thread and back cost more than the rest of the HTTP path together.
            return respond()
        finally:
            in_flight -= 1

    app.router.add_api_route(
        "/v1/match",
        match,
        methods=["POST"],
        route_class_override=served_by(serve_match),
        dependencies=[require("read")],  # documents the security; serve_match enforces it
        responses=documented_errors("read", (*BODY_ERRORS, 404, 503)),
        response_model=MatchResponse,
    )
    app.router.routes.insert(0, app.router.routes.pop())  # the busiest route is matched first

    @route(
        app.post,
        "/v1/creators",
        "write",
        BODY_ERRORS,
        response_model=CreatorsUpserted,
        responses={200: {"links": CREATOR_LINKS}},
    )
    def upsert_creators(
        creators: Annotated[
            list[Creator], Body(max_length=MAX_BATCH, openapi_examples=CREATORS_EXAMPLES)
        ],
        service: ServiceDep,
    ) -> CreatorsUpserted:
        """Upsert a batch of creators: all stored or none, searchable at once."""
        docs = [c.model_dump(mode="json", exclude_none=True) for c in creators]
        ids = [doc["creator_id"] for doc in docs]
        if len(set(ids)) != len(ids):
            raise HTTPException(422, "a creator_id appears twice in the batch")
        version = service.upsert_creators(docs)
        return CreatorsUpserted(upserted=len(docs), catalog_version=version)

    @route(
        app.get,
        "/v1/creators/{creator_id}",
        "read",
        (404, 422),
        response_model=Creator,
        operation_id="get_creator",
    )
    def get_creator(creator_id: str, service: ServiceDep) -> dict[str, Any]:
        """One stored creator."""
        doc = service.store.creator(creator_id)
        if doc is None:
            raise HTTPException(404, f"unknown creator_id {creator_id!r}")
        return doc

    @route(
        app.delete, "/v1/creators/{creator_id}", "write", (404, 422), operation_id="delete_creator"
    )
    def delete_creator(creator_id: str, service: ServiceDep) -> dict[str, Any]:
        """Delete a creator from the store and from search."""
        if not service.delete_creator(creator_id):
            raise HTTPException(404, f"unknown creator_id {creator_id!r}")
        return {"deleted": creator_id}

    @route(
        app.post,
        "/v1/brands",
        "write",
        BODY_ERRORS,
        response_model=Stored,
        responses={200: {"links": BRAND_LINKS}},
    )
    def upsert_brands(
        brands: Annotated[
            list[Brand], Body(max_length=MAX_BATCH, openapi_examples=BRANDS_EXAMPLES)
        ],
        service: ServiceDep,
    ) -> Stored:
        """Upsert a batch of brands (all or none)."""
        docs = [b.model_dump(mode="json", exclude_none=True) for b in brands]
        return Stored(stored=service.store.upsert_brands(docs))

    @route(
        app.get,
        "/v1/brands/{brand_id}",
        "read",
        (404, 422),
        response_model=Brand,
        operation_id="get_brand",
    )
    def get_brand(brand_id: str, service: ServiceDep) -> dict[str, Any]:
        """One stored brand."""
        doc = service.store.brand(brand_id)
        if doc is None:
            raise HTTPException(404, f"unknown brand_id {brand_id!r}")
        return doc

    @route(app.post, "/v1/feedback", "write", BODY_ERRORS, response_model=Stored)
    def feedback(
        outcomes: Annotated[
            list[Outcome], Body(max_length=MAX_BATCH, openapi_examples=FEEDBACK_EXAMPLES)
        ],
        service: ServiceDep,
    ) -> Stored:
        """Store campaign outcomes (all or none) for the next training run."""
        docs = [o.model_dump(mode="json", exclude_none=True) for o in outcomes]
        return Stored(stored=service.store.add_outcomes(docs))

    @route(app.get, "/v1/model", "read", (503,), response_model=ModelInfo)
    def model_info(pipe: PipelineDep) -> ModelInfo:
        """The model version in service, its evaluation metrics, and the catalog version."""
        manifest = pipe.bundle.manifest
        return ModelInfo(
            model_version=pipe.bundle.version,
            embedder=manifest.get("embedder"),
            metrics=manifest.get("metrics", {}),
            catalog_version=pipe.catalog.version,
            creators=int(pipe.catalog.live.sum()),
        )

    @route(app.post, "/v1/admin/reload", "admin", (409,), response_model=ModelInfo)
    def reload(service: ServiceDep) -> ModelInfo:
        """Load the current champion and catalog; keep serving the old ones if they are broken."""
        try:
            pipe = service.reload()
        except RELOAD_ERRORS as exc:
            log.exception("reload failed; the previous model and catalog keep serving")
            message = f"reload refused, still serving the previous one: {exc}"
            raise HTTPException(409, message) from exc
        return model_info(pipe)

    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory serve:app_from_env`."""
    spec = os.environ.get("MICROTRIBE_API_KEYS", "")
    if not spec and os.environ.get("MICROTRIBE_INSECURE_NO_AUTH") != "1":
        raise RuntimeError("no API keys: set MICROTRIBE_API_KEYS or MICROTRIBE_INSECURE_NO_AUTH=1")
    return create_app(Settings.from_env(), KeyRing.parse(spec) if spec else None)
