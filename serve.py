"""The FastAPI application, composed from the routers of `api.routes` (docs/design.md has every
shape).

Nothing happens at import: `create_app` builds the app (reading limits from the environment
then), and its lifespan loads the catalog, the champion bundle and the embedder and opens the
served-candidates log when the server starts.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.deps import Authorizer
from api.errors import install_error_handlers
from api.limits import ApiLimits, BodySizeLimit
from api.metrics import HttpMetrics, HttpMetricsMiddleware
from api.routes import admin, brands, creators, feedback, health, match, model, page, plan, similar
from api.served_log import ServedLog
from api.strict_json import StrictJsonRoute
from matching.challenger import ChallengerScorer
from matching.pipeline import MatchPipeline
from matching.service import MatchService
from microtribe.auth import KeyRing
from microtribe.settings import Settings

# After /v1/match, in this order (the order of the routing table and of OpenAPI's paths)
ROUTERS = (health, creators, brands, feedback, model, admin, page)


def _serving_pipeline(app: FastAPI) -> MatchPipeline | None:
    service: MatchService | None = getattr(app.state, "service", None)
    return None if service is None else service.pipeline


def _replica_status(app: FastAPI) -> dict[str, Any] | None:
    service: MatchService | None = getattr(app.state, "service", None)
    return None if service is None else service.replica_status()


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
    served = ServedLog(settings.home / "logs" / "served.jsonl")
    challenger = ChallengerScorer(
        served.record_line,
        on_drop=lambda: metrics.challenger_dropped.inc(),
        on_scored=lambda: metrics.challenger_scored.inc(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = MatchService(settings)
        service.start()
        service.start_polling(settings.poll_seconds)  # new champion or catalog: safe reload
        service.start_store_polling(settings.store_poll_seconds)  # other replicas' writes
        app.state.service = service
        served.start()
        challenger.start()
        metrics.start()  # several workers: publish what this one serves
        try:
            yield
        finally:
            metrics.stop()
            challenger.stop()  # its last lines go to the served log, which then drains
            served.stop()
            service.close()  # stops the poller too

    app = FastAPI(
        title="microtribe",
        version="1",
        description="Find the micro- and nano-creators who will genuinely champion a brand.",
        lifespan=lifespan,
    )
    app.router.route_class = StrictJsonRoute  # for any route added to the app itself
    app.state.authorizer = authorizer = Authorizer(keys, limits)
    app.state.metrics = metrics = HttpMetrics(
        lambda: _serving_pipeline(app),
        drift_path=settings.home / "monitor" / "drift.json",
        replica=lambda: _replica_status(app),
    )
    app.state.challenger = challenger
    install_error_handlers(app)
    _add_middleware(app, limits, metrics)

    # The busiest route is matched first, and its route object sits in the app's own table:
    # an included router is a branch that FastAPI matches twice per request (about 20 µs).
    matching = match.make_router(app.state, settings, authorizer, metrics, served, challenger)
    app.router.routes[:0] = matching.routes
    for resource in ROUTERS:
        app.include_router(resource.router)
    app.include_router(plan.make_router(served))
    app.include_router(similar.make_router(served))
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory serve:app_from_env`."""
    spec = os.environ.get("MICROTRIBE_API_KEYS", "")
    if not spec and os.environ.get("MICROTRIBE_INSECURE_NO_AUTH") != "1":
        raise RuntimeError("no API keys: set MICROTRIBE_API_KEYS or MICROTRIBE_INSECURE_NO_AUTH=1")
    return create_app(Settings.from_env(), KeyRing.parse(spec) if spec else None)
