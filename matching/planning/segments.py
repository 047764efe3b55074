"""Audience segments (country × age bracket × gender) of catalog creators, and plan candidates.

A creator's audience in segment s is the expected number of real people it reaches there:

    a_s = followers × authenticity × country share × age share × gender share

Missing audience data is filled so that the followers are still counted, spread as evenly
as the evidence allows (never dropped: a creator without audience data still reaches people):

- authenticity: the catalog's `authenticity` feature (declared, else estimated from
  engagement against the size's norm); `DEFAULT_AUTHENTICITY` when neither exists;
- countries: shares summing below 1 leave the rest in `other`; above 1 they are normalised;
  none at all puts `HOME_SHARE` in the creator's own country and the rest in `other`;
- ages: brackets missing from a partial breakdown share the remainder in proportion to
  `DEFAULT_AGE_SHARES`; no breakdown at all is `DEFAULT_AGE_SHARES`;
- gender: an unknown female share is 0.5.

Countries are the `max_countries` with the largest audience over the given rows (ties by
code), the rest pooled in `other`, which keeps the model small (S ≤ (max_countries+1)·12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from features.creator_table import AGE_BRACKETS
from features.tiers import PLATFORMS
from matching.catalog import Catalog
from matching.planning.problem import PlanCandidates

GENDERS = ("female", "male")
OTHER = "other"
DEFAULT_AUTHENTICITY = 0.85  # the centre of the generated worlds' authentic shares
HOME_SHARE = 0.8  # a typical share of a creator's audience in its own country
# a typical social-media audience by age bracket (13-17 … 55+)
DEFAULT_AGE_SHARES = np.array([0.06, 0.30, 0.32, 0.18, 0.09, 0.05])


@dataclass(frozen=True, slots=True)
class AudienceSegments:
    matrix: np.ndarray  # (n, S) expected real people per segment
    labels: tuple[tuple[str, str, str], ...]  # (country, age bracket, gender) per column


def _country_shares(
    audience_countries: Sequence[Mapping[str, float]], home_country: Sequence[str]
) -> list[dict[str, float]]:
    shares = []
    for countries, home in zip(audience_countries, home_country, strict=True):
        given = {c: float(share) for c, share in countries.items() if share > 0}
        if not given:
            given = {home: HOME_SHARE} if home else {}
        total = sum(given.values())
        if total > 1.0:
            given = {c: share / total for c, share in given.items()}
        shares.append(given)
    return shares


def _country_matrix(
    shares: list[dict[str, float]], weight: np.ndarray, max_countries: int
) -> tuple[np.ndarray, list[str]]:
    mass: dict[str, float] = {}
    for given, people in zip(shares, weight.tolist(), strict=True):
        for country, share in given.items():
            mass[country] = mass.get(country, 0.0) + share * people
    top = sorted(mass, key=lambda c: (-mass[c], c))[:max_countries]
    column = {country: j for j, country in enumerate(top)}
    matrix = np.zeros((len(shares), len(top) + 1))
    for i, given in enumerate(shares):
        for country, share in given.items():
            matrix[i, column.get(country, len(top))] += share
    matrix[:, -1] += np.clip(1.0 - matrix.sum(axis=1), 0.0, None)  # unknown countries
    return matrix, [*top, OTHER]


def _age_matrix(ages: np.ndarray) -> np.ndarray:
    known = np.nan_to_num(ages, nan=0.0)
    total = known.sum(axis=1, keepdims=True)
    known = np.where(total > 1.0, known / np.maximum(total, 1e-12), known)
    missing = np.isnan(ages) | (known == 0)
    fill = np.where(missing, DEFAULT_AGE_SHARES, 0.0)
    fill /= np.maximum(fill.sum(axis=1, keepdims=True), 1e-12)
    return known + fill * np.clip(1.0 - known.sum(axis=1, keepdims=True), 0.0, None)


def segment_matrix(
    followers: np.ndarray,
    authenticity: np.ndarray,
    audience_countries: Sequence[Mapping[str, float]],
    home_country: Sequence[str],
    audience_ages: np.ndarray,
    female_share: np.ndarray,
    max_countries: int = 8,
) -> AudienceSegments:
    """The audience-segment matrix of creators given as columns (NaN or empty when unknown)."""
    people = np.asarray(followers, float) * np.nan_to_num(authenticity, nan=DEFAULT_AUTHENTICITY)
    shares = _country_shares(audience_countries, home_country)
    countries, names = _country_matrix(shares, people, max_countries)
    ages = _age_matrix(np.asarray(audience_ages, dtype=np.float64))
    female = np.nan_to_num(female_share, nan=0.5)
    gender = np.column_stack([female, 1.0 - female])
    matrix = np.einsum("i,ic,ia,ig->icag", people, countries, ages, gender)
    labels = tuple((c, a, g) for c in names for a in AGE_BRACKETS for g in GENDERS)
    # the column count spelled out: no creators at all (filters left none) is (0, S), not an error
    return AudienceSegments(matrix.reshape(len(people), len(labels)), labels)


def audience_segments(
    catalog: Catalog, rows: np.ndarray, max_countries: int = 8
) -> AudienceSegments:
    """The audience-segment matrix of catalog `rows` (see the module docstring)."""
    rows = np.asarray(rows, dtype=np.int64)
    creators = catalog.creators
    authentic = catalog.features.get("authenticity", creators.authentic_share)
    return segment_matrix(
        creators.followers[rows],
        authentic[rows],
        [creators.audience_countries[r] for r in rows.tolist()],
        creators.country[rows].tolist(),
        creators.audience_ages[rows],
        creators.female_share[rows],
        max_countries,
    )


def candidates_from_catalog(
    catalog: Catalog,
    rows: np.ndarray,
    advocacy: np.ndarray,
    expected_engagement_rate: np.ndarray,
    cost: np.ndarray,
) -> tuple[PlanCandidates, np.ndarray]:
    """Plan candidates from catalog `rows` and the ranker's outputs for them, with the rows
    kept: a row whose cost is unknown (NaN) or not positive cannot be priced, so it is left out.
    `cost` is per row, in the request's currency."""
    rows = np.asarray(rows, dtype=np.int64)
    keep = np.isfinite(cost) & (cost > 0)
    rows = rows[keep]
    followers = catalog.creators.followers[rows]
    candidates = PlanCandidates(
        creator_id=catalog.creators.creator_id[rows],
        cost=np.asarray(cost, dtype=np.float64)[keep],
        advocacy=np.asarray(advocacy, dtype=np.float64)[keep],
        expected_engagements=np.asarray(expected_engagement_rate)[keep] * followers,
        tier=catalog.tier[rows],
        platform=np.asarray(PLATFORMS, dtype=object)[catalog.creators.platform[rows]],
        segments=audience_segments(catalog, rows).matrix,
    )
    return candidates, rows
