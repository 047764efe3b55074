"""Creator features on hand-made creators with known answers."""

from __future__ import annotations

import math

import numpy as np

from features.content import content_vectors
from features.creator_features import creator_features
from features.creator_table import creator_columns, post_columns
from features.tiers import estimated_post_cost, tier_names
from tests.factories import make_creator, make_post


def _features(docs: list[dict], as_of: float = math.inf) -> dict[str, np.ndarray]:
    creators = creator_columns(docs)
    posts = post_columns(docs)
    rows = np.arange(len(docs))
    return creator_features(creators, posts, rows, np.full(len(docs), as_of))


def _giulia() -> dict:
    posts = [
        make_post(
            "p1",
            "2026-10-01T10:00:00Z",
            "Cappotto vintage #secondhand",
            300,
            20,
            creator_replies=10,
            sponsored=False,
        ),
        make_post(
            "p2", "2026-10-08T10:00:00Z", "Nuova borsa #adv @ecoveste", 100, 0, creator_replies=0
        ),
        make_post(
            "p3",
            "2026-10-15T10:00:00Z",
            "Mercatino dell'usato a Torino",
            200,
            20,
            creator_replies=5,
            sponsored=False,
            mentions=["@ecoveste"],
        ),
    ]
    return make_creator(
        "ig:giulia",
        followers=10_000,
        following=500,
        posts=posts,
        audience={"authentic_share": 0.9, "female_share": 0.7},
        rate_card={"post": 350.0},
    )


def test_engagement_reply_and_sponsorship_features() -> None:
    f = _features([_giulia()])
    rates = np.array([320, 100, 220]) / 10_000
    assert np.isclose(f["engagement_rate_mean"][0], rates.mean())
    assert np.isclose(f["engagement_rate_median"][0], np.median(rates))
    assert np.isclose(f["comments_per_like"][0], 40 / 600)
    assert np.isclose(f["reply_rate"][0], 15 / 40)
    # p2 declares nothing but carries #adv: detected as sponsored
    assert np.isclose(f["sponsored_share"][0], 1 / 3)
    assert np.isclose(f["posts_per_week"][0], 2 / 2)
    assert f["days_since_last_post"][0] == 0
    assert np.isclose(f["organic_mention_share"][0], 1 / 3)
    assert f["authenticity"][0] == 0.9 and f["authenticity_estimated"][0] == 0
    assert np.isclose(f["log_cost_per_post"][0], np.log10(350))
    assert f["cost_estimated"][0] == 0
    assert f["tier"][0] == 2  # 10k followers is micro
    assert np.isclose(f["following_ratio"][0], 0.05)


def test_missing_authenticity_is_estimated_from_engagement_anomaly() -> None:
    healthy = make_creator(
        "ig:a",
        followers=3_000,
        posts=[
            make_post(f"p{i}", f"2026-10-{i + 1:02d}T10:00:00Z", "ciao", 120, 6) for i in range(5)
        ],
    )
    inflated = make_creator(
        "ig:b",
        followers=3_000,
        posts=[
            make_post(f"p{i}", f"2026-10-{i + 1:02d}T10:00:00Z", "ciao", 20, 1) for i in range(5)
        ],
    )
    f = _features([healthy, inflated])
    assert (f["authenticity_estimated"] == 1).all()
    assert f["authenticity"][0] > 0.8
    assert f["authenticity"][1] < 0.5
    assert (f["cost_estimated"] == 1).all()


def test_no_leakage_a_post_after_as_of_changes_nothing() -> None:
    as_of = 1_760_000_000.0  # 2025-10-09
    before = make_creator(
        "ig:c",
        posts=[
            make_post("p1", "2025-10-01T00:00:00Z", "old post", 100, 5),
            make_post("p2", "2025-10-05T00:00:00Z", "older post", 300, 9),
        ],
    )
    after = {
        **before,
        "posts": [
            *before["posts"],
            make_post("p3", "2025-12-01T00:00:00Z", "#ad future", 9999, 999),
        ],
    }
    a, b = _features([before], as_of), _features([after], as_of)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_creator_without_posts_gets_nan_not_an_error() -> None:
    f = _features([make_creator("ig:empty", followers=500)])
    assert f["n_recent_posts"][0] == 0
    assert math.isnan(f["engagement_rate_mean"][0])
    assert f["tier"][0] == 0  # emerging


def test_consistency_size_norm_and_freshness_at_as_of() -> None:
    three_days_later = 1_760_522_400.0 + 3 * 86400  # p3 was posted 2025-10-15T10:00Z + 3 days
    doc = _giulia()
    for post, day in zip(doc["posts"], ("01", "08", "15"), strict=True):
        post["posted_at"] = f"2025-10-{day}T10:00:00Z"
    f = _features([doc], three_days_later)
    rates = np.array([320, 100, 220]) / 10_000
    assert np.isclose(f["engagement_consistency"][0], 1 / (1 + rates.std(ddof=1) / rates.mean()))
    # published Instagram median at 10k followers: between 4% (5k) and 2.3% (20k) in log size
    expected = np.interp(np.log10(10_000), np.log10([5_000, 20_000]), [0.04, 0.023])
    assert np.isclose(f["engagement_vs_tier"][0], np.median(rates) / expected)
    assert np.isclose(f["days_since_last_post"][0], 3.0)


def test_tiers_and_estimated_cost_by_platform() -> None:
    followers = np.array([999, 1_000, 9_999, 10_000, 99_999, 100_000])
    assert tier_names(followers).tolist() == ["emerging", "nano", "nano", "micro", "micro", "mid"]
    tiktok, youtube = estimated_post_cost(np.array([20_000, 20_000]), np.array([1, 2]))
    assert np.isclose(tiktok, 0.06 * 20_000**0.85) and np.isclose(youtube, 0.12 * 20_000**0.85)
    docs = [make_creator("tt:x", followers=20_000, platform="tiktok")]
    f = _features(docs)
    assert f["cost_estimated"][0] == 1
    assert np.isclose(f["log_cost_per_post"][0], np.log10(tiktok))


def test_niche_focus_is_one_for_a_single_topic_and_lower_for_a_wandering_feed() -> None:
    e1, e2 = np.eye(4, dtype=np.float32)[:2]
    captions = np.stack([e1, e1, e1, e2])  # row 0: same topic twice; row 1: two topics
    bios = np.stack([e1, e2])
    vectors, focus = content_vectors(bios, captions, np.array([0, 0, 1, 1]), 2)
    assert np.isclose(focus[0], 1.0) and np.isclose(focus[1], np.sqrt(0.5))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.allclose(vectors[0], e1)  # bio and posts agree
