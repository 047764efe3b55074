"""The server's poll of `models/CHAMPION` and `catalog/CURRENT`, through a real HTTP client.

A newly promoted champion and a newly built catalog version are picked up without a call to
`/v1/admin/reload`; a broken champion is refused once and the old pair keeps serving.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.service import RELOAD_SWITCH_INTERVAL, MatchService
from microtribe.auth import KeyRing
from microtribe.settings import DEFAULT_POLL_SECONDS, Settings
from serve import create_app
from training.registry import install_bundle

pytestmark = pytest.mark.slow
KEYS = KeyRing.parse("admin:adm,read:rea")
READ = {"Authorization": "Bearer rea"}
BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}
POLL = 0.1
SWITCH_INTERVAL = sys.getswitchinterval()  # the interpreter's, outside reloads


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    settings = replace(Settings.from_env(home), poll_seconds=POLL)
    with TestClient(create_app(settings, KEYS)) as test_client:
        yield test_client


def _service(client: TestClient) -> MatchService:
    service: MatchService = client.app.state.service  # type: ignore[attr-defined]
    return service


def _point(path: Path, value: str) -> None:
    """Move a pointer file the way `promote` and `build` do: write beside it, then rename."""
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(value)
    os.replace(staging, path)


def _wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the poller did not pick up the change"
        time.sleep(0.05)


def _model(client: TestClient) -> dict:
    response = client.get("/v1/model", headers=READ)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _match(client: TestClient) -> dict:
    response = client.post("/v1/match", json=BRIEF, headers=READ)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_newly_promoted_champion_is_served_without_a_reload_call(
    client: TestClient, home: Path
) -> None:
    assert _model(client)["model_version"] == "1"
    before = _match(client)
    briefs = _service(client).ready().briefs
    settings = Settings.from_env(home)
    install_bundle(settings, home / "models" / "1", "2", "run-of-version-2")
    _point(home / "models" / "CHAMPION", "2")
    _wait_for(lambda: _model(client)["model_version"] == "2")
    after = _match(client)
    assert after["model_version"] == "2"
    # same weights under a new version: the same list; the brief cache survived the swap
    assert [m["creator_id"] for m in after["matches"]] == [
        m["creator_id"] for m in before["matches"]
    ]
    assert _service(client).ready().briefs is briefs
    assert _service(client).reloads == 1


def test_a_new_catalog_version_is_served_without_a_reload_call(
    client: TestClient, home: Path
) -> None:
    catalog = home / "catalog"
    old = (catalog / "CURRENT").read_text().strip()
    assert _model(client)["catalog_version"] == old
    shutil.copytree(catalog / old, catalog / "v-polled")
    _point(catalog / "CURRENT", "v-polled")
    _wait_for(lambda: _model(client)["catalog_version"] == "v-polled")
    assert _match(client)["catalog_version"] == "v-polled"


def test_a_broken_champion_is_refused_once_and_the_old_one_keeps_serving(
    client: TestClient, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = home / "models" / "99"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    service = _service(client)
    _point(home / "models" / "CHAMPION", "99")
    _wait_for(lambda: any("failed to load" in r.getMessage() for r in caplog.records))
    time.sleep(10 * POLL)  # ten more polls: the same broken pair is not tried again
    assert sum("failed to load" in r.getMessage() for r in caplog.records) == 1
    assert client.get("/readyz").status_code == 200
    assert _match(client)["model_version"] == "1"
    assert service.reloads == 0
    # the admin route refuses it too, then a good champion is picked up again by the poll
    admin = {"Authorization": "Bearer adm"}
    assert client.post("/v1/admin/reload", headers=admin).status_code == 409
    install_bundle(Settings.from_env(home), home / "models" / "1", "3", "run-of-version-3")
    _point(home / "models" / "CHAMPION", "3")
    _wait_for(lambda: _model(client)["model_version"] == "3")
    assert service.reloads == 1
    # failed reloads included, nothing of a reload's state outlives it
    assert not service.reloading and sys.getswitchinterval() == SWITCH_INTERVAL


def test_a_reload_marks_itself_and_shortens_the_switch_interval(client: TestClient) -> None:
    service = _service(client)
    seen = []
    load = service._load

    def observed(sources: Any) -> Any:
        seen.append((service.reloading, sys.getswitchinterval()))
        return load(sources)

    service._load = observed  # type: ignore[method-assign]
    admin = {"Authorization": "Bearer adm"}
    assert client.post("/v1/admin/reload", headers=admin).status_code == 200
    assert seen == [(True, RELOAD_SWITCH_INTERVAL)]
    assert not service.reloading and sys.getswitchinterval() == SWITCH_INTERVAL


def test_poll_off_and_bad_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROTRIBE_POLL_SECONDS", raising=False)
    assert Settings.from_env(home).poll_seconds == DEFAULT_POLL_SECONDS
    monkeypatch.setenv("MICROTRIBE_POLL_SECONDS", "0")
    settings = Settings.from_env(home)
    assert settings.poll_seconds == 0
    service = MatchService(settings)
    service.start()
    service.start_polling(settings.poll_seconds)
    assert service._poller is None  # off: no thread at all
    service.close()
    for bad in ("soon", "-5", "nan", "0.01"):
        monkeypatch.setenv("MICROTRIBE_POLL_SECONDS", bad)
        with pytest.raises(ValueError, match="MICROTRIBE_POLL_SECONDS"):
            Settings.from_env(home)
    monkeypatch.delenv("MICROTRIBE_POLL_SECONDS")
    assert Settings.from_env(home).match_concurrency == 1
    monkeypatch.setenv("MICROTRIBE_MATCH_CONCURRENCY", "3")
    assert Settings.from_env(home).match_concurrency == 3
    for bad in ("0", "many", "-1", "65"):
        monkeypatch.setenv("MICROTRIBE_MATCH_CONCURRENCY", bad)
        with pytest.raises(ValueError, match="MICROTRIBE_MATCH_CONCURRENCY"):
            Settings.from_env(home)
