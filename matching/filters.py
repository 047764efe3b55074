"""Hard eligibility filters, applied as one boolean mask over the catalog before retrieval.

Filters fail closed: an exclusion is never skipped. The cheap scalar comparisons run first;
the set-membership tests (countries, languages, exclusions) after them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.tiers import PLATFORMS, TIERS
from matching.catalog import Catalog


@dataclass(frozen=True, slots=True)
class MatchFilters:
    platforms: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    min_followers: int = 0
    max_followers: int | None = None
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    exclude_creator_ids: tuple[str, ...] = ()
    min_authenticity: float | None = None
    max_cost: float | None = None

    @classmethod
    def from_dict(cls, given: Mapping[str, Any]) -> MatchFilters:
        """From the JSON shape of `/v1/match` filters (lists become tuples)."""
        values: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in given.items()
        }
        return cls(**values)

    def __post_init__(self) -> None:
        unknown = set(self.platforms) - set(PLATFORMS)
        if unknown:
            raise ValueError(f"unknown platforms {sorted(unknown)}; expected {list(PLATFORMS)}")
        unknown = set(self.tiers) - set(TIERS)
        if unknown:
            raise ValueError(f"unknown tiers {sorted(unknown)}; expected {list(TIERS)}")


# With a few wanted values, comparing each is far cheaper than `np.isin`, whose table method
# gathers through a lookup array (1M int8 rows: 18 ms against 0.3 ms per value compared).
FEW_VALUES = 8


def any_of(column: np.ndarray, wanted: Sequence[Any]) -> np.ndarray:
    """`np.isin(column, wanted)`, by one comparison per value when there are only a few."""
    if len(wanted) > FEW_VALUES:
        return np.isin(column, list(wanted))
    mask = np.zeros(len(column), dtype=bool)
    for value in wanted:
        mask |= column == value
    return mask


def _checks(
    catalog: Catalog, filters: MatchFilters, rows: slice | np.ndarray
) -> Iterator[tuple[str, np.ndarray]]:
    """(filter name, pass/fail of `rows`) for every filter the request sets, cheapest first."""
    creators = catalog.creators
    yield "live", catalog.live[rows]
    if filters.min_followers:
        yield "min_followers", creators.followers[rows] >= filters.min_followers
    if filters.max_followers is not None:
        yield "max_followers", creators.followers[rows] <= filters.max_followers
    if filters.min_authenticity is not None:
        # unknown authenticity never passes a minimum: fail closed
        authenticity = np.nan_to_num(catalog.features["authenticity"][rows], nan=-1.0)
        yield "min_authenticity", authenticity >= filters.min_authenticity
    if filters.max_cost is not None:
        yield "max_cost", catalog.estimated_cost[rows] <= filters.max_cost
    if filters.platforms:
        wanted = [PLATFORMS.index(p) for p in filters.platforms]
        yield "platforms", any_of(creators.platform[rows], wanted)
    if filters.tiers:
        yield "tiers", any_of(catalog.tier[rows], filters.tiers)
    if filters.countries:
        yield "countries", any_of(creators.country[rows], [c.upper() for c in filters.countries])
    if filters.languages:
        languages = [lang.lower() for lang in filters.languages]
        yield "languages", any_of(creators.language[rows], languages)
    if filters.exclude_creator_ids:
        excluded = list(filters.exclude_creator_ids)
        yield "exclude_creator_ids", ~np.isin(creators.creator_id[rows], excluded)


def eligible_mask(catalog: Catalog, filters: MatchFilters) -> np.ndarray:
    """True for each catalog row that passes every filter."""
    mask = np.ones(len(catalog), dtype=bool)
    for _, passed in _checks(catalog, filters, slice(None)):
        mask &= passed
    return mask


def failed_filter(catalog: Catalog, filters: MatchFilters, row: int) -> str | None:
    """The first filter that row `row` fails (its name in the request), None if none."""
    for name, passed in _checks(catalog, filters, np.array([row])):
        if not bool(passed[0]):
            return name
    return None
