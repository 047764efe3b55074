"""How `serve.create_app` composes the routers of `api.routes` (fast: no model is loaded).

`/v1/match` first in the routing table and on its own request path; every operation where it
was, with the id clients and OpenAPI links name; and the module-level routers, shared by every
app in the process, reading keys and rate limits from the app they serve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.limits import ApiLimits
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app

# (method, path) → operationId, in the order of the routing table and of OpenAPI's paths
OPERATIONS = {
    ("post", "/v1/match"): "match_v1_match_post",
    ("get", "/healthz"): "healthz_healthz_get",
    ("get", "/readyz"): "readyz_readyz_get",
    ("get", "/metrics"): "prometheus_metrics_metrics_get",
    ("post", "/v1/creators"): "upsert_creators_v1_creators_post",
    ("get", "/v1/creators/{creator_id}"): "get_creator",
    ("delete", "/v1/creators/{creator_id}"): "delete_creator",
    ("post", "/v1/brands"): "upsert_brands_v1_brands_post",
    ("get", "/v1/brands/{brand_id}"): "get_brand",
    ("post", "/v1/feedback"): "feedback_v1_feedback_post",
    ("get", "/v1/model"): "model_info_v1_model_get",
    ("get", "/v1/model/card"): "model_card_v1_model_card_get",
    ("post", "/v1/admin/reload"): "reload_v1_admin_reload_post",
    ("post", "/v1/plan"): "plan_campaign",
    ("get", "/v1/creators/{creator_id}/similar"): "similar_creators",
}


def _app(home: Path, spec: str = "admin:adm,read:rea", **limits: Any) -> FastAPI:
    home.mkdir(parents=True, exist_ok=True)
    given = {"rate_per_second": None, **limits}
    return create_app(Settings.from_env(home), KeyRing.parse(spec), ApiLimits(**given))


def test_match_is_first_in_the_routing_table_and_answered_by_serve_match(tmp_path: Path) -> None:
    first = _app(tmp_path).router.routes[0]
    assert isinstance(first, APIRoute)
    assert (first.path, first.methods) == ("/v1/match", {"POST"})
    # its requests go to serve_match itself, not to FastAPI's handler around `match`
    assert first.get_route_handler().__name__ == "serve_match"
    assert first.endpoint.__name__ == "match"


def test_every_operation_keeps_its_id_and_links_name_existing_ones(tmp_path: Path) -> None:
    spec = _app(tmp_path).openapi()
    operations = {
        (method, path): operation["operationId"]
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }
    assert list(operations.items()) == list(OPERATIONS.items())
    linked = {
        link["operationId"]
        for methods in spec["paths"].values()
        for operation in methods.values()
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    }
    assert linked == {"get_creator", "delete_creator", "get_brand"}


def test_each_app_checks_its_own_keys_and_rate_limit(tmp_path: Path) -> None:
    one = _app(tmp_path / "one", "read:first", rate_per_second=0.001, burst=1)
    two = _app(tmp_path / "two", "read:second")
    with TestClient(one) as first, TestClient(two) as second:
        for client, key, other in ((first, "first", "second"), (second, "second", "first")):
            assert client.get("/v1/brands/x", headers={"X-API-Key": other}).status_code == 401
            assert client.get("/v1/brands/x", headers={"X-API-Key": key}).status_code == 404
        # the first app's bucket of one is spent; the second app has no limit
        assert first.get("/v1/brands/x", headers={"X-API-Key": "first"}).status_code == 429
        assert first.post("/v1/match", json={}, headers={"X-API-Key": "first"}).status_code == 429
        for _ in range(3):
            assert second.get("/v1/brands/x", headers={"X-API-Key": "second"}).status_code == 404
        assert second.post("/v1/match", json={}, headers={"X-API-Key": "second"}).status_code == 422
