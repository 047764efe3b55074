"""The FastAPI application: `/v1/match` and friends (see DESIGN.md for every shape).

Nothing happens at import: `create_app` builds the app, and its lifespan loads the catalog,
the champion bundle and the embedder when the server starts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from features.schema import FEATURE_NAMES
from matching.catalog import load_catalog
from matching.filters import MatchFilters
from matching.pipeline import BriefCache, MatchPipeline
from matching.store import CatalogStore
from microtribe.contract import Brand, Identifier
from microtribe.settings import Settings
from models.bundle import load_bundle
from models.embedder import load_embedder

log = logging.getLogger("microtribe.serve")
Role = Literal["read", "write", "admin"]
_RANK = {"read": 0, "write": 1, "admin": 2}


# ---- request and response bodies -------------------------------------------------------


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platforms: list[Literal["instagram", "tiktok", "youtube"]] = []
    tiers: list[Literal["emerging", "nano", "micro", "mid", "macro", "mega"]] = []
    min_followers: int = Field(0, ge=0)
    max_followers: int | None = Field(None, ge=0)
    countries: list[str] = Field([], max_length=300)
    languages: list[str] = Field([], max_length=200)
    exclude_creator_ids: list[str] = Field([], max_length=10_000)
    min_authenticity: float | None = Field(None, ge=0, le=1)
    max_cost: float | None = Field(None, ge=0)


class BriefIn(Brand):
    """A brand brief given inline: a Brand whose `brand_id` and `name` may be left out."""

    brand_id: Identifier | None = None  # type: ignore[assignment]
    name: str | None = None  # type: ignore[assignment]


class MatchRequest(BaseModel):
    """A brand brief (inline or a stored `brand_id`) and what to return."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "brand": {
                        "brand_id": "ecoveste",
                        "name": "EcoVeste",
                        "category": "fashion",
                        "values": "sostenibilità, materiali riciclati, produzione etica in Italia",
                        "markets": ["IT"],
                        "languages": ["it"],
                    },
                    "k": 20,
                    "filters": {"platforms": ["instagram"], "countries": ["IT"]},
                    "explain": True,
                }
            ]
        },
    )
    brand: BriefIn | None = None
    brand_id: str | None = Field(None, min_length=1, max_length=128)
    k: int = Field(20, ge=1, le=200)
    filters: FiltersIn = FiltersIn()
    explain: bool = True
    diversify: bool = False

    @model_validator(mode="after")
    def _one_brand(self) -> MatchRequest:
        if (self.brand is None) == (self.brand_id is None):
            raise ValueError("give exactly one of `brand` or `brand_id`")
        return self


class ReasonOut(BaseModel):
    feature: str
    description: str
    value: float | None
    contribution: float


class MatchOut(BaseModel):
    rank: int
    creator_id: str
    handle: str
    platform: str
    followers: int
    tier: str
    score: float
    advocacy_fit: float
    expected_engagement_rate: float
    similarity: float
    estimated_cost: float
    reasons: list[ReasonOut]


class MatchResponse(BaseModel):
    request_id: str
    brand_id: str
    model_version: str
    catalog_version: str
    took_ms: float
    matches: list[MatchOut]


# ---- state, auth and errors ------------------------------------------------------------


@dataclass
class AppState:
    settings: Settings
    pipeline: MatchPipeline | None = None
    store: CatalogStore | None = None


def parse_api_keys(spec: str) -> dict[str, Role]:
    """`role:key,…` → {sha256(key): role}; keys are never kept in clear."""
    keys: dict[str, Role] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        role, _, key = item.partition(":")
        if role not in _RANK or not key:
            raise ValueError(
                f"bad API key entry {item[:6]!r}…; expected role:key with role in {list(_RANK)}"
            )
        keys[hashlib.sha256(key.encode()).hexdigest()] = role  # type: ignore[assignment]
    return keys


def _pipeline(request: Request) -> MatchPipeline:
    pipeline: MatchPipeline | None = request.app.state.microtribe.pipeline
    if pipeline is None:
        raise HTTPException(503, "no catalog or model loaded yet")
    return pipeline


PipelineDep = Annotated[MatchPipeline, Depends(_pipeline)]


def _error(
    status: int, code: str, message: str, details: list[dict[str, str]] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return JSONResponse(status_code=status, content=body)


def create_app(settings: Settings, api_keys: dict[str, Role] | None) -> FastAPI:
    """The API; `api_keys=None` disables authentication (local experiments only)."""
    state = AppState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        load_state(state)
        yield
        if state.store is not None:
            state.store.close()

    app = FastAPI(title="microtribe", version="1", lifespan=lifespan)
    app.state.microtribe = state

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 503: "not_ready"}
        return _error(exc.status_code, code.get(exc.status_code, "error"), str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or "body", "problem": e["msg"]}
            for e in exc.errors()
        ]
        return _error(422, "invalid_request", "the request body is invalid", details)

    def require(role: Role) -> Any:
        def check(request: Request) -> Role:
            if api_keys is None:
                return "admin"
            header = request.headers.get("authorization", "")
            key = header[7:] if header.lower().startswith("bearer ") else ""
            key = key or request.headers.get("x-api-key", "")
            digest = hashlib.sha256(key.encode()).hexdigest()
            granted: Role | None = None
            for known, known_role in api_keys.items():
                if hmac.compare_digest(known, digest):
                    granted = known_role
            if granted is None:
                raise HTTPException(401, "a valid API key is required")
            if _RANK[granted] < _RANK[role]:
                raise HTTPException(403, f"this key's role {granted!r} cannot do this")
            return granted

        return Depends(check)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        """Readiness: a catalog and a model are loaded."""
        if state.pipeline is None:
            return _error(503, "not_ready", "no catalog or model loaded yet")
        return JSONResponse({"status": "ready"})

    @app.get("/v1/model", dependencies=[require("read")])
    def model_info(pipe: PipelineDep) -> dict[str, Any]:
        """Model version, its metrics, and the catalog version."""
        manifest = pipe.bundle.manifest
        return {
            "model_version": pipe.bundle.version,
            "metrics": manifest.get("metrics", {}),
            "embedder": manifest.get("embedder"),
            "catalog_version": pipe.catalog.version,
            "creators": len(pipe.catalog),
        }

    @app.post("/v1/match", response_model=MatchResponse, dependencies=[require("read")])
    def match(body: MatchRequest, pipe: PipelineDep) -> MatchResponse:
        """Ranked, explained shortlist of creators for a brand brief."""
        started = time.perf_counter()
        if body.brand is not None:
            brand = body.brand.model_dump(mode="json", exclude_none=True)
        else:
            stored = state.store.brand(body.brand_id or "") if state.store else None
            if stored is None:
                raise HTTPException(404, f"unknown brand_id {body.brand_id!r}")
            brand = stored
        given = body.filters
        filters = MatchFilters(
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
        result = pipe.run(brand, body.k, filters, with_reasons=body.explain)
        catalog = pipe.catalog
        matches = []
        for rank, row in enumerate(result.rows.tolist()):
            matches.append(
                MatchOut(
                    rank=rank + 1,
                    creator_id=catalog.creators.creator_id[row],
                    handle=catalog.creators.handle[row],
                    platform=("instagram", "tiktok", "youtube")[catalog.creators.platform[row]],
                    followers=int(catalog.creators.followers[row]),
                    tier=str(catalog.tier[row]),
                    score=round(float(result.ranked.score[rank]), 6),
                    advocacy_fit=round(float(result.ranked.advocacy_fit[rank]), 6),
                    expected_engagement_rate=round(
                        float(result.ranked.expected_engagement_rate[rank]), 6
                    ),
                    similarity=round(float(result.similarity[rank]), 6),
                    estimated_cost=round(float(catalog.estimated_cost[row]), 2),
                    reasons=[
                        ReasonOut(**vars_of(reason))
                        for reason in (result.reasons[rank] if result.reasons else [])
                    ],
                )
            )
        return MatchResponse(
            request_id=uuid.uuid4().hex,
            brand_id=result.brand_id,
            model_version=pipe.bundle.version,
            catalog_version=catalog.version,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            matches=matches,
        )

    return app


def vars_of(reason: Any) -> dict[str, Any]:
    return {name: getattr(reason, name) for name in reason.__slots__}


def load_state(state: AppState) -> None:
    """Load catalog, champion bundle and embedder; stay up but not ready when one is missing."""
    settings = state.settings
    state.store = CatalogStore(settings.store_path)
    champion = settings.models_dir / "CHAMPION"
    if not champion.exists() or not (settings.catalog_dir / "CURRENT").exists():
        log.warning("no champion model or catalog yet: /readyz answers 503")
        return
    catalog = load_catalog(settings.catalog_dir)
    bundle = load_bundle(settings.models_dir / champion.read_text().strip())
    bundle.check_compatible(catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES))
    # One BLAS thread per server worker: two would fight over the 2 cores under load.
    embedder = load_embedder(catalog.manifest["embedder"], threads=1)
    state.pipeline = MatchPipeline(catalog=catalog, bundle=bundle, briefs=BriefCache(embedder))


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory serve:app_from_env`."""
    settings = Settings.from_env()
    spec = os.environ.get("MICROTRIBE_API_KEYS", "")
    if not spec and os.environ.get("MICROTRIBE_INSECURE_NO_AUTH") != "1":
        raise RuntimeError("no API keys: set MICROTRIBE_API_KEYS or MICROTRIBE_INSECURE_NO_AUTH=1")
    return create_app(settings, parse_api_keys(spec) if spec else None)
