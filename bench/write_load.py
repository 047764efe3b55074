"""Concurrent writers against `microtribe serve`: the #13 reproduction and write throughput.

    .venv/bin/python bench/write_load.py --home DIR [--phases mixed,creators]
        [--mixed-requests 720] [--clients 1,8] [--creators 240] [--repeats 3] [--quick]
        [--store-creators 2000] [--store-pool 4] [--pg | --pg-url URL]

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

3. `delta` (issue #23, upserts in O(delta)), for each home of --delta-homes in the same run,
   one server each (a copy of the home whose catalog files are hard links; the copy serves
   every figure of that home): with one client, one creator per request, --delta-singles requests of
   - `new`: creators the home has never seen (every caption is new text to embed);
   - `update`: stored creators of the home re-sent with followers x 1.01 and one new post (a
     roster sync: one new caption to embed, the rest found in the embedding cache);
   recorded: latency p50/p99 per kind; then --delta-batches requests of 100 creators each of
   both kinds, recorded: creators/s (acknowledged / wall time of the batches) per kind. One
   record per home; the last record compares the homes (ratio of each figure to the first
   home's), since write cost should not grow with the catalog.

4. `apply` (in process, nothing written): for each home of --delta-homes, the catalog side of
   a one-creator write, `matching.delta.apply_delta` on the served catalog with a stored
   creator re-sent with new followers (every text already in the embedding cache, so what is
   timed is features, mentions, vectors and the new catalog). Timed alone (median of
   --apply-repeats) and chained (--apply-repeats writes in a row, each on the last one's
   catalog). With --apply-before FILE (a `matching/delta.py` of an earlier commit), the same
   in the same process with that file's `apply_delta`, and the ratio.

5. `store` (in process, no server): --clients N threads upsert --store-creators new creators
   between them straight into a fresh store, one creator per call (the store's own write path:
   one durable transaction each). Recorded per back end: creators/s (median of --repeats);
   --store-pool sets the PostgreSQL store's connections (MICROTRIBE_STORE_POOL, default 4).

PostgreSQL (issue 26): with --pg (a throw-away cluster, tests/pg_cluster.py, fsync on) or
--pg-url URL (a server where the bench may CREATE DATABASE), the `creators` and `store` phases
run on SQLite and then on PostgreSQL in the same run, and a `*_store_ratio` record gives
PostgreSQL's figure over SQLite's per client count. For `creators` on PostgreSQL each repeat
copies the home's store into a new database (`matching.store.copy_store`) and rebuilds the
catalog against it (`microtribe build` with MICROTRIBE_STORE_URL, everything reused), so the
server's catalog numbers PostgreSQL's change log; that set-up is not timed.

--quick: a handful of requests (CI checks that the script works; its figures mean nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def copy_home(source: Path, parent: Path, link_catalog: bool = False) -> Path:
    """A copy of `source` under `parent` (not its logs or world). `link_catalog`: the catalog
    versions' files are hard links, not copies (a server never writes them; at 1M copying
    them took minutes)."""
    target = parent / "home"
    shutil.rmtree(target, ignore_errors=True)
    ignored = ("logs", "world", "catalog") if link_catalog else ("logs", "world")
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(*ignored))
    if link_catalog:
        shutil.copytree(source / "catalog", target / "catalog", copy_function=os.link)
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


def update_docs(home: Path, n: int, seed: int, tag: str) -> list[dict[str, Any]]:
    """`n` stored creators of `home` with posts and an id the contract accepts (grown homes
    name replicas with "~"), re-sent as a roster sync would: followers x 1.01 and one new
    post with a caption never seen before."""
    import sqlite3

    rng = np.random.default_rng(seed)
    conn = sqlite3.connect(f"file:{home / 'catalog.db'}?mode=ro", uri=True)
    try:
        ids = [cid for (cid,) in conn.execute(
            "SELECT creator_id FROM creators WHERE doc LIKE '%\"posts\":[{%' "
            "AND creator_id NOT LIKE '%~%' LIMIT 20000"
        )]  # fmt: skip
        picked = rng.choice(len(ids), size=min(n, len(ids)), replace=False)
        docs = []
        for i in picked.tolist():
            (text,) = conn.execute(
                "SELECT doc FROM creators WHERE creator_id = ?", (ids[i],)
            ).fetchone()
            docs.append(json.loads(text))
    finally:
        conn.close()
    for i, doc in enumerate(docs):
        doc["followers"] = int(doc["followers"] * 1.01) + 1
        posts = list(doc.get("posts") or [])
        latest = max(post["posted_at"] for post in posts)
        posts.append({
            "post_id": f"{tag}-{i}", "posted_at": latest,
            "caption": f"Nuovo post {tag} {i}: oggi provo una ricetta diversa #{tag}{i}",
            "likes": 120 + i, "comments": 9,
        })  # fmt: skip
        doc["posts"] = posts[-200:]
    return docs


def delta_figures(
    server: Server, home: Path, singles: int, batches: int, seed: int, kinds: str
) -> dict[str, Any]:
    """Single-creator latency and batch-100 throughput, for new creators and for updates."""
    figures: dict[str, Any] = {}
    with httpx.Client(base_url=server.url, headers=server.admin(), timeout=600) as http:
        for kind in kinds.split(","):
            total = singles + 3 + batches * 100
            docs = (
                new_creators(total, seed, f"bench:delta.{kind}.")
                if kind == "new"
                else update_docs(home, total, seed, f"d{seed}")
            )
            for doc in docs[:3]:  # warm-up: first-call costs are not a write's cost
                http.post("/v1/creators", json=[doc]).raise_for_status()
            latencies = []
            statuses: Counter[str] = Counter()
            for doc in docs[3 : 3 + singles]:
                started = time.perf_counter()
                answer = http.post("/v1/creators", json=[doc])
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[str(answer.status_code)] += 1
            rest = docs[3 + singles :]
            started = time.perf_counter()
            acked = 0
            for b in range(batches):
                answer = http.post("/v1/creators", json=rest[b * 100 : (b + 1) * 100])
                statuses[str(answer.status_code)] += 1
                acked += answer.json().get("upserted", 0) if answer.status_code == 200 else 0
            seconds = time.perf_counter() - started
            values = np.asarray(latencies)
            figures[kind] = {
                "single_p50_ms": round(float(np.percentile(values, 50)), 2),
                "single_p99_ms": round(float(np.percentile(values, 99)), 2),
                "singles": singles,
                "batch100_creators_per_s": round(acked / seconds, 2),
                "batches": batches,
                "statuses": dict(sorted(statuses.items())),
            }
    return figures


def apply_figures(home: Path, repeats: int, before: Path | None) -> dict[str, Any]:
    """Phase 4 for one home: milliseconds of `apply_delta` per one-creator write."""
    import importlib.util

    from matching import delta
    from matching.service import MatchService
    from matching.store import prepare_creators
    from microtribe.settings import Settings

    service = MatchService(Settings.from_env(home))
    service.start()
    pipeline = service.ready()
    embedder, keys = service._embedder, service.known_brand_keys()
    assert embedder is not None
    docs = update_docs(home, repeats + 2, 77, "apply")
    for doc in docs:  # no new caption: the write's texts are all in the embedding cache
        doc["posts"] = doc["posts"][:-1]
    functions = {"after": delta.apply_delta}
    if before is not None:
        spec = importlib.util.spec_from_file_location("delta_before", before)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        functions["before"] = module.apply_delta
    figures: dict[str, Any] = {"catalog_creators": len(pipeline.catalog)}
    for name, apply in functions.items():
        alone, chained = [], []
        catalog = pipeline.catalog
        for doc in docs:
            hashes = prepare_creators([doc]).hashes
            started = time.perf_counter()
            apply(pipeline.catalog, [doc], hashes, [], embedder, keys)
            alone.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            catalog = apply(catalog, [doc], hashes, [], embedder, keys)
            chained.append((time.perf_counter() - started) * 1000)
        figures[name] = {
            "alone_p50_ms": round(statistics.median(alone[2:]), 2),
            "chained_p50_ms": round(statistics.median(chained[2:]), 2),
            "chained_last_ms": round(chained[-1], 2),
        }
    if "before" in figures:
        figures["before_over_after"] = round(
            figures["before"]["alone_p50_ms"] / figures["after"]["alone_p50_ms"], 2
        )
    service.close()
    return figures


def onto_postgres(home: Path, url: str) -> dict[str, str]:
    """`home`'s store copied into the empty database `url` and the catalog rebuilt against it;
    the environment a server of that home then needs."""
    import subprocess

    from matching.store import CatalogStore, copy_store, open_store
    from microtribe.settings import Settings

    source, target = CatalogStore(home / "catalog.db"), open_store(Settings(home, store_url=url))
    try:
        copy_store(source, target)
    finally:
        source.close()
        target.close()
    env = {"MICROTRIBE_STORE_URL": url}
    build = subprocess.run([sys.executable, "-m", "microtribe", "build"], capture_output=True,
                           text=True, env={**os.environ, "MICROTRIBE_HOME": str(home), **env},
                           timeout=900)  # fmt: skip
    if build.returncode != 0:
        raise RuntimeError(f"`microtribe build` on {url}: {build.stderr[-3000:]}")
    return env


def with_server(
    home: Path,
    workdir: Path,
    body: Callable[[Server], dict[str, Any]],
    store_url: Callable[[], str] | None = None,
) -> dict[str, Any]:
    """`body` run against a server on a fresh copy of `home`; with `store_url`, on a new
    PostgreSQL database it names, holding the home's store."""
    copy = copy_home(home, workdir)
    env = onto_postgres(copy, store_url()) if store_url else None
    server = Server(copy, poll=0, workdir=workdir, env=env)
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
    parser.add_argument("--delta-homes", default="", help="comma-separated homes (phase delta)")
    parser.add_argument("--delta-singles", type=int, default=60)
    parser.add_argument("--delta-kinds", default="new,update")
    parser.add_argument("--delta-batches", type=int, default=3)
    parser.add_argument("--apply-repeats", type=int, default=20)
    parser.add_argument("--apply-before", type=Path, default=None)
    parser.add_argument("--store-creators", type=int, default=2000, help="phase store")
    parser.add_argument("--store-pool", type=int, default=4,
                        help="PostgreSQL connections of the store (phase store)")
    parser.add_argument("--pg", action="store_true",
                        help="also run creators/store on a throw-away PostgreSQL cluster")
    parser.add_argument("--pg-url", default="",
                        help="...or on this PostgreSQL server (the bench creates databases)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--label", default=None)
    parser.add_argument("--out", type=Path, default=default_out("write_load"))
    args = parser.parse_args()
    if args.quick:
        args.mixed_requests, args.creators, args.repeats = 36, 16, 1
        args.store_creators = 64
        args.delta_singles, args.delta_batches = 4, 1
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
        with postgres_databases(args) as new_database:
            stores = {"sqlite": None, "postgres": new_database} if new_database else {"": None}
            if "creators" in phases:
                records = [creators_phase(args, recorder, workdir, base, store, new_db)
                           for store, new_db in stores.items()]  # fmt: skip
                emit_ratio(recorder, base, "creators", records)
            if "store" in phases:
                records = [store_phase(args, recorder, workdir, base, store, new_db)
                           for store, new_db in stores.items()]  # fmt: skip
                emit_ratio(recorder, base, "store", records)
        if "delta" in phases:
            delta_phase(args, recorder, workdir)
        if "apply" in phases:
            for home in [Path(h) for h in args.delta_homes.split(",") if h]:
                log(f"apply: {home}")
                figures = apply_figures(home, args.apply_repeats, args.apply_before)
                recorder.emit(
                    {"home": str(home), "label": args.label, "phase": "apply", **figures}
                )


@contextmanager
def postgres_databases(args: argparse.Namespace) -> Iterator[Callable[[], str] | None]:
    """A maker of new PostgreSQL databases (--pg: on a throw-away cluster; --pg-url: on that
    server), or None when the run is SQLite only."""
    if not (args.pg or args.pg_url):
        yield None
        return
    from tests.pg_cluster import PgCluster, find_pg_bin

    cluster = None
    if args.pg_url:
        admin_url = args.pg_url
    else:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise SystemExit("--pg: no PostgreSQL binaries (initdb); `make postgres` installs them")
        cluster = PgCluster.start(bin_dir)
        admin_url = cluster.url
    names = iter(range(1_000_000))

    def new_database() -> str:
        import psycopg

        name = f"write_load_{os.getpid()}_{next(names)}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return admin_url.rsplit("/", 1)[0] + "/" + name

    try:
        yield new_database
    finally:
        if cluster is not None:
            cluster.stop()


def creators_phase(
    args: argparse.Namespace,
    recorder: Recorder,
    workdir: Path,
    base: dict[str, Any],
    store: str,
    new_database: Callable[[], str] | None,
) -> list[dict[str, Any]]:
    """Phase 2 on one back end (`store`: "" when the run is SQLite only)."""
    records = []
    for clients in [int(c) for c in args.clients.split(",")]:
        jobs = creator_jobs(args.creators, clients, seed=4200 + clients)
        runs = []
        for repeat in range(args.repeats):
            log(f"creators {store}: {clients} clients, repeat {repeat + 1}/{args.repeats}")
            run = with_server(
                args.home, workdir, lambda s, j=jobs: run_clients(s.url, s.admin(), j),
                store_url=new_database,
            )  # fmt: skip
            acked = run["statuses"].get("200", 0)
            run["creators_per_s"] = round(acked / run["seconds"], 2)
            runs.append(run)
        rates = [run["creators_per_s"] for run in runs]
        record = {
            **base, "phase": "creators", **({"store": store} if store else {}),
            "clients": clients, "creators": args.creators,
            "creators_per_s_median": statistics.median(rates), "creators_per_s_runs": rates,
            "server_errors": sum(run["server_errors"] for run in runs), "runs": runs,
        }  # fmt: skip
        recorder.emit(record)
        records.append(record)
    return records


def store_phase(
    args: argparse.Namespace,
    recorder: Recorder,
    workdir: Path,
    base: dict[str, Any],
    store: str,
    new_database: Callable[[], str] | None,
) -> list[dict[str, Any]]:
    """Phase 5 on one back end: threads upserting one creator per call into a fresh store."""
    from matching.store import open_store
    from microtribe.settings import Settings

    records = []
    for clients in [int(c) for c in args.clients.split(",")]:
        docs = new_creators(args.store_creators, 4400 + clients, f"bench:s{clients}.")
        rates, errors = [], 0
        for repeat in range(args.repeats):
            log(f"store {store}: {clients} threads, repeat {repeat + 1}/{args.repeats}")
            home = workdir / f"store-{store}-{clients}-{repeat}"
            url = new_database() if new_database else ""
            opened = open_store(Settings(home=home, store_url=url, store_pool=args.store_pool))
            failures: list[BaseException] = []

            def writer(mine: list[dict[str, Any]], target: Any = opened,
                       failed: list[BaseException] = failures) -> None:
                for doc in mine:
                    try:
                        target.upsert_creators([doc])
                    except Exception as exc:  # counted: the target is none
                        failed.append(exc)

            threads = [threading.Thread(target=writer, args=(docs[c::clients],))
                       for c in range(clients)]  # fmt: skip
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - started
            stored = opened.counts()["creators"]
            opened.close()
            shutil.rmtree(home, ignore_errors=True)
            rates.append(round(stored / seconds, 1))
            errors += len(failures)
        record = {
            **base, "phase": "store", **({"store": store} if store else {}),
            "clients": clients, "creators": len(docs),
            **({"store_pool": args.store_pool} if store == "postgres" else {}),
            "creators_per_s_median": statistics.median(rates), "creators_per_s_runs": rates,
            "errors": errors,
        }  # fmt: skip
        recorder.emit(record)
        records.append(record)
    return records


def emit_ratio(
    recorder: Recorder, base: dict[str, Any], phase: str, records: list[list[dict[str, Any]]]
) -> None:
    """PostgreSQL's creators/s over SQLite's, per client count (when both ran)."""
    if len(records) != 2:
        return
    sqlite = {r["clients"]: r["creators_per_s_median"] for r in records[0]}
    postgres = {r["clients"]: r["creators_per_s_median"] for r in records[1]}
    recorder.emit({
        **base, "phase": f"{phase}_store_ratio", "metric": "creators_per_s_median",
        "sqlite": sqlite, "postgres": postgres,
        "postgres_over_sqlite": {c: round(postgres[c] / sqlite[c], 3) for c in sqlite},
        "target": "postgres >= sqlite with 8 concurrent writers",
        "met": bool(8 in sqlite and postgres[8] >= sqlite[8]),
    })  # fmt: skip


def delta_phase(args: argparse.Namespace, recorder: Recorder, workdir: Path) -> None:
    """Phase 3: the same write figures on every home of --delta-homes, in one run."""
    homes = [Path(h) for h in args.delta_homes.split(",") if h]
    records = []
    for home in homes:
        log(f"delta: {home}")
        copy = copy_home(home, workdir, link_catalog=True)
        server = Server(copy, poll=0, workdir=workdir)
        try:
            server.wait_ready(timeout=600)
            creators = httpx.get(
                f"{server.url}/v1/model", headers=server.admin(), timeout=30
            ).json()
            figures = delta_figures(
                server, copy, args.delta_singles, args.delta_batches, 4300, args.delta_kinds
            )
        finally:
            server.stop()
            shutil.rmtree(copy, ignore_errors=True)
        record = {
            "home": str(home), "label": args.label, "phase": "delta",
            "catalog_creators": creators.get("creators"), **figures,
        }  # fmt: skip
        recorder.emit(record)
        records.append(record)
    if len(records) > 1:
        first = records[0]
        ratios = {
            f"{kind}.{name}": round(record[kind][name] / first[kind][name], 3)
            for record in records[1:]
            for kind in args.delta_kinds.split(",")
            for name in ("single_p50_ms", "single_p99_ms", "batch100_creators_per_s")
        }
        recorder.emit({
            "phase": "delta_ratio", "label": args.label, "homes": [str(h) for h in homes],
            "catalog_creators": [r["catalog_creators"] for r in records],
            "ratio_to_first": ratios,
        })  # fmt: skip


if __name__ == "__main__":
    main()
