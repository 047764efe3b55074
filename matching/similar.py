"""Lookalikes of a catalog creator by id, under the match filters (the API's and CLI's entry)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.catalog import Catalog
from matching.filters import MatchFilters, eligible_mask
from matching.lookalikes import Lookalikes, lookalikes


class UnknownCreator(KeyError):
    """No live catalog creator has this id."""


def live_row(catalog: Catalog, creator_id: str) -> int | None:
    """The catalog row serving `creator_id` (a delta row over its base row), or None."""
    rows = np.flatnonzero((catalog.creators.creator_id == creator_id) & catalog.live)
    return int(rows[-1]) if len(rows) else None


def similar_creators(
    catalog: Catalog,
    creator_id: str,
    k: int,
    filters: MatchFilters | None = None,
    exclude: Sequence[str] = (),
) -> Lookalikes:
    """The `k` creators most like `creator_id` that pass `filters`, never itself."""
    row = live_row(catalog, creator_id)
    if row is None:
        raise UnknownCreator(creator_id)
    mask = eligible_mask(catalog, filters or MatchFilters())
    return lookalikes(catalog, row, k, mask, tuple(exclude))
