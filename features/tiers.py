"""Follower tiers and the published engagement-rate benchmarks they imply."""

from __future__ import annotations

import numpy as np

TIERS = ("emerging", "nano", "micro", "mid", "macro", "mega")
TIER_LOWER_BOUNDS = np.array([0, 1_000, 10_000, 100_000, 500_000, 1_000_000])
PLATFORMS = ("instagram", "tiktok", "youtube")

# Published Instagram medians ((likes+comments)/followers): ~4% at 1k-5k, 2.3% at 5k-20k,
# 1.6% at 20k-100k, 1.5% above; TikTok runs several times higher, YouTube lower per subscriber.
_ER_KNOTS_LOG10 = np.array([3.0, np.log10(5_000), np.log10(20_000), 5.0, 6.0])
_ER_KNOTS_INSTAGRAM = np.array([0.045, 0.04, 0.023, 0.016, 0.015])
_PLATFORM_ER_FACTOR = np.array([1.0, 3.0, 0.6])
# A rough market price of one post: cost = factor * followers ** 0.85 (EUR), by platform.
_PLATFORM_COST_FACTOR = np.array([0.07, 0.06, 0.12])


def tier_index(followers: np.ndarray) -> np.ndarray:
    """Index into `TIERS` for each follower count."""
    return np.searchsorted(TIER_LOWER_BOUNDS, np.asarray(followers), side="right") - 1


def tier_names(followers: np.ndarray) -> np.ndarray:
    return np.asarray(TIERS, dtype=object)[tier_index(followers)]


def platform_index(platforms: np.ndarray) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(PLATFORMS)}
    return np.array([lookup[p] for p in platforms], dtype=np.int64)


def expected_engagement_rate(followers: np.ndarray, platform_idx: np.ndarray) -> np.ndarray:
    """The published median engagement rate for a creator of this size on this platform."""
    size = np.log10(np.maximum(np.asarray(followers, dtype=np.float64), 100.0))
    base = np.interp(size, _ER_KNOTS_LOG10, _ER_KNOTS_INSTAGRAM)
    return base * _PLATFORM_ER_FACTOR[platform_idx]


def estimated_post_cost(followers: np.ndarray, platform_idx: np.ndarray) -> np.ndarray:
    """A documented price model for creators without a rate card (flagged as estimated)."""
    size = np.maximum(np.asarray(followers, dtype=np.float64), 100.0)
    return _PLATFORM_COST_FACTOR[platform_idx] * size**0.85
