"""The FastAPI application: `/v1/match` and friends (see docs/design.md for every shape).

Nothing happens at import: `create_app` builds the app, and its lifespan loads the catalog,
the champion bundle and the embedder when the server starts.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from matching.filters import MatchFilters
from matching.pipeline import MatchPipeline, MatchResult
from matching.service import MatchService, NotReady
from microtribe.api_models import (
    CreatorsUpserted,
    ErrorResponse,
    FiltersIn,
    MatchOut,
    MatchRequest,
    MatchResponse,
    ModelInfo,
    ReasonOut,
    Stored,
)
from microtribe.auth import KeyRing, Role, allows
from microtribe.contract import Brand, Creator, Outcome
from microtribe.settings import Settings
from models.bundle import BundleError

log = logging.getLogger("microtribe.serve")
MAX_BATCH = 1000
PLATFORM_NAMES = ("instagram", "tiktok", "youtube")
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 422, 503)
}


def _error(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(status_code=status, content=body)


def _service(request: Request) -> MatchService:
    service: MatchService = request.app.state.service
    return service


def _pipeline(request: Request) -> MatchPipeline:
    try:
        return _service(request).ready()
    except NotReady as exc:
        raise HTTPException(503, str(exc)) from exc


ServiceDep = Annotated[MatchService, Depends(_service)]
PipelineDep = Annotated[MatchPipeline, Depends(_pipeline)]


def _filters(given: FiltersIn) -> MatchFilters:
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


def _matches(pipe: MatchPipeline, result: MatchResult) -> list[MatchOut]:
    catalog, ranked = pipe.catalog, result.ranked
    out = []
    for rank, row in enumerate(result.rows.tolist()):
        reasons = result.reasons[rank] if result.reasons else []
        out.append(
            MatchOut(
                rank=rank + 1,
                creator_id=catalog.creators.creator_id[row],
                handle=catalog.creators.handle[row],
                platform=PLATFORM_NAMES[catalog.creators.platform[row]],
                followers=int(catalog.creators.followers[row]),
                tier=str(catalog.tier[row]),
                score=round(float(ranked.score[rank]), 6),
                advocacy_fit=round(float(ranked.advocacy_fit[rank]), 6),
                expected_engagement_rate=round(float(ranked.expected_engagement_rate[rank]), 6),
                similarity=round(float(result.similarity[rank]), 6),
                estimated_cost=round(float(catalog.estimated_cost[row]), 2),
                reasons=[
                    ReasonOut(
                        feature=r.feature,
                        description=r.description,
                        value=r.value,
                        contribution=r.contribution,
                    )
                    for r in reasons
                ],
            )
        )
    return out


def create_app(settings: Settings, keys: KeyRing | None) -> FastAPI:
    """The API; `keys=None` disables authentication (local experiments only)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = MatchService(settings)
        service.start()
        app.state.service = service
        yield
        service.close()

    app = FastAPI(
        title="microtribe",
        version="1",
        description="Find the micro- and nano-creators who will genuinely champion a brand.",
        lifespan=lifespan,
    )

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        codes = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            413: "too_large",
            429: "rate_limited",
            503: "not_ready",
        }
        return _error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "problem": e["msg"]}
            for e in exc.errors()
        ]
        return _error(422, "invalid_request", "the request is invalid", details)

    def require(role: Role) -> Any:
        def check(request: Request) -> Role:
            if keys is None:
                return "admin"
            header = request.headers.get("authorization", "")
            key = header[7:].strip() if header.lower().startswith("bearer ") else ""
            granted = keys.role_of(key or request.headers.get("x-api-key", ""))
            if granted is None:
                raise HTTPException(401, "a valid API key is required")
            if not allows(granted, role):
                raise HTTPException(403, f"a {granted!r} key cannot do this; it needs {role!r}")
            return granted

        return Depends(check)

    def route(method: Callable[..., Any], path: str, role: Role | None, **extra: Any) -> Any:
        dependencies = [require(role)] if role else []
        return method(path, dependencies=dependencies, responses=ERRORS, **extra)

    @route(app.get, "/healthz", None)
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @route(app.get, "/readyz", None)
    def readyz(service: ServiceDep) -> JSONResponse:
        """Readiness: a catalog and a champion model are loaded."""
        if service.pipeline is None:
            return _error(503, "not_ready", "no catalog or model loaded yet")
        return JSONResponse({"status": "ready"})

    @route(app.post, "/v1/match", "read", response_model=MatchResponse)
    def match(body: MatchRequest, service: ServiceDep, pipe: PipelineDep) -> MatchResponse:
        """Ranked, explained shortlist of creators for a brand brief or a stored brand."""
        started = time.perf_counter()
        if body.brand is not None:
            brand = body.brand.model_dump(mode="json", exclude_none=True)
        else:
            stored = service.store.brand(body.brand_id or "")
            if stored is None:
                raise HTTPException(404, f"unknown brand_id {body.brand_id!r}")
            brand = stored
        result = pipe.run(brand, body.k, _filters(body.filters), with_reasons=body.explain)
        return MatchResponse(
            request_id=uuid.uuid4().hex,
            brand_id=result.brand_id,
            model_version=pipe.bundle.version,
            catalog_version=pipe.catalog.version,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            matches=_matches(pipe, result),
        )

    @route(app.post, "/v1/creators", "write", response_model=CreatorsUpserted)
    def upsert_creators(
        creators: Annotated[list[Creator], Body(max_length=MAX_BATCH)], service: ServiceDep
    ) -> CreatorsUpserted:
        """Upsert a batch of creators: all stored or none, searchable at once."""
        docs = [c.model_dump(mode="json", exclude_none=True) for c in creators]
        ids = [doc["creator_id"] for doc in docs]
        if len(set(ids)) != len(ids):
            raise HTTPException(422, "a creator_id appears twice in the batch")
        version = service.upsert_creators(docs)
        return CreatorsUpserted(upserted=len(docs), catalog_version=version)

    @route(app.get, "/v1/creators/{creator_id}", "read", response_model=Creator)
    def get_creator(creator_id: str, service: ServiceDep) -> dict[str, Any]:
        """One stored creator."""
        doc = service.store.creator(creator_id)
        if doc is None:
            raise HTTPException(404, f"unknown creator_id {creator_id!r}")
        return doc

    @route(app.delete, "/v1/creators/{creator_id}", "write")
    def delete_creator(creator_id: str, service: ServiceDep) -> dict[str, Any]:
        """Delete a creator from the store and from search."""
        if not service.delete_creator(creator_id):
            raise HTTPException(404, f"unknown creator_id {creator_id!r}")
        return {"deleted": creator_id}

    @route(app.post, "/v1/brands", "write", response_model=Stored)
    def upsert_brands(
        brands: Annotated[list[Brand], Body(max_length=MAX_BATCH)], service: ServiceDep
    ) -> Stored:
        """Upsert a batch of brands (all or none)."""
        docs = [b.model_dump(mode="json", exclude_none=True) for b in brands]
        return Stored(stored=service.store.upsert_brands(docs))

    @route(app.get, "/v1/brands/{brand_id}", "read", response_model=Brand)
    def get_brand(brand_id: str, service: ServiceDep) -> dict[str, Any]:
        """One stored brand."""
        doc = service.store.brand(brand_id)
        if doc is None:
            raise HTTPException(404, f"unknown brand_id {brand_id!r}")
        return doc

    @route(app.post, "/v1/feedback", "write", response_model=Stored)
    def feedback(
        outcomes: Annotated[list[Outcome], Body(max_length=MAX_BATCH)], service: ServiceDep
    ) -> Stored:
        """Store campaign outcomes (all or none) for the next training run."""
        docs = [o.model_dump(mode="json", exclude_none=True) for o in outcomes]
        return Stored(stored=service.store.add_outcomes(docs))

    @route(app.get, "/v1/model", "read", response_model=ModelInfo)
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

    @route(app.post, "/v1/admin/reload", "admin", response_model=ModelInfo)
    def reload(service: ServiceDep) -> ModelInfo:
        """Load the current champion and catalog; keep serving the old ones if they are broken."""
        try:
            pipe = service.reload()
        except (NotReady, BundleError, OSError, ValueError, KeyError) as exc:
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
