"""What a plan answers: the chosen creators, their totals, the solver's status and gap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from matching.planning.formulation import PlanProblem
from matching.planning.reach import unique_reach
from matching.planning.uncertainty import advocate_interval

if TYPE_CHECKING:
    from matching.planning.programme import Programme, ProgrammeMonths

PlanStatus = Literal["optimal", "feasible", "empty"]


@dataclass(frozen=True, slots=True)
class PlanTotals:
    cost: float  # what the plan takes from the budget: fees and coordination
    coordination_cost: float  # the coordination part of `cost`
    expected_advocates: float  # Σ P(advocate)
    expected_advocates_low: int  # 5th percentile of the number of advocates
    expected_advocates_high: int  # 95th percentile
    expected_engagements: float  # Σ expected engagements
    advocated_engagements: float  # Σ P(advocate) × expected engagements
    unique_reach: float  # expected distinct real people reached (reach.py)
    summed_audience: float  # Σ real people reached per creator, duplicates counted
    overlap: float  # 1 − unique_reach / summed_audience


@dataclass(frozen=True, slots=True)
class Plan:
    rows: np.ndarray  # indices into the caller's candidates, largest advocated engagements first
    creator_ids: tuple[str, ...]
    totals: PlanTotals
    objective: float  # the exact objective (docs/planning.md)
    status: PlanStatus
    gap: float | None  # the solver's relative optimality gap; None when no solver proved one
    reason: str | None  # why the plan is empty, or how it was obtained when not by the solver
    months: ProgrammeMonths | None = None  # a programme's month by month (programme.py)


@dataclass(frozen=True, slots=True)
class PlanResult:
    plan: Plan
    greedy: Plan  # the greedy cost-benefit baseline under the same constraints
    macro_only: Plan  # the same budget on macro and mega creators only
    greedy_ratio: float | None  # greedy ÷ plan, on the objective
    macro_ratio: float | None  # macro-only ÷ plan, on the objective
    took_ms: float
    cut_rounds: int  # extra solves that made the overlap cap exact
    programme: Programme | None = None  # the horizon and posts a month, when one was asked


def make_plan(
    problem: PlanProblem,
    selected: np.ndarray,
    status: PlanStatus,
    gap: float | None = None,
    reason: str | None = None,
) -> Plan:
    """The plan of a selection (a mask over the problem's rows) with its exact totals."""
    c = problem.candidates
    if not selected.any():
        status = "empty"
    advocated = c.advocacy * c.expected_engagements
    chosen = np.flatnonzero(selected)
    chosen = chosen[np.argsort(-advocated[chosen], kind="stable")]
    low, high = advocate_interval(c.advocacy[chosen])
    reach = unique_reach(c.segments, problem.sizes, chosen) if len(chosen) else 0.0
    summed = float(c.segments[chosen].sum())
    totals = PlanTotals(
        cost=float(problem.spend[chosen].sum()),
        coordination_cost=problem.coordination * len(chosen),
        expected_advocates=float(c.advocacy[chosen].sum()),
        expected_advocates_low=low,
        expected_advocates_high=high,
        expected_engagements=float(c.expected_engagements[chosen].sum()),
        advocated_engagements=float(advocated[chosen].sum()),
        unique_reach=reach,
        summed_audience=summed,
        overlap=0.0 if summed <= 0 else 1.0 - reach / summed,
    )
    return Plan(
        rows=problem.source[chosen],
        creator_ids=tuple(c.creator_id[chosen].tolist()),
        totals=totals,
        objective=problem.objective(selected),
        status=status,
        gap=gap,
        reason=reason,
    )


def ratio(numerator: Plan, denominator: Plan) -> float | None:
    """numerator ÷ denominator on the objective; None when either plan is empty."""
    if "empty" in (numerator.status, denominator.status) or denominator.objective <= 0:
        return None
    return numerator.objective / denominator.objective
