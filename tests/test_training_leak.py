"""A labelled row's features never see the campaign's own posts: they are the label's events."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.factories import make_creator, make_post
from training.dataset import build_training_set

BRAND = {"brand_id": "ecoveste", "name": "EcoVeste", "values": "moda sostenibile, riuso",
         "aliases": ["@ecoveste"]}  # fmt: skip


def _creator(paid: list[dict[str, Any]]) -> dict[str, Any]:
    history = [
        make_post(f"p{i}", f"2026-0{i + 1}-10T09:00:00Z", f"Cappotto vintage n.{i} #secondhand",
                  300 + 7 * i, 20 + i, creator_replies=6)
        for i in range(8)
    ]  # fmt: skip
    return make_creator("ig:giulia", followers=9_000, posts=history + paid, bio="Moda usata")


def _outcome(started: bool) -> dict[str, Any]:
    row = {"brand_id": "ecoveste", "creator_id": "ig:giulia", "campaign_id": "fw26",
           "stage": "completed", "engagement_rate": 0.09, "advocate": True,
           "observed_at": "2026-11-20T00:00:00Z"}  # fmt: skip
    return {**row, "started_at": "2026-10-01T00:00:00Z"} if started else row


def _features(creator: dict[str, Any], outcome: dict[str, Any]) -> np.ndarray:
    embedder = CachedEmbedder(HashingEmbedder(), None)
    return build_training_set([creator], [BRAND], [outcome], embedder).features


def _paid(post_id: str, when: str, likes: int, **extra: Any) -> dict[str, Any]:
    caption = "Il nuovo cappotto di @ecoveste #adv"
    return make_post(post_id, when, caption, likes, likes // 10, sponsored=True, **extra)


# The campaign's paid post: after the decision time, or carrying the campaign id (dated
# before the start, as a mis-dated export would have it), or — without `started_at` — a paid
# post naming the brand in the weeks before the observation.
CASES = {
    "after started_at": (True, _paid("c1", "2026-10-05T09:00:00Z", 2_500)),
    "carries campaign_id": (True, _paid("c1", "2026-09-20T09:00:00Z", 2_500, campaign_id="fw26")),
    "no started_at": (False, _paid("c1", "2026-10-20T09:00:00Z", 2_500)),
}


@pytest.mark.parametrize("case", CASES)
def test_the_campaigns_own_post_changes_no_feature(case: str) -> None:
    started, paid = CASES[case]
    outcome = _outcome(started)
    without = _features(_creator([]), outcome)
    changed = copy.deepcopy(paid)
    changed["likes"], changed["caption"] = 90_000, "Tutt'altro testo @ecoveste #ad"
    for posts in ([paid], [changed], [paid, {**changed, "post_id": "c2"}]):
        assert np.array_equal(_features(_creator(posts), outcome), without, equal_nan=True)


def test_an_earlier_paid_post_for_the_brand_still_counts() -> None:
    # A previous collaboration is history the decision could see: it is not the label's event.
    outcome = _outcome(started=True)
    earlier = _paid("old", "2026-03-15T09:00:00Z", 2_500, campaign_id="ss26")
    without = _features(_creator([]), outcome)
    assert not np.array_equal(_features(_creator([earlier]), outcome), without, equal_nan=True)
