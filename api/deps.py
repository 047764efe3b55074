"""What the routers share: the service and pipeline in service, who may call a route, and how
each route documents its errors.

Per-app objects live on `app.state` (`service` from the lifespan; `authorizer` and
`metrics` from `serve.create_app`), so the routers are plain module-level `APIRouter`s.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers

from api.errors import error_responses
from api.limits import ApiLimits, RateLimiter
from api.metrics import HttpMetrics
from api.schemas import BriefOrBrandId
from matching.pipeline import MatchPipeline
from matching.service import MatchService, NotReady
from microtribe.auth import KeyRing, Role, allows

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


async def _metrics(request: Request) -> HttpMetrics:
    metrics: HttpMetrics = request.app.state.metrics
    return metrics


# async: these only read state, and a sync dependency would cost a thread hop per request
ServiceDep = Annotated[MatchService, Depends(_service)]
PipelineDep = Annotated[MatchPipeline, Depends(_pipeline)]
MetricsDep = Annotated[HttpMetrics, Depends(_metrics)]


def presented_key(headers: Headers) -> str:
    """The key as `require` gets it from BEARER and API_KEY: a Bearer token, else X-API-Key."""
    scheme, token = get_authorization_scheme_param(headers.get("authorization"))
    if scheme.lower() == "bearer" and token:
        return token
    return headers.get("x-api-key") or ""


class Authorizer:
    """One app's API keys and per-key rate limit; `keys=None` lets everyone in as admin."""

    def __init__(self, keys: KeyRing | None, limits: ApiLimits) -> None:
        self.keys = keys
        self.rate = limits.rate_per_second
        self.limiter = RateLimiter(self.rate, limits.burst) if self.rate else None

    def authorize(self, key: str, role: Role) -> Role:
        """The key's role if it may do what `role` allows; else 401, 429 or 403, in that order."""
        # with authentication off everyone is admin and shares one rate-limit bucket
        granted: Role = "admin"
        identity = "anonymous"
        if self.keys is not None:
            found = self.keys.identify(key)
            if found is None:
                raise HTTPException(401, "a valid API key is required")
            identity, granted = found
        if self.limiter is not None and (wait := self.limiter.acquire(identity)) > 0:
            retry = str(max(1, math.ceil(wait)))
            message = f"rate limit of {self.rate:g} requests/s for this key exceeded"
            raise HTTPException(429, message, headers={"Retry-After": retry})
        if not allows(granted, role):
            raise HTTPException(403, f"a {granted!r} key cannot do this; it needs {role!r}")
        return granted


def require(role: Role) -> Any:
    """A dependency admitting keys whose role allows `role` (documents the security too)."""

    async def check(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
        api_key: Annotated[str | None, Security(API_KEY)],
    ) -> Role:
        authorizer: Authorizer = request.app.state.authorizer
        return authorizer.authorize(bearer.credentials if bearer else api_key or "", role)

    return Depends(check)


def documented_errors(role: Role | None, errors: Iterable[int]) -> dict[int | str, Any]:
    """OpenAPI `responses` for `errors`, a route's 500, and auth's when it needs a role."""
    return error_responses({500, *errors, *((401, 403, 429) if role else ())})


def route(
    method: Callable[..., Any],
    path: str,
    role: Role | None,
    errors: Iterable[int] = (),
    **extra: Any,
) -> Any:
    """`method` (a router's `get`, `post`, …) for `path`, behind `role`, documenting `errors`."""
    responses = {**documented_errors(role, errors), **extra.pop("responses", {})}
    dependencies = [require(role)] if role else []
    return method(path, dependencies=dependencies, responses=responses, **extra)


def brand_of(service: MatchService, body: BriefOrBrandId) -> dict[str, Any]:
    """The brand document a request asks about: its inline brief, or the stored one (404)."""
    if body.brand is not None:
        return body.brand.model_dump(mode="json", exclude_none=True)
    stored = service.store.brand(body.brand_id or "")
    if stored is None:
        raise HTTPException(404, f"unknown brand_id {body.brand_id!r}")
    return stored
