"""Make a plan meet the overlap cap by dropping the creators who duplicate the most.

Used when the cutting planes have not settled within the round or time limit: each MILP
solution met on the way is repaired (the creator whose audience is most duplicated per unit
of objective goes first, never an included one, never below a minimum), and the best repaired
plan or the greedy one is answered with status `feasible` and its honest gap.
"""

from __future__ import annotations

import numpy as np

from matching.planning.formulation import PlanProblem
from matching.planning.reach import log_unreached


def _overlap(problem: PlanProblem, weights: np.ndarray, selected: np.ndarray) -> float:
    summed = float(problem.candidates.segments[selected].sum())
    unreached = np.exp(weights[selected].sum(axis=0))
    reach = float((problem.sizes * (1.0 - unreached)).sum())
    return 0.0 if summed <= 0 else 1.0 - reach / summed


def _removable(problem: PlanProblem, selected: np.ndarray) -> np.ndarray:
    """Rows whose removal keeps every minimum (and that are not included by request)."""
    matrix = np.array([row.coefficients for row in problem.rows]).reshape(-1, len(problem))
    lower = np.array([row.lower for row in problem.rows])
    slack = matrix @ selected - lower  # ≥ 0 on a feasible plan
    keeps = (matrix <= slack[:, None] + 1e-9).all(axis=0)
    return selected & keeps & ~problem.forced


def repair_overlap(problem: PlanProblem, selected: np.ndarray) -> np.ndarray | None:
    """`selected` with creators dropped until the overlap cap holds; None if it cannot."""
    cap = problem.max_overlap
    if cap is None:
        return selected
    weights = log_unreached(problem.candidates.segments, problem.sizes)
    audience = problem.candidates.segments.sum(axis=1)
    own = problem.value + problem.reach_weight * audience
    selected = selected.copy()
    while _overlap(problem, weights, selected) > cap + 1e-9:
        candidates = np.flatnonzero(_removable(problem, selected))
        if len(candidates) == 0:
            return None
        unreached = np.exp(weights[selected].sum(axis=0))
        # people i alone brings: N_s·e^{L_s}·(1/(1−p_is) − 1), summed over segments
        alone = (problem.sizes * unreached * (np.exp(-weights[candidates]) - 1.0)).sum(axis=1)
        duplicated = audience[candidates] - alone
        drop = candidates[np.argmax(duplicated / np.maximum(own[candidates], 1e-12))]
        selected[drop] = False
    return selected
