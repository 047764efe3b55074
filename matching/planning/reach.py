"""Deduplicated reach: audiences as random draws from each segment's population.

Segment s holds N_s people; creator i reaches a_is of them, drawn independently of the other
creators. The expected number reached by a set X is

    reach_s(X) = N_s · (1 − Π_{i∈X} (1 − a_is / N_s))

so the log of the unreached share, L_s = Σ_i x_i · log(1 − a_is / N_s), is linear in the
choice x, and reach_s = N_s · (1 − e^{L_s}) is concave in it. The MILP bounds ρ_s = reach_s/N_s
from above by tangents of 1 − e^L at the unreached shares `TANGENT_SHARES` (an outer
approximation whose worst error `tangent_error` reports), and every figure a plan reports
is the exact formula above.

N_s defaults to the candidates' summed audience in the segment: the pool the brief's
creators draw on. Two creators of 5k and 50k in a segment of 1M share 0.25k people; if every
candidate were hired, at least 63% of the summed audience would be unique.
"""

from __future__ import annotations

import numpy as np

# Points of tangency (unreached share e^L); dense near 1, where real plans sit.
TANGENT_SHARES = (
    1.0,
    0.995,
    0.985,
    0.97,
    0.95,
    0.92,
    0.88,
    0.82,
    0.74,
    0.64,
    0.52,
    0.38,
    0.22,
    0.08,
)
_MAX_SHARE = 1.0 - 1e-12  # a creator alone in its segment reaches all of it, not more


def segment_sizes(segments: np.ndarray) -> np.ndarray:
    """The default N_s: the summed audience of all candidates in each segment."""
    return np.asarray(segments, dtype=np.float64).sum(axis=0)


def log_unreached(segments: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """w_is = log(1 − a_is / N_s): creator i's term in segment s's log unreached share."""
    share = np.divide(segments, sizes, out=np.zeros_like(segments, dtype=np.float64),
                      where=sizes > 0)  # fmt: skip
    return np.log1p(-np.minimum(share, _MAX_SHARE))


def unique_reach(segments: np.ndarray, sizes: np.ndarray, selected: np.ndarray) -> float:
    """Expected number of distinct people the `selected` rows (mask or indices) reach."""
    unreached = np.exp(log_unreached(segments[selected], sizes).sum(axis=0))
    return float((sizes * (1.0 - unreached)).sum())


def overlap_share(segments: np.ndarray, sizes: np.ndarray, selected: np.ndarray) -> float:
    """Share of the summed audience of `selected` that is reached more than once."""
    summed = float(segments[selected].sum())
    return 0.0 if summed <= 0 else 1.0 - unique_reach(segments, sizes, selected) / summed


def tangent_rows(shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slope u, bound) per tangency share u, for the cut ρ + u·L ≤ bound of 1 − e^L."""
    shares = np.asarray(shares, dtype=np.float64)
    return shares, 1.0 - shares * (1.0 - np.log(shares))


def tangent_error(shares: tuple[float, ...] = TANGENT_SHARES) -> float:
    """Largest overestimate of ρ = 1 − e^L by the tangents (ρ capped at 1), a share of N_s."""
    grid = -np.concatenate([np.geomspace(1e-6, 30.0, 20_000), [0.0]])
    slope, bound = tangent_rows(np.asarray(shares))
    upper = np.minimum((bound[:, None] - slope[:, None] * grid[None, :]).min(axis=0), 1.0)
    return float((upper - (1.0 - np.exp(grid))).max())
