"""The `/v1/plan` and `/v1/creators/{id}/similar` answers as data for pydantic-core's encoder.

Shapes: `PlanResponse` and `SimilarResponse` (api/plan_schemas.py). `microtribe plan` and
`microtribe similar --json` print the same data, so the CLI and the API answer alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from api.match_answer import identity_columns

if TYPE_CHECKING:  # the planner's modules load with the first plan, not with the server
    from matching.campaign import CampaignPlan
    from matching.catalog import Catalog
    from matching.lookalikes import LookalikeReason, Lookalikes
    from matching.pipeline import MatchPipeline
    from matching.planning import Plan, Programme, ProgrammeMonths
    from matching.service import MatchService

Flags = dict[int, list[dict[str, Any]]]  # by candidate index: its raised flags


def plan_flags(service: MatchService, pipe: MatchPipeline, campaign: CampaignPlan) -> Flags:
    """The raised flags, with their evidence, of every candidate any of the three plans chose."""
    chosen = campaign.chosen()
    judged = campaign.judgement.take(chosen) if campaign.judgement is not None else None
    ids = pipe.catalog.creators.creator_id[campaign.rows[chosen]].tolist()
    flags = service.flags(ids, judged, campaign.guardrails, campaign.topics)
    return dict(zip(chosen.tolist(), flags, strict=True))


def _plan(catalog: Catalog, campaign: CampaignPlan, plan: Plan, flags: Flags) -> dict[str, Any]:
    candidates, chosen = campaign.candidates, np.asarray(plan.rows, dtype=np.int64)
    advocacy = candidates.advocacy[chosen]
    engagements = candidates.expected_engagements[chosen]
    columns = zip(
        *identity_columns(catalog, campaign.rows[chosen]),
        np.round(candidates.cost[chosen], 2).tolist(),
        np.round(advocacy, 6).tolist(),
        np.round(engagements, 2).tolist(),
        np.round(advocacy * engagements, 2).tolist(),
        [campaign.reasons.get(i, []) for i in chosen.tolist()],
        [flags.get(i, []) for i in chosen.tolist()],
        strict=True,
    )
    names = ("creator_id", "handle", "platform", "followers", "tier", "estimated_cost",
             "advocacy_fit", "expected_engagements", "advocated_engagements",
             "reasons", "flags")  # fmt: skip
    totals = plan.totals
    answer = {
        "creators": [dict(zip(names, values, strict=True)) for values in columns],
        "totals": {
            "cost": round(totals.cost, 2),
            "coordination_cost": round(totals.coordination_cost, 2),
            "expected_advocates": round(totals.expected_advocates, 4),
            "expected_engagements": round(totals.expected_engagements, 2),
            "advocated_engagements": round(totals.advocated_engagements, 2),
            "unique_reach": round(totals.unique_reach, 1),
            "overlap": round(totals.overlap, 4),
            "expected_advocates_low": totals.expected_advocates_low,
            "expected_advocates_high": totals.expected_advocates_high,
        },
        "status": plan.status,
        "gap": plan.gap,
        "reason": plan.reason,
        "objective": round(plan.objective, 4),
    }
    programme = campaign.result.programme
    if programme is not None and plan.months is not None:
        one_off = plan is campaign.result.macro_only
        _add_programme(answer, programme, plan.months, advocacy, one_off)
    return answer


MONTH_FIELDS = ("cost", "expected_cost", "expected_posts", "expected_engagements",
                "advocated_engagements", "expected_advocates", "contacts", "new_unique_reach",
                "cumulative_unique_reach")  # fmt: skip


def _months(months: ProgrammeMonths) -> list[dict[str, Any]]:
    columns = [np.round(getattr(months, name), 4).tolist() for name in MONTH_FIELDS]
    return [
        {"month": month, **dict(zip(MONTH_FIELDS, values, strict=True))}
        for month, values in enumerate(zip(*columns, strict=True), start=1)
    ]


def _add_programme(
    answer: dict[str, Any],
    programme: Programme,
    months: ProgrammeMonths,
    advocacy: np.ndarray,
    one_off: bool,
) -> None:
    """A programme's fields: per creator its renewal and posts, the totals' horizon, the months.
    The one-off side-by-side (macro-only) posts once and never renews."""
    from matching.planning.programme import retention

    renews = np.zeros(len(advocacy)) if one_off else retention(advocacy)
    posts = (
        np.ones(len(advocacy))
        if one_off
        else programme.posts_per_month * programme.expected_months(advocacy)
    )
    for creator, renewal, count in zip(
        answer["creators"], np.round(renews, 6).tolist(), np.round(posts, 4).tolist(), strict=True
    ):
        creator["retention"] = renewal
        creator["expected_posts"] = count
    answer["totals"].update(
        horizon_months=programme.horizon_months,
        posts_per_month=None if one_off else programme.posts_per_month,
        expected_posts=round(float(months.expected_posts.sum()), 4),
        expected_cost=round(float(months.expected_cost.sum()), 2),
    )
    answer["months"] = _months(months)


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def plan_answer(
    pipe: MatchPipeline,
    campaign: CampaignPlan,
    budget: float,
    request_id: str,
    took_ms: float,
    flags: Flags | None = None,
) -> dict[str, Any]:
    """The answer; `flags`: the chosen candidates' raised flags (`MatchService.flags`)."""
    catalog, result = pipe.catalog, campaign.result
    flags = flags or {}
    return {
        "request_id": request_id,
        "brand_id": campaign.brand_id,
        "model_version": pipe.bundle.version,
        "catalog_version": catalog.version,
        "took_ms": took_ms,
        "currency": campaign.currency,
        "budget": budget,
        "candidates": len(campaign.candidates),
        "plan": _plan(catalog, campaign, result.plan, flags),
        "side_by_side": {
            "macro_only": _plan(catalog, campaign, result.macro_only, flags),
            "greedy": _plan(catalog, campaign, result.greedy, flags),
        },
        "ratios": {"greedy": _ratio(result.greedy_ratio), "macro_only": _ratio(result.macro_ratio)},
    }


def _reason(reason: LookalikeReason) -> dict[str, Any]:
    return {
        "feature": reason.feature,
        "description": reason.description,
        "value": round(reason.value, 4),
        "contribution": round(reason.contribution, 4),
    }


def similar_answer(
    catalog: Catalog,
    creator_id: str,
    found: Lookalikes,
    request_id: str,
    took_ms: float,
    flags: list[list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    rows = found.rows
    columns = zip(
        range(1, len(rows) + 1),
        *identity_columns(catalog, rows),
        np.round(found.similarity, 6).tolist(),
        [[_reason(reason) for reason in reasons] for reasons in found.reasons],
        flags if flags is not None else [[]] * len(rows),
        strict=True,
    )
    names = ("rank", "creator_id", "handle", "platform", "followers", "tier", "similarity",
             "reasons", "flags")  # fmt: skip
    return {
        "request_id": request_id,
        "creator_id": creator_id,
        "catalog_version": catalog.version,
        "took_ms": took_ms,
        "matches": [dict(zip(names, values, strict=True)) for values in columns],
    }
