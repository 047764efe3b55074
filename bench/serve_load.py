"""Serving benchmark: `/v1/match` under load from a separate process, the #5 targets.

    .venv/bin/python bench/serve_load.py --home DIR [--duration 60] [--rate 50] [--briefs 20]
        [--repeats 10] [--poll 1] [--reloads 6] [--no-promote] [--wrk-connections 4]
        [--match-concurrency 1] [--workers 1]
        [--phases cached,uncached,reload,wrk,challenger] [--quick]
        [--out bench/results/serve.jsonl]

(--home defaults to $MICROTRIBE_HOME; `apt-get install wrk` for the capacity phase.)
--match-concurrency N sets the server's MICROTRIBE_MATCH_CONCURRENCY (default 1: a match
that is alone runs on the event loop; N ≥ 2: every match in worker threads; docs/design.md).
--workers N (default 1) runs `microtribe serve --workers N`: N processes, each with its
catalog, model and poller; `/v1/admin/reload` lands on one of them and the others follow at
their next poll (the serving generation), and `/metrics` sums over the workers.

The home must hold a built catalog and a champion model. The reload phase WRITES to it
(it installs a copy of the champion as a new model version, copies the current catalog
to a new version and moves `models/CHAMPION` and `catalog/CURRENT`; all of it is put back
and removed at the end): run it on a copy of a home you care about (`cp -a`).

What runs, in order, each phase printing one JSON object (appended to --out, default
`bench/results/serve.jsonl`):

1. The bench process loads `MatchService` on the same home (one BLAS/OpenMP thread, as the
   server) for in-process runs of `MatchPipeline.run(brand, k=20, default filters,
   with_reasons=True)`; the bodies are --briefs stored brands sent as inline briefs.
2. The server: `python -m microtribe serve --host 127.0.0.1 --port <free>` (uvicorn, one
   worker) in a subprocess with `MICROTRIBE_API_KEYS` (a read and an admin key made here),
   `MICROTRIBE_RATE_LIMIT=off` (the default 100/s per key would turn an overload into 429s
   instead of latency) and `MICROTRIBE_POLL_SECONDS=--poll`; the script waits for `/readyz`.
3. `in_process` and `sequential_http`: after a warm-up pass (brief embeddings cached on both
   sides), --repeats passes over the briefs, each brief run in process, then sent over HTTP by
   a minimal HTTP/1.1 client (`RawClient`: one keep-alive socket, the request bytes made once,
   the response read by Content-Length), then sent by httpx; one at a time, no queueing,
   interleaved so the noise of a shared machine hits all three alike. Recorded: in-process
   `run` time; each client's latency (send → body read); the server's `took_ms` (pipeline and
   answer, inside the route); and from `/metrics` deltas over the phase the server-side HTTP
   time (ASGI middleware: routing, auth, body validation, route, serialisation) and the sum of
   the pipeline stages inside the server. HTTP + validation overhead, target ≤ 0.15:
   `overhead_paired_median` = median over requests of (minimal-client latency − in-process
   time of the same brief just before) / in-process time (what `met` judges: the transport
   and the server's HTTP work, not a client library's); `overhead_httpx_paired_median` the
   same with httpx, whose own per-request Python (about a millisecond here) is the client's
   cost; also ratios of medians, and (server HTTP mean − server pipeline mean) / server
   pipeline mean (the same requests inside one process).
4. `cached_load`: open-loop load at --rate requests/s for --duration s from a separate
   process (asyncio + httpx, up to --connections connections, default 64; a request waits
   on the client when all are busy, and that wait counts in its latency): request i is due
   at t0 + i/rate whether or not earlier ones have answered, and its latency runs from when
   it was due (so a stall shows up instead of silently slowing the sender; coordinated
   omission avoided). k=20, explain on, the --briefs briefs in turn (cached). Targets
   p50 ≤ 20 ms, p99 ≤ 60 ms, achieved ≥ 50 req/s with zero errors (status ≠ 200 or transport error).
5. `uncached_load`: the same, each request's brief text made unique (`values` gets a unique
   suffix, so every request embeds its brief). Target p99 ≤ 100 ms.
6. `reload_under_load`: cached load again while, at even intervals, the script calls
   `POST /v1/admin/reload`, installs the champion bundle as a new model version and moves
   `models/CHAMPION` to it (a promotion as the server sees it: the poll or the next reload
   picks it up), and copies the current catalog to a new version and moves `catalog/CURRENT`
   (as a build would). After a promotion or a new catalog the script watches `/v1/model`
   until it is served (`served_after_s`: poll interval + loading beside the old one). Target:
   zero failed requests; the model/catalog versions seen in the responses show the swaps
   happened under load.
7. `wrk_capacity` (when `wrk` is on PATH, Debian package `wrk`; not with --quick): wrk, one
   thread, --wrk-connections connections kept busy for --duration with the cached briefs:
   the throughput the server sustains, its errors, and wrk's latency (closed loop at
   saturation, so queueing included).
8. `challenger_on_off` (phase `challenger`, run only when named in --phases): the cached load
   without a challenger, then the champion's bundle installed as a new version and named in
   `models/CHALLENGER` (the poller picks it up; a model of the champion's size, scored off the
   request path) and the same load again. Targets (issue 24): p99 with ≤ 1.10 × p99 without,
   no error, and the answers to the same --briefs requests byte-identical (request_id and
   took_ms aside); `challenger_scored` / `challenger_dropped` come from `/metrics`.
   The phases run in the order 4, 5, 7, 8, 6.

Why two generators: the latency targets are defined at a given request rate, which needs an
open-loop sender; wrk cannot pace requests (closed loop; wrk2 is not packaged) and CI has no
wrk (the project installs PyPI packages only), so the rate phases use the Python sender in its
own process and wrk checks capacity and the sender's own cost (compare their latencies).

--quick: a few seconds per phase (CI checks that the script works; its timings mean
nothing). The machine is shared: read `load_1min` in each record and repeat when disturbed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MATCH = "/v1/match"
K = 20
CONNECTIONS = 64
TARGETS = {
    "cached_p50_ms": 20.0,
    "cached_p99_ms": 60.0,
    "uncached_p99_ms": 100.0,
    "sustained_rps": 50.0,
    "overhead_ratio": 0.15,
    "challenger_p99_overhead": 0.10,  # issue 24: a challenger adds ≤ 10% to /v1/match p99
}


# ---- the load generator (runs in its own process; imports only the standard library + httpx) --


def _unique(body: bytes, i: int, nonce: str) -> bytes:
    doc = json.loads(body)
    doc["brand"]["values"] = f"{doc['brand']['values']} · brief {nonce}-{i}"
    return json.dumps(doc).encode()


async def _open_loop(spec: dict[str, Any]) -> list[list[Any]]:
    rate, duration = float(spec["rate"]), float(spec["duration"])
    bodies = [b.encode() for b in spec["bodies"]]
    unique, nonce = bool(spec["unique"]), secrets.token_hex(4)
    headers = {"Authorization": f"Bearer {spec['key']}", "Content-Type": "application/json"}
    connections = int(spec["connections"])
    # idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them: a POST
    # sent on a connection the server is closing fails with a ReadError and is not retried
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2.0
    )
    results: list[list[Any]] = []

    async def one(client: httpx.AsyncClient, i: int, due: float, t0: float) -> None:
        body = bodies[i % len(bodies)]
        if unique:
            body = _unique(body, i, nonce)
        sent = time.perf_counter()
        status, took, model, catalog, error, worker = 0, None, None, None, None, None
        try:
            response = await client.post(MATCH, content=body, headers=headers)
            done = time.perf_counter()
            status = response.status_code
            worker = response.headers.get("x-microtribe-worker")  # several workers only
            if status == 200:
                doc = response.json()
                took, model, catalog = doc["took_ms"], doc["model_version"], doc["catalog_version"]
            else:
                error = response.text[:200]
        except httpx.HTTPError as exc:
            done = time.perf_counter()
            error = f"{type(exc).__name__}: {exc}"
        results.append(
            [i, due - t0, (done - due) * 1e3, (done - sent) * 1e3, status, took, model, catalog,
             error, worker]
        )

    if spec.get("round_robin"):
        # one client per connection, request i on connection i mod n, all opened before the
        # clock starts: with several server workers each connection stays with the worker that
        # accepted it, and one shared pool reuses its first idle connection, so a light load
        # would all go to one worker
        one_each = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=4.0
        )
        clients = [
            httpx.AsyncClient(
                base_url=spec["url"], limits=one_each, timeout=float(spec["timeout"])
            )
            for _ in range(connections)
        ]
    else:
        clients = [
            httpx.AsyncClient(base_url=spec["url"], limits=limits, timeout=float(spec["timeout"]))
        ]
    try:
        # one request first so the connections exist before the clock starts
        await asyncio.gather(*(client.get("/healthz") for client in clients))
        n = max(1, round(rate * duration))
        t0 = time.perf_counter() + 0.05
        tasks = []
        for i in range(n):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(clients[i % len(clients)], i, due, t0)))
        await asyncio.gather(*tasks)
    finally:
        for client in clients:
            await client.aclose()
    results.sort()
    return results


def loadgen_main(spec_path: str, out_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.perf_counter()
    results = asyncio.run(_open_loop(spec))
    wall = time.perf_counter() - started
    Path(out_path).write_text(json.dumps({"results": results, "wall_s": wall}))


# ---- the orchestrator ------------------------------------------------------------------------


def _percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p90": None, "p99": None, "max": None, "mean": None, "n": 0}
    import numpy as np

    array = np.asarray(values, dtype=np.float64)
    p50, p90, p99 = np.percentile(array, [50, 90, 99])
    return {
        "p50": round(float(p50), 3),
        "p90": round(float(p90), 3),
        "p99": round(float(p99), 3),
        "max": round(float(array.max()), 3),
        "mean": round(float(array.mean()), 3),
        "n": len(values),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def briefs_from(home: Path, n: int) -> list[dict[str, Any]]:
    """`n` match bodies: stored brands sent inline (the whole brief is validated per request)."""
    from matching.store import CatalogStore

    store = CatalogStore(home / "catalog.db")
    try:
        brands = store.brands()[:n]
    finally:
        store.close()
    if not brands:
        raise SystemExit(f"{home}: no stored brands to use as briefs")
    return [{"brand": brand, "k": K, "explain": True} for brand in brands]


class InProcess:
    """The pipeline in this process, on the same home, as the server runs it (one thread)."""

    def __init__(self, home: Path, bodies: list[dict[str, Any]]) -> None:
        from api.routes.match import filters_from
        from api.schemas import MatchRequest
        from matching.service import MatchService
        from microtribe.settings import Settings

        self.service = MatchService(Settings.from_env(home))
        self.service.start()
        self.pipe = self.service.ready()
        requests = [MatchRequest.model_validate(body) for body in bodies]
        self.brands = [
            r.brand.model_dump(mode="json", exclude_none=True) for r in requests if r.brand
        ]
        self.filters = [filters_from(r.filters) for r in requests]
        for i in range(len(self.brands)):  # warm-up: embeds and caches every brief
            self.run(i)

    def run(self, i: int) -> float:
        """Milliseconds of one `MatchPipeline.run` for brief `i` (k=20, explained)."""
        started = time.perf_counter()
        self.pipe.run(self.brands[i], K, self.filters[i], with_reasons=True)
        return (time.perf_counter() - started) * 1e3

    def describe(self) -> dict[str, Any]:
        return {
            "creators": int(self.pipe.catalog.live.sum()),
            "model_version": self.pipe.bundle.version,
            "catalog_version": self.pipe.catalog.version,
        }

    def close(self) -> None:
        self.service.close()


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it is still running after 30 s; waits for it either way."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_env(home: Path, read_key: str, admin_key: str, **extra: str) -> dict[str, str]:
    """The environment a benchmarked `microtribe serve` runs in: offline, the home, a read and
    an admin key, the rate limit off (an overload shows as latency, not 429s), and `extra`."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "MICROTRIBE_HOME": str(home),
        "MICROTRIBE_API_KEYS": f"read:{read_key},admin:{admin_key}",
        "MICROTRIBE_RATE_LIMIT": "off",
        **extra,
    }


class Server:
    """`microtribe serve` on a free loopback port, in its own process (or uvicorn --workers N)."""

    def __init__(
        self,
        home: Path,
        poll: float,
        workdir: Path,
        workers: int = 1,
        concurrency: int = 1,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`args`: more `serve` options (`--catalog-from DIR`); `env`: more variables."""
        self.home = home
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.read_key, self.admin_key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.log_path = workdir / "server.log"
        env = server_env(
            home, self.read_key, self.admin_key,
            MICROTRIBE_POLL_SECONDS=str(poll), MICROTRIBE_MATCH_CONCURRENCY=str(concurrency),
            **(env or {}),
        )  # fmt: skip
        address = ["--host", "127.0.0.1", "--port", str(self.port)]
        command = [sys.executable, "-m", "microtribe", "serve", *address, "--home", str(home)]
        if workers > 1:
            command += ["--workers", str(workers)]
        command += list(args)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited; see {self.log_path}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server was not ready within {timeout:.0f} s; see {self.log_path}")

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def read(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.read_key}"}


def _metric_sums(client: httpx.Client) -> dict[str, float]:
    """Sums and counts of the /v1/match HTTP latency and of its pipeline stages."""
    text = client.get("/metrics").text
    sums = {"http_sum": 0.0, "http_count": 0.0, "stages_sum": 0.0, "stages_count": 0.0}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name.startswith("microtribe_http_request_duration_seconds_") and (
            f'route="{MATCH}"' in name and 'status="200"' in name
        ):
            if name.startswith("microtribe_http_request_duration_seconds_sum"):
                sums["http_sum"] += float(value)
            elif name.startswith("microtribe_http_request_duration_seconds_count"):
                sums["http_count"] += float(value)
        elif name.startswith("microtribe_match_stage_duration_seconds_sum"):
            sums["stages_sum"] += float(value)
        elif name.startswith('microtribe_match_stage_duration_seconds_count{stage="embed"}'):
            sums["stages_count"] += float(value)
    return sums


class RawClient:
    """HTTP/1.1 POSTs on one keep-alive socket, as little client work as a request can take."""

    def __init__(self, url: str, path: str, headers: dict[str, str]) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{lines}".encode()

    def request(self, body: bytes) -> bytes:
        """Send once (the request bytes are built by `prepare`); return the whole response."""
        self.sock.sendall(body)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += self._recv()
        head, _, rest = buffer.partition(b"\r\n\r\n")
        fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
        length = int(fields.get(b"content-length") or fields[b"Content-Length"])
        while len(rest) < length:
            rest += self._recv()
        return head + b"\r\n\r\n" + rest

    def prepare(self, body: bytes) -> bytes:
        return self.head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body

    def _recv(self) -> bytes:
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def sequential(
    server: Server, bodies: list[dict[str, Any]], repeats: int, inproc: InProcess
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same requests in process and over HTTP, interleaved so machine noise hits all alike."""
    encoded = [json.dumps(body).encode() for body in bodies]
    headers = {**server.read(), "Content-Type": "application/json"}
    raw = RawClient(server.url, MATCH, headers)
    prepared = [raw.prepare(body) for body in encoded]
    local_ms, client_ms, raw_ms, took_ms, ratios, raw_ratios, errors = [], [], [], [], [], [], 0
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for body, request in zip(encoded, prepared, strict=True):  # warm-up: caches, sockets
            client.post(MATCH, content=body, headers=headers)
            raw.request(request)
        before = _metric_sums(client)
        for _ in range(repeats):
            for i, body in enumerate(encoded):
                pipeline_ms = inproc.run(i)
                started = time.perf_counter()
                answer = raw.request(prepared[i])
                raw_elapsed = (time.perf_counter() - started) * 1e3
                started = time.perf_counter()
                response = client.post(MATCH, content=body, headers=headers)
                elapsed = (time.perf_counter() - started) * 1e3
                local_ms.append(pipeline_ms)
                if response.status_code != 200 or not answer.startswith(b"HTTP/1.1 200"):
                    errors += 1
                    continue
                client_ms.append(elapsed)
                raw_ms.append(raw_elapsed)
                took_ms.append(float(response.json()["took_ms"]))
                ratios.append((elapsed - pipeline_ms) / pipeline_ms)
                raw_ratios.append((raw_elapsed - pipeline_ms) / pipeline_ms)
        after = _metric_sums(client)
    raw.close()
    delta = {key: after[key] - before[key] for key in after}
    http_mean: float | None = 1e3 * delta["http_sum"] / max(delta["http_count"], 1)
    stages_mean: float | None = 1e3 * delta["stages_sum"] / max(delta["stages_count"], 1)
    seen, bare, local = _percentiles(client_ms), _percentiles(raw_ms), _percentiles(local_ms)
    paired, httpx_paired = _percentiles(raw_ratios)["p50"], _percentiles(ratios)["p50"]
    in_process = {"pipeline_run_ms": local, **inproc.describe()}
    return in_process, {
        "requests": len(client_ms) + errors,
        "errors": errors,
        "client_ms": bare,
        "httpx_client_ms": seen,
        "took_ms": _percentiles(took_ms),
        "server_http_mean_ms": None if http_mean is None else round(http_mean, 3),
        "server_pipeline_mean_ms": None if stages_mean is None else round(stages_mean, 3),
        "in_process_pipeline_ms": local,
        "overhead_paired_median": None if paired is None else round(paired, 4),
        "overhead_httpx_paired_median": None if httpx_paired is None else round(httpx_paired, 4),
        "overhead_client_p50_vs_in_process_p50": _overhead(bare["p50"], local["p50"]),
        "overhead_httpx_p50_vs_in_process_p50": _overhead(seen["p50"], local["p50"]),
        "overhead_client_mean_vs_in_process_mean": _overhead(bare["mean"], local["mean"]),
        "overhead_server_http_vs_server_pipeline_mean": _overhead(http_mean, stages_mean),
        "overhead_server_http_mean_vs_in_process_mean": _overhead(http_mean, local["mean"]),
        "client": "minimal HTTP/1.1 keep-alive socket (RawClient); httpx_* with httpx",
        "target_overhead": TARGETS["overhead_ratio"],
        "met": paired is not None and paired <= TARGETS["overhead_ratio"],
    }


def _overhead(measured: float | None, base: float | None) -> float | None:
    """(measured − base) / base, or None when either is missing."""
    return None if measured is None or not base else round((measured - base) / base, 4)


def start_load(
    server: Server, bodies: list[dict[str, Any]], rate: float, duration: float, unique: bool,
    workdir: Path, connections: int = CONNECTIONS, round_robin: bool = False,
) -> tuple[subprocess.Popen[bytes], Path]:
    spec = {
        "url": server.url,
        "key": server.read_key,
        "rate": rate,
        "duration": duration,
        "unique": unique,
        "bodies": [json.dumps(body) for body in bodies],
        "timeout": 30.0,
        "connections": connections,
        "round_robin": round_robin,
    }
    name = f"load-{'unique' if unique else 'cached'}-{time.monotonic_ns()}"
    spec_path, out_path = workdir / f"{name}.spec.json", workdir / f"{name}.out.json"
    spec_path.write_text(json.dumps(spec))
    process = subprocess.Popen(
        [sys.executable, __file__, "--loadgen", str(spec_path), str(out_path)], cwd=ROOT
    )
    return process, out_path


def finish_load(
    process: subprocess.Popen[bytes], out_path: Path, rate: float, duration: float,
    connections: int = CONNECTIONS,
) -> dict[str, Any]:
    if process.wait(timeout=duration + 120) != 0:
        raise SystemExit(f"the load generator failed (exit {process.returncode})")
    done = json.loads(out_path.read_text())
    rows = done["results"]
    ok = [r for r in rows if r[4] == 200]
    failed = [r for r in rows if r[4] != 200]
    span = max((r[1] + r[2] / 1e3 for r in rows), default=0.0)  # first due → last answer
    return {
        "rate_target": rate,
        "duration_s": duration,
        "requests": len(rows),
        "errors": len(failed),
        "error_samples": sorted({str(r[8] or r[4]) for r in failed})[:5],
        "achieved_rps": round(len(ok) / span, 2) if span else None,
        "latency_ms": _percentiles([r[2] for r in ok]),  # from when each request was due
        "service_ms": _percentiles([r[3] for r in ok]),  # from when it was actually sent
        "took_ms": _percentiles([float(r[5]) for r in ok]),
        "model_versions": sorted({r[6] for r in ok}),
        "catalog_versions": sorted({r[7] for r in ok}),
        # several workers: answers per worker pid (the X-Microtribe-Worker header)
        "by_worker": _by_worker(rows),
        "generator": f"open-loop asyncio+httpx, separate process, ≤ {connections} connections",
    }


def _by_worker(rows: list[list[Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        if len(row) > 9 and row[9] is not None:
            counts[row[9]] = counts.get(row[9], 0) + 1
    return dict(sorted(counts.items()))


def run_load(
    server: Server, bodies: list[dict[str, Any]], rate: float, duration: float, unique: bool,
    workdir: Path, connections: int = CONNECTIONS,
) -> dict[str, Any]:
    process, out_path = start_load(server, bodies, rate, duration, unique, workdir, connections)
    return finish_load(process, out_path, rate, duration, connections)


# wrk (a C load generator, Debian package `wrk`): closed loop, so it measures capacity. Each
# connection sends the bodies in turn; done() prints one JSON line with wrk's own figures.
WRK_SCRIPT = r"""
local bodies, counter = {}, 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WRK_KEY")
for line in io.lines(os.getenv("WRK_BODIES")) do bodies[#bodies + 1] = line end
function request()
  counter = counter + 1
  return wrk.format(nil, "/v1/match", nil, bodies[(counter % #bodies) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def wrk_capacity(
    server: Server, bodies: list[dict[str, Any]], duration: float, connections: int,
    workdir: Path,
) -> dict[str, Any]:
    """Closed-loop throughput with `connections` connections kept busy (1 wrk thread)."""
    script, lines = workdir / "match.lua", workdir / "bodies.jsonl"
    script.write_text(WRK_SCRIPT)
    lines.write_text("".join(json.dumps(body) + "\n" for body in bodies))
    env = {**os.environ, "WRK_KEY": server.read_key, "WRK_BODIES": str(lines)}
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout",
               "30s", "-s", str(script), server.url]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = [line[4:] for line in done.stdout.splitlines() if line.startswith("WRK ")]
    if not found:
        raise SystemExit(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(found[0])
    errors = sum(raw[key] for key in ("connect", "read", "write", "status", "timeout"))
    seconds = raw["duration_us"] / 1e6
    return {
        "connections": connections,
        "duration_s": round(seconds, 2),
        "requests": raw["requests"],
        "errors": errors,
        "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
        "throughput_rps": round((raw["requests"] - errors) / seconds, 2),
        "latency_ms": {
            name: round(raw[f"{name}_us"] / 1e3, 3) for name in ("p50", "p90", "p99", "max", "mean")
        },
        "generator": f"wrk 1 thread, {connections} connections, closed loop (capacity)",
    }


@contextmanager
def restored_pointers(home: Path) -> Iterator[list[Path]]:
    """Put CHAMPION and CURRENT back and remove the versions made under load."""
    pointers = [home / "models" / "CHAMPION", home / "catalog" / "CURRENT"]
    saved = [p.read_text() for p in pointers]
    made: list[Path] = []
    try:
        yield made
    finally:
        for pointer, text in zip(pointers, saved, strict=True):
            _point(pointer, text)
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def _point(path: Path, value: str) -> None:
    staging = path.with_name(f".{path.name}.bench")
    staging.write_text(value)
    os.replace(staging, path)


def reload_under_load(
    server: Server, bodies: list[dict[str, Any]], rate: float, duration: float, promote: bool,
    events: int, workdir: Path,
) -> dict[str, Any]:
    home = server.home
    kinds = ["admin_reload", "promote_model", "new_catalog"] if promote else ["admin_reload"]
    log: list[dict[str, Any]] = []
    with restored_pointers(home) as made:
        process, out_path = start_load(server, bodies, rate, duration, False, workdir)
        started = time.monotonic()
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for n in range(events):
                time.sleep(max(0.0, started + duration * (n + 1) / (events + 1) - time.monotonic()))
                kind = kinds[n % len(kinds)]
                t = time.monotonic()
                entry: dict[str, Any] = {"event": kind, "at_s": round(t - started, 2)}
                if kind == "admin_reload":
                    response = client.post("/v1/admin/reload", headers=server.admin())
                    entry["status"] = response.status_code
                    entry["request_to_swap_s"] = round(time.monotonic() - t, 3)
                elif kind == "promote_model":
                    entry["model_version"] = _promote_copy(home, made)
                    entry["served_after_s"] = _served_after(client, server, entry, t)
                else:
                    version, moved = _new_catalog_copy(home, made)
                    entry["catalog_version"] = version
                    entry["prepare_s"] = round(moved - t, 3)
                    entry["served_after_s"] = _served_after(client, server, entry, moved)
                entry["took_s"] = round(time.monotonic() - t, 3)
                log.append(entry)
        result = finish_load(process, out_path, rate, duration)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            final = client.get("/v1/model", headers=server.read()).json()
    result.update(events=log, serving_after={k: final[k] for k in ("model_version",
                                                                   "catalog_version")})
    return result


def _served_after(
    client: httpx.Client, server: Server, entry: dict[str, Any], since: float
) -> float | None:
    """Seconds until `/v1/model` shows the version just put in place (the poll's pick-up)."""
    field = "model_version" if "model_version" in entry else "catalog_version"
    deadline = since + 120
    while time.monotonic() < deadline:
        if client.get("/v1/model", headers=server.read()).json()[field] == entry[field]:
            return round(time.monotonic() - since, 3)
        time.sleep(0.05)
    return None


def _promote_copy(home: Path, made: list[Path]) -> str:
    """Install the champion's bundle as a new version and move CHAMPION (what promote does)."""
    from microtribe.settings import Settings
    from training.registry import install_bundle

    models = home / "models"
    champion = (models / "CHAMPION").read_text().strip()
    numbers = [int(p.name) for p in models.iterdir() if p.is_dir() and p.name.isdigit()]
    version = str(max(numbers, default=0) + 1000)
    made.append(install_bundle(Settings.from_env(home), models / champion, version, "bench"))
    _point(models / "CHAMPION", version)
    return version


def _new_catalog_copy(home: Path, made: list[Path]) -> tuple[str, float]:
    """A new version with the current one's files (hard links: like a version a build has
    just written, its pages are in the page cache, but it is mapped afresh), then CURRENT
    moved to it (what a build ends with); returns the version and when CURRENT moved."""
    catalog = home / "catalog"
    current = (catalog / "CURRENT").read_text().strip()
    version = f"{current.split('-bench')[0]}-bench{time.monotonic_ns() % 10**6}"
    made.append(catalog / version)
    shutil.copytree(catalog / current, catalog / version, copy_function=os.link)
    moved = time.monotonic()
    _point(catalog / "CURRENT", version)
    return version, moved


def _comparable(content: bytes) -> bytes:
    """An answer's bytes with its request_id and took_ms put to fixed values."""
    answer = json.loads(content)
    same = content.replace(answer["request_id"].encode(), b"R")
    return same.replace(f'"took_ms":{answer["took_ms"]}'.encode(), b'"took_ms":0', 1)


def _answers(client: httpx.Client, server: Server, bodies: list[dict[str, Any]]) -> list[bytes]:
    out = []
    for body in bodies:
        response = client.post(MATCH, json=body, headers=server.read())
        response.raise_for_status()
        out.append(_comparable(response.content))
    return out


def _challenger_counts(client: httpx.Client) -> dict[str, float]:
    counts = {"scored": 0.0, "dropped": 0.0}
    for line in client.get("/metrics").text.splitlines():
        for name in counts:
            if line.startswith(f"microtribe_challenger_{name}_total "):
                counts[name] += float(line.rsplit(" ", 1)[1])
    return counts


def challenger_on_off(
    server: Server,
    bodies: list[dict[str, Any]],
    rate: float,
    duration: float,
    workdir: Path,
    connections: int,
) -> dict[str, Any]:
    """The same cached load without, then with, a challenger (the champion's bundle installed
    as a new version and named in models/CHALLENGER: a model of the same size, scored off the
    request path); the answers to the same requests compared byte for byte."""
    home = server.home
    pointer = home / "models" / "CHALLENGER"
    with restored_pointers(home) as made, httpx.Client(base_url=server.url, timeout=60) as client:
        pointer.unlink(missing_ok=True)
        without = _answers(client, server, bodies)
        off = run_load(server, bodies, rate, duration, False, workdir, connections)
        version = _challenger_copy(home, made)
        before = _challenger_counts(client)
        deadline = time.monotonic() + 120
        while _challenger_counts(client)["scored"] <= before["scored"]:  # the poll's pick-up
            assert time.monotonic() < deadline, "the server did not pick the challenger up"
            client.post(MATCH, json=bodies[0], headers=server.read()).raise_for_status()
        with_challenger = _answers(client, server, bodies)
        before = _challenger_counts(client)
        on = run_load(server, bodies, rate, duration, False, workdir, connections)
        after = _challenger_counts(client)
        pointer.unlink(missing_ok=True)
    p99_off, p99_on = off["latency_ms"]["p99"], on["latency_ms"]["p99"]
    return {
        "challenger_version": version,
        "without": off,
        "with": on,
        "p99_overhead": _overhead(p99_on, p99_off),
        "challenger_scored": after["scored"] - before["scored"],
        "challenger_dropped": after["dropped"] - before["dropped"],
        "byte_identical": without == with_challenger,
        "compared_answers": len(bodies),
    }


def _challenger_copy(home: Path, made: list[Path]) -> str:
    """The champion's bundle installed as a new version, named in models/CHALLENGER."""
    from microtribe.settings import Settings
    from training.registry import install_bundle

    models = home / "models"
    champion = (models / "CHAMPION").read_text().strip()
    numbers = [int(p.name) for p in models.iterdir() if p.is_dir() and p.name.isdigit()]
    version = str(max(numbers, default=0) + 2000)
    made.append(install_bundle(Settings.from_env(home), models / champion, version, "bench"))
    _point(models / "CHALLENGER", version)
    return version


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--loadgen":
        loadgen_main(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("MICROTRIBE_HOME", "")))
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per load phase")
    parser.add_argument("--rate", type=float, default=50.0, help="requests/s, open loop")
    parser.add_argument("--briefs", type=int, default=20, help="distinct cached briefs")
    parser.add_argument("--repeats", type=int, default=10, help="passes, in-process/sequential")
    parser.add_argument("--poll", type=float, default=1.0, help="server MICROTRIBE_POLL_SECONDS")
    parser.add_argument("--reloads", type=int, default=6, help="reload events under load")
    parser.add_argument("--no-promote", action="store_true", help="only call /v1/admin/reload")
    parser.add_argument(
        "--phases", default="cached,uncached,reload,wrk", help="load phases to run"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (microtribe serve --workers)"
    )
    parser.add_argument(
        "--match-concurrency",
        type=int,
        default=1,
        help="the server's MICROTRIBE_MATCH_CONCURRENCY: 1 (default) on the event loop when "
        "alone, N ≥ 2 every match in worker threads",
    )
    parser.add_argument(
        "--connections", type=int, default=CONNECTIONS, help="open-loop sender's connection cap"
    )
    parser.add_argument("--wrk-connections", type=int, default=4, help="wrk capacity phase")
    parser.add_argument("--startup-timeout", type=float, default=600.0)
    parser.add_argument("--quick", action="store_true", help="a few seconds a phase (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "serve.jsonl")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.rate, args.repeats, args.reloads = 3.0, 20.0, 2, 3
        args.briefs = min(args.briefs, 5)
    home = args.home.resolve()
    if not (home / "catalog" / "CURRENT").exists() or not (home / "models" / "CHAMPION").exists():
        raise SystemExit(f"{home}: needs a built catalog and a champion (build, train --promote)")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from bench.common import Recorder, log

    recorder = Recorder("serve_load", args.out)
    context = {
        "home": str(home), "quick": args.quick, "k": K, "explain": True, "workers": args.workers,
        "match_concurrency": args.match_concurrency,
    }  # fmt: skip
    bodies = briefs_from(home, args.briefs)
    log(f"in-process pipeline on {home}")
    inproc = InProcess(home, bodies)
    context["creators"] = inproc.describe()["creators"]
    phases = set(args.phases.split(","))
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        workdir = Path(tmp)
        log("starting the server")
        started = time.perf_counter()
        server = Server(home, args.poll, workdir, args.workers, args.match_concurrency)
        try:
            server.wait_ready(args.startup_timeout)
            context["server_start_s"] = round(time.perf_counter() - started, 1)
            log(f"sequential: {len(bodies)} briefs × {args.repeats}, in process and over HTTP")
            local, seq = sequential(server, bodies, args.repeats, inproc)
            inproc.close()  # the load phases measure the server alone
            recorder.emit({"measure": "in_process", **context, **local})
            recorder.emit({"measure": "sequential_http", **context, **seq})
            if "cached" in phases:
                log(f"cached load: {args.rate:g}/s for {args.duration:g} s")
                load = run_load(
                    server, bodies, args.rate, args.duration, False, workdir, args.connections
                )
                latency = load["latency_ms"]
                load["met"] = {
                    "p50": _le(latency["p50"], TARGETS["cached_p50_ms"]),
                    "p99": _le(latency["p99"], TARGETS["cached_p99_ms"]),
                    "sustained": load["errors"] == 0
                    and (load["achieved_rps"] or 0) >= TARGETS["sustained_rps"]
                    and args.duration >= 60,
                }
                recorder.emit({"measure": "cached_load", **context, **load})
            if "uncached" in phases:
                log(f"uncached load: {args.rate:g}/s for {args.duration:g} s")
                load = run_load(
                    server, bodies, args.rate, args.duration, True, workdir, args.connections
                )
                load["met"] = {"p99": _le(load["latency_ms"]["p99"], TARGETS["uncached_p99_ms"])}
                recorder.emit({"measure": "uncached_load", **context, **load})
            if "wrk" in phases and not args.quick and shutil.which("wrk"):
                log(f"wrk capacity: {args.wrk_connections} connections for {args.duration:g} s")
                load = wrk_capacity(server, bodies, args.duration, args.wrk_connections, workdir)
                load["met"] = {
                    "sustained": load["errors"] == 0
                    and load["throughput_rps"] >= TARGETS["sustained_rps"]
                    and args.duration >= 60
                }
                recorder.emit({"measure": "wrk_capacity", **context, **load})
            if "challenger" in phases:
                log(f"challenger off/on: {args.rate:g}/s for {args.duration:g} s each")
                load = challenger_on_off(
                    server, bodies, args.rate, args.duration, workdir, args.connections
                )
                overhead = load["p99_overhead"]
                load["met"] = {
                    "p99_overhead": overhead is not None
                    and overhead <= TARGETS["challenger_p99_overhead"],
                    "zero_failed": load["with"]["errors"] == 0 and load["without"]["errors"] == 0,
                    "byte_identical": load["byte_identical"],
                }
                recorder.emit({"measure": "challenger_on_off", **context, **load})
            if "reload" in phases:
                log(f"reload under load: {args.reloads} events in {args.duration:g} s")
                load = reload_under_load(
                    server, bodies, args.rate, args.duration, not args.no_promote,
                    args.reloads, workdir,
                )
                load["met"] = {"zero_failed": load["errors"] == 0}
                recorder.emit({"measure": "reload_under_load", **context, **load})
        except BaseException:
            print(server.tail(), file=sys.stderr)
            raise
        finally:
            server.stop()


def _le(value: float | None, target: float) -> bool:
    return value is not None and value <= target


if __name__ == "__main__":
    main()
