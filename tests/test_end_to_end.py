"""generate → ingest → build → train → serve (uvicorn on a free loopback port) → /v1/match."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
KEYS = "admin:test-admin-key,read:test-read-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def world(trained_home: Path) -> tuple[Path, Path]:
    return trained_home, trained_home / "world"


@pytest.fixture(scope="module")
def server(world: tuple[Path, Path]) -> Iterator[str]:
    home, _ = world
    port = _free_port()
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "MICROTRIBE_API_KEYS": KEYS}
    process = subprocess.Popen(
        [sys.executable, "-m", "microtribe", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.5)
        else:
            pytest.fail("server did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _niche_of(world_dir: Path) -> dict[str, list[str]]:
    with (world_dir / "creators.jsonl").open() as lines:
        return {c["creator_id"]: c.get("categories", []) for c in map(json.loads, lines)}


@pytest.mark.parametrize(
    ("niche", "values"),
    [
        ("food", "cucina italiana, ricette facili e genuine, ingredienti di stagione"),
        ("fitness", "allenamento, corsa e palestra, uno stile di vita sano e sportivo"),
        ("gaming", "videogiochi, streaming e tornei, community di gamer"),
    ],
)
def test_match_returns_the_niche(
    server: str, world: tuple[Path, Path], niche: str, values: str
) -> None:
    body = {"brand": {"name": "Prova", "category": niche, "values": values}, "k": 10}
    response = httpx.post(
        f"{server}/v1/match",
        json=body,
        timeout=30,
        headers={"Authorization": "Bearer test-read-key"},
    )
    assert response.status_code == 200, response.text
    matches = response.json()["matches"]
    assert len(matches) == 10
    categories = _niche_of(world[1])
    in_niche = sum(niche in categories[m["creator_id"]] for m in matches)
    assert in_niche >= 6, [categories[m["creator_id"]] for m in matches]
    assert [m["rank"] for m in matches] == list(range(1, 11))
    assert all(m["reasons"] for m in matches)


def test_match_shape_and_auth(server: str) -> None:
    body = {
        "brand": {"name": "EcoVeste", "values": "moda sostenibile"},
        "k": 3,
        "filters": {"platforms": ["instagram"]},
    }
    assert httpx.post(f"{server}/v1/match", json=body).status_code == 401
    wrong = httpx.post(f"{server}/v1/match", json=body, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"
    ok = httpx.post(f"{server}/v1/match", json=body, headers={"X-API-Key": "test-read-key"})
    payload = ok.json()
    assert set(payload) >= {
        "request_id",
        "brand_id",
        "model_version",
        "catalog_version",
        "took_ms",
        "matches",
    }
    assert {m["platform"] for m in payload["matches"]} == {"instagram"}
    assert set(payload["matches"][0]) >= {
        "rank",
        "creator_id",
        "handle",
        "platform",
        "followers",
        "tier",
        "score",
        "advocacy_fit",
        "expected_engagement_rate",
        "similarity",
        "estimated_cost",
        "reasons",
    }
    bad = httpx.post(
        f"{server}/v1/match", json={"brand_id": "x", "k": 0}, headers={"X-API-Key": "test-read-key"}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "k"


def test_match_by_stored_brand_id(server: str, world: tuple[Path, Path]) -> None:
    with (world[1] / "brands.jsonl").open() as lines:
        brand = json.loads(next(lines))
    headers = {"Authorization": "Bearer test-read-key"}
    body = {"brand_id": brand["brand_id"], "k": 5, "explain": False}
    response = httpx.post(f"{server}/v1/match", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["brand_id"] == brand["brand_id"]
    assert all(m["reasons"] == [] for m in response.json()["matches"])
    missing = httpx.post(f"{server}/v1/match", json={"brand_id": "no-such-brand"}, headers=headers)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
