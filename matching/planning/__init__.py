"""Campaign planning: which creators to hire under a budget (docs/planning.md)."""

from matching.planning.milp import SolverSettings
from matching.planning.planner import MACRO_TIERS, plan_campaign
from matching.planning.problem import (
    OBJECTIVES,
    GroupBounds,
    InvalidPlanRequest,
    PlanCandidates,
    PlanConstraints,
    PlanError,
    PlanInfeasible,
)
from matching.planning.programme import Programme, ProgrammeMonths
from matching.planning.result import Plan, PlanResult, PlanTotals
from matching.planning.segments import AudienceSegments, audience_segments, candidates_from_catalog

__all__ = [
    "MACRO_TIERS",
    "OBJECTIVES",
    "AudienceSegments",
    "GroupBounds",
    "InvalidPlanRequest",
    "Plan",
    "PlanCandidates",
    "PlanConstraints",
    "PlanError",
    "PlanInfeasible",
    "PlanResult",
    "PlanTotals",
    "Programme",
    "ProgrammeMonths",
    "SolverSettings",
    "audience_segments",
    "candidates_from_catalog",
    "plan_campaign",
]
