"""Bodies of `POST /v1/plan` and `GET /v1/creators/{id}/similar` (pydantic at the boundary)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field

from api.schemas import (
    MATCH_EXAMPLE,
    BriefOrBrandId,
    FiltersIn,
    FlagOut,
    Judged,
    RankedCreatorOut,
    ReasonOut,
)

if TYPE_CHECKING:  # the planner's modules load with the first plan
    from matching.plan_scope import PlanPolicy
    from matching.planning import Programme

Tier = Literal["emerging", "nano", "micro", "mid", "macro", "mega"]
Platform = Literal["instagram", "tiktok", "youtube"]


class GroupBoundsIn(BaseModel):
    """How many creators of one tier or platform, and what share of the budget they take."""

    model_config = ConfigDict(extra="forbid")
    min: int = Field(0, ge=0)
    max: int | None = Field(None, ge=0)
    min_share: float = Field(0.0, ge=0, le=1, description="Share of the budget, at least")
    max_share: float | None = Field(None, ge=0, le=1, description="Share of the budget, at most")


PLAN_EXAMPLE: dict[str, Any] = {
    "brand": MATCH_EXAMPLE["brand"],
    "budget": 10000,
    "currency": "EUR",
    "min_creators": 5,
    "max_creators": 30,
    "tiers": {"nano": {"min": 2}, "mega": {"max": 0}},
    "platforms": {"instagram": {"min_share": 0.5}},
    "max_overlap": 0.2,
    "filters": {"countries": ["IT"]},
}


class PlanRequest(BriefOrBrandId, Judged):
    """A brief (inline or a stored `brand_id`), a budget and the constraints of the plan."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PLAN_EXAMPLE]})
    budget: float = Field(ge=0, allow_inf_nan=False, description="In `currency`")
    currency: str | None = Field(
        None,
        min_length=3,
        max_length=3,
        description="Of the budget and of every cost answered; default: the brief's budget's, "
        "else EUR",
    )
    min_creators: int | None = Field(None, ge=0)
    max_creators: int | None = Field(None, ge=0)
    tiers: dict[Tier, GroupBoundsIn] = Field(default_factory=dict)
    platforms: dict[Platform, GroupBoundsIn] = Field(default_factory=dict)
    max_overlap: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Largest share of the plan's summed audience reached more than once",
    )
    include_creator_ids: list[str] = Field([], max_length=200)
    filters: FiltersIn = FiltersIn()
    objective: Literal["advocated_engagements", "advocates", "reach"] = Field(
        "advocated_engagements",
        description="What the plan maximises: expected advocated engagements (Σ P(advocate) × "
        "expected engagements, default), expected advocates, or unique reach; the unique "
        "reach is a small secondary term of the first two (docs/planning.md)",
    )
    scope: Literal["brief", "any"] = Field(
        "brief",
        description="`brief` (default): only creators who speak one of the brief's languages "
        "and whose audience is at least `min_market_share` in its markets (each rule only "
        "when the brief names some); `any`: every language and market",
    )
    min_market_share: float | None = Field(
        None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Least share of a creator's audience in the brief's markets under "
        "`scope: brief`; default 0.2",
    )
    min_advocacy: float | None = Field(
        None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Least advocacy_fit of a hired creator; default 0.3",
    )
    coordination_cost: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="What coordinating one hired creator costs the agency, in `currency`, "
        "added to its fee in the budget; default 150 EUR converted to `currency`",
    )

    horizon_months: int | None = Field(
        None,
        ge=1,
        le=24,
        description="An always-on programme over this many months: every hired creator posts "
        "`posts_per_month` times a month and renews by its advocacy; `budget` is then the "
        "whole horizon's, and the plan reports its `months` (docs/planning.md)",
    )
    posts_per_month: int | None = Field(
        None,
        ge=1,
        le=8,
        description="Posts per creator and month of a programme; default 1; needs "
        "`horizon_months`",
    )

    def programme(self) -> Programme | None:
        """The always-on programme asked for, or None for a one-off campaign."""
        from matching.planning import InvalidPlanRequest, Programme

        if self.horizon_months is None:
            if self.posts_per_month is not None:
                raise InvalidPlanRequest(
                    "posts_per_month", "needs horizon_months: a programme has a horizon"
                )
            return None
        return Programme(self.horizon_months, self.posts_per_month or 1)

    def policy(self) -> PlanPolicy:
        """The plan's scope, minimum advocacy and coordination cost (matching/plan_scope.py)."""
        from matching.plan_scope import PlanPolicy

        given = {
            key: getattr(self, key)
            for key in ("min_market_share", "min_advocacy", "coordination_cost")
            if getattr(self, key) is not None
        }
        return PlanPolicy(scope=self.scope, **given)


class PlannedCreator(BaseModel):
    creator_id: str
    handle: str
    platform: str
    tier: str
    followers: int
    estimated_cost: float
    advocacy_fit: float
    expected_engagements: float
    advocated_engagements: float = Field(description="advocacy_fit × expected_engagements")
    retention: float | None = Field(
        None, description="Only for a programme: the chance to renew for one more month"
    )
    expected_posts: float | None = Field(
        None, description="Only for a programme: its expected posts over the horizon"
    )
    reasons: list[ReasonOut]
    flags: list[FlagOut] = Field(
        [],
        description="Red flags raised; a demoted creator's advocacy_fit counts at most just "
        "below its niche peers'",
    )


class PlanTotalsOut(BaseModel):
    cost: float = Field(description="Fees and coordination: what the plan takes from the budget")
    coordination_cost: float = Field(description="The coordination part of `cost`")
    expected_advocates: float
    expected_engagements: float
    advocated_engagements: float
    unique_reach: float = Field(description="Expected distinct real people reached")
    overlap: float = Field(description="1 − unique_reach ÷ the summed audiences")
    expected_advocates_low: int = Field(description="5th percentile of the advocates")
    expected_advocates_high: int = Field(description="95th percentile of the advocates")
    horizon_months: int | None = Field(None, description="Only for a programme")
    posts_per_month: int | None = Field(None, description="Only for a programme")
    expected_posts: float | None = Field(None, description="Only for a programme: Σ months")
    expected_cost: float | None = Field(
        None, description="Only for a programme: Σ months' expected spend (≤ `cost`)"
    )


class ProgrammeMonthOut(BaseModel):
    """One month of an always-on programme (docs/planning.md, "Always-on programmes")."""

    month: int = Field(description="1 … horizon_months")
    cost: float = Field(description="Fees and coordination the budget holds for the month")
    expected_cost: float = Field(description="What the creators still posting are paid")
    expected_posts: float
    expected_engagements: float
    advocated_engagements: float
    expected_advocates: float = Field(description="Advocates among the creators still posting")
    contacts: float = Field(description="Expected audience contacts, repeats counted")
    new_unique_reach: float = Field(description="People reached for the first time this month")
    cumulative_unique_reach: float


class PlanOut(BaseModel):
    creators: list[PlannedCreator]
    totals: PlanTotalsOut
    months: list[ProgrammeMonthOut] | None = Field(
        None, description="Only for a programme (`horizon_months`): month by month"
    )
    status: Literal["optimal", "feasible", "empty"]
    gap: float | None = Field(description="The solver's relative optimality gap")
    reason: str | None = Field(description="Why the plan is empty, or how it was obtained")
    objective: float


class SideBySide(BaseModel):
    macro_only: PlanOut = Field(description="The same budget on macro and mega creators only")
    greedy: PlanOut = Field(description="Greedy cost-benefit under the same constraints")


class PlanRatios(BaseModel):
    """Each side-by-side plan's objective ÷ the plan's (null when either is empty)."""

    greedy: float | None
    macro_only: float | None


class PlanResponse(BaseModel):
    request_id: str
    brand_id: str
    model_version: str
    catalog_version: str
    took_ms: float
    currency: str
    budget: float
    candidates: int = Field(description="Creators the plan chose from")
    plan: PlanOut
    side_by_side: SideBySide
    ratios: PlanRatios


class SimilarOut(RankedCreatorOut):
    similarity: float
    reasons: list[ReasonOut]
    flags: list[FlagOut] = Field(
        [],
        description="Red flags raised by the creator's own signals (no brief: no stance "
        "or market flag)",
    )


class SimilarResponse(BaseModel):
    request_id: str
    creator_id: str
    catalog_version: str
    took_ms: float
    matches: list[SimilarOut]


PLAN_EXAMPLES: dict[str, Example] = {
    "brief": {"summary": "An inline brief, a mix of tiers, little audience overlap",
              "value": PLAN_EXAMPLE},
    "stored brand": {
        "summary": "A stored brand, 2,000 EUR, one creator that must be in the plan",
        "value": {"brand_id": "ecoveste", "budget": 2000, "currency": "EUR",
                  "include_creator_ids": ["ig:giulia.green"]},
    },
}  # fmt: skip
