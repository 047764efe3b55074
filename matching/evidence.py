"""The posts behind each red flag of the creators an answer returns.

Flags are computed for every candidate from catalog columns (features/flags.py, in the
pipeline's guardrail stage); the post ids behind them are looked up here, only for the
returned creators that raised a flag, from their stored documents and with the same rules the
features count by: a post is paid when declared so or disclosed in its caption, the window
is the creator's `RECENT_POSTS` newest posts, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from features.creator_features import RECENT_POSTS
from features.flags import FLAG_NAMES
from features.text import is_disclosed
from models.guardrails import Guardrails, Judgement

# caption texts → their unit vectors (the serving embedder, through its cache)
Encode = Callable[[list[str]], np.ndarray]


def recent_posts(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    posts = sorted(doc.get("posts") or [], key=lambda p: str(p["posted_at"]), reverse=True)
    return posts[:RECENT_POSTS]


def paid_post_ids(posts: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(p["post_id"]) for p in posts if p.get("sponsored") or is_disclosed(p["caption"])]


def critical_post_ids(
    posts: Sequence[Mapping[str, Any]], topics: frozenset[str], encode: Encode, model_id: str
) -> list[str]:
    """Unpaid posts that speak against one of the brief's `topics` (features/stance.py)."""
    from features.stance import FLAG_THRESHOLD, critical_posts
    from features.topics import TOPIC_NAMES, TOPIC_TEXTS, post_topics, stance_token

    unpaid = [p for p in posts if not (p.get("sponsored") or is_disclosed(p["caption"]))]
    if not unpaid or not topics:
        return []
    vectors = encode([p["caption"] for p in unpaid])
    critical = np.flatnonzero(
        critical_posts([p["caption"] for p in unpaid], vectors, FLAG_THRESHOLD)
    )
    about = post_topics(vectors[critical], encode(list(TOPIC_TEXTS)))
    return [
        str(unpaid[i]["post_id"])
        for i, t in zip(critical.tolist(), about.tolist(), strict=True)
        if t >= 0 and stance_token(TOPIC_NAMES[t]) in topics
    ]


def _evidence(
    flag: str,
    doc: Mapping[str, Any] | None,
    topics: frozenset[str],
    encode: Encode,
    model_id: str,
) -> list[str]:
    if doc is None:
        return []
    posts = recent_posts(doc)
    if flag == "saturated":
        return paid_post_ids(posts)
    if flag == "inactive":
        return [str(posts[0]["post_id"])] if posts else []
    if flag == "critical_stance":
        return critical_post_ids(posts, topics, encode, model_id)
    return []  # audience and market flags rest on account figures, not on posts


def flags_with_evidence(
    creator_ids: Sequence[str],
    judgement: Judgement,
    guardrails: Guardrails,
    docs: Callable[[list[str]], Sequence[Mapping[str, Any]]],
    topics: frozenset[str],
    encode: Encode,
    model_id: str,
) -> list[list[dict[str, Any]]]:
    """Per returned creator, its raised flags as the answer writes them (DESIGN.md); `encode`
    embeds captions with the catalog's embedder, `model_id`."""
    flagged = [cid for cid, up in zip(creator_ids, judgement.raised, strict=True) if up.any()]
    by_id = {doc["creator_id"]: doc for doc in docs(flagged)} if flagged else {}
    out: list[list[dict[str, Any]]] = []
    for cid, values, up in zip(creator_ids, judgement.values, judgement.raised, strict=True):
        out.append(
            [
                {
                    "flag": FLAG_NAMES[j],
                    "value": round(float(values[j]), 4),
                    "threshold": float(guardrails.thresholds[j]),
                    "action": guardrails.actions[j],
                    "evidence": _evidence(FLAG_NAMES[j], by_id.get(cid), topics, encode, model_id),
                }
                for j in np.flatnonzero(up).tolist()
            ]
        )
    return out
