"""The MILP's core: the few candidates a plan over many can be built from, and a bound that
keeps the answer honest about the rest.

Over 500 candidates HiGHS spent most of a plan at the root node (sub-MIP heuristics on the
reach planes): up to seconds per solve, several solves a plan. A plan hires tens of creators,
and those worth hiring are among the best by value per euro of budget, the best by value, and
each constrained group's best; the greedy plan and the must-include creators are always in.
The MILP solves over that core (`core_mask`), deterministically, and the answer maps back.

The core's own optimality says nothing about the candidates left out, so the gap answered is
against `full_bound`: the LP relaxation of the whole problem under the reach planes at the
empty plan, the greedy plan and the answer. Tangent planes only overstate the concave reach
and the LP relaxes x, so that bound holds for every plan of the full problem; the plan is
`optimal` only when it is within the solver's gap of it.

Chosen on the development plans of bench/plan_latency.py (100k catalog, 60 constrained
requests): the core of 60 + 20 + 6 per group held the model's objective at 0.991 of the full
MILP's on average (median 1.000), at a fifth of the time (docs/planning.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.planning.formulation import PlanProblem


@dataclass(frozen=True, slots=True)
class CoreSettings:
    by_density: int = 60  # best objective gain per euro spent
    by_value: int = 20  # best objective gain, whatever it costs
    per_group: int = 6  # best by density of each group a `min` row names, past its minimum
    apply_above: int = 100  # smaller problems are solved whole
    # rounds of reach planes over the core: tight overlap caps (1-2 %) used all 10, each a
    # HiGHS solve of 60-220 ms; past these the best repaired plan (never below greedy) answers
    max_cut_rounds: int = 4


def gain(problem: PlanProblem) -> np.ndarray:
    """Each candidate's objective alone: its value and its audience's reach."""
    return problem.value + problem.reach_weight * problem.candidates.segments.sum(axis=1)


def _best(score: np.ndarray, tie: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """The `k` rows of `rows` with the highest score (ties by source index: deterministic)."""
    order = np.lexsort((tie[rows], -score[rows]))
    return rows[order[:k]]


def core_mask(problem: PlanProblem, start: np.ndarray, settings: CoreSettings) -> np.ndarray:
    """The rows the MILP solves over: `start` (the greedy plan), the forced ones, and the best
    by density, by value and per constrained group. All rows for small problems."""
    n = len(problem)
    if n <= settings.apply_above:
        return np.ones(n, dtype=bool)
    keep = start | problem.forced
    value = gain(problem)
    density = value / np.maximum(problem.spend, 1e-9)
    every = np.arange(n)
    keep[_best(density, problem.source, every, settings.by_density)] = True
    keep[_best(value, problem.source, every, settings.by_value)] = True
    for row in problem.rows:
        if np.isfinite(row.lower) and row.lower > 0 and row.name != "budget":
            members = np.flatnonzero(row.coefficients > 0)
            counted = row.name == "min_creators" or row.name.endswith(".min")
            needed = int(min(row.lower, n)) if counted else 0
            keep[_best(density, problem.source, members, settings.per_group + needed)] = True
    return keep
