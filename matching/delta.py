"""Upserts and deletes since the catalog was built, searchable at once without a rebuild.

A delta is applied by making a new immutable `Catalog` whose columns are the base's, never
copied, with the upserted creators stacked after them (features/stacked.py): features,
creator columns, tier, cost, hash, mention postings and content vectors of the new rows sit in
a small tail that each write extends; row indices >= `n_base` address it. Replaced or deleted
rows are marked not `live` (a copy of one boolean per row). So a write costs what its own
creators cost (their features and embeddings) plus the tail, whatever the catalog's size. The
delta's vectors are searched exactly beside the base FAISS index. The next `microtribe build`
folds the store, and with it every upsert, into a fresh version.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from features.creator_table import creator_columns, post_columns, stack_creator_columns
from features.mentions import stack_mentions
from features.stacked import Stacked, stack
from features.tiers import tier_names
from matching.catalog import Catalog, post_cost
from matching.creator_snapshot import snapshot
from matching.index import IndexConfig, exact_search, search
from models.embedding_cache import CachedEmbedder

# id(base creator_id column) -> (a weak reference to it, whether it is in creator_id order):
# checked once per loaded version (1M ids: ~0.1 s), not on every write.
_SORTED: dict[int, tuple[weakref.ref[np.ndarray], bool]] = {}


def segments(column: Any) -> tuple[np.ndarray, np.ndarray]:
    """(base rows, rows added since the build) of a catalog column (base: the column itself
    when nothing was added)."""
    if isinstance(column, Stacked):
        return column.base, column.tail
    whole = np.asarray(column)
    return whole, whole[:0]


def _in_id_order(base: np.ndarray) -> bool:
    held = _SORTED.get(id(base))
    if held is not None and held[0]() is base:
        return held[1]
    for key in [key for key, (ref, _) in _SORTED.items() if ref() is None]:
        del _SORTED[key]
    ordered = len(base) < 2 or bool((base[1:] >= base[:-1]).all())
    _SORTED[id(base)] = (weakref.ref(base), ordered)
    return ordered


def base_rows(catalog: Catalog, ids: np.ndarray) -> np.ndarray:
    """The base row of each of `ids` (-1 where the base has none), live or not.

    A build lays its rows out in creator_id order: found by bisection. Other layouts (a
    hand-made version) by a dictionary of the base built for the call.
    """
    base = segments(catalog.creators.creator_id)[0]  # the same object on every call: cached
    ids = np.asarray(ids, dtype=str)
    if not len(base) or not len(ids):
        return np.full(len(ids), -1, dtype=np.int64)
    if not _in_id_order(base):
        lookup = dict(zip(base.tolist(), range(len(base)), strict=True))
        return np.array([lookup.get(cid, -1) for cid in ids.tolist()], dtype=np.int64)
    at = np.minimum(np.searchsorted(base, ids), len(base) - 1)
    return np.where(base[at] == ids, at, -1).astype(np.int64)


def rows_of(catalog: Catalog, ids: Collection[str]) -> np.ndarray:
    """Every row, base or added, that holds one of `ids` (live or not), in row order."""
    wanted = np.asarray(list(ids), dtype=str)
    found = base_rows(catalog, wanted)
    added = segments(catalog.creators.creator_id)[1]
    tail = catalog.n_base + np.flatnonzero(np.isin(np.asarray(added, dtype=str), wanted))
    return np.sort(np.concatenate([found[found >= 0], tail]).astype(np.int64))


def apply_delta(
    catalog: Catalog,
    upserts: Sequence[Mapping[str, Any]],
    hashes: Sequence[str],
    deleted: Sequence[str],
    embedder: CachedEmbedder,
    known_brand_keys: frozenset[str],
) -> Catalog:
    """A new catalog with `upserts` (validated creator documents) added and `deleted` removed.

    The base columns are shared with `catalog`; the added rows are copied into a new tail.
    """
    touched = {doc["creator_id"] for doc in upserts} | set(deleted)
    live = catalog.live.copy()
    live[rows_of(catalog, touched)] = False
    if not upserts:
        return replace(catalog, live=live)
    creators = creator_columns(upserts)
    posts = post_columns(upserts, known_brand_keys)
    rows = np.arange(len(creators))
    snap = snapshot(
        creators,
        posts,
        rows,
        np.full(len(rows), np.inf),
        embedder,
        reference_time=catalog.manifest.get("reference_time"),
    )
    missing = set(catalog.features) - set(snap.features)
    if missing:
        raise ValueError(f"delta lacks catalog features {sorted(missing)}")
    return replace(
        catalog,
        creators=stack_creator_columns(catalog.creators, creators),
        features={
            name: stack(values, snap.features[name]) for name, values in catalog.features.items()
        },
        mentions=stack_mentions(catalog.mentions, snap.mentions),
        tier=stack(catalog.tier, tier_names(creators.followers)),
        estimated_cost=stack(catalog.estimated_cost, post_cost(creators)),
        content_hash=stack(catalog.content_hash, np.asarray(hashes, dtype=str)),
        last_post_at=stack(catalog.last_post_at, snap.last_post_at),
        live=np.concatenate([live, np.ones(len(rows), dtype=bool)]),
        delta_vectors=np.vstack([catalog.delta_vectors, snap.vectors]).astype(np.float32),
    )


def retrieve(
    catalog: Catalog,
    query: np.ndarray,
    k: int,
    eligible: np.ndarray,
    config: IndexConfig | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-`k` eligible rows over the base index and the delta, best first (`config`: how
    the base index is searched, `IndexConfig()` by default; the delta is scanned exactly)."""
    found, found_scores = search(
        catalog.index, query, k, eligible[: catalog.n_base], catalog.vectors, config
    )
    if len(catalog) == catalog.n_base:
        return found, found_scores
    delta_rows, delta_scores = exact_search(
        catalog.delta_vectors, query, k, np.flatnonzero(eligible[catalog.n_base :])
    )
    rows = np.concatenate([found, delta_rows + catalog.n_base])
    scores = np.concatenate([found_scores, delta_scores])
    order = np.argsort(-scores, kind="stable")[:k]
    return rows[order], scores[order]
