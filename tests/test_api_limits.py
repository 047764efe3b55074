"""Limits, errors and metrics of the API on an empty home (fast: no model is loaded).

Routes that need no model (`/v1/brands`, `/v1/feedback`, …) answer normally there, and the
rest answer 503, which is enough to exercise everything in front of the handlers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.limits import ApiLimits, RateLimiter
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app

KEYS = KeyRing.parse("admin:adm,write:wri,read:rea")
ADMIN = {"Authorization": "Bearer adm"}
JSON = {**ADMIN, "Content-Type": "application/json"}
BRAND = {"brand_id": "miele-vivo", "name": "Miele Vivo", "values": "apicoltura"}


def _app(home: Path, **limits: Any) -> FastAPI:
    home.mkdir(parents=True, exist_ok=True)
    given = {"rate_per_second": None, **limits}
    return create_app(Settings.from_env(home), KEYS, ApiLimits(**given))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(_app(tmp_path, max_body_bytes=4096)) as test_client:
        yield test_client


def _error(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


def test_a_body_over_the_limit_is_refused_by_length_and_while_streaming(client: TestClient) -> None:
    big = json.dumps([BRAND] * 100).encode()
    assert len(big) > 4096
    _error(client.post("/v1/brands", content=big, headers=JSON), 413, "too_large")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield from (big[i : i + 1000] for i in range(0, len(big), 1000))

    _error(client.post("/v1/brands", content=chunks(), headers=JSON), 413, "too_large")
    assert client.post("/v1/brands", json=[BRAND], headers=ADMIN).json() == {"stored": 1}


def test_a_key_is_rate_limited_once_its_bucket_is_empty(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path, rate_per_second=0.01, burst=3)) as client:
        for _ in range(3):
            assert client.get("/v1/brands/nobody", headers={"X-API-Key": "rea"}).status_code == 404
        limited = client.get("/v1/brands/nobody", headers={"X-API-Key": "rea"})
        _error(limited, 429, "rate_limited")
        assert int(limited.headers["Retry-After"]) >= 1
        # another key has its own bucket, and public routes are never limited
        assert client.get("/v1/brands/nobody", headers={"X-API-Key": "wri"}).status_code == 404
        assert client.get("/healthz").status_code == 200


def test_token_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("k") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("k") == pytest.approx(0.5)
    now[0] = 0.5
    assert limiter.acquire("k") == 0.0
    assert limiter.acquire("other") == 0.0


def test_limits_come_from_the_environment() -> None:
    assert ApiLimits.from_env({}) == ApiLimits()
    env = {
        "MICROTRIBE_RATE_LIMIT": "50/100",
        "MICROTRIBE_MAX_BODY_BYTES": "1024",
        "MICROTRIBE_CORS_ORIGINS": "https://a.example, https://b.example",
    }
    limits = ApiLimits.from_env(env)
    assert (limits.rate_per_second, limits.burst, limits.max_body_bytes) == (50.0, 100, 1024)
    assert limits.cors_origins == ("https://a.example", "https://b.example")
    assert ApiLimits.from_env({"MICROTRIBE_RATE_LIMIT": "off"}).rate_per_second is None
    for bad in ({"MICROTRIBE_RATE_LIMIT": "fast"}, {"MICROTRIBE_RATE_LIMIT": "0/10"}):
        with pytest.raises(ValueError, match="MICROTRIBE_RATE_LIMIT"):
            ApiLimits.from_env(bad)
    with pytest.raises(ValueError, match="MICROTRIBE_MAX_BODY_BYTES"):
        ApiLimits.from_env({"MICROTRIBE_MAX_BODY_BYTES": "5MB"})


CODE = {400: "invalid_json", 415: "unsupported_media_type", 422: "invalid_request"}
AS_JSON, AS_TEXT, NO_TYPE = "application/json", "text/plain", ""
BRANDS = json.dumps([BRAND]).encode()
MALFORMED = [
    ("not JSON", b"[{nope", AS_JSON, 400),
    ("NaN", b'[{"brand_id": "a", "name": "A", "values": NaN}]', AS_JSON, 400),
    ("Infinity", b'[{"amount": -Infinity}]', AS_JSON, 400),
    ("lone surrogate", b'[{"brand_id": "a", "name": "\\ud800", "values": "v"}]', AS_JSON, 400),
    ("not UTF-8", b'[{"brand_id": "a", "name": "\xff", "values": "v"}]', AS_JSON, 400),
    ("nested too deep", b"[" * 3000 + b"]" * 3000, AS_JSON, 400),
    ("text/plain", BRANDS, AS_TEXT, 415),
    ("no content type", BRANDS, NO_TYPE, 415),
    ("a JSON string", b'"brands"', AS_JSON, 422),
    ("a JSON number", b"42", AS_JSON, 422),
    ("an object, not a list", json.dumps(BRAND).encode(), AS_JSON, 422),
    ("missing values", b'[{"brand_id": "a", "name": "A"}]', AS_JSON, 422),
]


@pytest.mark.parametrize(("case", "body", "content_type", "status"), MALFORMED)
def test_malformed_bodies_get_a_4xx_in_the_error_shape(
    tmp_path: Path, case: str, body: bytes, content_type: str, status: int
) -> None:
    headers = {**ADMIN, "Content-Type": content_type} if content_type else ADMIN
    with TestClient(_app(tmp_path)) as client:
        _error(client.post("/v1/brands", content=body, headers=headers), status, CODE[status])


BRIEF = {"brand": {"values": "apicoltura"}, "k": 5}
MATCH_MALFORMED = [
    ("not JSON", b"{nope", AS_JSON, 400),
    ("NaN", b'{"brand": {"values": "v"}, "filters": {"max_cost": NaN}}', AS_JSON, 400),
    ("lone surrogate", b'{"brand": {"values": "\\ud800"}}', AS_JSON, 400),
    ("not UTF-8", b'{"brand": {"values": "\xff"}}', AS_JSON, 400),
    ("nested too deep", b"[" * 1500 + b"]" * 1500, AS_JSON, 400),
    ("text/plain", json.dumps(BRIEF).encode(), AS_TEXT, 415),
    ("no content type", json.dumps(BRIEF).encode(), NO_TYPE, 415),
    ("a JSON list", b"[]", AS_JSON, 422),
    ("no body", b"", AS_JSON, 422),
    ("neither brand nor brand_id", b'{"k": 5}', AS_JSON, 422),
    ("k out of range", json.dumps({**BRIEF, "k": 0}).encode(), AS_JSON, 422),
    ("unknown field", json.dumps({**BRIEF, "kk": 1}).encode(), AS_JSON, 422),
]


@pytest.mark.parametrize(("case", "body", "content_type", "status"), MATCH_MALFORMED)
def test_match_reads_its_own_body_with_the_same_errors(
    client: TestClient, case: str, body: bytes, content_type: str, status: int
) -> None:
    # /v1/match bypasses FastAPI's body handling (api.routes.match): same answers required
    headers = {**ADMIN, "Content-Type": content_type} if content_type else ADMIN
    error = _error(client.post("/v1/match", content=body, headers=headers), status, CODE[status])
    if status == 422:
        assert error["details"] and all(d["field"] and d["problem"] for d in error["details"])
    anonymous = {"Content-Type": content_type} if content_type else {}
    _error(client.post("/v1/match", content=body, headers=anonymous), 401, "unauthorized")


def test_match_names_the_invalid_fields_and_is_503_until_ready(client: TestClient) -> None:
    bad = {"brand": {"values": "v"}, "k": 500, "filters": {"tiers": ["giant"]}}
    error = _error(client.post("/v1/match", json=bad, headers=ADMIN), 422, "invalid_request")
    assert {d["field"] for d in error["details"]} == {"k", "filters.tiers.0"}
    _error(client.post("/v1/match", json=BRIEF, headers=ADMIN), 503, "not_ready")
    wrong = {"Authorization": "Bearer nope"}
    _error(client.post("/v1/match", json=BRIEF, headers=wrong), 401, "unauthorized")
    by_key_header = {"X-API-Key": "rea"}  # a read key, the other way to send it
    _error(client.post("/v1/match", json=BRIEF, headers=by_key_header), 503, "not_ready")


def test_field_level_details_name_each_problem(client: TestClient) -> None:
    bad = client.post("/v1/feedback", json=[{"brand_id": "a"}], headers=ADMIN)
    fields = {d["field"] for d in _error(bad, 422, "invalid_request")["details"]}
    assert {"0.creator_id", "0.stage", "0.observed_at"} <= fields


def test_odd_paths_and_methods_get_the_error_shape(client: TestClient) -> None:
    for odd in ("%00%ff", "a%20b", "é" * 300, "x" * 5000, "..%2F..%2Fetc"):
        _error(client.get(f"/v1/brands/{odd}", headers=ADMIN), 404, "not_found")
    _error(client.get("/v2/nothing-here"), 404, "not_found")
    wrong_method = client.put("/v1/brands", headers=ADMIN)
    _error(wrong_method, 405, "method_not_allowed")
    assert wrong_method.headers["Allow"] == "POST"


def test_a_bug_is_a_bare_500_and_its_traceback_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path)

    def broken() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/broken")
    error = _error(response, 500, "internal")
    assert "secret" not in response.text and "Traceback" not in response.text
    incident = error["message"].split()[2].rstrip(";")
    logged = [r for r in caplog.records if incident in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    client.get("/v1/brands/somebody", headers=ADMIN)
    client.get("/v1/brands/somebody-else", headers=ADMIN)
    client.get("/no/such/route")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = 'route="/v1/brands/{brand_id}",status="404"'
    assert f'microtribe_http_requests_total{{method="GET",{route}}} 2.0' in text
    assert f'microtribe_http_request_duration_seconds_count{{method="GET",{route}}} 2.0' in text
    assert 'route="unmatched",status="404"' in text  # made-up paths never become labels
    assert "somebody" not in text
    assert "microtribe_ready 0.0" in text


def test_two_apps_in_one_process_keep_their_own_metrics(tmp_path: Path) -> None:
    with TestClient(_app(tmp_path / "a")) as first, TestClient(_app(tmp_path / "b")) as second:
        first.get("/healthz")
        assert 'route="/healthz"' in first.get("/metrics").text
        assert 'route="/healthz"' not in second.get("/metrics").text


def test_cors_is_off_unless_origins_are_configured(tmp_path: Path) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    with TestClient(_app(tmp_path)) as client:
        response = client.options("/v1/match", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    with TestClient(_app(tmp_path, cors_origins=("https://app.example",))) as client:
        response = client.options("/v1/match", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"


def test_openapi_documents_auth_examples_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyHeader"] == {
        "type": "apiKey", "description": "`X-API-Key: <key>`", "in": "header", "name": "X-API-Key"
    }  # fmt: skip
    for path, method in [("/v1/match", "post"), ("/v1/creators", "post"),
                         ("/v1/brands", "post"), ("/v1/feedback", "post")]:  # fmt: skip
        operation = spec["paths"][path][method]
        assert operation["requestBody"]["content"]["application/json"]["examples"], path
        assert {"400", "401", "403", "413", "415", "422", "429"} <= set(operation["responses"])
        assert operation["security"] == [{"HTTPBearer": []}, {"APIKeyHeader": []}]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation.get("description"), (method, path)
    assert "security" not in spec["paths"]["/healthz"]["get"]
