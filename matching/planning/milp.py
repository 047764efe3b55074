"""The plan as a mixed-integer programme, solved by HiGHS (highs.py), warm-started.

Variables: x_i ∈ {0,1} per candidate and, when reach matters, one continuous R (the unique
reach, in units of the total pool Σ_s N_s). Maximise value·x + λ·R under the request's named
rows, `max_overlap` as R ≥ (1 − m)·Σ_i A_i x_i, and R ≤ each tangent plane of the concave reach
g (reach.py) at the points met so far: x = 0, the greedy plan, then every solution whose R
overstated g(x) by more than `REACH_TOLERANCE` of the objective or broke the overlap cap
(Kelley's cutting planes). Tangents only overstate g, so every round's HiGHS bound stays a
bound on the true optimum; the gap reported compares the tightest with the exact objective of
the plan. Segments with the same w column are one segment (exact, fewer columns to evaluate).

Determinism: each solve starts from the best plan known (the greedy plan, then repaired
solutions) and stops at a node limit, never at a clock; the rounds are counted. Only the
wall-clock safety net (`time_limit_s`, far above a normal solve) can change the answer, and
`Solution.stopped_by` says when it fired. When the planes have not settled within the rounds,
the best of the repaired solutions (repair.py) and the greedy plan is answered as `feasible`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from matching.planning.formulation import PlanProblem
from matching.planning.highs import INFEASIBLE, HighsAnswer, HighsLimits, solve_milp
from matching.planning.reach import log_unreached, reach_tangent
from matching.planning.repair import repair_overlap

OVERLAP_TOLERANCE = 1e-9
REACH_TOLERANCE = 1e-3  # an overstated reach worth less than this share of the objective
BOUND_ROUNDS = 8  # LPs at most in `full_bound`
StoppedBy = Literal["node_limit", "cut_rounds", "time_limit"]


@dataclass(frozen=True, slots=True)
class SolverSettings:
    mip_rel_gap: float = 0.01
    max_cut_rounds: int = 10
    max_nodes: int = 30  # branch-and-bound nodes per round: the deterministic work limit
    max_improving_solutions: int = 50  # incumbents per round, also counted, not timed
    time_limit_s: float = 30.0  # wall-clock safety net for the whole solve, never the rule


@dataclass(frozen=True, slots=True)
class Solution:
    selected: np.ndarray | None  # bool mask over the problem's rows; None: none found
    status: str  # "optimal" | "feasible" | "infeasible" | "no_solution"
    gap: float | None  # (tightest HiGHS bound − exact objective) / bound
    cut_rounds: int
    stopped_by: StoppedBy | None = None  # why a `feasible` answer is not proven optimal


@dataclass(frozen=True, slots=True)
class _Model:
    problem: PlanProblem
    weights: np.ndarray  # (n, S') w_is, identical segment columns merged
    sizes: np.ndarray  # (S',) N_s of the merged segments
    pool: float  # Σ_s N_s: the unit of R
    with_objective: bool

    @property
    def has_reach(self) -> bool:
        reach_objective = self.with_objective and self.problem.reach_weight > 0
        return self.pool > 0 and (reach_objective or self.problem.max_overlap is not None)

    def reach(self, selected: np.ndarray) -> float:
        return reach_tangent(self.weights, self.sizes, selected)[0]

    def cut(self, selected: np.ndarray) -> tuple[np.ndarray, float]:
        """The tangent plane at `selected` as a row over (x, R) and its upper bound."""
        value, gradient = reach_tangent(self.weights, self.sizes, selected)
        row = np.concatenate([-gradient / self.pool, [1.0]])
        return row, (value - float(gradient @ selected)) / self.pool

    def objective(self) -> np.ndarray:
        """Minus the objective's coefficients over (x, R), unscaled."""
        n = len(self.problem)
        if not self.with_objective:
            return np.zeros(n + self.has_reach)
        reach = [self.problem.reach_weight * self.pool] if self.has_reach else []
        return -np.concatenate([self.problem.value, reach])

    def rows(
        self, cuts: list[tuple[np.ndarray, float]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(A, lower, upper) over (x, R): the named rows, the tangent planes, the overlap cap."""
        rows, n = self.problem.rows, len(self.problem)
        matrix = np.array([row.coefficients for row in rows]).reshape(-1, n)
        lower = [row.lower for row in rows]
        upper = [row.upper for row in rows]
        if not self.has_reach:
            return matrix, np.array(lower, float), np.array(upper, float)
        blocks = [np.hstack([matrix, np.zeros((len(rows), 1))])]
        blocks.append(np.array([row for row, _ in cuts]))
        lower += [-np.inf] * len(cuts)
        upper += [bound for _, bound in cuts]
        cap = self.problem.max_overlap
        if cap is not None:
            audience = self.problem.candidates.segments.sum(axis=1) / self.pool
            blocks.append(np.append((1.0 - cap) * audience, -1.0)[None, :])
            lower.append(-np.inf)
            upper.append(0.0)
        return np.vstack(blocks), np.array(lower, float), np.array(upper, float)

    def start(self, selected: np.ndarray | None) -> np.ndarray | None:
        """A full starting point (x, R = g(x)) for HiGHS: every plane holds at g(x)."""
        if selected is None:
            return None
        x = selected.astype(np.float64)
        return np.append(x, self.reach(selected) / self.pool) if self.has_reach else x


def merged_segments(weights: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments with identical w columns summed into one (g is unchanged), empty ones dropped."""
    used = sizes > 0
    weights, sizes = weights[:, used], sizes[used]
    if weights.shape[1] < 2:
        return weights, sizes
    _, first, group = np.unique(weights.T, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # keep the columns' first-seen order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    merged = np.zeros(len(first))
    np.add.at(merged, rank[group.ravel()], sizes)
    return weights[:, np.sort(first)], merged


def _model(problem: PlanProblem, with_objective: bool) -> _Model:
    full = log_unreached(problem.candidates.segments, problem.sizes)
    weights, sizes = merged_segments(full, problem.sizes)
    return _Model(problem, weights, sizes, float(problem.sizes.sum()), with_objective)


def _run(
    model: _Model, cuts: list[tuple[np.ndarray, float]], limits: HighsLimits,
    start: np.ndarray | None,
) -> tuple[HighsAnswer, float | None, float | None]:  # fmt: skip
    """HiGHS's answer, its upper bound on the objective, and the reach R it found."""
    n = len(model.problem)
    c = model.objective()
    scale = max(float(np.abs(c).max(initial=0.0)), 1e-12)
    extra = len(c) - n
    lower = np.r_[model.problem.forced.astype(float), np.zeros(extra)]
    integral = np.r_[np.ones(n), np.zeros(extra)]
    matrix, row_lower, row_upper = model.rows(cuts)
    answer = solve_milp(
        c / scale, matrix, (row_lower, row_upper), (lower, np.ones(len(c))), integral,
        limits, model.start(start),
    )  # fmt: skip
    if answer.x is None:
        return answer, None, None
    bound = None if answer.bound is None else -answer.bound * scale
    found_reach = float(answer.x[n]) * model.pool if model.has_reach else None
    return answer, bound, found_reach


def _settled(model: _Model, selected: np.ndarray, found_reach: float | None) -> bool:
    """True when the solution's reach is near its exact value and the overlap cap holds."""
    if found_reach is None:
        return True
    problem = model.problem
    exact = model.reach(selected)
    summed = float(problem.candidates.segments[selected].sum())
    if problem.max_overlap is not None and exact < (1 - problem.max_overlap) * summed * (
        1 - OVERLAP_TOLERANCE
    ):
        return False
    if not model.with_objective:
        return True
    overstated = problem.reach_weight * (found_reach - exact)
    return overstated <= REACH_TOLERANCE * max(problem.objective(selected), 1e-12)


@dataclass
class _Search:
    """What the rounds have found so far."""

    model: _Model
    fallbacks: list[np.ndarray]
    cuts: list[tuple[np.ndarray, float]]
    bound: float | None = None
    time_limit_hit: bool = False

    def best(self) -> np.ndarray | None:
        problem = self.model.problem
        return max(self.fallbacks, key=problem.objective) if self.fallbacks else None

    def tighten(self, bound: float | None) -> None:
        if bound is not None:
            self.bound = bound if self.bound is None else min(self.bound, bound)

    def add_cut(self, selected: np.ndarray) -> bool:
        """Add the plane at `selected`; False when it is already there (no progress)."""
        cut = self.model.cut(selected)
        if any(np.array_equal(cut[0], row) and cut[1] == b for row, b in self.cuts):
            return False
        self.cuts.append(cut)
        return True


def _limits(settings: SolverSettings, seconds_left: float) -> HighsLimits:
    return HighsLimits(
        settings.mip_rel_gap, settings.max_nodes, settings.max_improving_solutions,
        max(seconds_left, 0.01),
    )  # fmt: skip


def solve(
    problem: PlanProblem,
    settings: SolverSettings,
    with_objective: bool = True,
    start: np.ndarray | None = None,
) -> Solution:
    """The best plan HiGHS finds within the settings' gap and work limits (see the module
    docstring); `start` (a feasible selection, e.g. the greedy plan) adds its tangent plane
    from the outset, is HiGHS's first incumbent, and is the fallback when the planes do not
    settle."""
    started = time.perf_counter()
    model = _model(problem, with_objective)
    fallbacks = [] if start is None or not start.any() else [start]
    search = _Search(model, fallbacks, [])
    for plan in [np.zeros(len(problem), dtype=bool), *fallbacks]:
        search.add_cut(plan)
    for round_ in range(settings.max_cut_rounds + 1):
        left = settings.time_limit_s - (time.perf_counter() - started)
        warm = search.best() if with_objective else None
        answer, bound, found_reach = _run(model, search.cuts, _limits(settings, left), warm)
        search.time_limit_hit |= answer.time_limit_hit
        search.tighten(bound)
        if answer.x is None:
            if answer.status != INFEASIBLE and search.fallbacks:
                break
            return Solution(None, answer.status, None, round_, _stopped(search, "node_limit"))
        selected = answer.x[: len(problem)] > 0.5
        if _settled(model, selected, found_reach):
            if answer.status == "optimal" or not search.fallbacks:
                stopped = None if answer.status == "optimal" else _stopped(search, "node_limit")
                gap = _gap(problem, selected, search.bound, with_objective)
                return Solution(selected, answer.status, gap, round_, stopped)
            search.fallbacks.append(selected)  # stopped by the node limit: the best of all
            return _fallback(search, round_, "node_limit")
        progress = search.add_cut(selected)
        repaired = repair_overlap(problem, selected)
        if repaired is not None:
            search.fallbacks.append(repaired)
            progress = search.add_cut(repaired) or progress
        if not progress:  # the same plane again: HiGHS would answer the same solution
            return _fallback(search, round_, "cut_rounds")
        if time.perf_counter() - started >= settings.time_limit_s:
            search.time_limit_hit = True
            return _fallback(search, round_, "time_limit")
    return _fallback(search, settings.max_cut_rounds, "cut_rounds")


def _stopped(search: _Search, reason: StoppedBy) -> StoppedBy:
    return "time_limit" if search.time_limit_hit else reason


def _fallback(search: _Search, rounds: int, reason: StoppedBy) -> Solution:
    best = search.best()
    problem, with_objective = search.model.problem, search.model.with_objective
    if best is None:
        return Solution(None, "no_solution", None, rounds, _stopped(search, reason))
    gap = _gap(problem, best, search.bound, with_objective)
    return Solution(best, "feasible", gap, rounds, _stopped(search, reason))


def _gap(
    problem: PlanProblem, selected: np.ndarray, bound: float | None, with_objective: bool
) -> float | None:
    """(bound − exact objective) / bound: HiGHS's bound holds for the true optimum too."""
    if not with_objective or bound is None or not np.isfinite(bound):
        return None
    exact = problem.objective(selected)
    return max(0.0, (bound - exact) / bound) if bound > 0 else 0.0


def _fractional_cut(model: _Model, x: np.ndarray) -> tuple[np.ndarray, float]:
    """The tangent plane of g at a fractional x (g is concave on the whole cube too)."""
    unreached = np.exp(x @ model.weights)
    value = float((model.sizes * (1.0 - unreached)).sum())
    gradient = -(model.weights @ (model.sizes * unreached))
    row = np.concatenate([-gradient / model.pool, [1.0]])
    return row, (value - float(gradient @ x)) / model.pool


def full_bound(
    problem: PlanProblem, planes_at: list[np.ndarray], rounds: int = BOUND_ROUNDS
) -> float | None:
    """An upper bound on the objective of every plan of `problem`: its LP relaxation under the
    reach planes at x = 0, at `planes_at`, and at each LP optimum in turn (`rounds` LPs at
    most: each plane cuts off the last optimum's overstated reach). None when no LP solves."""
    model = _model(problem, True)
    search = _Search(model, [], [])
    for plan in [np.zeros(len(problem), dtype=bool), *planes_at]:
        search.add_cut(plan)
    n = len(problem)
    c = model.objective()
    scale = max(float(np.abs(c).max(initial=0.0)), 1e-12)
    lower = np.r_[problem.forced.astype(float), np.zeros(len(c) - n)]
    limits = HighsLimits(0.0, 0, 0, SolverSettings().time_limit_s)
    bound = None
    for _ in range(max(rounds, 1)):
        matrix, row_lower, row_upper = model.rows(search.cuts)
        answer = solve_milp(
            c / scale, matrix, (row_lower, row_upper), (lower, np.ones(len(c))),
            np.zeros(len(c)), limits,
        )  # fmt: skip
        if answer.x is None:
            return bound
        bound = -float(c @ answer.x)  # each round's LP bound is valid; they only tighten
        if not model.has_reach:
            return bound
        x, found = answer.x[:n], float(answer.x[n]) * model.pool
        exact = float((model.sizes * (1.0 - np.exp(x @ model.weights))).sum())
        if problem.reach_weight * (found - exact) <= REACH_TOLERANCE * max(bound, 1e-12):
            return bound
        search.cuts.append(_fractional_cut(model, x))
    return bound
