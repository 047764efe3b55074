"""What a campaign plan is asked for: the candidates, the constraints, and their errors.

Inputs are frozen dataclasses of numpy columns (one row per candidate creator). Malformed
values raise `InvalidPlanRequest` and unsatisfiable ones `PlanInfeasible`; both are
`ValueError`s carrying `constraint`, the request field to name in a 422 (`tiers.nano.min`,
`include_creator_ids`, `max_overlap`, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from features.tiers import PLATFORMS, TIERS

Objective = Literal["advocated_engagements", "advocates", "reach"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)


class PlanError(ValueError):
    """A plan request that cannot be answered; `constraint` names the request field."""

    def __init__(self, constraint: str, message: str) -> None:
        super().__init__(f"{constraint}: {message}")
        self.constraint = constraint
        self.problem = message


class InvalidPlanRequest(PlanError):
    """A value that is not a valid constraint (a negative budget, an unknown tier, ...)."""


class PlanInfeasible(PlanError):
    """Valid constraints that no set of candidates satisfies; `constraints` is a minimal
    conflicting set (the named one first), found by relaxing them one at a time."""

    def __init__(self, constraint: str, message: str, constraints: tuple[str, ...] = ()) -> None:
        super().__init__(constraint, message)
        self.constraints = constraints or (constraint,)


@dataclass(frozen=True, slots=True)
class PlanCandidates:
    """The creators a plan may hire; costs in the request's currency."""

    creator_id: np.ndarray  # object
    cost: np.ndarray  # > 0
    advocacy: np.ndarray  # calibrated P(advocate)
    expected_engagements: np.ndarray  # expected engagement rate × followers
    tier: np.ndarray  # object, names from features.tiers.TIERS
    platform: np.ndarray  # object, names from features.tiers.PLATFORMS
    segments: np.ndarray  # (n, S) expected real people reached per audience segment
    # (S,) people in each segment; None: the candidates' summed audience (docs/planning.md)
    segment_sizes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.creator_id)

    def __post_init__(self) -> None:
        n = len(self.creator_id)
        for name in ("cost", "advocacy", "expected_engagements", "tier", "platform"):
            if len(getattr(self, name)) != n:
                raise InvalidPlanRequest(f"candidates.{name}", f"expected {n} values")
        if self.segments.ndim != 2 or len(self.segments) != n:
            raise InvalidPlanRequest("candidates.segments", f"expected an ({n}, S) matrix")
        if len(set(self.creator_id.tolist())) != n:
            raise InvalidPlanRequest("candidates.creator_id", "creator ids must be unique")
        if n and not (np.isfinite(self.cost).all() and (self.cost > 0).all()):
            raise InvalidPlanRequest("candidates.cost", "every cost must be finite and > 0")
        if n and not ((self.advocacy >= 0) & (self.advocacy <= 1)).all():
            raise InvalidPlanRequest("candidates.advocacy", "probabilities must be in [0, 1]")
        if (self.segments < 0).any() or (self.expected_engagements < 0).any():
            raise InvalidPlanRequest("candidates.segments", "audiences must be ≥ 0")


@dataclass(frozen=True, slots=True)
class GroupBounds:
    """Bounds on the creators of one tier or platform: a count, and a share of the budget."""

    min: int = 0
    max: int | None = None
    min_share: float = 0.0
    max_share: float | None = None


@dataclass(frozen=True, slots=True)
class PlanConstraints:
    budget: float
    min_creators: int | None = None
    max_creators: int | None = None
    tiers: Mapping[str, GroupBounds] = field(default_factory=dict)
    platforms: Mapping[str, GroupBounds] = field(default_factory=dict)
    include_creator_ids: tuple[str, ...] = ()
    exclude_creator_ids: tuple[str, ...] = ()
    max_overlap: float | None = None  # share of the summed audiences reached twice or more
    objective: Objective = "advocated_engagements"
    coordination_cost: float = 0.0  # per hired creator, added to its fee in the budget

    def __post_init__(self) -> None:
        if not (math.isfinite(self.budget) and self.budget >= 0):
            raise InvalidPlanRequest("budget", f"must be a finite number ≥ 0, got {self.budget}")
        if not (math.isfinite(self.coordination_cost) and self.coordination_cost >= 0):
            raise InvalidPlanRequest(
                "coordination_cost", f"must be a finite number ≥ 0, got {self.coordination_cost}"
            )
        if self.objective not in OBJECTIVES:
            raise InvalidPlanRequest(
                "objective", f"unknown objective {self.objective!r}; expected one of {OBJECTIVES}"
            )
        _check_count("min_creators", self.min_creators)
        _check_count("max_creators", self.max_creators)
        _check_order("min_creators", self.min_creators or 0, self.max_creators)
        _check_groups("tiers", self.tiers, TIERS)
        _check_groups("platforms", self.platforms, PLATFORMS)
        if self.max_overlap is not None and not 0.0 <= self.max_overlap <= 1.0:
            raise InvalidPlanRequest("max_overlap", f"must be in [0, 1], got {self.max_overlap}")

    @classmethod
    def from_dict(cls, given: Mapping[str, Any]) -> PlanConstraints:
        """From the JSON shape of a `/v1/plan` request (other request keys are ignored)."""
        values: dict[str, Any] = {
            key: value
            for key, value in given.items()
            if key
            in {
                "budget",
                "min_creators",
                "max_creators",
                "max_overlap",
                "objective",
                "coordination_cost",
            }
            and value is not None
        }
        for key in ("tiers", "platforms"):
            groups = given.get(key) or {}
            values[key] = {name: _bounds(bounds) for name, bounds in groups.items()}
        for key in ("include_creator_ids", "exclude_creator_ids"):
            values[key] = tuple(given.get(key) or ())
        return cls(**values)


def _bounds(given: Mapping[str, Any] | None) -> GroupBounds:
    return GroupBounds(**{key: value for key, value in (given or {}).items() if value is not None})


def _check_count(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise InvalidPlanRequest(name, f"must be an integer ≥ 0 or null, got {value!r}")


def _check_order(name: str, low: float, high: float | None) -> None:
    if high is not None and low > high:
        raise PlanInfeasible(name, f"the minimum {low} is above the maximum {high}")


def _check_groups(kind: str, groups: Mapping[str, GroupBounds], valid: tuple[str, ...]) -> None:
    for name, bounds in groups.items():
        if name not in valid:
            raise InvalidPlanRequest(
                f"{kind}.{name}", f"unknown {kind[:-1]} {name!r}; expected one of {list(valid)}"
            )
        _check_count(f"{kind}.{name}.min", bounds.min)
        _check_count(f"{kind}.{name}.max", bounds.max)
        for key in ("min_share", "max_share"):
            share = getattr(bounds, key)
            if share is not None and not 0.0 <= share <= 1.0:
                raise InvalidPlanRequest(f"{kind}.{name}.{key}", f"must be in [0, 1], got {share}")
        _check_order(f"{kind}.{name}.min", bounds.min, bounds.max)
        _check_order(f"{kind}.{name}.min_share", bounds.min_share, bounds.max_share)
