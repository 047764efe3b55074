"""Deduplicated reach: audiences as random draws from each segment's population.

Segment s (country × age bracket × gender) holds N_s people; creator i reaches a_is of them,
drawn independently of the other creators. The expected number reached by a choice x ∈ {0,1}^n

    g(x) = Σ_s N_s · (1 − Π_i (1 − a_is / N_s)^{x_i}) = Σ_s N_s · (1 − e^{w_s·x}),
    w_is = log(1 − a_is / N_s),

is concave in x (e^{w·x} is convex), so every tangent plane of g lies above it:

    g(x) ≤ g(x̂) + ∇g(x̂)·(x − x̂),   ∂g/∂x_i (x̂) = −Σ_s N_s e^{w_s·x̂} w_is.

The MILP (milp.py) bounds the reach variable by such planes at the plans it meets (Kelley's
cutting planes); every figure a plan reports is g itself.

N_s defaults to the candidates' summed audience in the segment: the pool the brief's
creators draw on. Two creators of 5k and 50k in a segment of 1M share 0.25k people; if every
candidate were hired, at least 63% of the summed audience would be unique.
"""

from __future__ import annotations

import numpy as np

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


def reach_tangent(
    weights: np.ndarray, sizes: np.ndarray, selected: np.ndarray
) -> tuple[float, np.ndarray]:
    """(g(x̂), ∇g(x̂)) at the selection x̂ (a bool mask), from the w_is matrix `weights`."""
    unreached = np.exp(weights[selected].sum(axis=0))
    return float((sizes * (1.0 - unreached)).sum()), -(weights @ (sizes * unreached))
