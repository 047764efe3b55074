"""The HTTP API through a real client: routes, auth, errors, upserts, crash safety, reload."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.factories import make_creator, make_post

pytestmark = pytest.mark.slow
KEYS = KeyRing.parse("admin:adm,write:wri,read:rea")
BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings.from_env(home), KEYS)) as test_client:
        yield test_client


def _beekeeper(followers: int = 4_200) -> dict:
    posts = [
        make_post(
            f"p{i}",
            f"2026-10-{i + 1:02d}T09:00:00Z",
            "Oggi smielatura: il miele delle mie api è pronto 🐝 #apicoltura",
            300,
            25,
            creator_replies=10,
        )
        for i in range(6)
    ]
    return make_creator(
        "ig:ape.regina",
        followers=followers,
        country="MT",
        language="it",
        bio="Apicoltrice a Malta",
        categories=["food"],
        posts=posts,
        audience={"authentic_share": 0.93, "countries": {"MT": 0.8}},
    )


def _match_malta(client: TestClient) -> list[dict]:
    body = {**BRIEF, "filters": {"countries": ["MT"]}}
    response = client.post("/v1/match", json=body, headers=_auth("rea"))
    assert response.status_code == 200, response.text
    return list(response.json()["matches"])


def test_upsert_is_searchable_at_once_then_update_and_delete(client: TestClient) -> None:
    assert _match_malta(client) == []
    response = client.post("/v1/creators", json=[_beekeeper()], headers=_auth("wri"))
    assert response.status_code == 200, response.text
    assert response.json()["upserted"] == 1
    matches = _match_malta(client)
    assert [m["creator_id"] for m in matches] == ["ig:ape.regina"]
    assert matches[0]["followers"] == 4_200
    client.post("/v1/creators", json=[_beekeeper(followers=5_000)], headers=_auth("wri"))
    matches = _match_malta(client)
    assert [(m["creator_id"], m["followers"]) for m in matches] == [("ig:ape.regina", 5_000)]
    got = client.get("/v1/creators/ig:ape.regina", headers=_auth("rea"))
    assert got.status_code == 200 and got.json()["followers"] == 5_000
    assert client.delete("/v1/creators/ig:ape.regina", headers=_auth("wri")).status_code == 200
    assert _match_malta(client) == []
    assert client.get("/v1/creators/ig:ape.regina", headers=_auth("rea")).status_code == 404


def test_acknowledged_upserts_survive_a_restart(home: Path) -> None:
    with TestClient(create_app(Settings.from_env(home), KEYS)) as first:
        ack = first.post("/v1/creators", json=[_beekeeper()], headers=_auth("wri"))
        assert ack.status_code == 200
    # a new process on the same home: nothing rebuilt, the upsert must still be served
    with TestClient(create_app(Settings.from_env(home), KEYS)) as second:
        assert [m["creator_id"] for m in _match_malta(second)] == ["ig:ape.regina"]


def test_a_bad_batch_is_refused_whole(client: TestClient) -> None:
    good, bad = _beekeeper(), make_creator("ig:bad", followers=-3)
    response = client.post("/v1/creators", json=[good, bad], headers=_auth("wri"))
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "1.followers"
    assert client.get("/v1/creators/ig:ape.regina", headers=_auth("rea")).status_code == 404
    too_many = [make_creator(f"ig:c{i}") for i in range(1001)]
    assert client.post("/v1/creators", json=too_many, headers=_auth("wri")).status_code == 422


ROUTES = [
    ("post", "/v1/match", "read", BRIEF),
    ("post", "/v1/creators", "write", []),
    ("get", "/v1/creators/nobody", "read", None),
    ("delete", "/v1/creators/nobody", "write", None),
    ("post", "/v1/brands", "write", []),
    ("get", "/v1/brands/nobody", "read", None),
    ("post", "/v1/feedback", "write", []),
    ("get", "/v1/model", "read", None),
    ("get", "/v1/model/card", "read", None),
    ("post", "/v1/admin/reload", "admin", None),
]
KEY_OF = {"read": "rea", "write": "wri", "admin": "adm"}
RANK = {"read": 0, "write": 1, "admin": 2}


@pytest.mark.parametrize(("method", "path", "needed", "body"), ROUTES)
def test_auth_matrix(client: TestClient, method: str, path: str, needed: str, body: object) -> None:
    call = getattr(client, method)
    kwargs = {"json": body} if body is not None else {}
    assert call(path, **kwargs).status_code == 401
    assert call(path, headers=_auth("wrong"), **kwargs).status_code == 401
    for role, key in KEY_OF.items():
        status = call(path, headers=_auth(key), **kwargs).status_code
        if RANK[role] < RANK[needed]:
            assert status == 403, (role, path)
        else:
            assert status in (200, 404), (role, path, status)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_brands_feedback_and_model(client: TestClient) -> None:
    brand = {"brand_id": "miele-vivo", "name": "Miele Vivo", "values": "apicoltura"}
    assert client.post("/v1/brands", json=[brand], headers=_auth("wri")).json() == {"stored": 1}
    assert client.get("/v1/brands/miele-vivo", headers=_auth("rea")).json()["name"] == "Miele Vivo"
    outcome = {
        "brand_id": "miele-vivo",
        "creator_id": "ig:x",
        "stage": "proposed",
        "observed_at": "2026-11-20T00:00:00Z",
    }
    assert client.post("/v1/feedback", json=[outcome], headers=_auth("wri")).json() == {"stored": 1}
    info = client.get("/v1/model", headers=_auth("rea")).json()
    assert info["model_version"] == "1" and "model_ndcg_at_20" in info["metrics"]
    # `train --register` wrote the version's card; the model info links it
    card = client.get(info["card_url"], headers=_auth("rea"))
    assert card.headers["content-type"].startswith("text/markdown")
    assert card.text.startswith("# microtribe-ranker version 1")


def test_reload_of_a_broken_bundle_keeps_the_old_one(client: TestClient, home: Path) -> None:
    broken = home / "models" / "99"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    (home / "models" / "CHAMPION").write_text("99")
    response = client.post("/v1/admin/reload", headers=_auth("adm"))
    assert response.status_code == 409
    assert "previous" in response.json()["error"]["message"]
    assert client.post("/v1/match", json=BRIEF, headers=_auth("rea")).status_code == 200
    (home / "models" / "CHAMPION").write_text("1")
    assert client.post("/v1/admin/reload", headers=_auth("adm")).status_code == 200


def test_diversify_caps_one_niche(client: TestClient) -> None:
    body = {"brand": {"name": "Forno", "category": "food",
                      "values": "cucina italiana, ricette facili, pane fatto in casa"},
            "k": 10, "diversify": True}
    response = client.post("/v1/match", json=body, headers=_auth("rea"))
    assert response.status_code == 200
    ids = [m["creator_id"] for m in response.json()["matches"]]
    assert len(ids) == 10
    categories = {
        doc["creator_id"]: doc.get("categories", [])
        for doc in (client.get(f"/v1/creators/{cid}", headers=_auth("rea")).json() for cid in ids)
    }
    food = sum("food" in categories[cid] for cid in ids)
    assert food <= 4, categories


@pytest.mark.parametrize(("concurrency", "reloading"), [("1", False), ("2", False), ("1", True)])
def test_where_match_runs(
    home: Path, monkeypatch: pytest.MonkeyPatch, concurrency: str, reloading: bool
) -> None:
    # 1: the whole match on the event loop, an uncached brief's embedding included;
    # 2, or while a reload loads: the whole match in worker threads. All answer the same.
    from matching.pipeline import MatchPipeline
    from models import embedding_cache

    on_loop: dict[str, list[bool]] = {"run": [], "embed": []}

    def spied(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                asyncio.get_running_loop()
                on_loop[name].append(True)
            except RuntimeError:
                on_loop[name].append(False)
            return method(*args, **kwargs)

        return call

    monkeypatch.setattr(MatchPipeline, "run", spied("run", MatchPipeline.run))
    # called on a cache miss only, with the new embedding
    monkeypatch.setattr(embedding_cache, "canonical", spied("embed", embedding_cache.canonical))
    monkeypatch.setenv("MICROTRIBE_MATCH_CONCURRENCY", concurrency)
    answers = []
    with TestClient(create_app(Settings.from_env(home), KEYS)) as client:
        on_loop["embed"].clear()  # start-up reads cached catalog embeddings
        client.app.state.service.reloading = reloading  # type: ignore[attr-defined]
        for _ in range(2):  # the second time the brief is cached
            response = client.post("/v1/match", json=BRIEF, headers=_auth("rea"))
            assert response.status_code == 200, response.text
            answers.append([m["creator_id"] for m in response.json()["matches"]])
    assert answers[0] == answers[1] and answers[0]
    on_the_loop = concurrency == "1" and not reloading
    assert on_loop["run"] == [on_the_loop] * 2
    assert on_loop["embed"] == [on_the_loop]  # the first time only


def test_matches_that_arrive_together_overlap_in_threads(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the default: on the loop only when alone; requests that arrive together go to threads
    import httpx

    from matching.pipeline import MatchPipeline

    on_loop: list[bool] = []
    run = MatchPipeline.run

    def watched_run(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return run(*args, **kwargs)

    monkeypatch.setattr(MatchPipeline, "run", watched_run)
    app = create_app(Settings.from_env(home), KEYS)

    async def four_at_once() -> list[int]:
        # four requests on the server's own loop, started in the same turn of it
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            posts = [client.post("/v1/match", json=BRIEF, headers=_auth("rea")) for _ in range(4)]
            return [r.status_code for r in await asyncio.gather(*posts)]

    with TestClient(app) as client:  # runs the lifespan: catalog and model loaded
        assert client.portal is not None
        statuses = client.portal.call(four_at_once)
    assert statuses == [200] * 4
    assert len(on_loop) == 4 and not all(on_loop)
