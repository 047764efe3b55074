"""Public probes: `/healthz` (liveness), `/readyz` (readiness) and `/metrics` (Prometheus)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.deps import MetricsDep, ServiceDep, route
from api.errors import error_response
from api.strict_json import StrictJsonRoute

router = APIRouter(route_class=StrictJsonRoute)


@route(router.get, "/healthz", None)
def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@route(router.get, "/readyz", None, errors=(503,))
def readyz(service: ServiceDep) -> JSONResponse:
    """Readiness: a catalog and a champion model are loaded; what is served, how far behind."""
    if service.pipeline is None:
        reason = service.not_ready_reason or "not loaded yet"
        return error_response(503, f"no catalog or model in service: {reason}")
    return JSONResponse({"status": "ready", **service.replica_status()})


@route(
    router.get,
    "/metrics",
    None,
    response_class=PlainTextResponse,
    responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}},
)
async def prometheus_metrics(metrics: MetricsDep) -> Response:
    """Prometheus metrics: requests and latency per route, match stages, model in service."""
    body, media_type = metrics.exposition()
    return Response(body, media_type=media_type)
