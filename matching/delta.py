"""Upserts and deletes since the catalog was built, searchable at once without a rebuild.

A delta is applied by making a new immutable `Catalog`: the base rows stay (replaced or
deleted ones are marked not `live`), the upserted creators are appended with their features,
vectors and mentions, and their vectors are searched exactly beside the base FAISS index.
The next `microtribe build` folds everything into a fresh version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from features.creator_table import concat_creator_columns, creator_columns, post_columns
from features.tiers import tier_names
from matching.catalog import Catalog, post_cost
from matching.creator_snapshot import snapshot
from matching.index import IndexConfig, exact_search, search
from models.embedding_cache import CachedEmbedder


def apply_delta(
    catalog: Catalog,
    upserts: Sequence[Mapping[str, Any]],
    hashes: Sequence[str],
    deleted: Sequence[str],
    embedder: CachedEmbedder,
    known_brand_keys: frozenset[str],
) -> Catalog:
    """A new catalog with `upserts` (validated creator documents) added and `deleted` removed."""
    touched = {doc["creator_id"] for doc in upserts} | set(deleted)
    live = catalog.live & ~np.isin(catalog.creators.creator_id, list(touched))
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
        creators=concat_creator_columns(catalog.creators, creators),
        features={
            name: np.concatenate([values, snap.features[name]])
            for name, values in catalog.features.items()
        },
        mentions=catalog.mentions.concat(snap.mentions),
        tier=np.concatenate([catalog.tier, tier_names(creators.followers)]),
        estimated_cost=np.concatenate([catalog.estimated_cost, post_cost(creators)]),
        content_hash=np.concatenate([catalog.content_hash, np.asarray(hashes, dtype=str)]),
        last_post_at=np.concatenate([catalog.last_post_at, snap.last_post_at]),
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
    base_rows, base_scores = search(
        catalog.index, query, k, eligible[: catalog.n_base], catalog.vectors, config
    )
    if len(catalog) == catalog.n_base:
        return base_rows, base_scores
    delta_rows, delta_scores = exact_search(
        catalog.delta_vectors, query, k, np.flatnonzero(eligible[catalog.n_base :])
    )
    rows = np.concatenate([base_rows, delta_rows + catalog.n_base])
    scores = np.concatenate([base_scores, delta_scores])
    order = np.argsort(-scores, kind="stable")[:k]
    return rows[order], scores[order]
