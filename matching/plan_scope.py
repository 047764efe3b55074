"""What a plan an agency would sign leaves out, before the solver sees it (docs/planning.md).

Defaults, each overridable per request (`/v1/plan`, `microtribe plan`):

- `scope` `"brief"`: when the brief names languages, the creator's own language must be one
  of them; when it names markets, at least `min_market_share` (default 0.2) of the creator's
  audience must be in them. A creator without declared audience countries counts
  `HOME_SHARE` (0.8, matching/planning/segments.py) in its own country. `"any"` widens the
  plan to every language and market (the `off_market` flag still reports them).
- `min_advocacy` (default 0.3): a creator whose calibrated advocacy_fit is below it is not a
  candidate: cheap and engaged is not enough when the creator is unlikely to champion.
- `coordination_cost` (default 150 EUR, converted to the request's currency): what briefing,
  contracting, reviewing and reporting on one more creator costs the agency; it is added to
  every hired creator's fee in the budget.

A creator the request names in `include_creator_ids` is kept whatever these say: an explicit
choice wins over a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from features.brand_profile import BrandProfile
from features.currency import from_eur
from matching.catalog import Catalog
from matching.planning.segments import HOME_SHARE

Scope = Literal["brief", "any"]
DEFAULT_MIN_MARKET_SHARE = 0.2
DEFAULT_MIN_ADVOCACY = 0.3
DEFAULT_COORDINATION_EUR = 150.0


@dataclass(frozen=True, slots=True)
class PlanPolicy:
    scope: Scope = "brief"
    min_market_share: float = DEFAULT_MIN_MARKET_SHARE
    min_advocacy: float = DEFAULT_MIN_ADVOCACY
    coordination_cost: float | None = None  # request currency; None: the EUR default converted

    def coordination_in(self, currency: str) -> float:
        """The per-creator coordination cost in `currency`."""
        if self.coordination_cost is not None:
            return float(self.coordination_cost)
        return float(from_eur(np.array([DEFAULT_COORDINATION_EUR]), currency)[0])


def market_share(catalog: Catalog, rows: np.ndarray, markets: frozenset[str]) -> np.ndarray:
    """Share of each creator's audience in `markets`; undeclared audiences: `HOME_SHARE` in
    the creator's own country."""
    creators = catalog.creators
    declared = creators.audience_countries.sums(rows, sorted(markets))
    home = np.isin(creators.country[rows], sorted(markets)) * HOME_SHARE
    return np.where(np.isnan(declared), home, declared)


def in_scope(catalog: Catalog, profile: BrandProfile, policy: PlanPolicy) -> np.ndarray:
    """Bool mask over the catalog's rows: the creators the plan may hire under `policy.scope`."""
    rows = np.arange(len(catalog.creators.creator_id))
    keep = np.ones(len(rows), dtype=bool)
    if policy.scope == "any":
        return keep
    if profile.languages:
        keep &= np.isin(catalog.creators.language, sorted(profile.languages))
    if profile.markets:
        keep &= market_share(catalog, rows, profile.markets) >= policy.min_market_share
    return keep
