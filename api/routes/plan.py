"""`POST /v1/plan`: the creators to hire under a budget, with the macro-only and greedy plans.

Same engine as `microtribe plan` (matching/campaign.py); the model is in docs/planning.md.
Built per app (`make_router`) because the route writes to that app's served log.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from fastapi.responses import Response

from api.deps import MetricsDep, ServiceDep, brand_of, route
from api.errors import BODY_ERRORS, error_response
from api.match_answer import encode
from api.plan_answer import plan_answer, plan_flags
from api.plan_schemas import PLAN_EXAMPLES, PlanRequest, PlanResponse
from api.routes.match import filters_from
from api.served_log import ServedLog
from api.strict_json import StrictJsonRoute
from matching.service import NotReady, one_thread
from models.guardrails import Guardrails

if TYPE_CHECKING:  # the planner (matching/campaign.py, matching/planning) loads with the first plan
    from matching.planning import PlanConstraints, PlanError


def constraints_from(body: PlanRequest) -> PlanConstraints:
    """The engine's constraints; the filters' exclusions are the plan's exclusions too."""
    from matching.planning import PlanConstraints

    given: dict[str, Any] = body.model_dump(
        include={"budget", "min_creators", "max_creators", "tiers", "platforms", "max_overlap",
                 "include_creator_ids", "objective"}
    )  # fmt: skip
    given["exclude_creator_ids"] = body.filters.exclude_creator_ids
    return PlanConstraints.from_dict(given)


def rejected(exc: PlanError) -> Response:
    """422 naming the constraint (and, when infeasible, every member of the conflict)."""
    from matching.planning import PlanInfeasible

    details = [{"field": exc.constraint, "problem": exc.problem}]
    code = "invalid_request"
    if isinstance(exc, PlanInfeasible):
        code = "plan_infeasible"
        details += [
            {"field": other, "problem": f"conflicts with {exc.constraint}"}
            for other in exc.constraints
            if other != exc.constraint
        ]
    return error_response(422, f"no plan: {exc}", details, code=code)


def make_router(served: ServedLog) -> APIRouter:
    router = APIRouter(route_class=StrictJsonRoute)

    @route(
        router.post,
        "/v1/plan",
        "read",
        (*BODY_ERRORS, 404, 503),
        response_model=PlanResponse,
        operation_id="plan_campaign",
    )
    def plan(
        body: Annotated[PlanRequest, Body(openapi_examples=PLAN_EXAMPLES)],
        service: ServiceDep,
        metrics: MetricsDep,
    ) -> Response:
        """A campaign plan: the creators to hire under a budget, with totals and a side-by-side."""
        from matching.campaign import plan_for_brief
        from matching.planning import PlanError

        started = time.perf_counter()
        try:
            pipe = service.ready()
        except NotReady as exc:
            raise HTTPException(503, str(exc)) from exc
        brand = brand_of(service, body)
        one_thread()  # OpenMP limits are per thread: cap the thread running the solve
        try:
            with service.match_slots:  # plans and matches share the bounded slots
                campaign = plan_for_brief(
                    pipe,
                    brand,
                    constraints_from(body),
                    filters_from(body.filters),
                    body.currency,
                    guardrails=Guardrails.parse(body.guardrail_policies()),
                    policy=body.policy(),
                    programme=body.programme(),
                )
        except PlanError as exc:
            return rejected(exc)
        flags = plan_flags(service, pipe, campaign)
        metrics.observe_plan(campaign.result.plan.status, campaign.timings_ms)
        took_ms = round((time.perf_counter() - started) * 1000, 3)
        answer = plan_answer(pipe, campaign, body.budget, uuid.uuid4().hex, took_ms, flags)
        served.record_answer("plan", body, answer)
        return Response(encode(answer), media_type="application/json")

    return router
