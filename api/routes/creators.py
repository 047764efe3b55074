"""Creators: upsert a batch (searchable at once), read one, delete one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException

from api.deps import ServiceDep, route
from api.errors import BODY_ERRORS
from api.schemas import CREATOR_LINKS, CREATORS_EXAMPLES, MAX_BATCH, CreatorsUpserted
from api.strict_json import StrictJsonRoute
from microtribe.contract import Creator

router = APIRouter(route_class=StrictJsonRoute)


@route(
    router.post,
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
    router.get,
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
    router.delete, "/v1/creators/{creator_id}", "write", (404, 422), operation_id="delete_creator"
)
def delete_creator(creator_id: str, service: ServiceDep) -> dict[str, Any]:
    """Delete a creator from the store and from search."""
    if not service.delete_creator(creator_id):
        raise HTTPException(404, f"unknown creator_id {creator_id!r}")
    return {"deleted": creator_id}
