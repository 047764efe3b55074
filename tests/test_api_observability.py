"""On a trained home: the served log and metrics of real matches, and the documented examples."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.limits import ApiLimits
from features.schema import FEATURE_NAMES
from microtribe.auth import KeyRing
from microtribe.contract import BRAND_EXAMPLE
from microtribe.settings import Settings
from serve import create_app

pytestmark = pytest.mark.slow
READ = {"Authorization": "Bearer rea"}
ADMIN = {"X-API-Key": "adm"}
BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}
STAGES = ("embed", "filter", "retrieve", "features", "rank", "explain")


def _app(home: Path) -> FastAPI:
    keys = KeyRing.parse("admin:adm,read:rea")
    return create_app(Settings.from_env(home), keys, ApiLimits(rate_per_second=None))


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(_app(home)) as test_client:
        yield test_client


def test_every_match_is_logged_with_its_request_id(home: Path) -> None:
    with TestClient(_app(home)) as client:
        answers = [
            client.post("/v1/match", json={**BRIEF, "k": k}, headers=READ).json() for k in (3, 5, 7)
        ]
    # read after shutdown: the lifespan drains the log's queue
    lines = (home / "logs" / "served.jsonl").read_text().splitlines()
    logged = [json.loads(line) for line in lines]
    assert [line["request_id"] for line in logged] == [a["request_id"] for a in answers]
    for line, answer in zip(logged, answers, strict=True):
        assert line["k"] == len(answer["matches"]) and line["brief"] == "inline"
        assert line["model_version"] == answer["model_version"] == "1"
        assert line["catalog_version"] == answer["catalog_version"]
        for served, shown in zip(line["matches"], answer["matches"], strict=True):
            assert served["creator_id"] == shown["creator_id"] and served["rank"] == shown["rank"]
            assert served["score"] == shown["score"]
            assert len(served["features"]) == len(FEATURE_NAMES)
            for reason in shown["reasons"]:  # what was explained is what was logged
                value = served["features"][reason["feature"]]
                assert value is None or abs(value - reason["value"]) < 1e-3


def test_metrics_hold_match_stage_timings_and_what_is_served(client: TestClient) -> None:
    assert client.post("/v1/match", json=BRIEF, headers=READ).status_code == 200
    text = client.get("/metrics").text
    for stage in STAGES:
        assert f'microtribe_match_stage_duration_seconds_count{{stage="{stage}"}} 1.0' in text
    requests = 'microtribe_http_requests_total{method="POST",route="/v1/match",status="200"}'
    assert f"{requests} 1.0" in text
    assert "microtribe_ready 1.0" in text
    info = next(line for line in text.splitlines() if line.startswith("microtribe_serving_info"))
    assert 'model_version="1"' in info and 'embedder="' in info
    live = client.get("/v1/model", headers=READ).json()["creators"]
    assert f"microtribe_catalog_live_creators {float(live)}" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"k": 10**40}, "k"),
        ({"k": 0}, "k"),
        ({"brand_id": "both-given"}, "body"),
        ({"filters": {"tiers": ["giant"]}}, "filters.tiers.0"),
        ({"filters": {"min_authenticity": 2}}, "filters.min_authenticity"),
    ],
)
def test_an_invalid_match_request_names_the_field(
    client: TestClient, change: dict, field: str
) -> None:
    response = client.post("/v1/match", json={**BRIEF, **change}, headers=READ)
    assert response.status_code == 422, response.text
    assert field in {d["field"] for d in response.json()["error"]["details"]}


def test_the_documented_request_examples_are_accepted(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def examples(path: str) -> list[object]:
        content = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return [example["value"] for example in content["examples"].values()]

    for path in ("/v1/brands", "/v1/creators", "/v1/feedback"):  # brands first: match uses it
        for body in examples(path):
            assert client.post(path, json=body, headers=ADMIN).status_code == 200, path
    assert client.get(f"/v1/brands/{BRAND_EXAMPLE['brand_id']}", headers=READ).status_code == 200
    for body in examples("/v1/match"):
        response = client.post("/v1/match", json=body, headers=READ)
        assert response.status_code == 200, response.text
