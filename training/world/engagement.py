"""Engagement rates and fees from published benchmarks (figures in docs/synthetic-world.md).

Engagement rate is (likes + comments) / followers of one post. The Instagram medians by
size follow the industry benchmark reports (≈4% at 1k-5k, 2.3% at 5k-20k, 1.6% at
20k-100k, 1.5% above); the curve below is piecewise log-linear through the geometric
middle of each band, so a creator at 10k sits at the 5k-20k figure, not on a step.
"""

from __future__ import annotations

import numpy as np

_KNOTS_LOG10_FOLLOWERS = np.log10([300.0, 1_000.0, 2_236.0, 10_000.0, 44_721.0, 316_228.0, 3e6])
_INSTAGRAM_MEDIAN_RATE = np.array([0.066, 0.054, 0.047, 0.0235, 0.0165, 0.0165, 0.013])
# TikTok engagement per follower runs 3-4x Instagram's; YouTube likes per subscriber are
# lower because most views come from non-subscribers.
PLATFORM_RATE_FACTOR = {"instagram": 1.0, "tiktok": 3.5, "youtube": 0.55}
# Likes per view on posts that report views (reels, TikToks, YouTube videos).
LIKES_PER_VIEW = {"instagram": (0.05, 0.10), "tiktok": (0.06, 0.12), "youtube": (0.025, 0.05)}
INSTAGRAM_VIEWS_SHARE = 0.2  # reels; other Instagram posts report no views
# Audiences engage less with ads (paid/organic), creator-to-creator and post-to-post spread:
# see training/world/effects.py (WorldEffects), where they vary per world.
TYPICAL_AUTHENTIC_SHARE = 0.88

# Fee of one post ≈ base + c_platform * followers^0.85 EUR: fees grow slower than reach.
_POST_FEE_BASE = 20.0
_POST_FEE_FACTOR = {"instagram": 0.07, "tiktok": 0.055, "youtube": 0.12}
_FEE_EXPONENT = 0.85


def benchmark_rate(followers: np.ndarray, platform: str | np.ndarray) -> np.ndarray:
    """Median engagement rate of creators of this size on this platform."""
    size = np.log10(np.maximum(np.asarray(followers, dtype=np.float64), 100.0))
    instagram = np.interp(size, _KNOTS_LOG10_FOLLOWERS, _INSTAGRAM_MEDIAN_RATE)
    if isinstance(platform, str):
        return np.asarray(instagram * PLATFORM_RATE_FACTOR[platform])
    factors = np.array([PLATFORM_RATE_FACTOR[str(p)] for p in platform])
    return np.asarray(instagram * factors)


def authenticity_effect(authentic_share: np.ndarray | float, exponent: float = 2.0) -> np.ndarray:
    """Fake followers never engage: engagement scales roughly with authentic_share squared.

    Squared rather than linear because inflated accounts also attract low-quality
    follow-backs; the effect is 1 at the typical authentic share of an organic account.
    """
    return np.asarray((np.asarray(authentic_share) / TYPICAL_AUTHENTIC_SHARE) ** exponent)


def post_noise(rng: np.random.Generator, size: int, sigma: float = 0.35) -> np.ndarray:
    """Mean-one lognormal noise, so per-creator averages stay on the benchmark."""
    return rng.lognormal(-(sigma**2) / 2, sigma, size)


def post_fee_eur(followers: np.ndarray, platform: str, rng: np.random.Generator) -> np.ndarray:
    """Asking price of one post, before currency conversion and rounding."""
    size = np.asarray(followers, dtype=np.float64)
    fee = _POST_FEE_BASE + _POST_FEE_FACTOR[platform] * size**_FEE_EXPONENT
    return np.asarray(fee * rng.lognormal(0.0, 0.3, size.shape))


def round_fee(amount: float) -> float:
    """Creators quote round numbers: to 5 below 200, to 10 below 2,000, to 50 above."""
    step = 5.0 if amount < 200 else 10.0 if amount < 2_000 else 50.0
    return float(max(step, round(amount / step) * step))
