"""`microtribe serve --workers 2`, a real server: both workers answer, follow a reload, an
upsert and a delete taken by the other, share the served log, and `/metrics` adds up.

Requests go on fresh connections from several threads at once, so the kernel hands them to
both workers; `X-Microtribe-Worker` names the one that answered.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import copy_home
from tests.factories import make_creator, make_post

pytestmark = pytest.mark.slow
KEYS = "admin:adm,write:wri,read:rea"
READ = {"Authorization": "Bearer rea"}
WRITE = {"Authorization": "Bearer wri"}
ADMIN = {"Authorization": "Bearer adm"}
BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}
WORKER = "x-microtribe-worker"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, url: str, home: Path, process: subprocess.Popen[str]) -> None:
        self.url, self.home, self.process = url, home, process
        self.matches: list[str] = []  # request ids of the matches this test module made

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # a fresh connection each time: a kept-alive one would stay with one worker
        return httpx.request(method, f"{self.url}{path}", timeout=60, **kwargs)

    def spread(self, times: int, method: str, path: str, **kwargs: Any) -> list[httpx.Response]:
        """`times` requests from 8 threads at once, so both workers take some."""
        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(lambda _: self.call(method, path, **kwargs), range(times)))

    def match(self, times: int) -> list[httpx.Response]:
        answers = self.spread(times, "POST", "/v1/match", json=BRIEF, headers=READ)
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        self.matches += [a.json()["request_id"] for a in answers]
        return answers

    def until_every_worker(self, check: Callable[[httpx.Response], bool], *request: Any) -> None:
        """Until each of the two workers has given an answer that passes `check`."""
        passed: set[str] = set()
        deadline = time.monotonic() + 60
        while len(passed) < 2:
            assert time.monotonic() < deadline, f"only workers {passed} got there"
            for answer in self.spread(8, *request[:2], **request[2]):
                if check(answer):
                    passed.add(answer.headers[WORKER])
            time.sleep(0.1)


@pytest.fixture(scope="module")
def server(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = copy_home(trained_home, tmp_path_factory.mktemp("workers"))
    port = _free_port()
    env = {
        **os.environ,
        "MICROTRIBE_API_KEYS": KEYS,
        "MICROTRIBE_POLL_SECONDS": "",  # the default of several workers (1 s)
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "microtribe", "serve", "--workers", "2", "--port", str(port),
         "--home", str(home)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", home, process)
    try:
        deadline = time.monotonic() + 180  # two workers load the embedder on a shared machine
        ready: set[str] = set()
        while len(ready) < 2:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, f"workers ready: {ready}"
            try:
                answers = server.spread(8, "GET", "/readyz")
                ready |= {a.headers[WORKER] for a in answers if a.status_code == 200}
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()


def _served_lines(home: Path) -> list[str]:
    path = home / "logs" / "served.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def _counter(metrics: str, route: str) -> float:
    pattern = rf'^microtribe_http_requests_total\{{(?=[^}}]*route="{re.escape(route)}")'
    pattern += r'(?=[^}]*status="200")[^}]*\} (\S+)$'
    return sum(float(m.group(1)) for m in re.finditer(pattern, metrics, re.M))


def test_both_workers_answer(server: Server) -> None:
    answers = server.match(40)
    workers = {a.headers[WORKER] for a in answers}
    assert len(workers) == 2, workers
    assert server.process.pid not in {int(w) for w in workers}  # the supervisor serves nothing


def test_metrics_add_up_over_the_workers(server: Server) -> None:
    server.match(30)
    for _ in range(4):  # any worker's scrape: the sum over both
        metrics = server.call("GET", "/metrics").text
        assert _counter(metrics, "/v1/match") == len(server.matches)
        assert "microtribe_workers 2.0" in metrics
        ready = re.findall(r'^microtribe_ready\{worker="(\d+)"\} 1\.0$', metrics, re.M)
        assert len(ready) == 2
        served = re.findall(r"^microtribe_serving_info\{[^}]*\} 1\.0$", metrics, re.M)
        assert len(served) == 2


def test_the_served_log_holds_every_match_once(server: Server) -> None:
    server.match(30)
    deadline = time.monotonic() + 10  # each worker writes what it served every 0.25 s
    while len(_served_lines(server.home)) < len(server.matches):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    lines = [json.loads(line) for line in _served_lines(server.home)]  # each line whole
    assert sorted(line["request_id"] for line in lines) == sorted(server.matches)


def test_an_admin_reload_reaches_every_worker(server: Server) -> None:
    catalog = server.home / "catalog"
    old = (catalog / "CURRENT").read_text().strip()
    shutil.copytree(catalog / old, catalog / "v-workers")
    staging = catalog / ".CURRENT.tmp"
    staging.write_text("v-workers")
    os.replace(staging, catalog / "CURRENT")
    reloaded = server.call("POST", "/v1/admin/reload", headers=ADMIN)
    assert reloaded.status_code == 200 and reloaded.json()["catalog_version"] == "v-workers"
    server.until_every_worker(
        lambda a: a.json()["catalog_version"] == "v-workers",
        "POST",
        "/v1/match",
        {"json": BRIEF, "headers": READ},
    )


def test_an_upsert_and_a_delete_on_one_worker_reach_the_other(server: Server) -> None:
    caption = "Miele di castagno dalle mie arnie #apicoltura"
    post = make_post("p1", "2026-10-01T10:00:00Z", caption, likes=400, comments=30)
    creator = make_creator("ig:workers.bee", followers=8_000, bio="apicoltrice", posts=[post])
    upserted = server.call("POST", "/v1/creators", json=[creator], headers=WRITE)
    assert upserted.status_code == 200, upserted.text
    similar = "/v1/creators/ig:workers.bee/similar"
    server.until_every_worker(lambda a: a.status_code == 200, "GET", similar, {"headers": READ})
    deleted = server.call("DELETE", "/v1/creators/ig:workers.bee", headers=WRITE)
    assert deleted.status_code in (200, 204), deleted.text
    server.until_every_worker(lambda a: a.status_code == 404, "GET", similar, {"headers": READ})
