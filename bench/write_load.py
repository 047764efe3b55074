"""Concurrent writers against `microtribe serve`: the #13 reproduction and write throughput.

    .venv/bin/python bench/write_load.py --home DIR [--phases mixed,creators]
        [--mixed-requests 720] [--clients 1,8] [--creators 240] [--repeats 3] [--quick]

The script copies --home (a built home with a champion model) to a temporary directory and
writes there only: the home itself is never changed. It starts `microtribe serve` on the copy
(bench.serve_load.Server: a free loopback port, rate limit off, poll off) and runs, each
phase printing one JSON object (appended to --out, default bench/results/write_load.jsonl):

1. `mixed` (the reproduction of issue #13): six client threads, two each on
   `POST /v1/creators`, `/v1/brands` and `/v1/feedback`, one record per request,
   --mixed-requests in all. Recorded: answers per status, 5xx count, seconds.
2. `creators` for each N of --clients: N client threads upsert --creators new creators between
   them, one creator per request (a roster sync). Each creator is new text (a generated world
   of another seed), so every upsert embeds its captions, as a real new creator would.
   Recorded per repeat: creators acknowledged per second (acknowledged ÷ wall time), request
   latency p50/p99, answers per status; then the median over --repeats. The home copy is
   fresh for every repeat, so each starts from the same catalog.

--quick: a handful of requests (CI checks that the script works; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log
from bench.serve_load import Server


def new_creators(n: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    """`n` creators the home has never seen, with ids under `prefix`."""
    from training.world import generate_world

    creators = generate_world(n_creators=n, n_brands=6, seed=seed).creators
    for i, creator in enumerate(creators):
        creator["creator_id"] = f"{prefix}{i}"
    return creators


def copy_home(source: Path, parent: Path) -> Path:
    target = parent / "home"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("logs", "world"))
    return target


def run_clients(
    url: str, headers: dict[str, str], jobs: list[list[tuple[str, Any]]]
) -> dict[str, Any]:
    """One thread per job list of (path, JSON body); every request's status and latency."""
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def client(requests: list[tuple[str, Any]]) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
            for path, body in requests:
                started = time.perf_counter()
                try:
                    status = str(http.post(path, json=body).status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                took = (time.perf_counter() - started) * 1000
                with lock:
                    statuses[status] += 1
                    latencies.append(took)

    threads = [threading.Thread(target=client, args=(job,)) for job in jobs]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    values = np.asarray(latencies or [np.nan])
    return {
        "seconds": round(seconds, 3),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(n for s, n in statuses.items() if s.startswith("5")),
        "latency_p50_ms": round(float(np.percentile(values, 50)), 2),
        "latency_p99_ms": round(float(np.percentile(values, 99)), 2),
    }


def mixed_jobs(n_requests: int, seed: int) -> list[list[tuple[str, Any]]]:
    """Six clients: two each on creators, brands and feedback, one record per request."""
    per_client = n_requests // 6
    creators = new_creators(2 * per_client, seed, "bench:mixed.")
    jobs: list[list[tuple[str, Any]]] = []
    for c in range(2):
        mine = creators[c * per_client : (c + 1) * per_client]
        jobs.append([("/v1/creators", [doc]) for doc in mine])
        brands = [
            {"brand_id": f"bench-b{c}-{i}", "name": f"Bench {c}-{i}", "values": "artigianato"}
            for i in range(per_client)
        ]
        jobs.append([("/v1/brands", [brand]) for brand in brands])
        outcomes = [
            {"brand_id": f"bench-b{c}-{i}", "creator_id": f"bench:mixed.{i}",
             "campaign_id": f"w{c}", "stage": "proposed",
             "observed_at": "2026-11-20T00:00:00Z"}
            for i in range(per_client)
        ]  # fmt: skip
        jobs.append([("/v1/feedback", [outcome]) for outcome in outcomes])
    return jobs


def creator_jobs(n_creators: int, clients: int, seed: int) -> list[list[tuple[str, Any]]]:
    creators = new_creators(n_creators, seed, f"bench:w{clients}.")
    return [[("/v1/creators", [doc]) for doc in creators[c::clients]] for c in range(clients)]


def with_server(
    home: Path, workdir: Path, body: Callable[[Server], dict[str, Any]]
) -> dict[str, Any]:
    copy = copy_home(home, workdir)
    server = Server(copy, poll=0, workdir=workdir)
    try:
        server.wait_ready(timeout=180)
        return body(server)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--phases", default="mixed,creators")
    parser.add_argument("--mixed-requests", type=int, default=720)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--creators", type=int, default=240)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--label", default=None)
    parser.add_argument("--out", type=Path, default=default_out("write_load"))
    args = parser.parse_args()
    if args.quick:
        args.mixed_requests, args.creators, args.repeats = 36, 16, 1
    phases = args.phases.split(",")
    recorder = Recorder("write_load", args.out)
    base = {"home": str(args.home), "label": args.label}
    with tempfile.TemporaryDirectory(prefix="write-load-") as tmp:
        workdir = Path(tmp)
        if "mixed" in phases:
            jobs = mixed_jobs(args.mixed_requests, seed=4101)
            log(f"mixed: 6 clients, {sum(map(len, jobs))} requests")
            result = with_server(
                args.home, workdir, lambda s: run_clients(s.url, s.admin(), jobs)
            )
            recorder.emit({**base, "phase": "mixed", "clients": 6, **result})
        if "creators" in phases:
            for clients in [int(c) for c in args.clients.split(",")]:
                jobs = creator_jobs(args.creators, clients, seed=4200 + clients)
                runs = []
                for repeat in range(args.repeats):
                    log(f"creators: {clients} clients, repeat {repeat + 1}/{args.repeats}")
                    run = with_server(
                        args.home, workdir, lambda s, j=jobs: run_clients(s.url, s.admin(), j)
                    )
                    acked = run["statuses"].get("200", 0)
                    run["creators_per_s"] = round(acked / run["seconds"], 2)
                    runs.append(run)
                rates = [run["creators_per_s"] for run in runs]
                recorder.emit({
                    **base, "phase": "creators", "clients": clients,
                    "creators": args.creators, "creators_per_s_median": statistics.median(rates),
                    "creators_per_s_runs": rates,
                    "server_errors": sum(run["server_errors"] for run in runs), "runs": runs,
                })  # fmt: skip


if __name__ == "__main__":
    main()
