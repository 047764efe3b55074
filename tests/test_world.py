"""The synthetic world: published-figure properties, the data contract, and determinism."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from training.world import World, generate_world, write_world
from training.world.spec import NICHES
from training.world.vocabulary import validate, vocabulary

ID_RE = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
RFC3339_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DISCLOSURE_RE = re.compile(
    r"#ad\b|#adv\b|#sponsored|#advertising|#partner\b|#gifted|paid partnership|"
    r"in collaborazione con|en colaboración con|#suppliedby|publicidad|#colaboración|#publi\b",
    re.IGNORECASE,
)
CREATOR_KEYS = {"creator_id", "handle", "platform", "followers", "following", "country",
                "language", "bio", "categories", "posts", "audience", "rate_card"}  # fmt: skip
POST_KEYS = {"post_id", "posted_at", "caption", "likes", "comments", "views", "sponsored",
             "creator_replies", "mentions", "campaign_id"}  # fmt: skip
BRAND_KEYS = {"brand_id", "name", "category", "values", "description", "markets", "languages",
              "audience", "aliases", "competitors", "budget"}  # fmt: skip
OUTCOME_KEYS = {"brand_id", "creator_id", "campaign_id", "stage", "engagement_rate", "advocate",
                "started_at", "observed_at"}  # fmt: skip


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(1_500, 20, seed=11)


def engagement_rate(creator: dict[str, Any]) -> float:
    posts = creator["posts"]
    return float(np.mean([(p["likes"] + p["comments"]) / creator["followers"] for p in posts]))


def median_rate(world: World, platform: str, low: float, high: float,
                keep: Callable[[dict[str, Any]], bool] = lambda c: True) -> float:  # fmt: skip
    rates = [engagement_rate(c) for c in world.creators
             if c["platform"] == platform and low <= c["followers"] < high and keep(c)]  # fmt: skip
    assert len(rates) >= 15, f"too few {platform} creators in [{low}, {high})"
    return float(np.median(rates))


def authentic_share(creator: dict[str, Any]) -> float | None:
    share = creator.get("audience", {}).get("authentic_share")
    return None if share is None else float(share)


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_identical_world() -> None:
    first, second = generate_world(200, 6, seed=3), generate_world(200, 6, seed=3)
    assert json.dumps(first.creators) == json.dumps(second.creators)
    assert first.brands == second.brands and first.outcomes == second.outcomes


def test_different_seed_gives_different_world() -> None:
    assert generate_world(200, 6, seed=3).creators != generate_world(200, 6, seed=4).creators


def test_progress_bar_does_not_change_the_world() -> None:
    assert generate_world(50, 3, seed=5, progress=True) == generate_world(50, 3, seed=5)


# --- published figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "band"),
    [(1_000, 5_000, (0.03, 0.055)), (5_000, 20_000, (0.017, 0.03)),
     (20_000, 100_000, (0.011, 0.022))],
)  # fmt: skip
def test_instagram_median_engagement_follows_benchmarks(
    world: World, low: int, high: int, band: tuple[float, float]
) -> None:
    assert band[0] <= median_rate(world, "instagram", low, high) <= band[1]


@pytest.mark.parametrize(("low", "high"), [(1_000, 10_000), (10_000, 100_000)])
def test_tiktok_engages_several_times_more_than_instagram(
    world: World, low: int, high: int
) -> None:
    instagram = median_rate(world, "instagram", low, high)
    assert median_rate(world, "tiktok", low, high) > 2 * instagram
    assert median_rate(world, "youtube", low, high) < instagram


def test_youtube_likes_per_subscriber_are_low_and_videos_report_views(world: World) -> None:
    assert 0.008 <= median_rate(world, "youtube", 1_000, 10_000) <= 0.03
    videos = [p for c in world.creators if c["platform"] != "instagram" for p in c["posts"]]
    assert all(isinstance(p["views"], int) for p in videos)
    instagram = [p for c in world.creators if c["platform"] == "instagram" for p in c["posts"]]
    assert 0.5 < np.mean([p["views"] is None for p in instagram]) < 0.95


def test_comments_are_a_small_share_of_likes(world: World) -> None:
    likes = sum(p["likes"] for c in world.creators for p in c["posts"])
    comments = sum(p["comments"] for c in world.creators for p in c["posts"])
    assert 0.02 <= comments / likes <= 0.06


def test_most_creators_are_nano_or_micro(world: World) -> None:
    followers = np.array([c["followers"] for c in world.creators])
    assert np.mean((followers >= 1_000) & (followers < 100_000)) > 0.75
    assert np.mean(followers < 1_000) > 0.01  # some emerging creators
    assert np.mean(followers >= 100_000) > 0.02  # a few mid, macro and mega


def test_languages_platforms_and_countries(world: World) -> None:
    n = len(world.creators)
    languages = Counter(c["language"] for c in world.creators)
    assert abs(languages["it"] / n - 0.5) < 0.05
    assert abs(languages["en"] / n - 0.3) < 0.05
    assert abs(languages["es"] / n - 0.2) < 0.05
    platforms = Counter(c["platform"] for c in world.creators)
    assert abs(platforms["instagram"] / n - 0.6) < 0.05
    assert abs(platforms["tiktok"] / n - 0.28) < 0.05
    homes = {"it": {"IT", "CH", "SM"}, "en": {"GB", "US", "IE"}, "es": {"ES", "MX", "AR"}}
    assert all(c["country"] in homes[c["language"]] for c in world.creators)


def test_inflated_minority_engages_less_than_authentic_peers(world: World) -> None:
    known = [c for c in world.creators if authentic_share(c) is not None]
    inflated = [c for c in known if (authentic_share(c) or 1.0) < 0.75]
    assert 0.05 <= len(inflated) / len(known) <= 0.15
    for low, high in [(1_000, 10_000), (10_000, 100_000)]:
        fake = [engagement_rate(c) for c in inflated if low <= c["followers"] < high
                and c["platform"] == "instagram"]  # fmt: skip
        real = [engagement_rate(c) for c in known if low <= c["followers"] < high
                and c["platform"] == "instagram" and (authentic_share(c) or 0) >= 0.78]  # fmt: skip
        assert np.median(fake) < 0.7 * np.median(real)


def test_audience_shares_are_consistent(world: World) -> None:
    audiences = [c["audience"] for c in world.creators if "audience" in c]
    assert 0.78 <= len(audiences) / len(world.creators) <= 0.92
    for audience in audiences:
        assert sum(audience["countries"].values()) <= 1.0 + 1e-9
        assert abs(sum(audience["ages"].values()) - 1.0) < 0.01
        assert 0.0 <= audience["female_share"] <= 1.0
    beauty = [c["audience"]["female_share"] for c in world.creators
              if "audience" in c and c["categories"][0] == "beauty"]  # fmt: skip
    gaming = [c["audience"]["female_share"] for c in world.creators
              if "audience" in c and c["categories"][0] == "gaming"]  # fmt: skip
    assert np.mean(beauty) > np.mean(gaming) + 0.3


# --- the data contract ------------------------------------------------------------------------


def test_creators_follow_the_contract(world: World) -> None:
    ids = [c["creator_id"] for c in world.creators]
    assert len(set(ids)) == len(ids)
    for creator in world.creators:
        assert set(creator) <= CREATOR_KEYS, "no latent field may leak into the output"
        assert ID_RE.match(creator["creator_id"]) and isinstance(creator["handle"], str)
        assert creator["platform"] in ("instagram", "tiktok", "youtube")
        assert isinstance(creator["followers"], int) and creator["followers"] >= 0
        assert set(creator["categories"]) <= set(NICHES)
        assert 12 <= len(creator["posts"]) <= 200
        post_ids = [p["post_id"] for p in creator["posts"]]
        assert len(set(post_ids)) == len(post_ids)
        for post in creator["posts"]:
            assert set(post) <= POST_KEYS and RFC3339_RE.match(post["posted_at"])
            assert isinstance(post["likes"], int) and isinstance(post["comments"], int)
            assert 0 < len(post["caption"]) <= 5_000
            assert "2025-11-01" <= post["posted_at"] < "2026-11-01"


def test_records_validate_against_the_contract_models(world: World) -> None:
    contract = pytest.importorskip("microtribe.contract")
    for creator in world.creators[:300]:
        contract.Creator.model_validate(creator)
    for brand in world.brands:
        contract.Brand.model_validate(brand)
    for outcome in world.outcomes:
        contract.Outcome.model_validate(outcome)


def test_brands_follow_the_contract(world: World) -> None:
    ids = [b["brand_id"] for b in world.brands]
    assert len(set(ids)) == len(ids)
    names = {b["name"]: b["category"] for b in world.brands}
    assert {b["category"] for b in world.brands} == set(NICHES)  # every niche has a brand
    for brand in world.brands:
        assert set(brand) <= BRAND_KEYS and ID_RE.match(brand["brand_id"])
        assert brand["values"] and brand["description"] and brand["markets"]
        assert brand["aliases"][0].startswith("@")
        assert 1_000 <= brand["budget"]["amount"] <= 50_000
        assert all(names[rival] == brand["category"] for rival in brand["competitors"])


def test_outcomes_follow_the_contract(world: World) -> None:
    creators = {c["creator_id"] for c in world.creators}
    brands = {b["brand_id"] for b in world.brands}
    keys = [(o["brand_id"], o["creator_id"], o["campaign_id"]) for o in world.outcomes]
    assert len(set(keys)) == len(keys)
    per_brand = Counter(o["brand_id"] for o in world.outcomes)
    assert all(80 <= n <= 150 for n in per_brand.values())
    for outcome in world.outcomes:
        assert set(outcome) <= OUTCOME_KEYS
        assert outcome["creator_id"] in creators and outcome["brand_id"] in brands
        assert "2026-03-01" <= outcome["observed_at"] <= "2026-10-31T23:59:59Z"
        assert "2026-02-10" <= outcome["started_at"] <= outcome["observed_at"]
        labelled = outcome["stage"] in ("completed", "posted")
        assert labelled or ("advocate" not in outcome and "engagement_rate" not in outcome)
        if outcome["stage"] == "completed":
            assert isinstance(outcome["advocate"], bool)
            assert 0 < outcome["engagement_rate"] < 1
    stages = Counter(o["stage"] for o in world.outcomes)
    assert stages.most_common(1)[0][0] == "completed" and len(stages) == 6


def test_sponsored_posts_disclose_and_some_leave_the_flag_out(world: World) -> None:
    posts = [p for c in world.creators for p in c["posts"]]
    flagged = [p for p in posts if p.get("sponsored") is True]
    assert flagged and all(DISCLOSURE_RE.search(p["caption"]) for p in flagged)
    organic = [p for p in posts if p.get("sponsored") is False]
    assert not any(DISCLOSURE_RE.search(p["caption"]) for p in organic)
    unflagged_ads = [
        p for p in posts if "sponsored" not in p and DISCLOSURE_RE.search(p["caption"])
    ]
    assert len(unflagged_ads) > 0.2 * len(flagged)
    assert 0.65 <= np.mean(["sponsored" in p for p in posts]) <= 0.75


def test_disclosures_agree_with_the_project_detector(world: World) -> None:
    text = pytest.importorskip("features.text")
    posts = [p for c in world.creators[:400] for p in c["posts"] if "sponsored" in p]
    assert all(text.is_disclosed(p["caption"]) == p["sponsored"] for p in posts)


def test_mentions_field_lists_the_caption_handles(world: World) -> None:
    posts = [p for c in world.creators for p in c["posts"]]
    with_field = [p for p in posts if "mentions" in p]
    assert 0.55 <= len(with_field) / len(posts) <= 0.65
    for post in with_field:
        handles = re.findall(r"@[A-Za-z0-9_.]*[A-Za-z0-9_]", post["caption"])
        assert post["mentions"] == list(dict.fromkeys(handles))


def test_creators_mention_catalogue_brands_unpaid(world: World) -> None:
    handles = [b["aliases"][0] for b in world.brands]
    organic = [p["caption"] for c in world.creators for p in c["posts"]
               if p.get("sponsored") is False]  # fmt: skip
    mentioning = [caption for caption in organic if any(h in caption for h in handles)]
    assert 0.005 < len(mentioning) / len(organic) < 0.1


def test_captions_are_written_in_the_creators_language(world: World) -> None:
    markers = {"it": (" di ", " per ", " con "), "en": (" the ", " and ", " with "),
               "es": (" de ", " para ", " con ")}  # fmt: skip

    def share(language: str, words: tuple[str, ...]) -> float:
        captions = [p["caption"] for c in world.creators if c["language"] == language
                    for p in c["posts"]]  # fmt: skip
        return float(np.mean([any(w in caption for w in words) for caption in captions]))

    assert share("it", markers["it"]) > 2 * share("en", markers["it"])
    assert share("en", markers["en"]) > 2 * share("it", markers["en"])
    assert share("es", markers["es"]) > 2 * share("en", markers["es"])


def test_post_dates_straddle_the_observations(world: World) -> None:
    first_observation = min(o["observed_at"] for o in world.outcomes)
    posts = [p["posted_at"] for c in world.creators for p in c["posts"]]
    assert any(at > first_observation for at in posts)
    assert any(at < first_observation for at in posts)


# --- the latent advocacy model, seen through observable fields --------------------------------


def test_advocate_rate_among_completed_campaigns(world: World) -> None:
    completed = [o["advocate"] for o in world.outcomes if o["stage"] == "completed"]
    assert 0.2 <= np.mean(completed) <= 0.4


def test_advocates_cover_the_brand_category_more_than_non_advocates(world: World) -> None:
    creators = {c["creator_id"]: c for c in world.creators}
    category = {b["brand_id"]: b["category"] for b in world.brands}
    covers: dict[bool, list[float]] = {True: [], False: []}
    for outcome in world.outcomes:
        if outcome["stage"] == "completed":
            creator = creators[outcome["creator_id"]]
            covers[outcome["advocate"]].append(
                category[outcome["brand_id"]] in creator["categories"]
            )
    assert np.mean(covers[True]) > np.mean(covers[False]) + 0.2


def test_advocates_post_more_category_hashtags(world: World) -> None:
    creators = {c["creator_id"]: c for c in world.creators}
    brands = {b["brand_id"]: b for b in world.brands}

    def hashtag_share(creator: dict[str, Any], brand: dict[str, Any]) -> float:
        tags = vocabulary(brand["languages"][0]).niche_hashtags[brand["category"]]
        return float(np.mean([any(t in p["caption"] for t in tags) for p in creator["posts"]]))

    shares: dict[bool, list[float]] = {True: [], False: []}
    for outcome in world.outcomes:
        if outcome["stage"] == "completed":
            creator, brand = creators[outcome["creator_id"]], brands[outcome["brand_id"]]
            shares[outcome["advocate"]].append(hashtag_share(creator, brand))
    assert np.mean(shares[True]) > np.mean(shares[False])


# --- vocabularies and files -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["it", "en", "es"])
def test_vocabularies_are_rich_enough(language: str) -> None:
    vocab = vocabulary(language)
    validate(vocab)
    assert len(vocab.caption_templates) >= 15
    assert all(len(set(vocab.niche_terms[niche])) >= 40 for niche in NICHES)


def test_write_world_writes_utf8_jsonl_and_is_safe_to_rerun(tmp_path: Path) -> None:
    small = generate_world(60, 4, seed=1)
    counts = write_world(small, tmp_path)
    counts_again = write_world(small, tmp_path)
    assert counts == counts_again == {"creators": 60, "brands": 4, "outcomes": len(small.outcomes),
                                      "truth_pairs": 4 * 60}  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "brands.jsonl", "creators.jsonl", "outcomes.jsonl", "truth.npz",
    ]  # fmt: skip
    lines = (tmp_path / "creators.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == small.creators
    assert "\\u" not in (tmp_path / "brands.jsonl").read_text(encoding="utf-8")


def test_campaign_posts_come_after_their_decision_and_name_their_campaign(world: World) -> None:
    started = {(o["creator_id"], o["campaign_id"]): o["started_at"] for o in world.outcomes}
    tagged = [(c["creator_id"], p) for c in world.creators for p in c["posts"]
              if "campaign_id" in p]  # fmt: skip
    assert tagged, "some campaign posts carry their campaign_id"
    for creator_id, post in tagged:
        assert post["sponsored"] is True
        assert post["posted_at"] >= started[(creator_id, post["campaign_id"])]
