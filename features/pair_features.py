"""Brand × creator features for a block of candidates of one brand, vectorised."""

from __future__ import annotations

import numpy as np

from features.brand_profile import BrandProfile
from features.creator_table import CreatorColumns

PAIR_FEATURES = (
    "similarity",
    "category_match",
    "language_match",
    "market_match",
    "audience_market_share",
    "audience_age_match",
    "audience_gender_fit",
    "brand_mentions",
    "competitor_mentions",
    "cost_vs_budget",
    "critical_stance",
)


def pair_features(
    brand: BrandProfile,
    creators: CreatorColumns,
    rows: np.ndarray,
    similarity: np.ndarray,
    brand_mentions: np.ndarray,
    competitor_mentions: np.ndarray,
    log_cost_per_post: np.ndarray,
    critical_posts: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Feature columns (see `PAIR_FEATURES`); NaN where the brief leaves a target unset, or
    a signal cannot be known (no brand name to find mentions of, no topic of the brief's
    world to find critical posts about: `critical_posts` None)."""
    n = len(rows)
    nan = np.full(n, np.nan)
    category = creators.categories.contains(rows, brand.category) if brand.category else nan
    language = (
        np.isin(creators.language[rows], list(brand.languages)).astype(np.float64)
        if brand.languages
        else nan
    )
    market = (
        np.isin(creators.country[rows], list(brand.markets)).astype(np.float64)
        if brand.markets
        else nan
    )
    market_share = creators.audience_countries.sums(rows, brand.markets) if brand.markets else nan
    ages = (
        creators.audience_ages[rows][:, list(brand.target_ages)].sum(axis=1)
        if brand.target_ages
        else nan
    )
    gender = (
        1.0 - np.abs(creators.female_share[rows] - brand.female_share)
        if brand.female_share is not None
        else nan
    )
    budget = log_cost_per_post - np.log10(brand.budget) if brand.budget else nan
    return {
        "similarity": similarity.astype(np.float64),
        "category_match": category,
        "language_match": language,
        "market_match": market,
        "audience_market_share": market_share,
        "audience_age_match": ages,
        "audience_gender_fit": gender,
        "brand_mentions": np.log1p(brand_mentions) if brand.keys else nan,
        "competitor_mentions": np.log1p(competitor_mentions) if brand.competitor_keys else nan,
        "cost_vs_budget": budget,
        "critical_stance": nan if critical_posts is None else np.log1p(critical_posts),
    }
