"""A challenger on live traffic: the version in `models/CHALLENGER` scores the same candidates off
the request path; its ranks reach the served log, `compare` reads them, the answers stay the same
byte for byte, and the poller picks the pointer up without a restart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from features.schema import FEATURE_NAMES
from matching.challenger import ChallengerScorer
from matching.service import MatchService
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from models.bundle import load_bundle, save_bundle
from models.prior import Prior
from serve import create_app
from tests.conftest import run_cli
from training.compare import compare, kendall_tau
from training.served_window import read_window

pytestmark = pytest.mark.slow
READ = {"Authorization": "Bearer rea"}
BRIEFS = [
    {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 10},
    {"brand": {"name": "Corsa Verde", "values": "running, trail, outdoor"}, "k": 20},
    {"brand": {"name": "Cucina Nonna", "values": "ricette tradizionali, pasta fresca"}, "k": 5},
]


def _install_challenger(home: Path) -> None:
    """Version 2: the documented prior alone (a different ranker, no MLflow needed)."""
    from training.fit import prior_ranker

    champion = load_bundle(home / "models" / "1").manifest
    manifest = {"embedder": champion["embedder"], "dimension": champion["dimension"]}
    save_bundle(
        prior_ranker(FEATURE_NAMES, Prior()),
        home / "models" / "2",
        {**manifest, "model_version": "2"},
    )


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    _install_challenger(home)
    settings = replace(Settings.from_env(home), poll_seconds=0)  # polled by hand: poll_once
    with TestClient(create_app(settings, KeyRing.parse("read:rea"))) as test_client:
        yield test_client


def _service(client: TestClient) -> MatchService:
    service: MatchService = client.app.state.service  # type: ignore[attr-defined]
    return service


def _match(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/match", json=body, headers=READ)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _point(home: Path, version: str | None) -> None:
    pointer = home / "models" / "CHALLENGER"
    if version is None:
        pointer.unlink(missing_ok=True)
    else:
        pointer.write_text(version)


def test_the_poller_picks_up_a_challenger_and_answers_stay_byte_identical(
    client: TestClient, home: Path
) -> None:
    service = _service(client)
    assert service.ready().challenger is None
    without = [client.post("/v1/match", json=b, headers=READ) for b in BRIEFS]
    _point(home, "2")
    assert service.poll_once()
    assert service.ready().challenger is not None
    assert service.ready().challenger.version == "2"  # type: ignore[union-attr]
    with_challenger = [client.post("/v1/match", json=b, headers=READ) for b in BRIEFS]
    for before, after in zip(without, with_challenger, strict=True):
        a, b = before.json(), after.json()
        for volatile in ("request_id", "took_ms"):
            a.pop(volatile), b.pop(volatile)
        assert json.dumps(a) == json.dumps(b)
        # the bytes themselves, once the two volatile values are put back the same
        same = after.content.replace(after.json()["request_id"].encode(), b"R")
        same = same.replace(f"{after.json()['took_ms']}".encode(), b"T", 1)
        ref = before.content.replace(before.json()["request_id"].encode(), b"R")
        ref = ref.replace(f"{before.json()['took_ms']}".encode(), b"T", 1)
        assert same == ref
    _point(home, None)  # removed: the poller stops scoring it
    assert service.poll_once() and service.ready().challenger is None


def test_the_challengers_ranks_reach_the_served_log_and_compare_reads_them(
    client: TestClient, home: Path
) -> None:
    _point(home, "2")
    assert _service(client).poll_once()
    answers = [_match(client, body) for body in BRIEFS * 4]
    scorer: ChallengerScorer = client.app.state.challenger  # type: ignore[attr-defined]
    scorer.drain()  # every job scored and handed to the served log
    client.__exit__(None, None, None)  # the served log drains on shutdown
    window = read_window(home, 1)
    lines = {line["request_id"]: line for line in window.challenger}
    assert set(lines) == {answer["request_id"] for answer in answers}
    for answer in answers:
        line = lines[answer["request_id"]]
        assert line["model_version"] == "2" and line["champion_version"] == "1"
        served = {m["creator_id"]: m["rank"] for m in answer["matches"]}
        logged = {m["creator_id"]: m["champion_rank"] for m in line["matches"]}
        assert all(logged[cid] == rank for cid, rank in served.items())  # the same ranking
        assert sum(1 for m in line["matches"] if m["challenger_rank"]) >= len(served)
    result = compare(window)
    assert result.requests == len(answers)
    assert result.kendall_tau is not None and -1 <= result.kendall_tau <= 1
    assert result.predicted_lift is not None and result.disagree_requests


def test_kendall_tau_matches_its_definition() -> None:
    import numpy as np

    assert kendall_tau(np.array([1.0, 2, 3, 4]), np.array([1.0, 2, 3, 4])) == 1.0
    assert kendall_tau(np.array([1.0, 2, 3, 4]), np.array([4.0, 3, 2, 1])) == -1.0
    assert kendall_tau(np.array([1.0, 2, 3]), np.array([1.0, 3, 2])) == pytest.approx(1 / 3)
    assert kendall_tau(np.array([1.0]), np.array([1.0])) is None


def test_the_challenger_command_sets_and_clears_alias_and_pointer(home: Path) -> None:
    out = json.loads(run_cli(home, "challenger", "--version", "1"))
    assert out == {"challenger": "1", "champion": "1"}
    assert (home / "models" / "CHALLENGER").read_text() == "1"
    assert json.loads(run_cli(home, "challenger")) == {"challenger": "1", "champion": "1"}
    json.loads(run_cli(home, "challenger", "--clear"))
    assert not (home / "models" / "CHALLENGER").exists()
    assert json.loads(run_cli(home, "challenger"))["challenger"] is None


def test_the_challenger_starts_a_job_only_when_no_match_is_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import matching.challenger as challenger_module

    events: list[str] = []
    in_flight = [3]  # three looks find a match running, the fourth none

    def busy() -> bool:
        in_flight[0] -= 1
        events.append("busy" if in_flight[0] >= 0 else "quiet")
        return in_flight[0] >= 0

    def line(job: Any) -> dict[str, Any]:
        events.append("scored")
        return {"route": "challenger", "request_id": job}

    monkeypatch.setattr(challenger_module, "challenger_line", line)
    sink: list[Any] = []
    scorer = ChallengerScorer(sink.append, budget=1.0)
    scorer.yield_to(busy)
    scorer.start()
    try:
        assert scorer.offer("r1")  # type: ignore[arg-type]
        scorer.drain()
    finally:
        scorer.stop()
    assert events == ["busy", "busy", "busy", "quiet", "scored"]
    assert sink == [{"route": "challenger", "request_id": "r1"}]
