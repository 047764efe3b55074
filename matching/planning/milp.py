"""The plan as a mixed-integer programme, solved by HiGHS through `scipy.optimize.milp`.

Variables: x_i ∈ {0,1} per candidate; per audience segment s the log unreached share L_s
(= Σ_i w_is x_i, see reach.py) and the reached share ρ_s ∈ [0,1], bounded by tangents of
1 − e^L. Maximise value·x + λ·Σ_s N_s ρ_s under the request's named rows. `max_overlap`
is Σ_s N_s ρ_s ≥ (1 − m)·Σ_i A_i x_i; the tangents overestimate ρ, so a solution whose exact
overlap is above m gets tangents at its own L_s added and is solved again (Kelley cuts).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from matching.planning.formulation import PlanProblem
from matching.planning.reach import TANGENT_SHARES, log_unreached, overlap_share, tangent_rows

OVERLAP_TOLERANCE = 1e-9
# Feasibility jump costs ~30 ms per solve and never beat the LP-based heuristics here.
HIGHS_OPTIONS = {"mip_heuristic_run_feasibility_jump": False}


@dataclass(frozen=True, slots=True)
class SolverSettings:
    time_limit_s: float = 1.0  # for the whole solve, cut rounds included
    mip_rel_gap: float = 0.01
    max_cut_rounds: int = 8


@dataclass(frozen=True, slots=True)
class Solution:
    selected: np.ndarray | None  # bool mask over the problem's rows; None: none found
    status: str  # "optimal" | "feasible" | "infeasible" | "no_solution" (time ran out)
    gap: float | None  # HiGHS's relative gap between the solution and its bound
    cut_rounds: int


@dataclass(frozen=True, slots=True)
class _Reach:
    weights: np.ndarray  # (n, S) w_is of the segments modelled
    sizes: np.ndarray  # (S,)
    cut_segment: np.ndarray  # one entry per tangent row
    cut_share: np.ndarray


def _initial_reach(problem: PlanProblem) -> _Reach:
    active = problem.sizes > 0
    weights = log_unreached(problem.candidates.segments[:, active], problem.sizes[active])
    # the lowest L_s any plan within budget attains: tangents below it are never binding
    per_cost = (-weights / problem.candidates.cost[:, None]).max(axis=0, initial=0.0)
    floor = np.maximum(weights.sum(axis=0), -problem.budget * per_cost)
    shares = np.asarray(TANGENT_SHARES)
    logs = np.log(shares)
    segment, share = [], []
    for s, low in enumerate(floor.tolist()):
        keep = logs >= low
        keep[min(int(keep.sum()), len(shares) - 1)] = True  # and the first tangent below
        segment.append(np.full(int(keep.sum()), s))
        share.append(shares[keep])
    return _Reach(weights, problem.sizes[active], np.concatenate(segment), np.concatenate(share))


def _with_cuts(reach: _Reach, selected: np.ndarray) -> _Reach:
    at = reach.weights[selected].sum(axis=0)
    new = np.flatnonzero(at < 0)
    return _Reach(
        reach.weights,
        reach.sizes,
        np.concatenate([reach.cut_segment, new]),
        np.concatenate([reach.cut_share, np.exp(at[new])]),
    )


def _constraints(problem: PlanProblem, reach: _Reach | None) -> list[LinearConstraint]:
    n = len(problem)
    n_seg = 0 if reach is None else len(reach.sizes)
    named = np.array([row.coefficients for row in problem.rows]).reshape(-1, n)
    zeros = sparse.csr_matrix((len(named), 2 * n_seg))
    out = [
        LinearConstraint(
            sparse.hstack([sparse.csr_matrix(named), zeros]),
            [row.lower for row in problem.rows],
            [row.upper for row in problem.rows],
        )
    ]
    if reach is None:
        return out
    eye = sparse.identity(n_seg, format="csr")
    definition = sparse.hstack(
        [sparse.csr_matrix(-reach.weights.T), eye, sparse.csr_matrix((n_seg, n_seg))]
    )
    out.append(LinearConstraint(definition, 0.0, 0.0))
    slope, bound = tangent_rows(reach.cut_share)
    m, seg = len(slope), reach.cut_segment
    cuts = sparse.coo_matrix(
        (
            np.concatenate([slope, np.ones(m)]),
            (np.tile(np.arange(m), 2), np.concatenate([n + seg, n + n_seg + seg])),
        ),
        shape=(m, n + 2 * n_seg),
    )
    out.append(LinearConstraint(cuts.tocsr(), -np.inf, bound))
    if problem.max_overlap is not None:
        audience = problem.candidates.segments.sum(axis=1)
        scale = max(float(audience.sum()), 1e-12)
        row = (
            np.concatenate([(1.0 - problem.max_overlap) * audience, np.zeros(n_seg), -reach.sizes])
            / scale
        )
        out.append(LinearConstraint(row.reshape(1, -1), -np.inf, 0.0))
    return out


def _objective(problem: PlanProblem, reach: _Reach | None, with_objective: bool) -> np.ndarray:
    n_seg = 0 if reach is None else len(reach.sizes)
    if not with_objective:
        return np.zeros(len(problem) + 2 * n_seg)
    secondary = [] if reach is None else [np.zeros(n_seg), problem.reach_weight * reach.sizes]
    c = -np.concatenate([problem.value, *secondary])
    return c / max(float(np.abs(c).max(initial=0.0)), 1e-12)


def _bounds(problem: PlanProblem, reach: _Reach | None) -> Bounds:
    n = len(problem)
    low, high = [problem.forced.astype(np.float64)], [np.ones(n)]
    if reach is not None:
        n_seg = len(reach.sizes)
        low += [reach.weights.sum(axis=0), np.zeros(n_seg)]
        high += [np.zeros(n_seg), np.ones(n_seg)]
    return Bounds(np.concatenate(low), np.concatenate(high))


def _run(
    problem: PlanProblem,
    reach: _Reach | None,
    with_objective: bool,
    settings: SolverSettings,
    seconds: float,
) -> tuple[np.ndarray | None, str, float | None]:
    n = len(problem)
    n_vars = n + (0 if reach is None else 2 * len(reach.sizes))
    integrality = np.zeros(n_vars)
    integrality[:n] = 1
    options = {"time_limit": max(seconds, 0.01), "mip_rel_gap": settings.mip_rel_gap}
    with warnings.catch_warnings():  # scipy warns that it passes HiGHS options verbatim
        warnings.simplefilter("ignore", RuntimeWarning)
        result = milp(
            _objective(problem, reach, with_objective),
            integrality=integrality,
            bounds=_bounds(problem, reach),
            constraints=_constraints(problem, reach),
            options={**options, **HIGHS_OPTIONS},
        )
    if result.status == 2:
        return None, "infeasible", None
    if result.status not in (0, 1):
        raise RuntimeError(f"HiGHS failed: {result.message}")
    if result.x is None:
        return None, "no_solution", None
    gap = None if result.mip_gap is None else float(result.mip_gap)
    return result.x[:n] > 0.5, "optimal" if result.status == 0 else "feasible", gap


def solve(problem: PlanProblem, settings: SolverSettings, with_objective: bool = True) -> Solution:
    """The best plan HiGHS finds within the settings' gap and time (see the module docstring)."""
    started = time.perf_counter()
    needs_reach = problem.max_overlap is not None or (with_objective and problem.reach_weight > 0)
    reach = _initial_reach(problem) if needs_reach else None
    for round_ in range(settings.max_cut_rounds + 1):
        left = settings.time_limit_s - (time.perf_counter() - started)
        selected, status, gap = _run(problem, reach, with_objective, settings, left)
        if selected is None or reach is None or problem.max_overlap is None:
            return Solution(selected, status, gap, round_)
        segments = problem.candidates.segments
        if (
            overlap_share(segments, problem.sizes, selected)
            <= problem.max_overlap + OVERLAP_TOLERANCE
        ):
            return Solution(selected, status, gap, round_)
        reach = _with_cuts(reach, selected)
    return Solution(None, "no_solution", None, settings.max_cut_rounds)
