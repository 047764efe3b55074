"""`plan_campaign`: the optimal plan, the greedy baseline and the macro-only side-by-side.

Stages, cheapest first: validate and put the request in canonical form (formulation.py);
name any constraint that fails on its own (diagnose.precheck); answer an empty plan with its
reason when nothing can be bought; solve the MILP (milp.py) and, if HiGHS proves it
infeasible, name the conflicting constraints (diagnose.find_conflict); then the greedy and
macro-only plans on the same objective, and the exact totals of all three.

A programme (`horizon_months`, programme.py) is planned by the same stages over each
creator's horizon cost and value; its macro-only side-by-side is the same budget spent on
one-off macro placements (one post each, no renewal), and every plan gets its months.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from matching.planning.core import CoreSettings, core_mask
from matching.planning.diagnose import find_conflict, precheck
from matching.planning.formulation import PlanProblem, formulate
from matching.planning.greedy import greedy_plan
from matching.planning.milp import Solution, SolverSettings, full_bound, solve
from matching.planning.problem import PlanCandidates, PlanConstraints
from matching.planning.programme import Programme, one_off_months, programme_months
from matching.planning.result import Plan, PlanResult, PlanStatus, make_plan, ratio

MACRO_TIERS = ("macro", "mega")


def _nothing_to_buy(problem: PlanProblem) -> str | None:
    if len(problem) == 0:
        return "no candidates: the filters and exclusions leave none"
    cheapest = float(problem.spend.min())
    if not problem.forced.any() and cheapest > problem.budget:
        return f"the budget {problem.budget:g} is below the cheapest candidate's cost {cheapest:g}"
    return None


STOPPED = {
    "node_limit": "the node limit stopped the solve (the same request gives the same plan)",
    "cut_rounds": "the reach planes had not settled within the rounds; the best plan found",
    "time_limit": "the wall-clock safety net fired: a repeat may give another plan",
}


def _stopped_reason(solution: Solution, settings: SolverSettings) -> str | None:
    if solution.stopped_by is None:
        return None
    why = STOPPED[solution.stopped_by]
    if solution.stopped_by == "time_limit":
        why += f" ({settings.time_limit_s:g} s)"
    return why


def _optimal(
    problem: PlanProblem, settings: SolverSettings, greedy: Plan, core: CoreSettings
) -> tuple[Plan, int]:
    reason = _nothing_to_buy(problem)
    if reason is not None:
        return make_plan(problem, np.zeros(len(problem), bool), "empty", reason=reason), 0
    start = np.isin(problem.source, greedy.rows)
    keep = core_mask(problem, start, core)
    if not keep.all():
        cored = _cored(problem, settings, start, keep, core)
        if cored is not None:
            return cored
    solution = solve(problem, settings, start=start)
    if solution.status == "infeasible":
        raise find_conflict(problem, settings)
    why = _stopped_reason(solution, settings)
    if solution.selected is None:
        why = f"HiGHS found no plan: {why}"
        if greedy.status != "empty":
            why += "; this is the greedy plan"
        return make_plan(problem, start, "feasible", reason=why), solution.cut_rounds
    status: PlanStatus = "optimal" if solution.status == "optimal" else "feasible"
    return _answered(problem, solution.selected, status, solution.gap, why), solution.cut_rounds


def _answered(
    problem: PlanProblem, selected: np.ndarray, status: PlanStatus, gap: float | None,
    why: str | None,
) -> Plan:  # fmt: skip
    plan = make_plan(problem, selected, status, gap, reason=why)
    if plan.status == "empty":
        plan = make_plan(problem, selected, "empty", reason="no candidate adds value")
    return plan


def _cored(
    problem: PlanProblem,
    settings: SolverSettings,
    start: np.ndarray,
    keep: np.ndarray,
    core: CoreSettings,
) -> tuple[Plan, int] | None:
    """The MILP over the core (core.py), its gap against the whole problem's bound; None when
    the core alone cannot meet the constraints (the whole problem is solved instead)."""
    names = frozenset([r.name for r in problem.rows] + ["include_creator_ids", "max_overlap"])
    rounds = min(settings.max_cut_rounds, core.max_cut_rounds)
    solution = solve(
        problem.restricted(keep, names), replace(settings, max_cut_rounds=rounds), start=start[keep]
    )
    if solution.selected is None:
        return None
    selected = np.zeros(len(problem), dtype=bool)
    selected[np.flatnonzero(keep)[solution.selected]] = True
    bound = full_bound(problem, [start, selected])
    exact = problem.objective(selected)
    gap = None if bound is None else (max(0.0, (bound - exact) / bound) if bound > 0 else 0.0)
    proved = solution.status == "optimal" and gap is not None and gap <= settings.mip_rel_gap
    why = _stopped_reason(solution, settings)
    if not proved:
        shown = "unknown" if gap is None else f"{gap:.1%}"
        cored = (
            f"solved over the {int(keep.sum())} most promising of {len(problem)} candidates "
            f"(docs/planning.md, the core); the whole problem's bound is {shown} above this plan"
        )
        why = cored if why is None else f"{why}; {cored}"
    status: PlanStatus = "optimal" if proved else "feasible"
    return _answered(problem, selected, status, gap, why), solution.cut_rounds


def _greedy(problem: PlanProblem) -> Plan:
    reason = _nothing_to_buy(problem)
    selected, failed = (
        greedy_plan(problem) if reason is None else (np.zeros(len(problem), bool), None)
    )
    if failed is not None:
        reason = f"the greedy pass could not meet {failed}"
    return make_plan(problem, selected, "feasible", reason=reason)


def _macro_only(problem: PlanProblem, settings: SolverSettings) -> Plan:
    macro = problem.restricted(np.isin(problem.candidates.tier, MACRO_TIERS), frozenset({"budget"}))
    return _solved_or_empty(macro, problem.budget, settings)


def _one_off_macro(
    candidates: PlanCandidates,
    constraints: PlanConstraints,
    programme_problem: PlanProblem,
    settings: SolverSettings,
) -> Plan:
    """The horizon budget on one-off macro and mega placements: one post each, no renewal,
    valued with the programme's reach weight so that the objectives compare."""
    one_off = formulate(candidates, constraints)
    one_off = replace(one_off, reach_weight=programme_problem.reach_weight)
    macro = one_off.restricted(np.isin(one_off.candidates.tier, MACRO_TIERS), frozenset({"budget"}))
    return _solved_or_empty(macro, one_off.budget, settings)


def _solved_or_empty(macro: PlanProblem, budget: float, settings: SolverSettings) -> Plan:
    reason = None
    if len(macro) == 0:
        reason = "no macro or mega creators among the candidates"
    elif float(macro.spend.min()) > budget:
        cheapest = float(macro.spend.min())
        reason = (
            f"the budget {budget:g} is below the cheapest macro or mega creator's cost {cheapest:g}"
        )
    if reason is not None:
        return make_plan(macro, np.zeros(len(macro), bool), "empty", reason=reason)
    solution = solve(macro, settings)
    selected = np.zeros(len(macro), bool) if solution.selected is None else solution.selected
    status: PlanStatus = "optimal" if solution.status == "optimal" else "feasible"
    return make_plan(macro, selected, status, solution.gap)


def plan_campaign(
    candidates: PlanCandidates,
    constraints: PlanConstraints,
    settings: SolverSettings | None = None,
    programme: Programme | None = None,
) -> PlanResult:
    """The plan that maximises the request's objective under its constraints (docs/planning.md).

    With a `programme`, the budget is the horizon's and each plan carries its months.
    Raises `PlanInfeasible` naming the constraint when none exists, `InvalidPlanRequest` for
    malformed input. Row indices in the answer point into `candidates`.
    """
    started = time.perf_counter()
    settings = settings or SolverSettings()
    if programme is None:
        problem = formulate(candidates, constraints)
        precheck(problem, constraints)
    else:
        horizon = programme.horizon_constraints(constraints)
        problem = formulate(programme.horizon_candidates(candidates), horizon)
        precheck(problem, horizon)
    greedy = _greedy(problem)
    plan, cut_rounds = _optimal(problem, settings, greedy, CoreSettings())
    if programme is None:
        macro = _macro_only(problem, settings)
    else:
        macro = _one_off_macro(candidates, constraints, problem, settings)
        months = _Months(programme, candidates, constraints.coordination_cost, problem.sizes)
        plan, greedy, macro = months.of(plan), months.of(greedy), months.of(macro, one_off=True)
    return PlanResult(
        plan=plan,
        greedy=greedy,
        macro_only=macro,
        greedy_ratio=ratio(greedy, plan),
        macro_ratio=ratio(macro, plan),
        took_ms=(time.perf_counter() - started) * 1000.0,
        cut_rounds=cut_rounds,
        programme=programme,
    )


@dataclass(frozen=True, slots=True)
class _Months:
    """Attaches its months to a plan (rows into the one-post `candidates`)."""

    programme: Programme
    candidates: PlanCandidates
    coordination: float  # per creator and month
    sizes: np.ndarray

    def of(self, plan: Plan, one_off: bool = False) -> Plan:
        months = one_off_months if one_off else programme_months
        found = months(self.programme, self.candidates, plan.rows, self.coordination, self.sizes)
        return replace(plan, months=found)
