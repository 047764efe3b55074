"""`GET /v1/creators/{id}/similar` through a real client on the tiny trained home, and
`microtribe similar`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from features.tiers import tier_names
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.conftest import copy_home, run_cli

pytestmark = pytest.mark.slow
READ = {"Authorization": "Bearer rea"}


@pytest.fixture(scope="module")
def similar_home(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_home(trained_home, tmp_path_factory.mktemp("similar"))


@pytest.fixture(scope="module")
def client(similar_home: Path) -> Iterator[TestClient]:
    app = create_app(Settings.from_env(similar_home), KeyRing.parse("read:rea"))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def creator_id(similar_home: Path) -> str:
    first = (similar_home / "world" / "creators.jsonl").read_text().splitlines()[0]
    return str(json.loads(first)["creator_id"])


def test_lookalikes_never_list_the_creator_and_explain_themselves(
    client: TestClient, creator_id: str
) -> None:
    response = client.get(f"/v1/creators/{creator_id}/similar?k=15", headers=READ)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["creator_id"] == creator_id
    matches = answer["matches"]
    assert len(matches) == 15 and creator_id not in [m["creator_id"] for m in matches]
    assert [m["rank"] for m in matches] == list(range(1, 16))
    similarity = [m["similarity"] for m in matches]
    assert similarity == sorted(similarity, reverse=True)
    for match in matches:
        reasons = {r["feature"]: r for r in match["reasons"]}
        assert set(reasons) == {"content_similarity", "audience_similarity", "size_similarity"}
        total = sum(r["contribution"] for r in reasons.values())
        assert total == pytest.approx(match["similarity"], abs=1e-3)


def test_filters_and_exclusions_are_honoured(client: TestClient, creator_id: str) -> None:
    first = client.get(f"/v1/creators/{creator_id}/similar?k=3", headers=READ).json()
    dropped = [m["creator_id"] for m in first["matches"]]
    query = "k=20&tiers=nano&tiers=micro&platforms=instagram&min_followers=2000&" + "&".join(
        f"exclude={cid}" for cid in dropped
    )
    response = client.get(f"/v1/creators/{creator_id}/similar?{query}", headers=READ)
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert matches
    ids = [m["creator_id"] for m in matches]
    assert not set(ids) & {creator_id, *dropped}
    records = [client.get(f"/v1/creators/{cid}", headers=READ).json() for cid in ids]
    assert all(r["platform"] == "instagram" and r["followers"] >= 2000 for r in records)
    tiers = tier_names([r["followers"] for r in records]).tolist()
    assert set(tiers) <= {"nano", "micro"}


def test_unknown_creator_is_404_and_bad_queries_422(client: TestClient) -> None:
    response = client.get("/v1/creators/ig:nobody.at.all/similar", headers=READ)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/v1/creators/x/similar?k=0", headers=READ).status_code == 422
    assert client.get("/v1/creators/x/similar?tiers=giant", headers=READ).status_code == 422
    assert client.get("/v1/creators/x/similar").status_code == 401


def test_openapi_metrics_and_served_log(similar_home: Path, creator_id: str) -> None:
    app = create_app(Settings.from_env(similar_home), KeyRing.parse("read:rea"))
    with TestClient(app) as c:
        paths = c.get("/openapi.json").json()["paths"]
        assert "get" in paths["/v1/creators/{creator_id}/similar"]
        answer = c.get(f"/v1/creators/{creator_id}/similar?k=4", headers=READ).json()
        text = c.get("/metrics").text
    route = 'route="/v1/creators/{creator_id}/similar",status="200"'
    assert f'microtribe_http_requests_total{{method="GET",{route}}} 1.0' in text
    lines = (similar_home / "logs" / "served.jsonl").read_text().splitlines()
    logged = next(
        line for line in map(json.loads, lines) if line["request_id"] == answer["request_id"]
    )
    assert logged["route"] == "similar" and logged["creator_id"] == creator_id
    assert [m["creator_id"] for m in logged["matches"]] == [
        m["creator_id"] for m in answer["matches"]
    ]


def test_cli_similar(similar_home: Path, creator_id: str) -> None:
    answer = json.loads(run_cli(similar_home, "similar", creator_id, "--k", "5", "--json"))
    assert len(answer["matches"]) == 5
    assert creator_id not in [m["creator_id"] for m in answer["matches"]]
    table = run_cli(similar_home, "similar", creator_id, "--k", "2")
    assert table.startswith(f"creators like {creator_id}:")
