"""`plan_campaign`: the optimal plan, the greedy baseline and the macro-only side-by-side.

Stages, cheapest first: validate and put the request in canonical form (formulation.py);
name any constraint that fails on its own (diagnose.precheck); answer an empty plan with its
reason when nothing can be bought; solve the MILP (milp.py) and, if HiGHS proves it
infeasible, name the conflicting constraints (diagnose.find_conflict); then the greedy and
macro-only plans on the same objective, and the exact totals of all three.
"""

from __future__ import annotations

import time

import numpy as np

from matching.planning.diagnose import find_conflict, precheck
from matching.planning.formulation import PlanProblem, formulate
from matching.planning.greedy import greedy_plan
from matching.planning.milp import Solution, SolverSettings, solve
from matching.planning.problem import PlanCandidates, PlanConstraints
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


def _optimal(problem: PlanProblem, settings: SolverSettings, greedy: Plan) -> tuple[Plan, int]:
    reason = _nothing_to_buy(problem)
    if reason is not None:
        return make_plan(problem, np.zeros(len(problem), bool), "empty", reason=reason), 0
    start = np.isin(problem.source, greedy.rows)
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
    plan = make_plan(problem, solution.selected, status, solution.gap, reason=why)
    if plan.status == "empty":
        plan = make_plan(problem, solution.selected, "empty", reason="no candidate adds value")
    return plan, solution.cut_rounds


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
    reason = None
    if len(macro) == 0:
        reason = "no macro or mega creators among the candidates"
    elif float(macro.spend.min()) > problem.budget:
        cheapest = float(macro.spend.min())
        reason = (
            f"the budget {problem.budget:g} is below the cheapest macro or mega creator's "
            f"cost {cheapest:g}"
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
) -> PlanResult:
    """The plan that maximises the request's objective under its constraints (docs/planning.md).

    Raises `PlanInfeasible` naming the constraint when none exists, `InvalidPlanRequest` for
    malformed input. Row indices in the answer point into `candidates`.
    """
    started = time.perf_counter()
    settings = settings or SolverSettings()
    problem = formulate(candidates, constraints)
    precheck(problem, constraints)
    greedy = _greedy(problem)
    plan, cut_rounds = _optimal(problem, settings, greedy)
    macro = _macro_only(problem, settings)
    return PlanResult(
        plan=plan,
        greedy=greedy,
        macro_only=macro,
        greedy_ratio=ratio(greedy, plan),
        macro_ratio=ratio(macro, plan),
        took_ms=(time.perf_counter() - started) * 1000.0,
        cut_rounds=cut_rounds,
    )
