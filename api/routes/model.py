"""The model in service: its version, evaluation metrics, the catalog it serves, and its card."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse

from api.deps import PipelineDep, ServiceDep, route
from api.schemas import ModelInfo
from api.strict_json import StrictJsonRoute
from matching.pipeline import MatchPipeline

router = APIRouter(route_class=StrictJsonRoute)
CARD_URL = "/v1/model/card"
# written beside the bundle by training (training/card.py); read here as a plain file
CARD_FILE = "CARD.md"


def _card(models_dir: Path, pipe: MatchPipeline) -> Path:
    return models_dir / pipe.bundle.version / CARD_FILE


@route(router.get, "/v1/model", "read", (503,), response_model=ModelInfo)
def model_info(service: ServiceDep, pipe: PipelineDep) -> ModelInfo:
    """The model version in service, its evaluation metrics, and the catalog version."""
    return model_info_of(pipe, service.settings.models_dir)


def model_info_of(pipe: MatchPipeline, models_dir: Path) -> ModelInfo:
    """`GET /v1/model`'s answer for `pipe` (also the answer of an admin reload)."""
    manifest = pipe.bundle.manifest
    return ModelInfo(
        model_version=pipe.bundle.version,
        embedder=manifest.get("embedder"),
        metrics=manifest.get("metrics", {}),
        catalog_version=pipe.catalog.version,
        creators=int(pipe.catalog.live.sum()),
        card_url=CARD_URL if _card(models_dir, pipe).is_file() else None,
    )


@route(
    router.get,
    CARD_URL,
    "read",
    (404, 503),
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {}}}},
)
def model_card(service: ServiceDep, pipe: PipelineDep) -> PlainTextResponse:
    """The model card (markdown) of the version in service: data, metrics, weak slices, limits."""
    try:
        text = _card(service.settings.models_dir, pipe).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HTTPException(404, f"model version {pipe.bundle.version} has no card") from None
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
