"""What a catalog version holds about each creator: features and content vectors, computed once.

Used by the catalog build (all creators, as of the freshest post) and by the training set
(each outcome's creator, as of the outcome's `observed_at`), so both see the same features.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.content import content_vectors
from features.creator_features import PostFilter, creator_features, recent_post_index
from features.creator_table import CreatorColumns, PostColumns
from features.mentions import MentionIndex
from features.vectors import l2_normalise
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
    stance = stance_tokens(
        posts, out_row, post_index, caption_vectors, topic_vectors(embedder), embedder.model_id
    )
    mentions = mentions.merge(MentionIndex.from_pairs(*stance, len(rows)))
    last_post_at = np.full(len(rows), np.nan)
    np.fmax.at(last_post_at, out_row, posts.posted_at[post_index])
    return CreatorSnapshot(
        features=features, vectors=content, mentions=mentions, last_post_at=last_post_at
    )


# The stance topics' vectors per embedder, computed once: a one-creator upsert read them back
# from the embedding cache (a query of SQLite) on every write.
_TOPICS: weakref.WeakKeyDictionary[CachedEmbedder, np.ndarray] = weakref.WeakKeyDictionary()


def topic_vectors(embedder: CachedEmbedder) -> np.ndarray:
    """The embedder's unit vectors of the stance topics (features/topics.py), computed once
    per embedder (the embedding cache holds them across processes)."""
    from features.topics import TOPIC_TEXTS

    vectors = _TOPICS.get(embedder)
    if vectors is None:
        vectors = l2_normalise(embedder.encode(list(TOPIC_TEXTS)))
        vectors.flags.writeable = False
        _TOPICS[embedder] = vectors
    return vectors


def stance_tokens(
    posts: PostColumns,
    out_row: np.ndarray,
    post_index: np.ndarray,
    caption_vectors: np.ndarray,
    topics: np.ndarray,
    model_id: str,
) -> tuple[np.ndarray, list[str]]:
    """(row, `~topic` token) of each unpaid post that speaks against its topic's world (the
    caption vectors join the stance rules when they come from the embedder the stance
    regression was fitted on)."""
    from features.stance import FLAG_THRESHOLD, STANCE_EMBEDDER, critical_posts
    from features.topics import TOPIC_NAMES, post_topics, stance_token

    unpaid = ~posts.sponsored[post_index]
    captions = [posts.caption[p] for p in post_index[unpaid].tolist()]
    vectors = caption_vectors[unpaid] if model_id == STANCE_EMBEDDER else None
    critical = np.flatnonzero(unpaid)[critical_posts(captions, vectors, FLAG_THRESHOLD)]
    topic = post_topics(l2_normalise(caption_vectors[critical]), topics)
    about = topic >= 0
    return out_row[critical[about]], [stance_token(TOPIC_NAMES[t]) for t in topic[about]]


def known_brand_keys(brand_docs: Sequence[Mapping[str, Any]]) -> frozenset[str]:
    """Compact names of every stored brand, so plain-text mentions of them are recognised."""
    from features.brand_profile import brand_profile

    keys: set[str] = set()
    for doc in brand_docs:
        profile = brand_profile(doc)
        keys |= profile.keys | profile.competitor_keys
    return frozenset(keys)
