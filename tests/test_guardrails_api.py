"""Red flags and guardrails on served requests (docs/ranking.md, "Red flags and guardrails").

Twins that differ in one signal are upserted into the trained home and matched through the
API: the flag, its value and its evidence must be what the posts show, the default demotion
must have its documented magnitude, an override must change the order as documented, and
`explain_creator_ids` must name what removed a creator.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.factories import make_creator, make_post

pytestmark = pytest.mark.slow
HEADERS = {"X-API-Key": "k"}
CAPTIONS = [
    "Passeggiata al mare con il mio cane, che felicità 🐶 #cani",
    "Crocchette nuove per Rocco: gli piacciono tantissimo #animali",
    "Il veterinario dice che Rocco sta benissimo",
    "Giornata al parco con gli amici a quattro zampe #dogsofinstagram",
    "Come insegno al mio cane a non tirare il guinzaglio",
]
# Two unpaid posts against the brief's world (dogs): a critic, not an advocate
CRITIC = (
    "Ho dato via il cane e non mi manca per niente: mai più animali in casa, i cani sono una "
    "schiavitù",
    "Ho smesso di seguire i profili di cani, che noia: il cane al guinzaglio tutto il giorno "
    "è una moda ridicola",
)
BRIEF = {"name": "Zampa Felice", "category": "pets", "markets": ["MT"], "languages": ["it"],
         "values": "cibo naturale per cani, benessere degli animali"}  # fmt: skip


def twin(
    creator_id: str,
    paid: int = 0,
    mentions: int = 0,
    authentic: float = 0.92,
    country: str = "MT",
    language: str = "it",
    extra_captions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A dog creator with 14 recent posts; the first `paid` are disclosed ads, the next
    `mentions` name the brand unpaid; posts end on October 28."""
    captions = [CAPTIONS[i % len(CAPTIONS)] for i in range(14)]
    for i in range(paid, paid + mentions):
        captions[i] += " Le crocchette di @zampafelice sono le uniche che Rocco mangia"
    for i in range(paid):
        captions[i] += " #adv in collaborazione con @crocchettebuone"
    for i, caption in enumerate(extra_captions):
        captions[paid + mentions + i] = caption
    posts = [
        make_post(f"{creator_id}-p{i:02d}", f"2026-10-{28 - i:02d}T10:00:00Z", caption,
                  400, 20, creator_replies=8)
        for i, caption in enumerate(captions)
    ]  # fmt: skip
    return make_creator(creator_id, followers=12_000, following=300, country=country,
                        language=language, bio="Io e il mio cane Rocco", categories=["pets"],
                        posts=posts, audience={"authentic_share": authentic, "female_share": 0.6,
                                               "countries": {country: 0.7, "IT": 0.2}})  # fmt: skip


@pytest.fixture(scope="module")
def client(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("guardrails") / "home"
    shutil.copytree(trained_home, home)
    creators = [
        twin("ig:clean"),
        twin("ig:billboard", paid=13, mentions=1),
        twin("ig:bought", authentic=0.3),
        twin("ig:asleep"),
        twin("ig:abroad", country="ES", language="es"),
        twin("ig:critic", extra_captions=CRITIC),
    ]
    # asleep's posts are the clean twin's, three months earlier: its newest is July 28, more
    # than 60 days behind the catalog's newest post
    for post in creators[3]["posts"]:
        post["posted_at"] = post["posted_at"].replace("2026-10-", "2026-07-")
    settings = Settings.from_env(home)
    with TestClient(create_app(settings, KeyRing.parse("admin:k"))) as test_client:
        assert test_client.post("/v1/creators", json=creators, headers=HEADERS).status_code == 200
        yield test_client


def match(client: TestClient, **body: Any) -> dict[str, Any]:
    request = {"brand": BRIEF, "k": 20, "filters": {"countries": ["MT", "ES"]}, **body}
    response = client.post("/v1/match", json=request, headers=HEADERS)
    assert response.status_code == 200, response.text
    return response.json()


def by_id(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["creator_id"]: m for m in answer["matches"]}


def flags_of(match: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["flag"]: f for f in match["flags"]}


def test_each_twin_raises_its_flag_and_only_it(client: TestClient) -> None:
    found = by_id(match(client))
    assert flags_of(found["ig:clean"]) == {}
    assert set(flags_of(found["ig:billboard"])) == {"saturated"}
    assert set(flags_of(found["ig:bought"])) == {"suspicious_audience"}
    assert set(flags_of(found["ig:asleep"])) == {"inactive"}
    assert set(flags_of(found["ig:abroad"])) == {"off_market"}
    assert set(flags_of(found["ig:critic"])) == {"critical_stance"}


def test_flag_evidence_is_what_the_posts_show(client: TestClient) -> None:
    found = by_id(match(client))
    saturated = flags_of(found["ig:billboard"])["saturated"]
    assert saturated["value"] == pytest.approx(13 / 14, abs=1e-4)
    assert saturated["threshold"] == 0.4 and saturated["action"] == "demote"
    # the 13 disclosed posts, newest first; not the unpaid mention
    assert saturated["evidence"] == [f"ig:billboard-p{i:02d}" for i in range(13)]
    inactive = flags_of(found["ig:asleep"])["inactive"]
    assert inactive["evidence"] == ["ig:asleep-p00"]  # the newest post
    assert inactive["value"] > 60
    assert flags_of(found["ig:bought"])["suspicious_audience"]["value"] == pytest.approx(0.3)
    critical = flags_of(found["ig:critic"])["critical_stance"]
    assert critical["value"] == 2 and critical["threshold"] == 2
    assert critical["evidence"] == ["ig:critic-p00", "ig:critic-p01"]  # the two posts against


def test_a_billboard_with_one_more_unpaid_mention_stays_below_its_clean_twin(
    client: TestClient,
) -> None:
    found = by_id(match(client))
    clean, billboard = found["ig:clean"], found["ig:billboard"]
    assert billboard["rank"] > clean["rank"]
    # before any demotion, thirteen ads cost more than an e-fold of the odds of advocacy
    # against one more unpaid mention (the prior alone: −4.5 × 0.78 + 2 × log 2 = −2.1)
    def odds(p: float) -> float:
        return p / (1 - p)

    assert odds(billboard["advocacy_fit"]) < odds(clean["advocacy_fit"]) / np.e


def test_a_demoted_twin_sits_just_below_its_lowest_clean_peer(client: TestClient) -> None:
    names = ("saturated", "suspicious_audience", "inactive", "critical_stance", "off_market")
    demoted = by_id(match(client))
    ignored = by_id(match(client, guardrails=dict.fromkeys(names, "ignore")))
    clean = demoted["ig:clean"]["score"]
    assert clean == ignored["ig:clean"]["score"]
    for creator_id in ("ig:billboard", "ig:bought", "ig:asleep", "ig:abroad", "ig:critic"):
        assert demoted[creator_id]["advocacy_fit"] == ignored[creator_id]["advocacy_fit"]
        assert flags_of(ignored[creator_id])  # ignored flags are still reported
        # the twins share their content: each demoted one is a peer of the clean twin, so
        # its score is at most the clean twin's, and unchanged when already below it
        assert demoted[creator_id]["score"] <= min(clean, ignored[creator_id]["score"])
        assert demoted[creator_id]["rank"] > demoted["ig:clean"]["rank"]
    # an ignored flag lets a twin that the model prefers outrank the clean one again
    lifted = [c for c in ("ig:asleep", "ig:abroad") if ignored[c]["score"] > clean]
    for creator_id in lifted:
        assert ignored[creator_id]["rank"] < ignored["ig:clean"]["rank"]


def test_an_override_excludes_and_explain_names_the_flag(client: TestClient) -> None:
    answer = match(
        client,
        guardrails={"saturated": "exclude", "inactive": {"action": "exclude", "threshold": 400}},
        explain_creator_ids=["ig:billboard", "ig:asleep", "ig:clean", "ig:nobody"],
    )
    found = by_id(answer)
    assert "ig:billboard" not in found
    assert "ig:asleep" in found  # a threshold above its value: not raised, kept
    assert "inactive" not in flags_of(found["ig:asleep"])
    explained = {e["creator_id"]: e for e in answer["explained"]}
    assert explained["ig:billboard"] == {"creator_id": "ig:billboard", "rank": None,
                                         "removed_by": "flag:saturated"}  # fmt: skip
    assert explained["ig:clean"]["rank"] == found["ig:clean"]["rank"]
    assert explained["ig:clean"]["removed_by"] is None
    assert explained["ig:nobody"]["removed_by"] == "unknown_creator"


def test_explain_names_the_filter_that_removed_a_creator(client: TestClient) -> None:
    answer = match(client, filters={"countries": ["MT"]}, explain_creator_ids=["ig:abroad"])
    assert answer["explained"] == [
        {"creator_id": "ig:abroad", "rank": None, "removed_by": "filter:countries"}
    ]


def test_a_lower_threshold_raises_the_flag_on_a_milder_feed(client: TestClient) -> None:
    found = by_id(match(client, guardrails={"saturated": {"action": "demote", "threshold": 0.0}}))
    assert flags_of(found["ig:clean"])["saturated"]["threshold"] == 0.0


def test_a_missing_brand_name_is_unknown_never_a_reason_against(client: TestClient) -> None:
    brief = {key: value for key, value in BRIEF.items() if key != "name"}
    answer = match(client, brand=brief)
    for found in answer["matches"]:
        for reason in found["reasons"]:
            if reason["feature"] in ("brand_mentions", "competitor_mentions"):
                assert reason["unknown"] and reason["contribution"] == 0.0
                assert reason["value"] is None


def test_bad_guardrails_are_422_naming_the_field(client: TestClient) -> None:
    response = client.post(
        "/v1/match",
        json={"brand": BRIEF, "guardrails": {"saturated": "hide"}},
        headers=HEADERS,
    )
    assert response.status_code == 422
    fields = [d["field"] for d in response.json()["error"]["details"]]
    assert any("guardrails" in field and "saturated" in field for field in fields), fields


def test_plans_and_lookalikes_carry_the_same_flags(client: TestClient) -> None:
    plan = client.post(
        "/v1/plan",
        json={"brand": BRIEF, "budget": 100_000, "filters": {"countries": ["MT", "ES"]},
              "include_creator_ids": ["ig:billboard"]},
        headers=HEADERS,
    )  # fmt: skip
    assert plan.status_code == 200, plan.text
    planned = {c["creator_id"]: c for c in plan.json()["plan"]["creators"]}
    assert set(flags_of(planned["ig:billboard"])) == {"saturated"}
    similar = client.get("/v1/creators/ig:clean/similar?k=10&countries=MT", headers=HEADERS)
    assert similar.status_code == 200, similar.text
    looks = {m["creator_id"]: m for m in similar.json()["matches"]}
    assert set(flags_of(looks["ig:billboard"])) == {"saturated"}
    assert flags_of(looks["ig:billboard"])["saturated"]["evidence"][0] == "ig:billboard-p00"
