"""The training set: labelled outcomes with features as they were at the decision time.

Each outcome appears twice: once with its brand's full brief, once with a sparse brief
(name and values only, see `sparse_brief`); both copies share the brand, so a brand split
keeps them on the same side.

Point in time: creator features, content vectors and mention counts are those of the moment
the creator was chosen, as a new brief sees them. They use only posts published before the
decision time (`started_at`; `observed_at` when the outcome has no start), and never the
campaign's own posts: a post carrying the outcome's `campaign_id` is left out whenever it was
published, and without `started_at` so is a paid post naming the brand within the
`CAMPAIGN_LOOKBACK_DAYS` before `observed_at`. The campaign's paid post carries the label
itself (its likes and comments are the engagement being predicted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from features.brand_profile import BrandProfile, brand_profile
from features.creator_features import PostFilter
from features.creator_table import CreatorColumns, PostColumns, creator_columns, post_columns
from features.pair_features import pair_features
from features.schema import FEATURE_NAMES, feature_matrix
from features.topics import brief_topics
from matching.creator_snapshot import CreatorSnapshot, known_brand_keys, snapshot, topic_vectors
from models.embedding_cache import CachedEmbedder

LABELLED_STAGES = ("posted", "completed")
# Without `started_at`, a paid post naming the brand this close before `observed_at` is taken
# for the campaign's own (campaigns in the generated worlds run at most 60 days).
CAMPAIGN_LOOKBACK_DAYS = 60.0
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class TrainingSet:
    features: np.ndarray  # (rows, len(FEATURE_NAMES)) float32
    advocate: np.ndarray  # float: 1/0, NaN when unknown
    engagement_rate: np.ndarray  # NaN when unknown
    brand_id: np.ndarray  # object
    creator_id: np.ndarray  # object
    observed_at: np.ndarray  # float epoch seconds
    language: np.ndarray  # object: the creator's language
    tier: np.ndarray  # object
    sparse_brief: np.ndarray  # bool: the row's brief was reduced to name + values
    feature_names: tuple[str, ...] = FEATURE_NAMES
    # object: the synthetic world of each row (training/worlds.py, "" for a home's own
    # outcomes); None when every row is the home's own
    world: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.brand_id)

    def column(self, name: str) -> np.ndarray:
        return self.features[:, self.feature_names.index(name)]


def labelled_outcomes(outcomes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Outcomes that carry a label; the latest observation wins per brand×creator×campaign."""
    latest: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for outcome in sorted(outcomes, key=lambda o: o["observed_at"]):
        has_label = (
            outcome.get("advocate") is not None or outcome.get("engagement_rate") is not None
        )
        if outcome["stage"] in LABELLED_STAGES and has_label:
            key = (outcome["brand_id"], outcome["creator_id"], outcome.get("campaign_id") or "")
            latest[key] = outcome
    return list(latest.values())


def build_training_set(
    creator_docs: Sequence[Mapping[str, Any]],
    brand_docs: Sequence[Mapping[str, Any]],
    outcomes: Sequence[Mapping[str, Any]],
    embedder: CachedEmbedder,
) -> TrainingSet:
    """Join labelled outcomes to point-in-time creator and brand×creator features."""
    from features.tiers import tier_names

    labelled = [
        o
        for o in labelled_outcomes(outcomes)
        if o["creator_id"] in {d["creator_id"] for d in creator_docs}
        and o["brand_id"] in {d["brand_id"] for d in brand_docs}
    ]
    if not labelled:
        raise ValueError("no labelled outcomes (stage posted/completed with a label) to train on")
    creators = creator_columns(creator_docs)
    posts = post_columns(creator_docs, known_brand_keys(brand_docs))
    row_of = {cid: i for i, cid in enumerate(creators.creator_id.tolist())}
    rows = np.array([row_of[o["creator_id"]] for o in labelled], dtype=np.int64)
    as_of, observed = decision_times(labelled)
    full = {d["brand_id"]: brand_profile(d) for d in brand_docs}
    brand_ids = np.array([o["brand_id"] for o in labelled], dtype=object)
    own_posts = campaign_posts_filter(labelled, posts, [full[b].keys for b in brand_ids])
    snap = snapshot(creators, posts, rows, as_of, embedder, keep=own_posts)
    sparse = {brand_id: sparse_brief(profile) for brand_id, profile in full.items()}
    features = [
        feature_matrix(_columns(snap, creators, rows, brand_ids, profiles, embedder))
        for profiles in (full, sparse)
    ]

    def label(name: str) -> np.ndarray:
        return np.array(
            [np.nan if o.get(name) is None else float(o[name]) for o in labelled], dtype=np.float64
        )

    def twice(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values, values])

    return TrainingSet(
        features=np.vstack(features),
        advocate=twice(label("advocate")),
        engagement_rate=twice(label("engagement_rate")),
        brand_id=twice(brand_ids),
        creator_id=twice(np.array([o["creator_id"] for o in labelled], dtype=object)),
        observed_at=twice(observed),
        language=twice(creators.language[rows]),
        tier=twice(tier_names(creators.followers[rows])),
        sparse_brief=np.repeat([False, True], len(labelled)),
    )


def _epoch(times: Sequence[str]) -> np.ndarray:
    parsed = pd.to_datetime(pd.Series(list(times), dtype=object), utc=True, format="ISO8601")
    return np.asarray(parsed.astype("int64").to_numpy() / 1e9, dtype=np.float64)


def decision_times(labelled: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """(as-of time of each row's features, its observed_at), epoch seconds.

    Posts published before `started_at` count (a post at the very instant of the decision is
    the campaign's); without it, posts up to `observed_at`.
    """
    observed = _epoch([o["observed_at"] for o in labelled])
    started = _epoch([o.get("started_at") or o["observed_at"] for o in labelled])
    has_start = np.array([o.get("started_at") is not None for o in labelled], dtype=bool)
    return np.where(has_start, np.nextafter(started, -np.inf), observed), observed


def campaign_posts_filter(
    labelled: Sequence[Mapping[str, Any]],
    posts: PostColumns,
    brand_keys: Sequence[frozenset[str]],
) -> PostFilter:
    """Leaves out each row's own campaign posts (see the module docstring)."""
    campaign = np.array([o.get("campaign_id") for o in labelled], dtype=object)
    has_campaign = np.array([c is not None for c in campaign], dtype=bool)
    no_start = np.array([o.get("started_at") is None for o in labelled], dtype=bool)
    lookback_from = _epoch([o["observed_at"] for o in labelled]) - CAMPAIGN_LOOKBACK_DAYS * DAY

    def keep(out_row: np.ndarray, post: np.ndarray) -> np.ndarray:
        own = has_campaign[out_row] & (posts.campaign_id[post] == campaign[out_row])
        suspects = np.flatnonzero(
            no_start[out_row]
            & posts.sponsored[post]
            & (posts.posted_at[post] > lookback_from[out_row])
        )
        names_brand = [
            bool(posts.mentions[post[i]] & brand_keys[out_row[i]]) for i in suspects.tolist()
        ]
        own[suspects[np.array(names_brand, dtype=bool)]] = True
        return ~own

    return keep


def sparse_brief(profile: BrandProfile) -> BrandProfile:
    """The same brand as a terse brief: name and values only, no targets, category or budget.

    Agencies often send just that; training on both forms teaches the ranker to lean on the
    content when the structured fields are missing instead of guessing at NaNs it never saw.
    """
    return replace(
        profile,
        text=profile.values_text,
        category="",
        languages=frozenset(),
        markets=frozenset(),
        target_ages=(),
        female_share=None,
        competitor_keys=frozenset(),
        budget=None,
    )


def _columns(
    snap: CreatorSnapshot,
    creators: CreatorColumns,
    rows: np.ndarray,
    brand_ids: np.ndarray,
    profiles: Mapping[str, BrandProfile],
    embedder: CachedEmbedder,
) -> dict[str, np.ndarray]:
    """Creator features plus the pair features of each row's brand, as `profiles` describe it."""
    vectors = dict(zip(profiles, embedder.encode([p.text for p in profiles.values()]), strict=True))
    topics = topic_vectors(embedder)
    columns: dict[str, np.ndarray] = {name: np.full(len(rows), np.nan) for name in FEATURE_NAMES}
    columns.update(snap.features)
    positions = np.arange(len(rows))
    for brand_id in np.unique(brand_ids):
        at = positions[brand_ids == brand_id]
        profile = profiles[brand_id]
        block = pair_features(
            profile,
            creators,
            rows[at],
            snap.vectors[at] @ vectors[brand_id],
            brand_mentions=snap.mentions.counts(profile.keys)[at],
            competitor_mentions=snap.mentions.counts(profile.competitor_keys)[at],
            log_cost_per_post=snap.features["log_cost_per_post"][at],
            critical_posts=snap.mentions.counts(brief_topics(vectors[brand_id], topics))[at],
        )
        for name, values in block.items():
            columns[name][at] = values
    return columns
