"""Why no plan exists: the obvious checks first, then relaxing the constraints one at a time.

`precheck` names a constraint that fails on its own (an included creator that is not a
candidate, a minimum above what the candidates can give or the budget can buy, a maximum the
included creators already break) with the figures that show it. When the solver finds the
combination infeasible, `find_conflict` runs a deletion filter: each relaxable constraint in
turn is dropped for good if the rest stays infeasible without it. What remains is a minimal
conflicting set (removing any one member makes the request feasible); the budget is never
relaxed. Each test is a feasibility solve (no objective), a few ms.
"""

from __future__ import annotations

import numpy as np

from matching.planning.formulation import LinearRow, PlanProblem
from matching.planning.milp import SolverSettings, solve
from matching.planning.problem import PlanConstraints, PlanInfeasible

INCLUDE = "include_creator_ids"
OVERLAP = "max_overlap"


def _check_includes(problem: PlanProblem, constraints: PlanConstraints) -> None:
    both = sorted(set(constraints.include_creator_ids) & set(constraints.exclude_creator_ids))
    if both:
        raise PlanInfeasible(INCLUDE, f"{both} are also in exclude_creator_ids")
    known = set(problem.candidates.creator_id.tolist())
    missing = sorted(set(constraints.include_creator_ids) - known)
    if missing:
        raise PlanInfeasible(
            INCLUDE, f"{missing} are not among the candidates (unknown, or filtered out)"
        )


def _check_row(problem: PlanProblem, row: LinearRow) -> None:
    forced = float(row.coefficients @ problem.forced)
    if forced > row.upper * (1 + 1e-9):
        name = INCLUDE if row.name == "budget" else row.name
        raise PlanInfeasible(
            name, f"the included creators already give {forced:g}, above {row.name}'s {row.upper:g}"
        )
    if row.lower <= 0:
        return
    reachable = float(row.coefficients[row.coefficients > 0].sum())
    if reachable < row.lower:
        raise PlanInfeasible(
            row.name, f"needs {row.lower:g} but all candidates together give {reachable:g}"
        )
    if np.isin(row.coefficients, (0.0, 1.0)).all():  # a count: can the budget buy it?
        members = row.coefficients > 0
        need = int(np.ceil(row.lower - float(members @ problem.forced)))
        optional = problem.spend[members & ~problem.forced]
        cheapest = float(np.sort(optional)[:need].sum() + problem.spend @ problem.forced)
        if need > 0 and cheapest > problem.budget:
            raise PlanInfeasible(
                row.name,
                f"needs {row.lower:g} creators; the cheapest such plan costs {cheapest:g}, "
                f"above the budget {problem.budget:g}",
            )


def _check_zero_overlap(problem: PlanProblem) -> None:
    """An overlap cap of 0 needs disjoint audiences: when no two candidates have them, a
    request for two or more creators cannot be met (the cutting planes would never prove it)."""
    if problem.max_overlap != 0 or len(problem) < 2:
        return
    counts = [
        (row.lower, row.name)
        for row in problem.rows
        if row.lower > 0 and np.isin(row.coefficients, (0.0, 1.0)).all()
    ]
    needed, name = max([*counts, (float(problem.forced.sum()), INCLUDE)])
    present = (problem.candidates.segments > 0).astype(np.float64)
    shared = present @ present.T > 0
    if needed >= 2 and shared.all():
        raise PlanInfeasible(
            OVERLAP,
            f"every two candidates share audience, so an overlap of 0 allows one creator; "
            f"{name} asks for {needed:g}",
            (OVERLAP, name),
        )


def precheck(problem: PlanProblem, constraints: PlanConstraints) -> None:
    """Raise `PlanInfeasible` naming a constraint that no plan can satisfy on its own."""
    _check_includes(problem, constraints)
    for row in problem.rows:
        _check_row(problem, row)
    _check_zero_overlap(problem)


def relaxable(problem: PlanProblem) -> list[str]:
    names = [row.name for row in problem.rows if row.name != "budget"]
    names += [INCLUDE] if problem.forced.any() else []
    return names + ([OVERLAP] if problem.max_overlap is not None else [])


def _infeasible(problem: PlanProblem, kept: list[str], settings: SolverSettings) -> bool:
    trial = problem.restricted(np.ones(len(problem), dtype=bool), frozenset([*kept, "budget"]))
    return solve(trial, settings, with_objective=False).status == "infeasible"


def find_conflict(problem: PlanProblem, settings: SolverSettings) -> PlanInfeasible:
    """The error naming a minimal set of constraints that cannot hold together."""
    needed = relaxable(problem)
    for name in list(needed):
        without = [other for other in needed if other != name]
        if _infeasible(problem, without, settings):
            needed = without
    if not needed:  # every single constraint is satisfiable alone: the budget binds them
        return PlanInfeasible("budget", f"no plan fits the budget {problem.budget:g}")
    others = f" together with {', '.join(needed[1:])}" if len(needed) > 1 else ""
    return PlanInfeasible(
        needed[0],
        f"no plan satisfies {needed[0]}{others} within the budget {problem.budget:g}; "
        "relax one of them",
        tuple(needed),
    )
