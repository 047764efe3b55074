"""Failure drill: concurrent writers, another process ingesting, kill -9 of the server and of a
build, a corrupt catalog version. A real `microtribe serve` on a copy of the trained home."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.serve_load import Server
from tests.conftest import run_cli
from tests.write_drill import MATCH, Client, Ledger, run_clients, verify

pytestmark = pytest.mark.slow
CLIENTS = 8
OPERATIONS = 30  # per client


@pytest.fixture
def server(home: Path, tmp_path: Path) -> Iterator[Server]:
    live = Server(home, poll=0, workdir=tmp_path)
    try:
        live.wait_ready(timeout=180)
        yield live
    finally:
        live.stop()


def _clients(server: Server, ledger: Ledger, stop: threading.Event) -> list[Client]:
    write = read = server.admin()
    return [
        Client(n, server.url, write, read, ledger, OPERATIONS, stop) for n in range(CLIENTS)
    ]


def _world(home: Path, creators: int, seed: int) -> Path:
    out = home.parent / f"world-{seed}"
    run_cli(home, "generate", "--out", str(out), "--creators", str(creators), "--brands", "6",
            "--seed", str(seed))  # fmt: skip
    return out


def _ingest_command(home: Path, world: Path) -> list[str]:
    return [sys.executable, "-m", "microtribe", "ingest", "--home", str(home),
            "--creators", str(world / "creators.jsonl"), "--brands", str(world / "brands.jsonl"),
            "--outcomes", str(world / "outcomes.jsonl")]  # fmt: skip


def _assert_clean(ledger: Ledger, counts: dict[str, int]) -> None:
    assert not ledger.problems, ledger.problems[:10]
    assert not [s for s in ledger.statuses if s.startswith("5")], ledger.statuses
    assert ledger.matches_checked >= 10, ledger.matches_checked
    assert counts.get("batches_acked", 0) >= 40 and counts.get("batches_refused", 0) >= 1, counts
    assert counts.get("deletes_acked", 0) >= 10 and counts.get("outcomes_acked", 0) >= 20, counts


@pytest.mark.parametrize("with_ingest", [False, True], ids=["api-only", "with-ingest"])
def test_concurrent_writers_lose_nothing(
    server: Server, home: Path, with_ingest: bool
) -> None:
    ledger, stop = Ledger(), threading.Event()
    ingests: list[subprocess.CompletedProcess[str]] = []
    done = threading.Event()
    if with_ingest:
        world = _world(home, 400, seed=31)

        def ingest_loop() -> None:  # another process writing the same store meanwhile
            while not done.is_set() or not ingests:
                run = subprocess.run(_ingest_command(home, world), capture_output=True, text=True)
                ingests.append(run)
                if run.returncode != 0:
                    return

        ingester = threading.Thread(target=ingest_loop)
        ingester.start()
    run_clients(_clients(server, ledger, stop))
    done.set()
    if with_ingest:
        ingester.join()
        failed = [run.stderr[-2000:] for run in ingests if run.returncode != 0]
        assert ingests and not failed, failed
    counts = verify(ledger, server.url, server.read(), home / "catalog.db")
    _assert_clean(ledger, counts)
    if with_ingest:
        ingested = [json.loads(line)["creator_id"] for line in
                    (world / "creators.jsonl").read_text().splitlines()]  # fmt: skip
        with httpx.Client(base_url=server.url, headers=server.read()) as http:
            assert http.get(f"/v1/creators/{ingested[-1]}").status_code == 200


def test_kill_9_of_the_server_under_load_loses_nothing_acknowledged(
    home: Path, tmp_path: Path
) -> None:
    ledger, stop = Ledger(), threading.Event()
    first = Server(home, poll=0, workdir=tmp_path)
    first.wait_ready(timeout=180)
    answered = threading.Event()

    def count() -> None:  # the kill comes once a third of the planned requests were answered
        if sum(ledger.statuses.values()) >= CLIENTS * OPERATIONS // 3:
            answered.set()

    clients = _clients(first, ledger, stop)
    for client in clients:
        client.after_each = count
    runner = threading.Thread(target=run_clients, args=(clients,))
    runner.start()
    assert answered.wait(timeout=600)
    first.process.kill()  # SIGKILL: no shutdown, no flush
    first.process.wait()
    stop.set()
    runner.join()
    first.stop()
    (tmp_path / "after").mkdir()
    second = Server(home, poll=0, workdir=tmp_path / "after")
    try:
        second.wait_ready(timeout=180)
        counts = verify(ledger, second.url, second.read(), home / "catalog.db")
    finally:
        second.stop()
    assert not ledger.problems, ledger.problems[:10]
    assert not [s for s in ledger.statuses if s.startswith("5")], ledger.statuses
    assert counts.get("batches_acked", 0) >= 10, counts


def _served_catalog(server: Server) -> str:
    info = httpx.get(f"{server.url}/v1/model", headers=server.read(), timeout=30).json()
    return str(info["catalog_version"])


def _matches(server: Server) -> int:
    body = {**MATCH, "filters": {}, "k": 20}
    response = httpx.post(f"{server.url}/v1/match", json=body, headers=server.read(), timeout=60)
    assert response.status_code == 200, response.text
    return len(response.json()["matches"])


def test_kill_9_of_a_build_and_a_corrupt_version(server: Server, home: Path) -> None:
    catalog_dir = home / "catalog"
    serving = (catalog_dir / "CURRENT").read_text()
    world = _world(home, 300, seed=37)  # new creators: the build has real embedding to do
    subprocess.run(_ingest_command(home, world), check=True, capture_output=True)
    env = {**os.environ, "MICROTRIBE_HOME": str(home)}
    build = subprocess.Popen([sys.executable, "-m", "microtribe", "build"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    time.sleep(8)  # start-up, reading the store, then embedding ~7,000 texts (~15-20 s here)
    assert build.poll() is None, "the build finished before the kill: give it more to embed"
    build.kill()
    build.wait()
    assert (catalog_dir / "CURRENT").read_text() == serving
    assert _served_catalog(server) == serving and _matches(server) == 20

    out = run_cli(home, "build")  # the next build succeeds
    fresh = json.loads(out.splitlines()[-1])["version"]
    assert (catalog_dir / "CURRENT").read_text() == fresh != serving
    assert not list(catalog_dir.glob(".building-*"))

    def reload() -> httpx.Response:
        return httpx.post(f"{server.url}/v1/admin/reload", headers=server.admin(), timeout=300)

    vectors = catalog_dir / fresh / "vectors.npy"
    intact = vectors.read_bytes()
    vectors.write_bytes(intact[: len(intact) // 2])  # truncated
    refused = reload()
    assert refused.status_code == 409, refused.text
    message = refused.json()["error"]["message"]
    assert "vectors.npy" in message and "rebuild" in message, message
    assert _served_catalog(server) == serving and _matches(server) == 20

    flipped = bytearray(intact)
    flipped[len(flipped) // 2] ^= 0xFF  # same size, one byte changed
    vectors.write_bytes(bytes(flipped))
    refused = reload()
    assert refused.status_code == 409 and "corrupt" in refused.json()["error"]["message"]
    assert _served_catalog(server) == serving

    vectors.write_bytes(intact)
    assert reload().status_code == 200
    assert _served_catalog(server) == fresh and _matches(server) == 20
    shutil.rmtree(world)
