"""What a catalog version holds about each creator: features and content vectors, computed once.

Used by the catalog build (all creators, as of the freshest post) and by the training set
(each outcome's creator, as of the outcome's `observed_at`), so both see the same features.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.content import content_vectors
from features.creator_features import PostFilter, creator_features, recent_post_index
from features.creator_table import CreatorColumns, PostColumns
from features.mentions import MentionIndex
from models.embedding_cache import CachedEmbedder


@dataclass(frozen=True, slots=True)
class CreatorSnapshot:
    features: dict[str, np.ndarray]  # CREATOR_FEATURES and niche_focus; one per row
    vectors: np.ndarray  # (rows, dim) content vectors
    mentions: MentionIndex  # organic brand mentions per row
    last_post_at: np.ndarray  # epoch seconds of each row's newest counted post, NaN if none


def snapshot(
    creators: CreatorColumns,
    posts: PostColumns,
    rows: np.ndarray,
    as_of: np.ndarray,
    embedder: CachedEmbedder,
    on_embedded: Callable[[int], None] | None = None,
    reference_time: float | None = None,
    keep: PostFilter | None = None,
) -> CreatorSnapshot:
    """Features, content vectors and mention index of creator `rows[i]` as of `as_of[i]`,
    from the posts `keep` accepts (all by default)."""
    out_row, post_index = recent_post_index(posts, rows, as_of, keep=keep)
    features = creator_features(creators, posts, rows, as_of, reference_time, keep=keep)
    texts: list[str] = [creators.bio[r] for r in rows.tolist()]
    texts += [posts.caption[p] for p in post_index.tolist()]
    vectors = embedder.encode(texts, on_batch=on_embedded)
    bio_vectors, caption_vectors = vectors[: len(rows)], vectors[len(rows) :]
    content, focus = content_vectors(bio_vectors, caption_vectors, out_row, len(rows))
    features["niche_focus"] = focus
    mentions = MentionIndex.from_posts(posts, out_row, post_index, len(rows))
    last_post_at = np.full(len(rows), np.nan)
    np.fmax.at(last_post_at, out_row, posts.posted_at[post_index])
    return CreatorSnapshot(
        features=features, vectors=content, mentions=mentions, last_post_at=last_post_at
    )


def known_brand_keys(brand_docs: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """Compact names of every stored brand, so plain-text mentions of them are recognised."""
    from features.brand_profile import brand_profile

    keys: set[str] = set()
    for doc in brand_docs:
        profile = brand_profile(doc)
        keys |= profile.keys | profile.competitor_keys
    return frozenset(keys)
