"""Brands: upsert a batch, read one (a stored brand is a `/v1/match` brief by `brand_id`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException

from api.deps import ServiceDep, route
from api.errors import BODY_ERRORS
from api.schemas import BRAND_LINKS, BRANDS_EXAMPLES, MAX_BATCH, Stored
from api.strict_json import StrictJsonRoute
from microtribe.contract import Brand

router = APIRouter(route_class=StrictJsonRoute)


@route(
    router.post,
    "/v1/brands",
    "write",
    BODY_ERRORS,
    response_model=Stored,
    responses={200: {"links": BRAND_LINKS}},
)
def upsert_brands(
    brands: Annotated[list[Brand], Body(max_length=MAX_BATCH, openapi_examples=BRANDS_EXAMPLES)],
    service: ServiceDep,
) -> Stored:
    """Upsert a batch of brands (all or none)."""
    docs = [b.model_dump(mode="json", exclude_none=True) for b in brands]
    return Stored(stored=service.store.upsert_brands(docs))


@route(
    router.get,
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
