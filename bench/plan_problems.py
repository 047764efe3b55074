"""Random, realistic plan problems (seeded) for bench/plan_speed.py and tests/test_planning.py.

Candidates look like the top of a match shortlist for one brief: mostly nano and micro
creators (tier shares 45/33/12/6/4% nano…mega, followers log-uniform within a tier),
Instagram 60%, TikTok 30%, YouTube 10%; cost = the catalog's price model
(features.tiers.estimated_post_cost) × lognormal(0, 0.3); engagement = the published rate for
the size and platform × lognormal(0, 0.35) × followers; advocacy ~ Beta(2, 5), a little lower
for bigger tiers; audiences mostly in a home market (IT, ES, FR, DE, GB, US), ages and gender
drawn around typical shares, authenticity U(0.6, 0.97).
"""

from __future__ import annotations

import numpy as np

from features.tiers import (
    PLATFORMS,
    TIER_LOWER_BOUNDS,
    TIERS,
    estimated_post_cost,
    expected_engagement_rate,
)
from matching.planning import GroupBounds, PlanCandidates, PlanConstraints
from matching.planning.segments import DEFAULT_AGE_SHARES, segment_matrix

TIER_SHARES = {"nano": 0.45, "micro": 0.33, "mid": 0.12, "macro": 0.06, "mega": 0.04}
MARKETS = ("IT", "ES", "FR", "DE", "GB", "US")


def _followers(rng: np.random.Generator, n: int) -> np.ndarray:
    names = list(TIER_SHARES)
    tier = rng.choice(len(names), size=n, p=list(TIER_SHARES.values()))
    index = np.array([TIERS.index(names[t]) for t in tier])
    low = np.log10(TIER_LOWER_BOUNDS[index])
    high = np.log10(np.r_[TIER_LOWER_BOUNDS[1:], 5_000_000][index])
    return np.round(10 ** rng.uniform(low, high))


def _countries(rng: np.random.Generator, n: int) -> tuple[list[dict[str, float]], list[str]]:
    home = rng.choice(len(MARKETS), size=n, p=[0.5, 0.15, 0.1, 0.1, 0.1, 0.05])
    shares, homes = [], []
    for h in home.tolist():
        own = rng.uniform(0.55, 0.92)
        others = rng.choice([m for m in range(len(MARKETS)) if m != h], size=2, replace=False)
        split = rng.dirichlet([1.0, 1.0]) * (1.0 - own) * 0.8
        shares.append(
            {MARKETS[h]: own} | {MARKETS[o]: float(s) for o, s in zip(others, split, strict=True)}
        )
        homes.append(MARKETS[h])
    return shares, homes


def random_candidates(rng: np.random.Generator, n: int = 500) -> PlanCandidates:
    followers = _followers(rng, n)
    platform = rng.choice(len(PLATFORMS), size=n, p=[0.6, 0.3, 0.1])
    tier = np.searchsorted(TIER_LOWER_BOUNDS, followers, side="right") - 1
    rate = expected_engagement_rate(followers, platform) * rng.lognormal(0.0, 0.35, n)
    shares, homes = _countries(rng, n)
    segments = segment_matrix(
        followers,
        rng.uniform(0.6, 0.97, n),
        shares,
        homes,
        rng.dirichlet(DEFAULT_AGE_SHARES * 12, size=n),
        rng.beta(3, 3, n),
    )
    return PlanCandidates(
        creator_id=np.array([f"ig:c{i:04d}" for i in rng.permutation(n)], dtype=object),
        cost=estimated_post_cost(followers, platform) * rng.lognormal(0.0, 0.3, n),
        advocacy=rng.beta(2, 5, n) * (1.0 - 0.08 * np.maximum(tier - 1, 0)),
        expected_engagements=rate * followers,
        tier=np.asarray(TIERS, dtype=object)[tier],
        platform=np.asarray(PLATFORMS, dtype=object)[platform],
        segments=segments.matrix,
    )


def bench_constraints(rng: np.random.Generator) -> PlanConstraints:
    """The bench's request: a budget, tier and platform mixes and an overlap cap."""
    return PlanConstraints(
        budget=float(rng.choice([2_000, 5_000, 10_000, 20_000, 50_000])),
        max_creators=int(rng.integers(15, 41)),
        tiers={
            "nano": GroupBounds(min=int(rng.integers(2, 6))),
            "mega": GroupBounds(max_share=0.3),
            "macro": GroupBounds(max=2),
        },
        platforms={"tiktok": GroupBounds(min=1), "youtube": GroupBounds(max=3, max_share=0.4)},
        max_overlap=float(rng.choice([0.01, 0.02, 0.05, 0.1])),
    )
