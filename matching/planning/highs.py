"""One MILP solve by HiGHS, warm-started, with deterministic limits (docs/planning.md).

`scipy.optimize.milp` cannot pass a starting solution, so this calls the HiGHS that scipy
bundles (`scipy.optimize._highspy._core`, HiGHS 1.x) directly: the same solver, plus
`setSolution`. Every limit that decides the answer is counted in work, not time: one thread,
a fixed random seed, a node and an improving-solution limit. The wall-clock `time_limit` is
a safety net only; when it fires the answer says so (`time_limit_hit`), since only then can
the same request give another plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

INFEASIBLE = "infeasible"
# Feasibility jump costs ~30 ms per solve and never beat the LP-based heuristics here. The
# RINS and RENS sub-MIPs and the root restart took most of a solve over the reach planes (up
# to seconds at the root node) for a plan within 1% of the same (bench/plan_latency.py plans).
FIXED_OPTIONS: dict[str, Any] = {
    "mip_heuristic_run_feasibility_jump": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_allow_restart": False,
    "output_flag": False,
    "threads": 1,
    "random_seed": 0,
    "mip_feasibility_tolerance": 1e-9,  # R is in units of the whole pool: 1e-6 of it is many people
}


@dataclass(frozen=True, slots=True)
class HighsLimits:
    mip_rel_gap: float
    max_nodes: int  # branch-and-bound nodes per solve: the deterministic work limit
    max_improving_solutions: int
    time_limit_s: float  # safety net


@dataclass(frozen=True, slots=True)
class HighsAnswer:
    x: np.ndarray | None  # None: no solution found, or infeasible
    status: str  # "optimal" | "feasible" | "infeasible" | "no_solution"
    bound: float | None  # on the minimised objective (HiGHS's dual bound)
    nodes: int
    time_limit_hit: bool


def _lp(c: np.ndarray, matrix: np.ndarray, row_bounds: tuple[np.ndarray, np.ndarray],
        col_bounds: tuple[np.ndarray, np.ndarray], integral: np.ndarray) -> Any:  # fmt: skip
    from scipy.optimize._highspy import _core
    from scipy.sparse import csc_array

    sparse = csc_array(matrix)
    lp = _core.HighsLp()
    lp.num_col_, lp.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = matrix.shape[1], matrix.shape[0]
    lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
    lp.a_matrix_.start_ = sparse.indptr
    lp.a_matrix_.index_ = sparse.indices
    lp.a_matrix_.value_ = sparse.data
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, col_bounds[0], col_bounds[1]
    lp.row_lower_, lp.row_upper_ = row_bounds
    lp.integrality_ = [_core.HighsVarType(int(i)) for i in integral]
    return lp


def _options(limits: HighsLimits) -> dict[str, Any]:
    return {
        **FIXED_OPTIONS,
        "mip_rel_gap": limits.mip_rel_gap,
        "mip_max_nodes": limits.max_nodes,
        "mip_max_improving_sols": limits.max_improving_solutions,
        "time_limit": limits.time_limit_s,
    }


def solve_milp(
    c: np.ndarray,
    matrix: np.ndarray,
    row_bounds: tuple[np.ndarray, np.ndarray],
    col_bounds: tuple[np.ndarray, np.ndarray],
    integral: np.ndarray,
    limits: HighsLimits,
    start: np.ndarray | None = None,
) -> HighsAnswer:
    """min c·x s.t. row_lower ≤ A x ≤ row_upper, col bounds, x_j integral where `integral`;
    `start` (a full x) is offered to HiGHS as its first incumbent (ignored if infeasible)."""
    from scipy.optimize._highspy import _core

    highs = _core._Highs()
    for key, value in _options(limits).items():
        highs.setOptionValue(key, value)
    highs.passModel(_lp(c, matrix, row_bounds, col_bounds, integral))
    if start is not None:
        solution = _core.HighsSolution()
        solution.col_value = np.asarray(start, dtype=np.float64)
        solution.value_valid = True
        highs.setSolution(solution)
    highs.run()
    return _answer(highs, _core)


def _answer(highs: Any, core: Any) -> HighsAnswer:
    status = highs.getModelStatus()
    info = highs.getInfo()
    statuses = core.HighsModelStatus
    hit = status == statuses.kTimeLimit
    nodes = int(info.mip_node_count)
    if status in (statuses.kInfeasible, statuses.kUnboundedOrInfeasible):
        return HighsAnswer(None, INFEASIBLE, None, nodes, hit)
    has_solution = int(info.primal_solution_status) == int(core.kSolutionStatusFeasible)
    if not has_solution:
        return HighsAnswer(None, "no_solution", None, nodes, hit)
    x = np.asarray(highs.getSolution().col_value, dtype=np.float64)
    bound = float(info.mip_dual_bound)
    answer = "optimal" if status == statuses.kOptimal else "feasible"
    return HighsAnswer(x, answer, bound if np.isfinite(bound) else None, nodes, hit)
