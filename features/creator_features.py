"""Creator features, vectorised and point-in-time: only posts at or before `as_of` count.

The same function serves the catalog build (as of the freshest post in the catalog) and the
training set (as of each outcome's `observed_at`), so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from features.creator_table import CreatorColumns, PostColumns
from features.tiers import estimated_post_cost, expected_engagement_rate, tier_index

if TYPE_CHECKING:  # pandas is imported where features are built, off the server's start path
    import pandas as pd

RECENT_POSTS = 30
# (output row, post index) pairs → which to count. Training uses it to leave out a campaign's
# own posts from the features of that campaign's outcome (training/dataset.py).
PostFilter = Callable[[np.ndarray, np.ndarray], np.ndarray]
CREATOR_FEATURES = (
    "platform",
    "log_followers",
    "tier",
    "following_ratio",
    "n_recent_posts",
    "engagement_rate_mean",
    "engagement_rate_median",
    "engagement_consistency",
    "engagement_vs_tier",
    "comments_per_like",
    "reply_rate",
    "posts_per_week",
    "days_since_last_post",
    "sponsored_share",
    "organic_mention_share",
    "authenticity",
    "authenticity_estimated",
    "audience_female_share",
    "log_cost_per_post",
    "cost_estimated",
)


def recent_post_index(
    posts: PostColumns,
    rows: np.ndarray,
    as_of: np.ndarray,
    limit: int = RECENT_POSTS,
    keep: PostFilter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(output row, post index) pairs: each row's latest `limit` posts at or before its as_of
    (among those `keep` accepts)."""
    order = np.lexsort((-posts.posted_at, posts.creator_row))
    sorted_creator = posts.creator_row[order]
    n_creators = int(max(rows.max(initial=-1), sorted_creator.max(initial=-1))) + 1
    starts = np.searchsorted(sorted_creator, np.arange(n_creators), side="left")
    ends = np.searchsorted(sorted_creator, np.arange(n_creators), side="right")
    counts = ends[rows] - starts[rows]
    out_row = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    post = order[np.repeat(starts[rows], counts) + offsets]
    counted = posts.posted_at[post] <= as_of[out_row]
    if keep is not None:
        counted &= keep(out_row, post)
    out_row, post = out_row[counted], post[counted]
    # posts are newest-first within a row, so the rank is the running count within the row
    first = np.r_[True, out_row[1:] != out_row[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(out_row)), 0))
    recent = (np.arange(len(out_row)) - group_start) < limit
    return out_row[recent], post[recent]


def creator_features(
    creators: CreatorColumns,
    posts: PostColumns,
    rows: np.ndarray,
    as_of: np.ndarray,
    reference_time: float | None = None,
    keep: PostFilter | None = None,
) -> dict[str, np.ndarray]:
    """Feature columns (see `CREATOR_FEATURES`) for creator `rows[i]` as of `as_of[i]`.

    Freshness is judged at the decision time: `as_of` when finite (a training label's
    `observed_at`), else `reference_time` (a catalog's newest post, not the wall clock, which
    would make a replayed or synthetic catalog look stale), else the newest post given.
    """
    import pandas as pd

    out_row, post = recent_post_index(posts, rows, as_of, keep=keep)
    followers = np.maximum(creators.followers[rows], 1.0)
    rate = (posts.likes[post] + posts.comments[post]) / followers[out_row]
    frame = pd.DataFrame(
        {
            "row": out_row,
            "rate": rate,
            "likes": posts.likes[post],
            "comments": posts.comments[post],
            "replies": posts.replies[post],
            "reply_comments": np.where(np.isnan(posts.replies[post]), 0.0, posts.comments[post]),
            "sponsored": posts.sponsored[post].astype(np.float64),
            "organic_mention": (posts.tags_someone[post] & ~posts.sponsored[post]).astype(
                np.float64
            ),
            "posted_at": posts.posted_at[post],
        }
    )
    grouped = frame.groupby("row")
    agg = grouped.agg(
        n=("rate", "size"),
        rate_mean=("rate", "mean"),
        rate_median=("rate", "median"),
        rate_std=("rate", "std"),
        likes=("likes", "sum"),
        comments=("comments", "sum"),
        replies=("replies", "sum"),
        reply_comments=("reply_comments", "sum"),
        sponsored=("sponsored", "mean"),
        organic_mention=("organic_mention", "sum"),
        first=("posted_at", "min"),
        last=("posted_at", "max"),
    ).reindex(np.arange(len(rows)))
    if reference_time is None:
        reference_time = float(posts.posted_at.max(initial=0.0))
    reference = np.where(np.isfinite(as_of), as_of, reference_time)
    return _assemble(creators, rows, reference, agg)


def _assemble(
    creators: CreatorColumns, rows: np.ndarray, reference: np.ndarray, agg: pd.DataFrame
) -> dict[str, np.ndarray]:
    def col(name: str) -> np.ndarray:
        return agg[name].to_numpy(dtype=np.float64)

    platform = creators.platform[rows]
    n_posts = np.nan_to_num(col("n"))
    sized = size_features(
        creators.followers[rows],
        creators.following[rows],
        platform,
        col("rate_median"),
        creators.authentic_share[rows],
        creators.rate_post[rows],
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        span_weeks = np.maximum((col("last") - col("first")) / (7 * 86400), 1.0)
        return {
            "platform": platform.astype(np.float64),
            "log_followers": sized["log_followers"],
            "tier": sized["tier"],
            "following_ratio": sized["following_ratio"],
            "n_recent_posts": n_posts,
            "engagement_rate_mean": col("rate_mean"),
            "engagement_rate_median": col("rate_median"),
            "engagement_consistency": 1.0 / (1.0 + col("rate_std") / col("rate_mean")),
            "engagement_vs_tier": sized["engagement_vs_tier"],
            "comments_per_like": col("comments") / np.maximum(col("likes"), 1.0),
            "reply_rate": np.where(
                col("reply_comments") > 0, col("replies") / col("reply_comments"), np.nan
            ),
            "posts_per_week": np.where(n_posts > 1, (n_posts - 1) / span_weeks, np.nan),
            "days_since_last_post": np.maximum(reference - col("last"), 0.0) / 86400,
            "sponsored_share": col("sponsored"),
            "organic_mention_share": col("organic_mention") / np.maximum(n_posts, 1.0),
            "authenticity": sized["authenticity"],
            "authenticity_estimated": np.isnan(creators.authentic_share[rows]).astype(np.float64),
            "audience_female_share": creators.female_share[rows],
            "log_cost_per_post": sized["log_cost_per_post"],
            "cost_estimated": np.isnan(creators.rate_post[rows]).astype(np.float64),
        }


def size_features(
    followers: np.ndarray,
    following: np.ndarray,
    platform: np.ndarray,
    rate_median: np.ndarray,
    authentic_share: np.ndarray,
    rate_post: np.ndarray,
) -> dict[str, np.ndarray]:
    """The features that follow from audience size: log followers, tier, following ratio,
    engagement against the size's norm, authenticity (declared, else estimated from that),
    and the log cost of a post (rate card, else estimated from size and platform)."""
    expected = expected_engagement_rate(followers, platform)
    with np.errstate(divide="ignore", invalid="ignore"):
        vs_tier = rate_median / expected
    # Fake followers inflate the denominator: engagement far below the size's norm betrays
    # them. Without a declared authentic_share, sqrt(observed/expected) estimates it.
    estimate = np.clip(0.9 * np.sqrt(np.nan_to_num(vs_tier, nan=1.0)), 0.3, 0.95)
    cost = np.where(np.isnan(rate_post), estimated_post_cost(followers, platform), rate_post)
    return {
        "log_followers": np.log10(np.maximum(followers, 1.0)),
        "tier": tier_index(followers).astype(np.float64),
        "following_ratio": following / np.maximum(followers, 1.0),
        "engagement_vs_tier": vs_tier,
        "authenticity": np.where(np.isnan(authentic_share), estimate, authentic_share),
        "log_cost_per_post": np.log10(np.maximum(cost, 1.0)),
    }
