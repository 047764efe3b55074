"""`MICROTRIBE_MLFLOW_URI` at a real `mlflow server` (own backend store, proxied artifact root),
started here: retrain against it, then serve the promoted version from the home."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from microtribe.settings import REGISTERED_MODEL_NAME, Settings
from tests.test_retrain import NO_WORLDS
from training.fit import FitConfig
from training.retrain import retrain
from training.retrain_data import Window

pytestmark = pytest.mark.slow
STARTUP_LIMIT_S = 180.0  # a bound on a hung start (the `mlflow` command alone takes ~9 s)


@dataclass(frozen=True, slots=True)
class TrackingServer:
    url: str
    artifacts: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Until /health answers 200; fails at once when the server exits."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        try:  # waits on the process, not on a clock: returns early if it died
            process.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"mlflow server exited with {process.returncode}:\n{log.read_text()}")
    pytest.fail(f"mlflow server not healthy within {STARTUP_LIMIT_S} s:\n{log.read_text()}")


@pytest.fixture
def tracking_server(tmp_path: Path) -> Iterator[TrackingServer]:
    root = tmp_path / "mlflow-server"
    root.mkdir()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{root / 'backend.db'}",
        "--serve-artifacts", "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log = root / "server.log"
    with log.open("wb") as out:
        env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"}
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_healthy(process, url, log)
        yield TrackingServer(url, root / "artifacts")
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the workers it started
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_retrain_against_a_tracking_server_then_serve_the_promoted_version(
    trained_home: Path,
    tmp_path: Path,
    tracking_server: TrackingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import mlflow
    from fastapi.testclient import TestClient

    from models.bundle import load_bundle
    from serve import create_app
    from tests.test_retrain import fresh_home

    monkeypatch.setenv("MICROTRIBE_MLFLOW_URI", tracking_server.url)
    home = fresh_home(trained_home, tmp_path).home
    settings = Settings.from_env(home)
    assert settings.tracking_uri == tracking_server.url and settings.remote_tracking
    before = mlflow.get_tracking_uri()
    try:
        # any real model will do here (the gate has no champion to beat): a short fit
        config = FitConfig(max_rounds=100, calibration_folds=0)
        report = retrain(settings, config, Window(), promote=True, recipe=NO_WORLDS)
        assert report.promoted
        # the run's artifacts went to the server's artifact root, none to the home
        cards = list(tracking_server.artifacts.rglob("model_card.md"))
        assert len(cards) == 1 and cards[0].read_text() == report.card.read_text()
        assert not any(settings.artifacts_dir.rglob("*"))
        client = mlflow.MlflowClient(tracking_server.url)
        alias = client.get_model_version_by_alias(REGISTERED_MODEL_NAME, "champion")
        assert alias.version == report.version
        assert alias.description == report.card.read_text()
        # the registry's champion, loaded through the server, scores as the served bundle
        served_bundle = load_bundle(settings.models_dir / report.version)
        model = mlflow.pyfunc.load_model(f"models:/{REGISTERED_MODEL_NAME}@champion")
        names = list(served_bundle.ranker.feature_names_in_)
        rows = np.random.default_rng(0).random((20, len(names))).astype(np.float32)
        import pandas as pd

        scored = model.predict(pd.DataFrame(rows, columns=names))
        local = served_bundle.ranker.predict(rows)
        np.testing.assert_allclose(scored["score"].to_numpy(), local.score, atol=1e-12)
    finally:
        mlflow.set_tracking_uri(before)
    with TestClient(create_app(settings, None)) as api:
        info = api.get("/v1/model").json()
        assert info["model_version"] == report.version
        assert info["card_url"] == "/v1/model/card"
        card = api.get(info["card_url"])
        assert card.status_code == 200
        assert card.headers["content-type"].startswith("text/markdown")
        assert card.text == report.card.read_text()
