"""Creators as columns: one row per creator, one row per post, ready for vectorised features."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.categories import canonical_category
from features.currency import to_eur
from features.row_sets import RowMaps, RowSets
from features.text import extract_handles, is_disclosed, mention_tokens
from features.tiers import platform_index

AGE_BRACKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")


@dataclass(frozen=True, slots=True)
class CreatorColumns:
    """Scalar creator fields as arrays (NaN where a field is absent)."""

    creator_id: np.ndarray  # object
    handle: np.ndarray  # object
    platform: np.ndarray  # int64, index into features.tiers.PLATFORMS
    followers: np.ndarray  # float64
    following: np.ndarray
    country: np.ndarray  # object, "" when absent
    language: np.ndarray  # object, "" when absent
    categories: RowSets
    bio: Sequence[str]  # empty strings in a loaded catalog: the vectors already hold them
    audience_countries: RowMaps
    audience_ages: np.ndarray  # (n, 6) shares, NaN when absent
    female_share: np.ndarray
    authentic_share: np.ndarray
    rate_post: np.ndarray  # EUR (rate cards in other currencies converted), NaN when absent

    def __len__(self) -> int:
        return len(self.creator_id)


@dataclass(frozen=True, slots=True)
class PostColumns:
    """All posts of a set of creators, flattened; `creator_row` points into `CreatorColumns`."""

    creator_row: np.ndarray  # int64
    posted_at: np.ndarray  # float64 epoch seconds
    likes: np.ndarray
    comments: np.ndarray
    replies: np.ndarray  # NaN when absent
    sponsored: np.ndarray  # bool: declared sponsored, or a disclosure in the caption
    caption: list[str]
    mentions: list[frozenset[str]]  # compact brand-mention tokens of the caption
    tags_someone: np.ndarray  # bool: the post @mentions at least one account
    campaign_id: np.ndarray  # object: the campaign a post was made for, None when not given

    def __len__(self) -> int:
        return len(self.creator_row)


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def creator_columns(docs: Sequence[Mapping[str, Any]]) -> CreatorColumns:
    """Columns from creator documents shaped like the DESIGN.md Creator."""
    audiences = [doc.get("audience") or {} for doc in docs]
    rate_cards = [doc.get("rate_card") or {} for doc in docs]
    ages = np.full((len(docs), len(AGE_BRACKETS)), np.nan)
    for row, audience in enumerate(audiences):
        shares = audience.get("ages") or {}
        if shares:
            ages[row] = [float(shares.get(bracket, 0.0)) for bracket in AGE_BRACKETS]
    return CreatorColumns(
        creator_id=np.array([doc["creator_id"] for doc in docs], dtype=object),
        handle=np.array([doc["handle"] for doc in docs], dtype=object),
        platform=platform_index(np.array([doc["platform"] for doc in docs], dtype=object)),
        followers=np.array([float(doc["followers"]) for doc in docs]),
        following=np.array([_num(doc.get("following")) for doc in docs]),
        country=np.array([doc.get("country") or "" for doc in docs], dtype=object),
        language=np.array([doc.get("language") or "" for doc in docs], dtype=object),
        categories=RowSets.from_sets(
            (canonical_category(c) for c in doc.get("categories") or ()) for doc in docs
        ),
        bio=[doc.get("bio") or "" for doc in docs],
        audience_countries=RowMaps.from_maps(a.get("countries") or {} for a in audiences),
        audience_ages=ages,
        female_share=np.array([_num(a.get("female_share")) for a in audiences]),
        authentic_share=np.array([_num(a.get("authentic_share")) for a in audiences]),
        rate_post=to_eur(
            np.array([_num(card.get("post")) for card in rate_cards]),
            [card.get("currency") for card in rate_cards],
        ),
    )


def post_columns(
    docs: Sequence[Mapping[str, Any]], known_brand_keys: Iterable[str] = ()
) -> PostColumns:
    """Flattened posts; a post is sponsored when declared so or when it carries a disclosure.

    A caption with `#adv` or "in collaborazione con" is paid whatever the `sponsored` field
    says; an absent field is decided by the caption alone.

    Mention tokens keep @handles and hashtags, plus words that are known brand names, so the
    inverted mention index stays small however many words the captions hold.
    """
    keys = frozenset(known_brand_keys)
    rows: list[int] = []
    posted: list[str] = []
    numbers: list[tuple[float, float, float]] = []
    sponsored: list[bool] = []
    captions: list[str] = []
    mentions: list[frozenset[str]] = []
    tags_someone: list[bool] = []
    campaigns: list[str | None] = []
    for row, doc in enumerate(docs):
        for post in doc.get("posts") or ():
            caption = post.get("caption") or ""
            declared = post.get("sponsored")
            rows.append(row)
            posted.append(post["posted_at"])
            numbers.append(
                (float(post["likes"]), float(post["comments"]), _num(post.get("creator_replies")))
            )
            sponsored.append(bool(declared) or is_disclosed(caption))
            captions.append(caption)
            declared_mentions = post.get("mentions")
            mentions.append(mention_tokens(caption, declared_mentions, keys))
            tags_someone.append(bool(declared_mentions or extract_handles(caption)))
            campaigns.append(post.get("campaign_id"))
    values = np.array(numbers, dtype=np.float64).reshape(-1, 3)
    import pandas as pd  # here, not at import: the server starts without pandas

    timestamps = pd.to_datetime(pd.Series(posted, dtype=object), utc=True, format="ISO8601")
    return PostColumns(
        creator_row=np.array(rows, dtype=np.int64),
        posted_at=(timestamps.astype("int64").to_numpy() / 1e9) if posted else np.zeros(0),
        likes=values[:, 0],
        comments=values[:, 1],
        replies=values[:, 2],
        sponsored=np.array(sponsored, dtype=bool),
        caption=captions,
        mentions=mentions,
        tags_someone=np.array(tags_someone, dtype=bool),
        campaign_id=np.array(campaigns, dtype=object),
    )


def concat_creator_columns(first: CreatorColumns, second: CreatorColumns) -> CreatorColumns:
    """Rows of `first`, then rows of `second`."""

    def join(a: Any, b: Any) -> Any:
        if isinstance(a, RowSets | RowMaps):
            return a.concat(b)
        return [*a, *b] if not isinstance(a, np.ndarray) else np.concatenate([a, b])

    return CreatorColumns(
        **{name: join(getattr(first, name), getattr(second, name)) for name in first.__slots__}
    )


def stack_creator_columns(first: CreatorColumns, second: CreatorColumns) -> CreatorColumns:
    """Rows of `first`, then rows of `second`, without copying `first` (features/stacked.py):
    only the tail that `second` extends is copied."""
    from features.stacked import stack, stack_rows, stack_text

    def join(a: Any, b: Any) -> Any:
        if isinstance(b, RowSets | RowMaps):
            return stack_rows(a, b)
        return stack(a, b) if isinstance(b, np.ndarray) else stack_text(a, b)

    return CreatorColumns(
        **{name: join(getattr(first, name), getattr(second, name)) for name in first.__slots__}
    )


def take_creator_columns(columns: CreatorColumns, rows: np.ndarray) -> CreatorColumns:
    """The given rows of `columns`, in that order."""
    picked = rows.tolist()

    def take(values: Any) -> Any:
        if isinstance(values, RowSets | RowMaps):
            return values.take(rows)
        return values[rows] if isinstance(values, np.ndarray) else [values[r] for r in picked]

    return CreatorColumns(**{name: take(getattr(columns, name)) for name in columns.__slots__})
