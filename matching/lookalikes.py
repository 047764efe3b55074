"""Lookalikes: creators whose content, audience and size resemble one given creator.

Stages: retrieve the `RETRIEVE` eligible creators nearest by content vector (base index and
delta, `matching.delta.retrieve`, the creator itself masked out), then re-rank them by

    similarity = 0.9 · content + 0.05 · audience + 0.05 · size

- content: cosine of the content vectors (bio plus recent captions; the bio alone for a
  creator without posts). It carries most weight because it is what a niche is: an agency
  asking for "more like this one" wants the same topics first (bench/lookalike_quality.py).
- audience: the mean of the known parts of countries (histogram intersection of the country
  shares), ages (intersection of the six bracket shares) and gender (1 − |Δ female share|); a
  lookalike should reach the same people. Unknown on either side: `UNKNOWN_AUDIENCE` (0.5).
- size: 1 − |Δ log10 followers| / 2, floored at 0 (a tenfold difference halves it), so a
  booked 20k creator is replaced by one of similar reach and price, not by a 2M star.

Every result carries the three parts as reasons: feature, value, contribution, description.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matching.catalog import Catalog
from matching.delta import retrieve
from matching.lookalike_audience import audience_similarity
from models.guardrails import Guardrails, Judgement, guarded

# The creator's own signals behind the flags a lookalike can raise (no brief: no stance or
# market flag)
FLAG_INPUTS = (
    "sponsored_share",
    "authenticity",
    "engagement_vs_tier",
    "following_ratio",
    "comments_per_like",
    "days_since_last_post",
)

CONTENT_WEIGHT, AUDIENCE_WEIGHT, SIZE_WEIGHT = 0.9, 0.05, 0.05
RETRIEVE = 300
SIZE_DECADES = 2.0  # the follower ratio (in decades) at which size similarity reaches 0


@dataclass(frozen=True, slots=True)
class LookalikeReason:
    feature: str  # content_similarity | audience_similarity | size_similarity
    value: float
    contribution: float  # weight × value: the three sum to the similarity
    description: str


@dataclass(frozen=True, slots=True)
class Lookalikes:
    rows: np.ndarray  # catalog rows, most similar first
    similarity: np.ndarray
    content: np.ndarray
    audience: np.ndarray
    size: np.ndarray
    reasons: list[list[LookalikeReason]]
    judgement: Judgement | None = None  # the lookalikes' flags (models/guardrails.py)


def content_vector(catalog: Catalog, row: int) -> np.ndarray:
    """The content vector of any catalog row, base or delta."""
    if row < catalog.n_base:
        return np.asarray(catalog.vectors[row], dtype=np.float32)
    return np.asarray(catalog.delta_vectors[row - catalog.n_base], dtype=np.float32)


def size_similarity(followers: float, others: np.ndarray) -> np.ndarray:
    decades = np.abs(np.log10(max(followers, 1.0)) - np.log10(np.maximum(others, 1.0)))
    return np.clip(1.0 - decades / SIZE_DECADES, 0.0, 1.0)


def _followers(value: float) -> str:
    return f"{value / 1e6:.1f}M" if value >= 1e6 else f"{value / 1e3:.1f}k"


def _reasons(
    content: float, audience: float, size: float, detail: str, followers: tuple[float, float]
) -> list[LookalikeReason]:
    return [
        LookalikeReason(
            "content_similarity",
            content,
            CONTENT_WEIGHT * content,
            f"posts on similar topics (content cosine {content:.2f})",
        ),
        LookalikeReason(
            "audience_similarity", audience, AUDIENCE_WEIGHT * audience, f"audience: {detail}"
        ),
        LookalikeReason(
            "size_similarity",
            size,
            SIZE_WEIGHT * size,
            f"{_followers(followers[1])} followers against {_followers(followers[0])}",
        ),
    ]


def lookalikes(
    catalog: Catalog,
    row: int,
    k: int,
    eligible_mask: np.ndarray,
    exclude_ids: Sequence[str] = (),
    guardrails: Guardrails | None = None,
) -> Lookalikes:
    """The `k` eligible creators most like catalog `row` (never `row` itself), under the
    guardrails of `/v1/match` (`exclude` drops a flagged creator; without a brief there are no
    niche peers to place a demoted one below, so it keeps its place and shows its flags)."""
    if not 0 <= row < len(catalog):
        raise IndexError(f"row {row} is outside the catalog's {len(catalog)} rows")
    eligible = np.asarray(eligible_mask, dtype=bool) & catalog.live
    eligible[row] = False
    rows, content = retrieve(
        catalog, content_vector(catalog, row), RETRIEVE + len(exclude_ids), eligible
    )
    if exclude_ids:
        keep = ~np.isin(catalog.creators.creator_id[rows], list(exclude_ids))
        rows, content = rows[keep], content[keep]
    content = np.asarray(content, dtype=np.float64)
    audience, parts = audience_similarity(catalog.creators, row, rows)
    followers = catalog.creators.followers
    size = size_similarity(float(followers[row]), followers[rows])
    blended = CONTENT_WEIGHT * content + AUDIENCE_WEIGHT * audience + SIZE_WEIGHT * size
    ids = catalog.creators.creator_id[rows].astype(str)
    signals = np.column_stack([catalog.features[name][rows] for name in FLAG_INPUTS])
    score, judgement = guarded(blended, signals, FLAG_INPUTS, guardrails)
    order = np.lexsort((ids, -np.round(score, 12)))
    order = order[judgement.kept[order]][:k]
    return Lookalikes(
        rows=rows[order],
        similarity=blended[order],
        content=content[order],
        audience=audience[order],
        size=size[order],
        reasons=[
            _reasons(
                float(content[i]),
                float(audience[i]),
                float(size[i]),
                parts.describe(i),
                (float(followers[row]), float(followers[rows[i]])),
            )
            for i in order.tolist()
        ],
        judgement=judgement.take(order),
    )
