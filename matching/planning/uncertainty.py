"""How many advocates a plan yields: the Poisson-binomial law of independent Bernoulli(p_i).

The calibrated advocacy probabilities of the hired creators are treated as independent, so
the number of advocates follows a Poisson-binomial distribution; its probability mass is
computed exactly by dynamic programming (O(n²), a millisecond at n = 500).
"""

from __future__ import annotations

import numpy as np


def poisson_binomial_pmf(probabilities: np.ndarray) -> np.ndarray:
    """P(K = k) for k = 0..n, K the number of successes of independent Bernoulli(p_i)."""
    pmf = np.zeros(len(probabilities) + 1)
    pmf[0] = 1.0
    for count, p in enumerate(np.asarray(probabilities, dtype=np.float64).tolist(), start=1):
        pmf[1 : count + 1] = pmf[1 : count + 1] * (1.0 - p) + pmf[:count] * p
        pmf[0] *= 1.0 - p
    return pmf


def advocate_interval(
    probabilities: np.ndarray, low: float = 0.05, high: float = 0.95
) -> tuple[int, int]:
    """The `low` and `high` quantiles of the number of advocates (smallest k with CDF ≥ q)."""
    cdf = np.cumsum(poisson_binomial_pmf(probabilities))
    last = len(cdf) - 1
    return (
        min(int(np.searchsorted(cdf, low - 1e-12)), last),
        min(int(np.searchsorted(cdf, high - 1e-12)), last),
    )
