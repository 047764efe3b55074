"""Builders of hand-made contract documents for unit tests."""

from __future__ import annotations

from typing import Any


def make_post(
    post_id: str,
    posted_at: str,
    caption: str,
    likes: int,
    comments: int,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "post_id": post_id,
        "posted_at": posted_at,
        "caption": caption,
        "likes": likes,
        "comments": comments,
        **extra,
    }


def make_creator(creator_id: str, followers: int = 10_000, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "creator_id": creator_id,
        "handle": creator_id.split(":")[-1],
        "platform": "instagram",
        "followers": followers,
    }
    doc.update(extra)
    return doc
