"""The model in service: its version, evaluation metrics, and the catalog it serves."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import PipelineDep, route
from api.schemas import ModelInfo
from api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute)


@route(router.get, "/v1/model", "read", (503,), response_model=ModelInfo)
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
