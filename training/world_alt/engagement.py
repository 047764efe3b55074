"""Engagement curves, comment and view ratios, and fees of this world.

Power laws in followers rather than benchmark knots: Instagram 4.8% at 1k falling as
followers^-0.23 (≈ 2.8% at 10k, 1.6% at 100k), TikTok 14% at 1k falling as ^-0.17,
YouTube 3% at 1k falling as ^-0.2. Fake followers never engage and drag the rate as
authentic_share^1.5; paid posts get 0.72 of the usual response.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from training.world_alt.common import CURRENCY
from training.world_alt.creators import PLATFORMS, Creators

CURVE = {"instagram": (0.048, 0.23), "tiktok": (0.14, 0.17), "youtube": (0.03, 0.20)}
PAID_FACTOR = 0.72
COMMENT_SHARE = {"instagram": (0.015, 0.07), "tiktok": (0.008, 0.035), "youtube": (0.02, 0.06)}
LIKES_PER_VIEW = {"instagram": (0.04, 0.12), "tiktok": (0.05, 0.14), "youtube": (0.02, 0.06)}
FEE = {"instagram": 1.0, "tiktok": 0.8, "youtube": 2.2}  # × 45 EUR × (followers/1k)^0.78


def base_rate(creators: Creators, authenticity_exponent: float = 1.5) -> np.ndarray:
    """Each creator's usual (likes + comments) / followers on an organic post."""
    level = np.array([CURVE[p][0] for p in PLATFORMS])[creators.platform]
    slope = np.array([CURVE[p][1] for p in PLATFORMS])[creators.platform]
    curve = level * (creators.followers / 1000.0) ** (-slope)
    return curve * creators.er_factor * (creators.authentic / 0.9) ** authenticity_exponent


def interactions(followers: int, rate: float, comment_share: float) -> tuple[int, int]:
    """likes, comments for one post with engagement `rate`."""
    total = followers * rate
    comments = round(total * comment_share)
    return max(0, round(total) - comments), comments


def rate_card(
    followers: int, platform: str, country: str, rng: np.random.Generator
) -> dict[str, Any]:
    currency, per_euro = CURRENCY[country]
    post = 45.0 * (followers / 1000.0) ** 0.78 * FEE[platform] * rng.lognormal(0.0, 0.35)
    post *= per_euro
    step = 5.0 if post < 200 else (10.0 if post < 2000 else 50.0)

    def quote(x: float) -> float:
        return float(max(step, round(x / step) * step))

    card: dict[str, Any] = {"post": quote(post), "story": quote(post * rng.uniform(0.3, 0.5))}
    if platform != "tiktok" or rng.random() < 0.5:
        card["video"] = quote(post * rng.uniform(1.8, 3.0))
    card["currency"] = currency
    return card
