"""How long a catalog version takes to load, what it costs the process, mapped vs read; how
long a server takes to start and to reload.

    .venv/bin/python bench/catalog_load.py --home DIR [--repeats 5] [--modes mapped,read]
    .venv/bin/python bench/catalog_load.py --home COPY --modes start,reload [--repeats 5]

`mapped` and `read`: for the current version of --home, `load_catalog` wall time (median of
--repeats, each in a fresh subprocess so nothing is cached in Python; the page cache is warm
after the first, as it is for a server reloading a version a build has just written), the
process's resident memory after the load (RSS, and of it the private part, USS, from
/proc/self/smaps_rollup), and the first and the median of 20 following `/v1/match` pipeline
runs on it (k = 20, reasons on, a cached brief: the first pays the page faults of the pages
it touches). Once with the mapped format (`mapped=True`, what the server does) and once
reading every file into memory (`mapped=False`) for comparison.

`start`: `microtribe serve` (one worker, poll off) started --repeats + 1 times; seconds from
launching the process to the first 200 from `/readyz`, polled every 10 ms (the server binds
its port once the catalog, model and embedder are loaded). The first start uses an empty
model cache (`MICROTRIBE_MODEL_CACHE`, a temporary directory): it loads USE the package's
way and writes its snapshot (models/use_snapshot.py), as the first start after an install
does; the median is over the others. Also the CPU seconds (user + system) the server process
used until then (read from /proc when /readyz answers: on a shared machine its wall time is
that plus the wait for a core), and the seconds of `import serve` alone (median of 3 fresh
interpreters). The current version's files are read once first, so that the page
cache holds them (as after the build that wrote them) whatever else ran on the machine.

`reload`: one server under light open-loop load (--rate cached matches a second, from a
separate process), and --repeats rounds of three `POST /v1/admin/reload` calls, seconds from
sending each to its answer (the answer is sent after the swap): `same` (nothing changed),
`new_catalog` (a new version holding the current one's files as hard links, `CURRENT` moved
to it first, as a build ends) and `new_model` (the champion installed as a new model version,
`CHAMPION` moved to it first, as a promotion). This mode WRITES to --home (everything is put
back and removed at the end): give it a copy (`cp -a`).

--baseline-tree DIR (e.g. `git archive main | tar -x -C DIR`): `start` and `reload` also run
the server from that source tree (starts alternating with this tree's), one record each
(`tree`: this / baseline), so that a speed-up is a ratio measured in one run.

One JSON record per mode, printed and appended to bench/results/catalog_load.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log

START_TARGET_S = 2.0  # issue 23: server start at 1M to /readyz
RELOAD_TARGET_S = 0.5  # issue 23: reload, request to swap

CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
import numpy as np

def memory():
    out = {{}}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
            out[key] = int(rest.split()[0]) / 1024
    return {{"rss_mib": round(out["Rss"], 1), "pss_mib": round(out["Pss"], 1),
             "uss_mib": round(out["Private_Clean"] + out["Private_Dirty"], 1)}}

from threadpoolctl import threadpool_limits
threadpool_limits(limits=1)
from matching.catalog import load_catalog
from matching.pipeline import BriefCache, MatchPipeline
from models.bundle import load_bundle
from models.embedder import HashingEmbedder
from matching.store import CatalogStore
before = memory()
home = Path({home!r})
started = time.perf_counter()
catalog = load_catalog(home / "catalog", mapped={mapped})
load_s = time.perf_counter() - started
after = memory()
champion = (home / "models" / "CHAMPION").read_text().strip()
bundle = load_bundle(home / "models" / champion)
store = CatalogStore(home / "catalog.db")
brands = store.brands()[:10]
store.close()
from features.brand_profile import brand_profile
briefs = BriefCache(HashingEmbedder())
rng = np.random.default_rng(0)
for brand in brands:  # real brief vectors need the model: a catalog row's vector stands in
    row = int(rng.integers(len(catalog)))
    briefs._vectors[brand_profile(brand).text] = np.asarray(catalog.vectors[row], np.float32)
pipeline = MatchPipeline(catalog, bundle, briefs)
t = time.perf_counter(); pipeline.run(brands[0], k=20); first_ms = (time.perf_counter() - t) * 1e3
runs = []
for i in range(20):
    t = time.perf_counter(); pipeline.run(brands[i % len(brands)], k=20)
    runs.append((time.perf_counter() - t) * 1e3)
print(json.dumps({{"load_s": load_s, "before": before, "after_load": after, "after_runs": memory(),
                  "first_match_ms": first_ms, "match_median_ms": sorted(runs)[10],
                  "creators": len(catalog), "index": catalog.manifest.get("index_factory")}}))
"""


def load_modes(args: argparse.Namespace, recorder: Recorder, modes: list[str]) -> None:
    root = str(Path(__file__).resolve().parents[1])
    for mode in modes:
        runs: list[dict[str, Any]] = []
        for i in range(args.repeats):
            code = CHILD.format(root=root, home=str(args.home), mapped=mode == "mapped")
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True)  # fmt: skip
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            log(f"{mode} {i + 1}/{args.repeats}: load {runs[-1]['load_s']:.3f} s")
        middle = sorted(runs, key=lambda r: r["load_s"])[len(runs) // 2]
        recorder.emit(
            {
                "home": str(args.home),
                "mode": mode,
                "creators": middle["creators"],
                "index": middle["index"],
                "load_s_median": round(statistics.median(r["load_s"] for r in runs), 4),
                "load_s_runs": [round(r["load_s"], 4) for r in runs],
                "first_match_ms_median": round(
                    statistics.median(r["first_match_ms"] for r in runs), 2
                ),
                "match_ms_median": round(statistics.median(r["match_median_ms"] for r in runs), 2),
                "memory_after_load_mib": {
                    key: round(middle["after_load"][key] - middle["before"][key], 1)
                    for key in middle["before"]
                },
                "memory_after_runs_mib": middle["after_runs"],
                "repeats": args.repeats,
            }
        )


def _ready_after(server: Any, launched: float, timeout: float = 600.0) -> float:
    """Seconds from `launched` to the first 200 from the server's /readyz (polled every 10 ms)."""
    import httpx

    with httpx.Client(timeout=5) as client:
        while time.perf_counter() - launched < timeout:
            if server.process.poll() is not None:
                raise SystemExit(f"the server exited:\n{server.tail()}")
            try:
                if client.get(f"{server.url}/readyz").status_code == 200:
                    return time.perf_counter() - launched
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    raise SystemExit(f"the server was not ready within {timeout:.0f} s:\n{server.tail()}")


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far: what a start costs whatever
    else the machine runs (its wall time is that plus waiting for a core)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _import_serve_s(tree: Path) -> float:
    """Median seconds of `import serve` from `tree` in 3 fresh interpreters."""
    code = "import time; t = time.perf_counter(); import serve; print(time.perf_counter() - t)"
    command = [sys.executable, "-c", code]
    runs = [
        float(subprocess.run(command, capture_output=True, text=True, check=True, cwd=tree).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs)


def page_in(home: Path) -> float:
    """Read the current catalog version's files once (seconds): the page cache then holds them,
    as after the build that wrote them, whatever other work on the machine evicted."""
    from matching.catalog import current_version

    started = time.perf_counter()
    folder = home / "catalog" / str(current_version(home / "catalog"))
    for file in folder.iterdir():
        with file.open("rb") as handle:
            while handle.read(1 << 24):
                pass
    return time.perf_counter() - started


class _Launched:
    """`python -m microtribe serve` (one worker, poll off) from source tree `tree`."""

    def __init__(self, tree: Path, home: Path, workdir: Path, model_cache: Path) -> None:
        from bench.serve_load import _free_port, server_env

        self.url = f"http://127.0.0.1:{_free_port()}"
        self.read_key, self.admin_key = "bench-read-key", "bench-admin-key"
        self.log_path = workdir / "server.log"
        env = server_env(
            home, self.read_key, self.admin_key,
            MICROTRIBE_POLL_SECONDS="0", MICROTRIBE_MODEL_CACHE=str(model_cache),
        )  # fmt: skip
        port = self.url.rsplit(":", 1)[1]
        with self.log_path.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "microtribe", "serve", "--port", port, "--home", str(home)],
                env=env, cwd=tree, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def read(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.read_key}"}

    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def stop(self) -> None:
        from bench.serve_load import stop_process

        stop_process(self.process)


def start_times(home: Path, repeats: int, trees: dict[str, Path]) -> list[dict[str, Any]]:
    """Launch → /readyz of `microtribe serve` from each source tree, the trees alternating
    start by start (a shared machine's noise hits them alike); per tree, the first start with
    an empty model cache, then --repeats."""
    paged_s = page_in(home)
    log(f"catalog files read into the page cache in {paged_s:.1f} s")
    runs: dict[str, list[float]] = {name: [] for name in trees}
    cpu: dict[str, list[float]] = {name: [] for name in trees}
    with tempfile.TemporaryDirectory(prefix="catalog-load-start-") as tmp:
        for i in range(repeats + 1):
            for name, tree in trees.items():
                launched = time.perf_counter()
                server = _Launched(tree, home, Path(tmp), Path(tmp) / f"model-cache-{name}")
                try:
                    runs[name].append(_ready_after(server, launched))
                    cpu[name].append(_cpu_s(server.process.pid))
                finally:
                    server.stop()
                log(f"start {i + 1}/{repeats + 1} ({name}): ready after {runs[name][-1]:.2f} s")
    return [
        {
            "tree": name,
            "tree_path": str(tree),
            "creators": _creators(home),
            "start_to_ready_s_median": round(statistics.median(runs[name][1:]), 3),
            "start_to_ready_s_runs": [round(r, 3) for r in runs[name][1:]],
            "first_start_to_ready_s": round(runs[name][0], 3),
            "cpu_to_ready_s_median": round(statistics.median(cpu[name][1:]), 3),
            "cpu_to_ready_s_runs": [round(c, 3) for c in cpu[name][1:]],
            "import_serve_s_median": round(_import_serve_s(tree), 3),
            "repeats": repeats,
            "target_s": START_TARGET_S,
        }
        for name, tree in trees.items()
    ]


def reload_times(home: Path, repeats: int, rate: float, tree: Path) -> dict[str, Any]:
    """Request → answer of admin reloads (nothing new, a new catalog, a new model) under load,
    on a server started from source tree `tree`."""
    import httpx

    from bench.serve_load import (
        _new_catalog_copy,
        _promote_copy,
        briefs_from,
        finish_load,
        restored_pointers,
        start_load,
    )
    from models.use_snapshot import cache_root

    paged_s = page_in(home)
    log(f"catalog files read into the page cache in {paged_s:.1f} s")
    kinds = ("same", "new_catalog", "new_model")
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    gap = 2.0  # seconds between reloads: each lands on a server back at its steady state
    duration = gap * (len(kinds) * repeats + 1)
    bodies = briefs_from(home, 10)
    with tempfile.TemporaryDirectory(prefix="catalog-load-reload-") as tmp:
        workdir = Path(tmp)
        server = _Launched(tree, home, workdir, cache_root())
        try:
            _ready_after(server, time.perf_counter())
            with (
                httpx.Client(base_url=server.url, timeout=120) as client,
                restored_pointers(home) as made,
            ):
                for body in bodies:  # the briefs cached before the load starts
                    client.post("/v1/match", json=body, headers=server.read())
                process, out_path = start_load(
                    server,  # type: ignore[arg-type]  # the url and read key it reads
                    bodies, rate, duration, False, workdir,
                )  # fmt: skip
                started = time.monotonic()
                for n in range(len(kinds) * repeats):
                    time.sleep(max(0.0, started + gap * (n + 1) - time.monotonic()))
                    kind = kinds[n % len(kinds)]
                    if kind == "new_catalog":
                        _new_catalog_copy(home, made)
                    elif kind == "new_model":
                        _promote_copy(home, made)
                    sent = time.perf_counter()
                    response = client.post("/v1/admin/reload", headers=server.admin())
                    times[kind].append(time.perf_counter() - sent)
                    if response.status_code != 200:
                        raise SystemExit(f"reload answered {response.status_code}: {response.text}")
                    log(f"reload {n + 1}/{len(kinds) * repeats} ({kind}): {times[kind][-1]:.3f} s")
                load = finish_load(process, out_path, rate, duration)
        finally:
            server.stop()
    return {
        "tree_path": str(tree),
        "creators": _creators(home),
        **{f"{kind}_request_to_swap_s_median": round(statistics.median(times[kind]), 3)
           for kind in kinds},
        **{f"{kind}_request_to_swap_s_runs": [round(t, 3) for t in times[kind]] for kind in kinds},
        "load_rate": rate,
        "load_errors": load["errors"],
        "load_latency_ms": load["latency_ms"],
        "repeats": repeats,
        "target_s": RELOAD_TARGET_S,
    }  # fmt: skip


def _creators(home: Path) -> int:
    from matching.catalog import current_version, read_manifest

    catalog = home / "catalog"
    manifest = read_manifest(catalog / str(current_version(catalog)))
    return int(manifest["creators"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--modes", default="mapped,read", help="mapped,read,start,reload")
    parser.add_argument("--rate", type=float, default=10.0, help="reload: matches/s meanwhile")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="start: also start the server from this source tree (e.g. an export of main), "
        "alternating with this one, for a ratio measured in the same run",
    )
    parser.add_argument("--out", type=Path, default=default_out("catalog_load"))
    args = parser.parse_args()
    args.home = args.home.resolve()
    recorder = Recorder("catalog_load", args.out)
    modes = args.modes.split(",")
    load_modes(args, recorder, [m for m in modes if m in ("mapped", "read")])
    trees = {"this": Path(__file__).resolve().parents[1]}
    if args.baseline_tree:
        trees["baseline"] = args.baseline_tree.resolve()
    if "start" in modes:
        for record in start_times(args.home, args.repeats, trees):
            recorder.emit({"home": str(args.home), "mode": "start", **record})
    if "reload" in modes:
        for name, tree in trees.items():
            record = reload_times(args.home, args.repeats, args.rate, tree)
            recorder.emit({"home": str(args.home), "mode": "reload", **record, "tree": name})


if __name__ == "__main__":
    main()
