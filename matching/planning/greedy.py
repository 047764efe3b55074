"""The greedy cost-benefit baseline: best objective per unit of cost first, while it fits.

A creator's standalone objective (its value plus λ × its own audience) divided by its cost
orders the candidates (ties by creator id). Included creators are taken first, then each
minimum (count or share of budget) is met from its own group in that order, then the rest is
filled in that order; a creator is taken only if every maximum, the budget and the overlap
cap still hold after it. The result is a plan agencies could build by hand in a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.planning.formulation import PlanProblem
from matching.planning.reach import log_unreached

_EPS = 1e-9


@dataclass
class _State:
    """A selection being built, with its row totals and per-segment log unreached shares."""

    problem: PlanProblem
    matrix: np.ndarray  # (rows, n) named-row coefficients
    upper: np.ndarray
    weights: np.ndarray  # (n, S) w_is
    selected: np.ndarray
    totals: np.ndarray
    log_unreached: np.ndarray
    audience: float

    def fits(self, i: int) -> bool:
        if (self.totals + self.matrix[:, i] > self.upper + _EPS * np.abs(self.upper)).any():
            return False
        cap = self.problem.max_overlap
        if cap is None:
            return True
        audience = self.audience + float(self.problem.candidates.segments[i].sum())
        unreached = np.exp(self.log_unreached + self.weights[i])
        reach = float((self.problem.sizes * (1.0 - unreached)).sum())
        return audience <= 0 or 1.0 - reach / audience <= cap + _EPS

    def take(self, i: int) -> None:
        self.selected[i] = True
        self.totals += self.matrix[:, i]
        self.log_unreached += self.weights[i]
        self.audience += float(self.problem.candidates.segments[i].sum())


def _start(problem: PlanProblem) -> _State:
    n = len(problem)
    matrix = np.array([row.coefficients for row in problem.rows]).reshape(-1, n)
    state = _State(
        problem=problem,
        matrix=matrix,
        upper=np.array([row.upper for row in problem.rows]),
        weights=log_unreached(problem.candidates.segments, problem.sizes),
        selected=np.zeros(n, dtype=bool),
        totals=np.zeros(len(matrix)),
        log_unreached=np.zeros(len(problem.sizes)),
        audience=0.0,
    )
    for i in np.flatnonzero(problem.forced).tolist():
        state.take(i)
    return state


def greedy_order(problem: PlanProblem) -> np.ndarray:
    """Candidate rows by standalone objective per unit of cost, best first (ties: creator id)."""
    own = problem.value + problem.reach_weight * problem.candidates.segments.sum(axis=1)
    return np.argsort(-own / problem.spend, kind="stable")


def greedy_plan(problem: PlanProblem) -> tuple[np.ndarray, str | None]:
    """(selection mask, None), or (empty mask, the constraint greedy could not meet)."""
    state, order = _start(problem), greedy_order(problem)
    lower = np.array([row.lower for row in problem.rows])
    for r in np.flatnonzero(lower > 0).tolist():
        for i in order.tolist():
            if state.totals[r] >= lower[r] - _EPS * lower[r]:
                break
            if not state.selected[i] and state.matrix[r, i] > 0 and state.fits(i):
                state.take(i)
        if state.totals[r] < lower[r] - _EPS * lower[r]:
            return np.zeros(len(problem), dtype=bool), problem.rows[r].name
    for i in order.tolist():
        if not state.selected[i] and state.fits(i):
            state.take(i)
    return state.selected, None
