"""Feedback: campaign outcomes, stored for the next training run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from api.deps import ServiceDep, route
from api.errors import BODY_ERRORS
from api.schemas import FEEDBACK_EXAMPLES, MAX_BATCH, Stored
from api.strict_json import StrictJsonRoute
from microtribe.contract import Outcome

router = APIRouter(route_class=StrictJsonRoute)


@route(router.post, "/v1/feedback", "write", BODY_ERRORS, response_model=Stored)
def feedback(
    outcomes: Annotated[
        list[Outcome], Body(max_length=MAX_BATCH, openapi_examples=FEEDBACK_EXAMPLES)
    ],
    service: ServiceDep,
) -> Stored:
    """Store campaign outcomes (all or none) for the next training run."""
    docs = [o.model_dump(mode="json", exclude_none=True) for o in outcomes]
    return Stored(stored=service.store.add_outcomes(docs))
