"""Administration: reload the champion model and the current catalog without downtime."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException

from api.deps import ServiceDep, route
from api.routes.model import model_info_of
from api.schemas import ModelInfo
from api.strict_json import StrictJsonRoute
from matching.service import RELOAD_ERRORS

log = logging.getLogger("microtribe.serve")
router = APIRouter(route_class=StrictJsonRoute)


@route(router.post, "/v1/admin/reload", "admin", (409,), response_model=ModelInfo)
def reload(service: ServiceDep) -> ModelInfo:
    """Load the current champion and catalog; keep serving the old ones if they are broken."""
    try:
        pipe = service.reload(announce=True)
    except RELOAD_ERRORS as exc:
        log.exception("reload failed; the previous model and catalog keep serving")
        message = f"reload refused, still serving the previous one: {exc}"
        raise HTTPException(409, message) from exc
    return model_info_of(pipe, service.settings.models_dir)
