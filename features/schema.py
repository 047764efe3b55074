"""The one ordered feature list shared by training, batch scoring and serving."""

from __future__ import annotations

import numpy as np

from features.creator_features import CREATOR_FEATURES
from features.pair_features import PAIR_FEATURES

CONTENT_FEATURES: tuple[str, ...] = ("niche_focus",)
FEATURE_NAMES: tuple[str, ...] = PAIR_FEATURES + CREATOR_FEATURES + CONTENT_FEATURES
CATEGORICAL_FEATURES: tuple[str, ...] = ("platform",)

# Directions the models may only move in, whatever a small training set suggests: the domain
# (the seed) is sure of these, and a brief from a world unlike the training one must not flip
# them. More sponsored saturation never helps; a more authentic audience, more unpaid mentions
# of the brand or its category, more replies to comments never hurt. Both the advocacy and the
# engagement model keep them, so every `rank_by` score does too.
ADVOCACY_MONOTONE: dict[str, int] = {
    "similarity": 1,
    "category_match": 1,
    "language_match": 1,
    "market_match": 1,
    "audience_market_share": 1,
    "audience_age_match": 1,
    "audience_gender_fit": 1,
    "brand_mentions": 1,
    "competitor_mentions": 1,
    "sponsored_share": -1,
    "authenticity": 1,
    "reply_rate": 1,
    "organic_mention_share": 1,  # talks about brands unpaid
    "critical_stance": -1,  # speaks against the brief's world
}

# How a reason reads in an explanation.
READABLE = {
    "similarity": "content matches the brief",
    "category_match": "creator works in the brand's category",
    "language_match": "speaks the brand's language",
    "market_match": "based in a target market",
    "audience_market_share": "audience share in target markets",
    "audience_age_match": "audience share in target ages",
    "audience_gender_fit": "audience gender fit",
    "brand_mentions": "unpaid mentions of the brand (log)",
    "competitor_mentions": "unpaid mentions of competitors (log)",
    "cost_vs_budget": "post cost vs budget (log10)",
    "critical_stance": "posts against the brief's world (log)",
    "platform": "platform",
    "log_followers": "followers (log10)",
    "tier": "tier",
    "following_ratio": "following / followers",
    "n_recent_posts": "recent posts",
    "engagement_rate_mean": "mean engagement rate",
    "engagement_rate_median": "median engagement rate",
    "engagement_consistency": "engagement consistency",
    "engagement_vs_tier": "engagement vs tier benchmark",
    "comments_per_like": "comments per like",
    "reply_rate": "replies to comments",
    "posts_per_week": "posts per week",
    "days_since_last_post": "days since last post",
    "sponsored_share": "share of sponsored posts",
    "organic_mention_share": "unpaid posts mentioning brands",
    "authenticity": "audience authenticity",
    "authenticity_estimated": "authenticity estimated",
    "audience_female_share": "audience female share",
    "log_cost_per_post": "post cost (log10)",
    "cost_estimated": "cost estimated",
    "niche_focus": "niche focus of the content",
}


def feature_matrix(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Stack feature columns into a float32 matrix in `FEATURE_NAMES` order."""
    missing = [name for name in FEATURE_NAMES if name not in columns]
    if missing:
        raise KeyError(f"missing feature columns: {missing}")
    return np.column_stack([columns[name] for name in FEATURE_NAMES]).astype(np.float32)
