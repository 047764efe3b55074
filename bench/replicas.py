"""Two replicas on two homes, one shared store, one published directory: how fast they agree.

    .venv/bin/python bench/replicas.py --home /work/homes/dev [--store-url URL] [--writes 200]
        [--publishes 3] [--workdir DIR] [--out bench/results/replicas.jsonl]

The home must hold a built catalog and a champion model; it is only read. The script copies
it three times under --workdir: a builder home and the homes of replicas A and B. The store is
--store-url (`sqlite:///abs/file.db` or `postgresql://…`; default a new SQLite file in the
workdir), seeded with the home's creators and brands when it holds no creator. Then:

1. the builder runs `microtribe build --publish DIR`; A and B start with `microtribe serve
   --catalog-from DIR` (bench/serve_load.py's `Server`; MICROTRIBE_POLL_SECONDS=1, the store
   poll at its default, MICROTRIBE_STORE_POLL_SECONDS=1) and serve the published version;
2. write → visible: --writes times, one new creator is written to A (`POST /v1/creators`),
   and from A's acknowledgement B's `/v1/match` is asked every 25 ms, filtered to that
   creator's follower count and country, until it returns it. Reported: p50, p99, max
   (target p99 ≤ 2 s), and the write's own latency on A. The writes go one after another,
   each as soon as the previous one was seen on B, that is just after B's store poll: each
   waits nearly a whole poll period, the worst phase (writes at random times wait half a
   period less on average);
3. publish → served: --publishes times, while a client thread sends matches to A and B in
   turn, the builder runs `build --publish DIR`; from the moment `DIR/CURRENT` moved (its
   modification time) until both replicas' `/readyz` name the new version. Reported: each
   time and the largest (target ≤ 5 s), and the requests sent during the switches and how
   many failed (target 0).

Everything runs on one machine: the builder's build competes with the replicas for the cores
(`load_1min` is recorded).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import Recorder, default_out, log  # noqa: E402
from bench.serve_load import Server  # noqa: E402

BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}
COUNTRY = "IS"  # no generated creator lives there: each written one is found by its filter
POLL_SECONDS = 1.0
TARGETS = {"visible_p99_s": 2.0, "publish_to_served_s": 5.0, "switch_failed": 0}


def copy_home(home: Path, target: Path, with_embeddings: bool) -> Path:
    skip = ["logs", "world", "trainset.pkl", "bench-world.json"]
    if not with_embeddings:  # a replica embeds only the few writes it catches up on
        skip.append("embeddings.db")
    shutil.copytree(home, target, ignore=shutil.ignore_patterns(*skip))
    return target


def seed_store(home: Path, builder: Path, store_url: str) -> int:
    """Copy the home's creators and brands into the shared store when it holds no creator."""
    from matching.store import CatalogStore, open_store
    from microtribe.settings import Settings

    shared = open_store(Settings(home=builder, store_url=store_url))
    try:
        if shared.counts()["creators"]:
            return 0
        own = CatalogStore(home / "catalog.db")
        try:
            creators, brands = own.creators(), own.brands()
        finally:
            own.close()
        shared.upsert_brands(brands)
        for start in range(0, len(creators), 1000):
            shared.upsert_creators(creators[start : start + 1000])
        return len(creators)
    finally:
        shared.close()


def build_and_publish(builder: Path, published: Path, store_url: str) -> str:
    env = {**os.environ, "MICROTRIBE_HOME": str(builder), "MICROTRIBE_STORE_URL": store_url}
    done = subprocess.run(
        [sys.executable, "-m", "microtribe", "build", "--publish", str(published)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"build --publish failed:\n{done.stdout}\n{done.stderr}")
    return (published / "CURRENT").read_text().strip()


def creator(i: int) -> dict[str, Any]:
    post = {
        "post_id": f"p{i}",
        "posted_at": "2026-11-01T10:00:00Z",
        "caption": f"Il miele di castagno delle mie arnie, raccolto {i} #apicoltura",
        "likes": 400,
        "comments": 30,
    }
    return {
        "creator_id": f"ig:bench.replica.{i}",
        "handle": f"bench.replica.{i}",
        "platform": "instagram",
        "followers": 50_000 + i,
        "country": COUNTRY,
        "language": "it",
        "bio": "apicoltrice",
        "posts": [post],
    }


def write_to_visible(a: Server, b: Server, writes: int) -> dict[str, Any]:
    visible_s, write_ms = [], []
    with (
        httpx.Client(base_url=a.url, headers=a.admin(), timeout=60) as to_a,
        httpx.Client(base_url=b.url, headers=b.read(), timeout=60) as to_b,
    ):
        for i in range(writes):
            doc = creator(i)
            only = {"countries": [COUNTRY], "min_followers": doc["followers"]}
            only["max_followers"] = doc["followers"]
            sent = time.perf_counter()
            answer = to_a.post("/v1/creators", json=[doc])
            acknowledged = time.perf_counter()
            if answer.status_code != 200:
                raise SystemExit(f"write {i} on A: {answer.status_code} {answer.text}")
            write_ms.append((acknowledged - sent) * 1000)
            deadline = acknowledged + 60
            while True:
                found = to_b.post("/v1/match", json={**BRIEF, "filters": only}).json()
                if any(m["creator_id"] == doc["creator_id"] for m in found["matches"]):
                    visible_s.append(time.perf_counter() - acknowledged)
                    break
                if time.perf_counter() > deadline:
                    raise SystemExit(f"creator {i} written to A not visible on B within 60 s")
                time.sleep(0.025)
            if (i + 1) % 50 == 0:
                log(f"write → visible: {i + 1}/{writes}, p50 {np.median(visible_s):.3f} s")
    values = np.asarray(visible_s)
    return {
        "writes": writes,
        "visible_p50_s": round(float(np.percentile(values, 50)), 3),
        "visible_p99_s": round(float(np.percentile(values, 99)), 3),
        "visible_max_s": round(float(values.max()), 3),
        "write_p50_ms": round(float(np.median(write_ms)), 1),
        "write_p99_ms": round(float(np.percentile(write_ms, 99)), 1),
    }


class SwitchClients:
    """Matches to every replica in turn, in a thread, while a version is published; the
    failures are kept, each naming its replica. Also a context manager (tests/test_replicas)."""

    def __init__(self, replicas: list[Server]) -> None:
        self.replicas = replicas
        self.sent = 0
        self.failed: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        clients = [
            httpx.Client(base_url=s.url, headers=s.read(), timeout=60) for s in self.replicas
        ]
        try:
            while not self._stop.is_set():
                for client in clients:
                    self.sent += 1
                    try:
                        answer = client.post("/v1/match", json=BRIEF)
                    except httpx.HTTPError as exc:
                        self.failed.append(f"{client.base_url}: {exc!r}")
                        continue
                    if answer.status_code != 200:
                        self.failed.append(
                            f"{client.base_url}: {answer.status_code} {answer.text[:200]}"
                        )
        finally:
            for client in clients:
                client.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> SwitchClients:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serving(server: Server) -> str | None:
    try:
        return str(httpx.get(f"{server.url}/readyz", timeout=10).json().get("catalog_version"))
    except (httpx.HTTPError, ValueError):
        return None


def publish_to_served(
    builder: Path, published: Path, store_url: str, replicas: list[Server], publishes: int
) -> dict[str, Any]:
    seconds, build_s = [], []
    clients = SwitchClients(replicas)
    clients.start()
    try:
        for _ in range(publishes):
            started = time.perf_counter()
            version = build_and_publish(builder, published, store_url)
            build_s.append(round(time.perf_counter() - started, 2))
            moved = (published / "CURRENT").stat().st_mtime  # when replicas could first see it
            deadline = time.monotonic() + 120
            while not all(serving(server) == version for server in replicas):
                if time.monotonic() > deadline:
                    raise SystemExit(f"version {version} not served by both within 120 s")
                time.sleep(0.05)
            seconds.append(round(time.time() - moved, 3))
            log(f"publish → served by both: {seconds[-1]} s (build + publish {build_s[-1]} s)")
            sent = clients.sent
            while clients.sent < sent + 4:  # a few requests on the new version too
                time.sleep(0.05)
    finally:
        clients.stop()
    return {
        "publishes": publishes,
        "publish_to_served_s": seconds,
        "publish_to_served_max_s": max(seconds),
        "build_and_publish_s": build_s,
        "switch_requests": clients.sent,
        "switch_failed": len(clients.failed),
        "switch_failures": clients.failed[:5],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--store-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--publishes", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=default_out("replicas"))
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    workdir = Path(tempfile.mkdtemp(prefix="replicas-", dir=args.workdir))
    home = args.home.resolve()
    store_url = args.store_url or f"sqlite:///{workdir / 'shared.db'}"
    servers: list[Server] = []
    try:
        builder = copy_home(home, workdir / "builder", with_embeddings=True)
        seeded = seed_store(home, builder, store_url)
        published = workdir / "published"
        published.mkdir()
        first = build_and_publish(builder, published, store_url)
        log(f"seeded {seeded} creators; published {first}")
        ids = builder / "catalog" / first / "creator_id.npy"
        creators = int(np.load(ids, mmap_mode="r").shape[0])
        for name in ("a", "b"):
            replica = copy_home(home, workdir / name, with_embeddings=False)
            run = workdir / f"{name}-run"
            run.mkdir()
            servers.append(
                Server(
                    replica,
                    POLL_SECONDS,
                    run,
                    args=["--catalog-from", str(published)],
                    env={"MICROTRIBE_STORE_URL": store_url},
                )
            )
        for server in servers:
            server.wait_ready(600)
            if serving(server) != first:
                raise SystemExit(f"{server.url} does not serve the published {first}")
        writes = write_to_visible(servers[0], servers[1], args.writes)
        switch = publish_to_served(builder, published, store_url, servers, args.publishes)
        record = {
            "home": str(home),
            "store": store_url.split(":", 1)[0],
            "catalog_creators": creators,
            "poll_seconds": POLL_SECONDS,
            "store_poll_seconds": float(os.environ.get("MICROTRIBE_STORE_POLL_SECONDS") or 1.0),
            **writes,
            **switch,
            "targets": TARGETS,
        }
        record["met"] = {
            "visible_p99_s": record["visible_p99_s"] <= TARGETS["visible_p99_s"],
            "publish_to_served_s": record["publish_to_served_max_s"]
            <= TARGETS["publish_to_served_s"],
            "switch_failed": record["switch_failed"] <= TARGETS["switch_failed"],
        }
        Recorder("replicas", args.out).emit(record)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
