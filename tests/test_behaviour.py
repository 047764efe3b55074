"""Behavioural tests of the trained ranker through the API (Made-With-ML style, STYLE.md §6)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.factories import make_creator, make_post

pytestmark = pytest.mark.slow
HEADERS = {"X-API-Key": "k"}
TWIN_CAPTIONS = [
    "Passeggiata al mare con il mio cane, che felicità 🐶 #cani",
    "Crocchette nuove per Rocco: gli piacciono tantissimo #animali",
    "Il veterinario dice che Rocco sta benissimo",
    "Giornata al parco con gli amici a quattro zampe #dogsofinstagram",
    "Come insegno al mio cane a non tirare il guinzaglio",
]


@pytest.fixture(scope="module")
def client(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("behaviour") / "home"
    shutil.copytree(trained_home, home)
    with TestClient(create_app(Settings.from_env(home), KeyRing.parse("admin:k"))) as test_client:
        yield test_client


def _twin(creator_id: str, sponsored_share: float = 0.0, authentic: float = 0.92,
          engagement: float = 1.0) -> dict:
    posts = []
    for i in range(20):
        paid = i < round(20 * sponsored_share)
        caption = TWIN_CAPTIONS[i % len(TWIN_CAPTIONS)]
        posts.append(make_post(
            f"p{i}", f"2026-10-{i + 1:02d}T10:00:00Z",
            caption + (" #adv in collaborazione con @crocchettebuone" if paid else ""),
            int(400 * engagement), int(20 * engagement), creator_replies=8, sponsored=paid))
    return make_creator(creator_id, followers=12_000, country="MT", language="it",
                        bio="Io e il mio cane Rocco", categories=["pets"], posts=posts,
                        audience={"authentic_share": authentic, "female_share": 0.6,
                                  "countries": {"MT": 0.7, "IT": 0.2}})


def _scores(client: TestClient, creators: list[dict]) -> dict[str, float]:
    assert client.post("/v1/creators", json=creators, headers=HEADERS).status_code == 200
    body = {"brand": {"name": "Zampa Felice", "category": "pets",
                      "values": "cibo naturale per cani, benessere degli animali"},
            "k": 10, "filters": {"countries": ["MT"]}}
    matches = client.post("/v1/match", json=body, headers=HEADERS).json()["matches"]
    return {m["creator_id"]: m["score"] for m in matches}


def test_a_sponsored_twin_ranks_below_its_organic_twin(client: TestClient) -> None:
    scores = _scores(client, [_twin("ig:rocco.organic"), _twin("ig:rocco.paid", 0.4)])
    assert scores["ig:rocco.paid"] < scores["ig:rocco.organic"]


def test_an_inflated_audience_ranks_below_a_real_one(client: TestClient) -> None:
    scores = _scores(client, [_twin("ig:rocco.real"),
                              _twin("ig:rocco.bought", authentic=0.5, engagement=0.3)])
    assert scores["ig:rocco.bought"] < scores["ig:rocco.real"]


def _top(client: TestClient, values: str, k: int = 20) -> list[str]:
    body = {"brand": {"name": "Prova", "values": values}, "k": k}
    response = client.post("/v1/match", json=body, headers=HEADERS)
    assert response.status_code == 200
    return [m["creator_id"] for m in response.json()["matches"]]


def test_adding_vegan_to_a_brief_raises_vegan_creators(client: TestClient,
                                                       trained_home: Path) -> None:
    vegan = re.compile(r"vegan|vegetal|plant.based", re.IGNORECASE)
    with (trained_home / "world" / "creators.jsonl").open() as lines:
        talks_vegan = {
            c["creator_id"] for c in map(json.loads, lines)
            if sum(bool(vegan.search(p["caption"])) for p in c.get("posts", [])) >= 2
        }
    plain = _top(client, "cucina casalinga, ricette facili e ingredienti di stagione")
    with_vegan = _top(client, "cucina casalinga vegana, ricette facili vegan e ingredienti di "
                              "stagione")
    assert sum(c in talks_vegan for c in with_vegan) > sum(c in talks_vegan for c in plain)


def test_a_synonym_leaves_the_top_five_nearly_unchanged(client: TestClient) -> None:
    first = _top(client, "moda sostenibile, abiti di seconda mano e vintage", k=5)
    second = _top(client, "moda sostenibile, vestiti di seconda mano e vintage", k=5)
    assert len(set(first) & set(second)) >= 4


# The seed's signals, each moved alone on twins that differ in nothing else (the monotone
# constraints of both models, features.schema.ADVOCACY_MONOTONE, promise the direction for
# every `rank_by`): (name, worse twin's changes, better twin's changes, strictly better on
# `advocacy`).
BRIEF = {"name": "Zampa Felice", "category": "pets", "aliases": ["@zampafelice"],
         "competitors": ["@crocchettebuone"],
         "values": "cibo naturale per cani, benessere degli animali"}  # fmt: skip


def _matrix_twin(creator_id: str, change: dict) -> dict:
    posts = []
    for i in range(20):
        post = make_post(f"p{i}", f"2026-10-{i + 1:02d}T10:00:00Z",
                         TWIN_CAPTIONS[i % len(TWIN_CAPTIONS)], 400, 20,
                         creator_replies=change.get("replies", 8),
                         sponsored=i < change.get("paid_posts", 0))  # fmt: skip
        if i < change.get("mentioning_posts", 0):  # declared: the caption stays the same
            post["mentions"] = [change["mentions"]]
        posts.append(post)
    return make_creator(creator_id, followers=12_000, country="MT", language="it",
                        bio="Io e il mio cane Rocco", categories=["pets"], posts=posts,
                        audience={"authentic_share": change.get("authentic", 0.9),
                                  "female_share": 0.6, "countries": {"MT": 0.7, "IT": 0.2}})


MOVES = [
    ("sponsored saturation", {"paid_posts": 12}, {"paid_posts": 2}, True),
    ("audience authenticity", {"authentic": 0.55}, {"authentic": 0.95}, True),
    ("unpaid brand mentions", {}, {"mentioning_posts": 3, "mentions": "@zampafelice"}, True),
    ("unpaid category mentions", {}, {"mentioning_posts": 3, "mentions": "@crocchettebuone"},
     False),
    ("reply rate", {"replies": 0}, {"replies": 18}, True),
]  # fmt: skip


@pytest.mark.parametrize(("signal", "worse", "better", "strict"), MOVES, ids=[m[0] for m in MOVES])
@pytest.mark.parametrize("rank_by", ["advocacy", "engagement", "value"])
def test_each_seed_signal_moves_the_served_score_its_way(
    client: TestClient, signal: str, worse: dict, better: dict, strict: bool, rank_by: str
) -> None:
    slug = signal.replace(" ", "")
    low, high = f"ig:low.{slug}.{rank_by}", f"ig:high.{slug}.{rank_by}"
    twins = [_matrix_twin(low, worse), _matrix_twin(high, better)]
    assert client.post("/v1/creators", json=twins, headers=HEADERS).status_code == 200
    body = {"brand": BRIEF, "k": 50, "rank_by": rank_by, "explain": False,
            "filters": {"countries": ["MT"], "exclude_creator_ids": []}}  # fmt: skip
    answer = client.post("/v1/match", json=body, headers=HEADERS).json()
    assert answer["rank_by"] == rank_by
    scores = {m["creator_id"]: m["score"] for m in answer["matches"]}
    assert scores[high] >= scores[low], (signal, rank_by, scores[high], scores[low])
    if strict and rank_by == "advocacy":
        assert scores[high] > scores[low], (signal, scores[high], scores[low])
