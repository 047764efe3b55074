"""A real catalog build at scale: time, texts embedded and the memory curve over chunks.

    .venv/bin/microtribe generate --out W --creators 100000 --max-posts 3 --seed 11
    MICROTRIBE_HOME=H .venv/bin/microtribe ingest --brands W/brands.jsonl \\
        --creators W/creators.jsonl --outcomes W/outcomes.jsonl
    .venv/bin/python bench/build_scale.py --home H [--engine local|spark] [--chunk-size 2000]
    .venv/bin/python bench/build_scale.py --home H --compare local,spark [--repeats 2]

Runs the same build as `microtribe build --full` in this process (`--engine spark`: on Spark
`local[2]`, or --master), recording after every chunk the creators done, seconds and this
process's resident memory (VmRSS) and its peak so far (VmHWM); with Spark the executors'
Python workers are separate processes, so the record also gives the peak RSS of every child
process seen. The embedding cache of --home is used as it is (delete it for a cold build;
`texts_embedded` says how many texts were embedded, `texts_cached` how many came from it).

From the curve it predicts a 1M build: time scales with creators (embedding dominates:
seconds per creator of this run × 1M; on N executors, ÷ N × the measured local[2] efficiency
when given), memory as the flat part of the curve plus the index and the per-row arrays,
which grow linearly (measured here as the end-of-build VmRSS minus the plateau, scaled).

One JSON record, printed and appended to bench/results/build_scale.jsonl.

--compare local,spark: the engines' throughput on the same machine, in one run: for each
repeat and engine in turn, a fresh copy of --home's store (no catalog, no embedding cache: a
cold build) is built by this script in a subprocess; the record gives each run, the median
creators/s per engine and `spark_over_local` (median ÷ median).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log


def _status(pid: int | str = "self") -> dict[str, float]:
    values: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024  # MiB
    except OSError:
        pass
    return values


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found.append(int(child))
                found.extend(_children(int(child)))
    except OSError:
        pass
    return found


class ChildWatch(threading.Thread):
    """Peak RSS of every descendant process (Spark's JVM and Python workers)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peaks: dict[int, float] = {}
        self.names: dict[int, str] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for pid in _children(os.getpid()):
                rss = _status(pid).get("VmRSS", 0.0)
                if rss > self.peaks.get(pid, 0.0):
                    self.peaks[pid] = rss
                    try:
                        self.names[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
                    except OSError:
                        self.names[pid] = "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--engine", choices=("local", "spark"), default="local")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--spark-efficiency", type=float, default=None,
                        help="spark/local throughput measured elsewhere, for the N-executor "
                             "prediction")  # fmt: skip
    parser.add_argument("--out", type=Path, default=default_out("build_scale"))
    parser.add_argument("--compare", default=None, help="e.g. local,spark")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return

    from matching.build import build_catalog
    from matching.store import CatalogStore
    from microtribe.settings import Settings
    from training.run import open_embedder

    settings = Settings.from_env(args.home)
    store = CatalogStore(settings.store_path)
    embedder = open_embedder(settings)
    curve: list[dict[str, float]] = []
    started = time.perf_counter()
    watch = ChildWatch()
    watch.start()

    def on_chunk(done: int) -> None:
        curve.append({"creators": done, "seconds": round(time.perf_counter() - started, 1),
                      **{k: round(v, 1) for k, v in _status().items()}})  # fmt: skip

    log(f"building {args.home} with the {args.engine} engine")
    if args.engine == "spark":
        from matching.spark_build import build_catalog_on_spark

        report = build_catalog_on_spark(
            store, embedder, settings, master=args.master, full=True, progress=True,
            chunk_size=args.chunk_size, on_chunk=on_chunk,
        )  # fmt: skip
    else:
        report = build_catalog(
            store, embedder, settings.catalog_dir, settings.keep_catalog_versions,
            full=True, chunk_size=args.chunk_size, on_chunk=on_chunk,
        )  # fmt: skip
    watch.stop.set()
    end = _status()
    store.close()
    n = report.creators
    rss = [point["VmRSS"] for point in curve if "VmRSS" in point]
    half = rss[len(rss) // 2 :] or rss
    plateau = statistics.median(half) if half else None
    per_creator_s = report.seconds / max(n, 1)
    record: dict[str, Any] = {
        "engine": args.engine,
        "master": args.master if args.engine == "spark" else None,
        "creators": n,
        "chunk_size": args.chunk_size,
        "texts_embedded": report.texts_embedded,
        "texts_cached": report.texts_cached,
        "seconds": report.seconds,
        "creators_per_s": round(n / report.seconds, 1),
        "texts_per_s": round((report.texts_embedded + report.texts_cached) / report.seconds, 1),
        "peak_rss_mib": round(end.get("VmHWM", 0.0), 1),
        "end_rss_mib": round(end.get("VmRSS", 0.0), 1),
        "plateau_rss_mib": plateau,
        "curve_rss_min_mib": min(rss) if rss else None,
        "curve_rss_max_mib": max(rss) if rss else None,
        "children_peak_rss_mib": {
            f"{watch.names.get(pid, '?')}:{pid}": round(v, 1)
            for pid, v in sorted(watch.peaks.items(), key=lambda kv: -kv[1])[:8]
        },
        "curve": curve,
        "predicted_1m": {
            "seconds_one_machine": round(per_creator_s * 1_000_000),
            "hours_one_machine": round(per_creator_s * 1_000_000 / 3600, 2),
            "seconds_on_executors": {
                str(k): round(per_creator_s * 1_000_000 / k / (args.spark_efficiency or 1.0))
                for k in (8, 32, 100)
            },
            # the part of the peak that grows with the catalog (the index, per-row arrays of
            # the finishing step), scaled linearly, on top of the per-chunk plateau
            "peak_rss_mib": None
            if plateau is None
            else round(plateau + (end.get("VmHWM", 0.0) - plateau) * 1_000_000 / max(n, 1)),
        },
        "report_version": report.version,
        "load_1min": os.getloadavg()[0],
    }
    Recorder("build_scale", args.out).emit(record)


def compare(args: argparse.Namespace) -> None:
    engines = args.compare.split(",")
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
    for repeat in range(args.repeats):
        for engine in engines:
            with tempfile.TemporaryDirectory(dir=args.home.parent) as scratch:
                home = Path(scratch) / "home"
                home.mkdir()
                shutil.copy2(args.home / "catalog.db", home / "catalog.db")
                out = Path(scratch) / "record.jsonl"
                command = [sys.executable, __file__, "--home", str(home), "--engine", engine,
                           "--master", args.master, "--chunk-size", str(args.chunk_size),
                           "--out", str(out)]  # fmt: skip
                log(f"repeat {repeat + 1}: {engine}")
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
                record = json.loads(out.read_text().splitlines()[-1])
                runs[engine].append({key: record[key] for key in (
                    "creators", "texts_embedded", "seconds", "creators_per_s", "peak_rss_mib",
                    "children_peak_rss_mib")})  # fmt: skip
    medians = {e: statistics.median(r["creators_per_s"] for r in rs) for e, rs in runs.items()}
    record: dict[str, Any] = {
        "mode": "compare",
        "home": str(args.home),
        "master": args.master,
        "chunk_size": args.chunk_size,
        "runs": runs,
        "creators_per_s_median": medians,
        "load_1min": os.getloadavg()[0],
    }
    if len(engines) == 2:
        record[f"{engines[1]}_over_{engines[0]}"] = round(
            medians[engines[1]] / medians[engines[0]], 3
        )
    Recorder("build_scale", args.out).emit(record)


if __name__ == "__main__":
    main()
