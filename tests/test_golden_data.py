"""The golden set's data: both parts validate against the contract and every pair is graded."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from microtribe.contract import Brand, Creator
from training.graded import GOLDEN_DIR, GOLDEN_TEST_DIR, golden_set

PARTS = {"dev": GOLDEN_DIR, "test": GOLDEN_TEST_DIR}
DEV_CREATORS = 78
BRIEFS = 8


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _grade_rows(directory: Path) -> list[dict[str, str]]:
    with (directory / "grades.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


BRANDS = _jsonl(GOLDEN_DIR / "brands.jsonl")
CREATORS = {part: _jsonl(directory / "creators.jsonl") for part, directory in PARTS.items()}


def test_brands_validate() -> None:
    assert len(BRANDS) == BRIEFS
    ids = [Brand.model_validate(brand).brand_id for brand in BRANDS]
    assert len(set(ids)) == BRIEFS
    assert not (GOLDEN_TEST_DIR / "brands.jsonl").exists()  # the test part reuses the 8 briefs


@pytest.mark.parametrize("part", sorted(PARTS))
def test_creators_validate(part: str) -> None:
    for row in CREATORS[part]:
        creator = Creator.model_validate(row)
        assert creator.posts, creator.creator_id


def test_creator_and_post_ids_unique_across_parts() -> None:
    creator_ids = [c["creator_id"] for rows in CREATORS.values() for c in rows]
    assert len(creator_ids) == len(set(creator_ids))
    post_ids = [(c["creator_id"], p["post_id"]) for rows in CREATORS.values() for c in rows
                for p in c["posts"]]  # fmt: skip
    assert len(post_ids) == len(set(post_ids))
    test_post_ids = [p["post_id"] for c in CREATORS["test"] for p in c["posts"]]
    assert len(test_post_ids) == len(set(test_post_ids))


def test_test_part_shape() -> None:
    creators = CREATORS["test"]
    assert len(creators) >= 40
    for c in creators:
        assert 8 <= len(c["posts"]) <= 16, c["creator_id"]
        for post in c["posts"]:
            assert post["post_id"].startswith(f"{c['handle']}-")
            assert "2026-05-01" <= post["posted_at"][:10] <= "2026-10-31", post["post_id"]


@pytest.mark.parametrize("part", sorted(PARTS))
def test_every_pair_graded_once(part: str) -> None:
    rows = _grade_rows(PARTS[part])
    pairs = [(r["brand_id"], r["creator_id"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    expected = {(b["brand_id"], c["creator_id"]) for b in BRANDS for c in CREATORS[part]}
    assert set(pairs) == expected
    assert all(r["grade"] in {"0", "1", "2", "3"} for r in rows)


def test_golden_set_parts() -> None:
    dev, test, everything = golden_set("dev"), golden_set("test"), golden_set("all")
    assert golden_set().name == dev.name == "golden"
    assert len(dev.creators) == DEV_CREATORS
    assert len(test.creators) == len(CREATORS["test"])
    assert len(everything.creators) == DEV_CREATORS + len(test.creators)
    for graded in (dev, test, everything):
        assert len(graded.brands) == BRIEFS
        assert len(graded.grades) == BRIEFS * len(graded.creators)
    with pytest.raises(ValueError):
        golden_set("train")  # type: ignore[arg-type]
