"""The alternative evaluation world: contract, determinism, dates, grades and language."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from features.text import is_disclosed
from microtribe.contract import Brand, Creator, Outcome
from training.world_alt import AltWorld, generate_alt_world, write_alt_world

CREATOR_KEYS = set(Creator.model_fields)
BRAND_KEYS = set(Brand.model_fields)
POST_KEYS = {"post_id", "posted_at", "caption", "likes", "comments", "views", "sponsored",
             "creator_replies", "mentions", "campaign_id"}  # fmt: skip
OUTCOME_KEYS = set(Outcome.model_fields) | {"started_at"}
IT_WORDS = {"il", "della", "dei", "che", "per", "non", "sono", "ho", "gli", "anche", "alla",
            "nel", "questo", "questa", "più", "tra", "mi", "ci"}  # fmt: skip
EN_WORDS = {"the", "and", "my", "with", "for", "of", "is", "this", "you", "at", "again"}
ES_WORDS = {"el", "los", "las", "que", "por", "para", "muy", "sin", "como", "del", "lo", "mi"}


@pytest.fixture(scope="module")
def alt() -> AltWorld:
    return generate_alt_world(1_500, 20, seed=11)


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def grade_of(alt: AltWorld) -> dict[tuple[str, str], int]:
    return {(brand, creator): grade for brand, creator, grade in alt.grades}


def test_same_arguments_same_bytes(tmp_path: Path) -> None:
    first = write_alt_world(generate_alt_world(300, 8, seed=4), tmp_path / "a")
    second = write_alt_world(generate_alt_world(300, 8, seed=4), tmp_path / "b")
    assert first == second
    for name in ("creators.jsonl", "brands.jsonl", "outcomes.jsonl", "grades.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    other = write_alt_world(generate_alt_world(300, 8, seed=5), tmp_path / "c")
    assert other["creators"] == 300
    assert (tmp_path / "c" / "creators.jsonl").read_bytes() != (
        tmp_path / "a" / "creators.jsonl"
    ).read_bytes()


def test_records_follow_the_contract(alt: AltWorld) -> None:
    for creator in alt.world.creators:
        Creator.model_validate(creator)
        assert set(creator) <= CREATOR_KEYS
        assert all(set(post) <= POST_KEYS for post in creator["posts"])
    for brand in alt.world.brands:
        Brand.model_validate(brand)
        assert set(brand) <= BRAND_KEYS
    for outcome in alt.world.outcomes:
        Outcome.model_validate(outcome)
        assert set(outcome) <= OUTCOME_KEYS
    ids = [creator["creator_id"] for creator in alt.world.creators]
    assert len(set(ids)) == len(ids)


def test_outcomes_have_dates_and_labels(alt: AltWorld) -> None:
    rows = alt.world.outcomes
    assert {row["stage"] for row in rows} == {
        "proposed", "contacted", "accepted", "declined", "posted", "completed"
    }  # fmt: skip
    keys = [(row["brand_id"], row["creator_id"], row["campaign_id"]) for row in rows]
    assert len(set(keys)) == len(keys)
    for row in rows:
        assert when(row["started_at"]) < when(row["observed_at"]) <= when("2026-11-01T00:00:00Z")
        assert ("engagement_rate" in row) == (row["stage"] in ("posted", "completed"))
        assert ("advocate" in row) == (row["stage"] == "completed")
    completed = [row["advocate"] for row in rows if row["stage"] == "completed"]
    assert 0.18 <= float(np.mean(completed)) <= 0.42


def test_campaign_posts_come_after_the_choice(alt: AltWorld) -> None:
    started = {(row["creator_id"], row["campaign_id"]): row["started_at"]
               for row in alt.world.outcomes}  # fmt: skip
    tagged = [(creator["creator_id"], post) for creator in alt.world.creators
              for post in creator["posts"] if "campaign_id" in post]  # fmt: skip
    delivered = sum(row["stage"] in ("posted", "completed") for row in alt.world.outcomes)
    assert 0.35 * delivered <= len(tagged) <= 0.65 * delivered  # about half carry the id
    for creator_id, post in tagged:
        assert when(post["posted_at"]) > when(started[(creator_id, post["campaign_id"])])
        assert post.get("sponsored") is True or is_disclosed(post["caption"])


def test_organic_posts_carry_no_disclosure(alt: AltWorld) -> None:
    posts = [post for creator in alt.world.creators for post in creator["posts"]]
    explicit = [post for post in posts if "sponsored" in post]
    assert 0.4 <= len(explicit) / len(posts) <= 0.6
    organic = [post for post in explicit if not post["sponsored"]]
    assert not [post for post in organic if is_disclosed(post["caption"])]
    assert sum(is_disclosed(post["caption"]) for post in posts) > 0.05 * len(posts)


def test_grades_cover_every_brand(alt: AltWorld, tmp_path: Path) -> None:
    threes = Counter(brand for brand, _, grade in alt.grades if grade == 3)
    assert all(threes[brand["brand_id"]] >= 3 for brand in alt.world.brands)
    assert {grade for *_, grade in alt.grades} == {1, 2, 3}
    counts = write_alt_world(alt, tmp_path)
    with (tmp_path / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert counts["grades"] == len(rows) == len(alt.grades)
    assert set(rows[0]) == {"brand_id", "creator_id", "grade"}


def test_big_names_never_grade_three(alt: AltWorld) -> None:
    followers = {creator["creator_id"]: creator["followers"] for creator in alt.world.creators}
    big = [c for c, n in followers.items() if n > 500_000]
    assert big, "the world should hold a few celebrities"
    assert not [g for g in alt.grades if g[2] == 3 and followers[g[1]] > 500_000]


def test_advocates_are_mostly_good_fits(alt: AltWorld) -> None:
    grades = grade_of(alt)
    advocates = [row for row in alt.world.outcomes if row.get("advocate")]
    fits = [grades.get((row["brand_id"], row["creator_id"]), 0) >= 2 for row in advocates]
    assert len(advocates) >= 30
    assert float(np.mean(fits)) >= 0.8


def _language(caption: str) -> str | None:
    words = set(re.findall(r"[a-zàèéìòùáíóúñ']+", caption.lower()))
    hits = {"it": len(words & IT_WORDS), "en": len(words & EN_WORDS), "es": len(words & ES_WORDS)}
    best = max(hits, key=lambda k: hits[k])
    return best if hits[best] else None


def test_text_is_mostly_italian(alt: AltWorld) -> None:
    languages = Counter(c.get("language") for c in alt.world.creators)
    assert languages["it"] > languages["en"] + languages["es"]
    guessed = Counter(_language(p["caption"]) for c in alt.world.creators for p in c["posts"])
    known = guessed["it"] + guessed["en"] + guessed["es"]
    assert guessed["it"] / known > 0.5
    assert guessed["en"] > 0 and guessed["es"] > 0


def test_two_thousand_creators_and_twenty_brands_are_generated() -> None:
    # its speed is measured by bench/generator_speed.py, not asserted here
    alt = generate_alt_world(2_000, 20, seed=0)
    assert len(alt.world.creators) == 2_000 and len(alt.world.brands) == 20
