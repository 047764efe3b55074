"""How alike two creators' audiences are: countries, age brackets and gender, each in [0, 1].

- countries: histogram intersection Σ_c min(p_c, q_c) of the country shares (shares summing
  above 1 are normalised; a creator without a breakdown counts `HOME_SHARE` in its own
  country, as the planner does; without a country either, unknown);
- ages: histogram intersection of the six bracket shares, each normalised to sum 1;
- gender: 1 − |female share − female share|.

The audience similarity is the mean of the parts known on both sides, `UNKNOWN_AUDIENCE` when
none is. Only the query's countries are looked up in the candidates' share maps, so the cost
is a few dictionary reads per candidate; everything else is columnar, and the words of the
reasons are written only for the creators answered (`AudienceParts.describe`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from features.creator_table import CreatorColumns
from matching.planning.segments import HOME_SHARE

UNKNOWN_AUDIENCE = 0.5


def _shares(countries: Mapping[str, float], home: str) -> dict[str, float] | None:
    given = {c: float(s) for c, s in countries.items() if s and s > 0}
    if not given:
        return {home: HOME_SHARE} if home else None
    total = sum(given.values())
    return {c: s / total for c, s in given.items()} if total > 1.0 else given


def country_similarity(creators: CreatorColumns, row: int, rows: np.ndarray) -> np.ndarray:
    query = _shares(creators.audience_countries[row], creators.country[row])
    out = np.full(len(rows), np.nan)
    if query is None:
        return out
    for i, r in enumerate(rows.tolist()):
        other = _shares(creators.audience_countries[r], creators.country[r])
        if other is not None:
            out[i] = sum(min(share, other.get(c, 0.0)) for c, share in query.items())
    return out


def _age_shares(ages: np.ndarray) -> np.ndarray:
    total = np.nansum(ages, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nan_to_num(ages) / total, np.nan)


@dataclass(frozen=True, slots=True)
class AudienceParts:
    """The parts of each candidate's audience similarity (NaN where unknown)."""

    countries: np.ndarray
    ages: np.ndarray
    gender: np.ndarray
    female: np.ndarray  # the candidates' female shares
    own_female: float  # the query creator's

    def describe(self, i: int) -> str:
        """Candidate `i`'s parts in words (only for the few answered: it is per-row Python)."""
        return _describe(
            float(self.countries[i]),
            float(self.ages[i]),
            float(self.gender[i]),
            float(self.female[i]),
            self.own_female,
        )


def audience_similarity(
    creators: CreatorColumns, row: int, rows: np.ndarray
) -> tuple[np.ndarray, AudienceParts]:
    """(similarity in [0, 1], its parts) of each of `rows` to `row`."""
    countries = country_similarity(creators, row, rows)
    ages = np.minimum(
        _age_shares(creators.audience_ages[row]), _age_shares(creators.audience_ages[rows])
    ).sum(axis=1)
    gender = 1.0 - np.abs(creators.female_share[row] - creators.female_share[rows])
    parts = np.column_stack([countries, ages, gender])
    known = ~np.isnan(parts)
    mean = np.where(
        known.any(axis=1),
        np.nansum(parts, axis=1) / np.maximum(known.sum(axis=1), 1),
        UNKNOWN_AUDIENCE,
    )
    own = float(creators.female_share[row])
    return mean, AudienceParts(countries, ages, gender, creators.female_share[rows], own)


def _percent(value: float, what: str) -> str | None:
    return None if np.isnan(value) else f"{value:.0%} {what}"


def _describe(countries: float, ages: float, gender: float, female: float, own: float) -> str:
    parts = [_percent(countries, "same countries"), _percent(ages, "same age mix")]
    if not np.isnan(gender):
        parts.append(f"{female:.0%} female against {own:.0%}")
    known = [part for part in parts if part]
    return ", ".join(known) if known else "no audience data to compare"
