"""A plan request as named linear rows over the choice x ∈ {0,1}^n, and its exact objective.

Every constraint of the request becomes one `LinearRow` named after its request field, so the
solver, the greedy baseline and the infeasibility diagnosis all speak of `tiers.nano.min`,
never of row 7. Candidates are put in creator-id order first: the same request gives the
same model, hence the same plan, whatever order the candidates came in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matching.planning.problem import GroupBounds, PlanCandidates, PlanConstraints
from matching.planning.reach import segment_sizes, unique_reach

# The secondary term's weight: over the candidate pool, the secondary term is this share of
# the primary one, so it only separates plans whose primary objective is within a few %.
SECONDARY_WEIGHT = 0.05


@dataclass(frozen=True, slots=True)
class LinearRow:
    name: str  # the request field the row comes from
    coefficients: np.ndarray  # (n,) over the choice x
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """The canonical problem: candidates in creator-id order, exclusions removed."""

    candidates: PlanCandidates
    source: np.ndarray  # index of each row in the caller's candidates
    value: np.ndarray  # primary objective per creator
    reach_weight: float  # objective weight of one unique person reached
    sizes: np.ndarray  # N_s per segment
    rows: tuple[LinearRow, ...]  # "budget" first
    forced: np.ndarray  # bool: rows named in include_creator_ids
    max_overlap: float | None
    budget: float
    coordination: float = 0.0  # per hired creator, in the budget with its fee

    @property
    def spend(self) -> np.ndarray:
        """What hiring each creator takes from the budget: its fee and the coordination."""
        return self.candidates.cost + self.coordination

    def __len__(self) -> int:
        return len(self.value)

    def objective(self, selected: np.ndarray) -> float:
        """The exact objective of a selection (bool mask over the problem's rows)."""
        if not selected.any():
            return 0.0
        reach = unique_reach(self.candidates.segments, self.sizes, selected)
        return float(self.value[selected].sum() + self.reach_weight * reach)

    def restricted(self, keep: np.ndarray, row_names: frozenset[str]) -> PlanProblem:
        """The rows `keep` (a mask) under the named constraints only, with the same objective
        and segment sizes, so that objectives and reach compare with the full problem's."""
        c = self.candidates
        return PlanProblem(
            candidates=_take(c, np.flatnonzero(keep), self.sizes),
            source=self.source[keep],
            value=self.value[keep],
            reach_weight=self.reach_weight,
            sizes=self.sizes,
            rows=tuple(
                LinearRow(r.name, r.coefficients[keep], r.lower, r.upper)
                for r in self.rows
                if r.name in row_names
            ),
            forced=self.forced[keep] & ("include_creator_ids" in row_names),
            max_overlap=self.max_overlap if "max_overlap" in row_names else None,
            budget=self.budget,
            coordination=self.coordination,
        )


def _take(candidates: PlanCandidates, order: np.ndarray, sizes: np.ndarray) -> PlanCandidates:
    return PlanCandidates(
        creator_id=candidates.creator_id[order],
        cost=candidates.cost[order].astype(np.float64),
        advocacy=candidates.advocacy[order].astype(np.float64),
        expected_engagements=candidates.expected_engagements[order].astype(np.float64),
        tier=candidates.tier[order],
        platform=candidates.platform[order],
        segments=np.asarray(candidates.segments, dtype=np.float64)[order],
        segment_sizes=sizes,
    )


def _objective_terms(candidates: PlanCandidates, objective: str) -> tuple[np.ndarray, float]:
    advocated = candidates.advocacy * candidates.expected_engagements
    audience = float(candidates.segments.sum())
    if objective == "reach":
        scale = SECONDARY_WEIGHT * audience / max(float(advocated.sum()), 1e-12)
        return scale * advocated, 1.0
    value = candidates.advocacy if objective == "advocates" else advocated
    return value, SECONDARY_WEIGHT * float(value.sum()) / max(audience, 1e-12)


def _group_rows(
    kind: str, names: np.ndarray, groups: dict[str, GroupBounds], cost: np.ndarray, budget: float
) -> list[LinearRow]:
    rows = []
    for group in sorted(groups):
        bounds, member = groups[group], (names == group).astype(np.float64)
        field = f"{kind}.{group}"
        if bounds.min > 0:
            rows.append(LinearRow(f"{field}.min", member, bounds.min, np.inf))
        if bounds.max is not None:
            rows.append(LinearRow(f"{field}.max", member, -np.inf, bounds.max))
        if bounds.min_share > 0:
            rows.append(
                LinearRow(f"{field}.min_share", member * cost, bounds.min_share * budget, np.inf)
            )
        if bounds.max_share is not None:
            rows.append(
                LinearRow(f"{field}.max_share", member * cost, -np.inf, bounds.max_share * budget)
            )
    return rows


def formulate(candidates: PlanCandidates, constraints: PlanConstraints) -> PlanProblem:
    """The canonical problem of a request (segment sizes over all candidates given)."""
    sizes = candidates.segment_sizes
    sizes = segment_sizes(candidates.segments) if sizes is None else np.asarray(sizes, float)
    ids = candidates.creator_id.astype(str)
    keep = ~np.isin(ids, list(constraints.exclude_creator_ids))
    order = np.flatnonzero(keep)[np.argsort(ids[keep], kind="stable")]
    chosen = _take(candidates, order, sizes)
    value, reach_weight = _objective_terms(chosen, constraints.objective)
    ones, budget = np.ones(len(order)), constraints.budget
    cost = chosen.cost + constraints.coordination_cost
    rows = [LinearRow("budget", cost, -np.inf, budget)]
    if constraints.min_creators:
        rows.append(LinearRow("min_creators", ones, constraints.min_creators, np.inf))
    if constraints.max_creators is not None:
        rows.append(LinearRow("max_creators", ones, -np.inf, constraints.max_creators))
    rows += _group_rows("tiers", chosen.tier, dict(constraints.tiers), cost, budget)
    rows += _group_rows("platforms", chosen.platform, dict(constraints.platforms), cost, budget)
    return PlanProblem(
        candidates=chosen,
        source=order,
        value=value,
        reach_weight=reach_weight,
        sizes=sizes,
        rows=tuple(rows),
        forced=np.isin(chosen.creator_id.astype(str), list(constraints.include_creator_ids)),
        max_overlap=constraints.max_overlap,
        budget=budget,
        coordination=constraints.coordination_cost,
    )
