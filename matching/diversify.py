"""Diversification: no niche and no audience country may take more than a share of the list.

A rescorer, so it fails open: if anything goes wrong the plain top-k is served. When the
caps cannot be met with the candidates at hand, the list is filled in score order rather
than returned short.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from matching.catalog import Catalog

log = logging.getLogger(__name__)
MAX_SHARE = 0.4


def main_audience_country(catalog: Catalog, row: int) -> str:
    shares = catalog.creators.audience_countries[row]
    if shares:
        return str(max(shares.items(), key=lambda item: item[1])[0])
    return str(catalog.creators.country[row])


def diversify(
    catalog: Catalog, ranked_rows: Sequence[int], k: int, max_share: float = MAX_SHARE
) -> np.ndarray:
    """Positions into `ranked_rows` (best first) forming a k-list that respects the caps."""
    try:
        cap = max(1, math.floor(max_share * k))
        niches: Counter[str] = Counter()
        countries: Counter[str] = Counter()
        chosen: list[int] = []
        skipped: list[int] = []
        for position, row in enumerate(ranked_rows):
            if len(chosen) == k:
                break
            labels = catalog.creators.categories[row]
            country = main_audience_country(catalog, row)
            if countries[country] >= cap or any(niches[n] >= cap for n in labels):
                skipped.append(position)
                continue
            chosen.append(position)
            countries[country] += 1
            niches.update(labels)
        chosen += skipped[: k - len(chosen)]  # too few distinct candidates: fill by score
        return np.array(sorted(chosen), dtype=np.int64)
    except Exception:
        log.exception("diversification failed; serving the plain ranking")
        return np.arange(min(k, len(ranked_rows)), dtype=np.int64)
