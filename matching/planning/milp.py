"""The plan as a mixed-integer programme, solved by HiGHS through `scipy.optimize.milp`.

Variables: x_i ∈ {0,1} per candidate and, when reach matters, one continuous R (the unique
reach, in units of the total pool Σ_s N_s). Maximise value·x + λ·R under the request's named
rows, `max_overlap` as R ≥ (1 − m)·Σ_i A_i x_i, and R ≤ each tangent plane of the concave reach
g (reach.py) at the points met so far: x = 0, the greedy plan, then every solution whose R
overstated g(x) by more than `REACH_TOLERANCE` of the objective or broke the overlap cap
(Kelley's cutting planes). Tangents only overstate g, so HiGHS's bound stays a bound on the
true optimum; the gap reported compares it with the exact objective of the plan. When the
planes have not settled within the rounds or the time limit, the best of the repaired
solutions (repair.py) and the greedy plan is answered as `feasible`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matching.planning.formulation import PlanProblem
from matching.planning.reach import log_unreached, reach_tangent
from matching.planning.repair import repair_overlap

if TYPE_CHECKING:  # scipy (about a second) is imported by the first plan, not by the server's start
    from scipy.optimize import LinearConstraint

OVERLAP_TOLERANCE = 1e-9
REACH_TOLERANCE = 1e-3  # an overstated reach worth less than this share of the objective
# Feasibility jump costs ~30 ms per solve and never beat the LP-based heuristics here.
HIGHS_OPTIONS = {"mip_heuristic_run_feasibility_jump": False}


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_s: float = 1.0  # for the whole solve, cut rounds included
    mip_rel_gap: float = 0.01
    max_cut_rounds: int = 20


@dataclass(frozen=True, slots=True)
class Solution:
    selected: np.ndarray | None  # bool mask over the problem's rows; None: none found
    status: str  # "optimal" | "feasible" | "infeasible" | "no_solution" (time ran out)
    gap: float | None  # (HiGHS's bound − exact objective) / bound
    cut_rounds: int


@dataclass(frozen=True, slots=True)
class _Model:
    problem: PlanProblem
    weights: np.ndarray  # (n, S) w_is
    pool: float  # Σ_s N_s: the unit of R
    with_objective: bool

    @property
    def has_reach(self) -> bool:
        reach_objective = self.with_objective and self.problem.reach_weight > 0
        return self.pool > 0 and (reach_objective or self.problem.max_overlap is not None)

    def cut(self, selected: np.ndarray) -> tuple[np.ndarray, float]:
        """The tangent plane at `selected` as a row over (x, R) and its upper bound."""
        value, gradient = reach_tangent(self.weights, self.problem.sizes, selected)
        row = np.concatenate([-gradient / self.pool, [1.0]])
        return row, (value - float(gradient @ selected)) / self.pool

    def objective(self) -> np.ndarray:
        """Minus the objective's coefficients over (x, R), unscaled."""
        n = len(self.problem)
        if not self.with_objective:
            return np.zeros(n + self.has_reach)
        reach = [self.problem.reach_weight * self.pool] if self.has_reach else []
        return -np.concatenate([self.problem.value, reach])

    def constraints(self, cuts: list[tuple[np.ndarray, float]]) -> list[LinearConstraint]:
        from scipy.optimize import LinearConstraint

        rows = self.problem.rows
        named = np.array([row.coefficients for row in rows]).reshape(-1, len(self.problem))
        if not self.has_reach:
            return [LinearConstraint(named, [r.lower for r in rows], [r.upper for r in rows])]
        out = [
            LinearConstraint(
                np.hstack([named, np.zeros((len(rows), 1))]),
                [r.lower for r in rows],
                [r.upper for r in rows],
            ),
            LinearConstraint(np.array([row for row, _ in cuts]), -np.inf, [b for _, b in cuts]),
        ]
        cap = self.problem.max_overlap
        if cap is not None:
            audience = self.problem.candidates.segments.sum(axis=1) / self.pool
            out.append(LinearConstraint(np.append((1.0 - cap) * audience, -1.0), -np.inf, 0.0))
        return out


def _run(
    model: _Model, cuts: list[tuple[np.ndarray, float]], settings: SolverSettings, seconds: float
) -> tuple[np.ndarray | None, str, float | None, float | None]:
    """(selection, status, HiGHS's upper bound on the objective, the reach R it found)."""
    from scipy.optimize import Bounds, milp

    n = len(model.problem)
    c = model.objective()
    scale = max(float(np.abs(c).max(initial=0.0)), 1e-12)
    integrality = np.r_[np.ones(n), np.zeros(len(c) - n)]
    upper = np.r_[np.ones(n), np.ones(len(c) - n)]
    options = {"time_limit": max(seconds, 0.01), "mip_rel_gap": settings.mip_rel_gap}
    with warnings.catch_warnings():  # scipy warns that it passes HiGHS options verbatim
        warnings.simplefilter("ignore", RuntimeWarning)
        result = milp(
            c / scale,
            integrality=integrality,
            bounds=Bounds(np.r_[model.problem.forced.astype(float), np.zeros(len(c) - n)], upper),
            constraints=model.constraints(cuts),
            options={**options, **HIGHS_OPTIONS},
        )
    if result.status == 2:
        return None, "infeasible", None, None
    if result.status not in (0, 1):
        raise RuntimeError(f"HiGHS failed: {result.message}")
    if result.x is None:
        return None, "no_solution", None, None
    bound = getattr(result, "mip_dual_bound", None)
    status = "optimal" if result.status == 0 else "feasible"
    found_reach = float(result.x[n]) * model.pool if model.has_reach else None
    return result.x[:n] > 0.5, status, None if bound is None else -bound * scale, found_reach


def _settled(model: _Model, selected: np.ndarray, found_reach: float | None) -> bool:
    """True when the solution's reach is near its exact value and the overlap cap holds."""
    if found_reach is None:
        return True
    problem = model.problem
    exact = reach_tangent(model.weights, problem.sizes, selected)[0]
    summed = float(problem.candidates.segments[selected].sum())
    if problem.max_overlap is not None and exact < (1 - problem.max_overlap) * summed * (
        1 - OVERLAP_TOLERANCE
    ):
        return False
    if not model.with_objective:
        return True
    overstated = problem.reach_weight * (found_reach - exact)
    return overstated <= REACH_TOLERANCE * max(problem.objective(selected), 1e-12)


def solve(
    problem: PlanProblem,
    settings: SolverSettings,
    with_objective: bool = True,
    start: np.ndarray | None = None,
) -> Solution:
    """The best plan HiGHS finds within the settings' gap and time (see the module docstring);
    `start` (a feasible selection, e.g. the greedy plan) adds its tangent plane from the outset
    and is the fallback when the cutting planes do not settle in time."""
    started = time.perf_counter()
    weights = log_unreached(problem.candidates.segments, problem.sizes)
    model = _Model(problem, weights, float(problem.sizes.sum()), with_objective)
    cuts = [model.cut(np.zeros(len(problem), dtype=bool))]
    fallbacks = [] if start is None or not start.any() else [start]
    cuts += [model.cut(plan) for plan in fallbacks]
    bound = None
    for round_ in range(settings.max_cut_rounds + 1):
        left = settings.time_limit_s - (time.perf_counter() - started)
        selected, status, found_bound, found_reach = _run(model, cuts, settings, left)
        bound = bound if found_bound is None else found_bound
        if selected is None:
            if status == "no_solution" and fallbacks:
                break
            return Solution(None, status, None, round_)
        if _settled(model, selected, found_reach):
            if status == "optimal" or not fallbacks:
                return Solution(
                    selected, status, _gap(problem, selected, bound, with_objective), round_
                )
            fallbacks.append(selected)  # stopped by the time limit: the best of all answers
            break
        cuts.append(model.cut(selected))
        repaired = repair_overlap(problem, selected)
        if repaired is not None:
            fallbacks.append(repaired)
            cuts.append(model.cut(repaired))
        if time.perf_counter() - started >= settings.time_limit_s:
            break
    if not fallbacks:
        return Solution(None, "no_solution", None, settings.max_cut_rounds)
    best = max(fallbacks, key=problem.objective)
    return Solution(best, "feasible", _gap(problem, best, bound, with_objective), round_)


def _gap(
    problem: PlanProblem, selected: np.ndarray, bound: float | None, with_objective: bool
) -> float | None:
    """(bound − exact objective) / bound: HiGHS's bound holds for the true optimum too."""
    if not with_objective or bound is None or not np.isfinite(bound):
        return None
    exact = problem.objective(selected)
    return max(0.0, (bound - exact) / bound) if bound > 0 else 0.0
