"""Batch scoring throughput: ranked brand×creator pairs per second, local engine and Spark.

    .venv/bin/python bench/batch_throughput.py --home H [--brands B.jsonl] [--k 500]
        [--engine local|spark|both] [--workers 2] [--master local[2]] [--n-brands N]
        [--repeats 3] [--chunk-size 32] [--scratch DIR] [--copy-home] [--grow N]

What is measured. `--n-brands` brands of `--brands` (default: the brands stored in the
home; cycled when more are asked for, a repeat of a brand getting a new `brand_id` and
" (N)" appended to its values, so its brief is embedded again) are scored against the
roster of home `--home` with `--k` creators kept per brand (K candidates ranked =
max(k, 500)), no filters. A pass is one
complete `score` job into a fresh output directory under `--scratch`: brief embedding,
retrieval, features, both LightGBM models, Parquet writing. pairs/s = rows written / wall
seconds of the pass. `--repeats` passes per engine; the median is reported with every pass.

- local: the pipeline is loaded once (`load_time_s`, not part of any pass); each pass is
  `matching.batch.score_brands(..., workers=--workers)` (threads, one BLAS/OpenMP thread each).
  `pairs_per_cpu_s`: rows / CPU seconds of this process during the pass (all threads): on a
  shared machine, what the job did with the CPU it got; ×2 bounds what two free cores give.
  `stages_ms_per_brand`: time per stage of `MatchPipeline.run_many` on one thread over the
  first 64 brands, after the passes (where the time goes; not a throughput figure).
- spark: `session_start_s` = SparkSession start on `--master`; `first_pass_s` = the first job,
  which also starts the Python workers and loads the pipeline once in each (start-up cost);
  the reported throughput is over the passes after it (warm executors), so the start-up is
  stated separately, as the issue asks. With `--engine both` the local and Spark passes
  alternate (local, spark, local, spark, …) so that both meet the same machine load;
  `spark_vs_local` = median spark / median local pairs/s.
- identical: the Spark dataset equals the local one (brand, rank, creator, score, advocacy,
  expected engagement, similarity) exactly, and `max_abs_score_diff` says by how much not.

`--grow N` (fallback when no real home of that size exists): the home's current catalog is
grown to N creators in a copy under `--scratch`: row i is real creator i mod n (all its
fields, features and mentions; id suffixed `~copy`), its content vector
l2_normalise(real + 0.0245 · N(0, I)) as in bench/retrieval.py (mean cosine to the source
≈ 0.875), indexed with the production `IndexConfig().factory_for(N)`. Copies are added to
the copied store with their source's content hash, so loading sees no pending upserts. The
result says `"catalog": "grown …"`: a real N-creator catalog is the better measurement.

With `--copy-home`, the files loading needs (current catalog version, champion bundle,
catalog.db) are copied to `--scratch`/home first, so a home that must not be written to
(opening the store creates SQLite WAL files) is only read. The machine is noted (CPUs, load
average before each measurement): on a shared machine the figures are lower bounds.
One JSON object per engine is printed and appended to bench/results/batch.jsonl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import numpy as np
import pyarrow.parquet as pq

from matching.batch import SCHEMA, JobSpec, load_pipeline, score_brands
from matching.batch_chunk import score_chunk
from microtribe.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "batch.jsonl"


def read_brands(path: Path | None, n: int | None, home: Path) -> list[dict[str, Any]]:
    """Brands from a JSON Lines file, or (no file) the brands stored in `home`."""
    if path is None:
        from matching.store import CatalogStore

        store = CatalogStore(home / "catalog.db")
        try:
            base = store.brands()
        finally:
            store.close()
    else:
        with path.open() as lines:
            base = [json.loads(line) for line in lines if line.strip()]
    if not base:
        raise SystemExit("no brands to score")
    n = n or len(base)
    out = []
    for i in range(n):
        brand = dict(base[i % len(base)])
        copy = i // len(base)
        if copy:
            brand["brand_id"] = f"{brand['brand_id']}-{copy}"
            brand["values"] = f"{brand['values']} ({copy})"
        out.append(brand)
    return out


def copy_home(home: Path, scratch: Path) -> Path:
    """The files a pipeline loads from, copied: the original home is only read."""
    target = scratch / "home"
    if target.exists():
        shutil.rmtree(target)
    (target / "catalog").mkdir(parents=True)
    (target / "models").mkdir()
    version = (home / "catalog" / "CURRENT").read_text().strip()
    champion = (home / "models" / "CHAMPION").read_text().strip()
    shutil.copytree(home / "catalog" / version, target / "catalog" / version)
    shutil.copy(home / "catalog" / "CURRENT", target / "catalog" / "CURRENT")
    shutil.copytree(home / "models" / champion, target / "models" / champion)
    shutil.copy(home / "models" / "CHAMPION", target / "models" / "CHAMPION")
    shutil.copy(home / "catalog.db", target / "catalog.db")  # read for the upsert catch-up
    return target


def grow_home(home: Path, n: int, seed: int = 7) -> str:
    """Grow `home`'s current catalog (a scratch copy) to `n` rows; see the module docstring."""
    import sqlite3

    from features.creator_table import take_creator_columns
    from features.vectors import l2_normalise
    from matching.catalog import load_catalog, write_version
    from matching.index import IndexConfig, build_index

    base = load_catalog(home / "catalog")
    real = len(base)
    source = np.arange(n) % real
    copy = np.arange(n) // real
    ids = np.array(
        [
            cid if c == 0 else f"{cid}~{c}"
            for cid, c in zip(base.creators.creator_id[source].tolist(), copy.tolist(), strict=True)
        ],
        dtype=object,
    )
    creators = take_creator_columns(base.creators, source)
    creators = replace(creators, creator_id=ids)
    rng = np.random.default_rng(seed)
    vectors = np.asarray(base.vectors, dtype=np.float32)[source]
    vectors = l2_normalise(vectors + 0.0245 * rng.standard_normal(vectors.shape, dtype=np.float32))
    vectors[copy == 0] = np.asarray(base.vectors, dtype=np.float32)  # the real rows stay real
    mentions = base.mentions
    while mentions.n_rows < n:
        mentions = mentions.concat(base.mentions)
    mentions = mentions.take(np.arange(n))
    factory = IndexConfig().factory_for(n)
    index = build_index(vectors, factory)
    last_post = np.asarray(base.last_post_at)[source]
    hashes = base.content_hash[source].tolist()
    write_version(
        home / "catalog",
        creators,
        hashes,
        {name: values[source] for name, values in base.features.items()},
        vectors,
        index,
        mentions,
        last_post,
        {**base.manifest, "index_factory": factory, "grown_from": real, "grown_to": n},
        keep=1,
    )
    with sqlite3.connect(home / "catalog.db") as db:
        db.executemany(
            "INSERT OR REPLACE INTO creators VALUES (?, '{}', ?, 0)",
            [
                (cid, digest)
                for cid, digest, c in zip(ids.tolist(), hashes, copy.tolist(), strict=True)
                if c
            ],
        )
    return f"grown from {real} real creators to {n} ({factory}); see the bench docstring"


def grown_size(home: Path) -> int | None:
    pointer = home / "catalog" / "CURRENT"
    if not pointer.exists():
        return None
    manifest = json.loads(
        (home / "catalog" / pointer.read_text().strip() / "manifest.json").read_text()
    )
    return manifest.get("grown_to")


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}


def commit() -> str:
    """HEAD, with `-dirty` when the scoring code differs from it (then HEAD alone lies)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "matching", "models", "features", __file__)
    return git("rev-parse", "--short", "HEAD") + ("-dirty" if dirty else "")


def frame(path: Path) -> Any:
    columns = [f.name for f in SCHEMA if f.name != "scored_at"]
    table = pq.read_table(path).to_pandas()[columns]
    return table.sort_values(["brand_id", "rank"]).reset_index(drop=True)


def measured(report: Any, load: float, cpu: float | None = None) -> dict[str, Any]:
    row = {
        "rows": report.rows,
        "seconds": report.seconds,
        "pairs_per_s": round(report.rows / report.seconds),
        "load_1m": load,
    }
    if cpu is not None:
        row.update(cpu_seconds=round(cpu, 3), pairs_per_cpu_s=round(report.rows / cpu))
    return row


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


class LocalEngine:
    def __init__(self, args: argparse.Namespace, settings: Settings) -> None:
        started = time.perf_counter()
        self.pipeline = load_pipeline(settings)
        self.load_time = time.perf_counter() - started
        self.args = args
        self.passes: list[dict[str, Any]] = []

    def stages(self, brands: list[dict[str, Any]]) -> dict[str, float]:
        from matching.batch import one_thread_per_worker

        timings: dict[str, float] = {}
        with one_thread_per_worker():
            score_chunk(self.pipeline, brands, JobSpec(self.args.k), timings=timings)
        return {stage: round(ms / len(brands), 3) for stage, ms in timings.items()}

    def run(self, brands: list[dict[str, Any]], out: Path) -> None:
        shutil.rmtree(out, ignore_errors=True)
        load, before = machine()["load_average_1m"], cpu_seconds()
        report = score_brands(
            self.pipeline,
            brands,
            out,
            self.args.k,
            chunk_size=self.args.chunk_size,
            progress=False,
            workers=self.args.workers,
        )
        self.passes.append(measured(report, load, cpu_seconds() - before))

    def result(self, stages: dict[str, float]) -> dict[str, Any]:
        return {
            "engine": "local",
            "workers": self.args.workers,
            "load_time_s": round(self.load_time, 2),
            "stages_ms_per_brand": stages,
            "passes": self.passes,
            "pairs_per_s_median": statistics.median(p["pairs_per_s"] for p in self.passes),
            "pairs_per_cpu_s_median": statistics.median(p["pairs_per_cpu_s"] for p in self.passes),
            "catalog_version": self.pipeline.catalog.version,
            "creators": len(self.pipeline.catalog),
            "model_version": self.pipeline.bundle.version,
        }


class SparkEngine:
    def __init__(self, args: argparse.Namespace, settings: Settings) -> None:
        from matching.spark_engine import spark_session

        started = time.perf_counter()
        self.spark = spark_session(args.master, "microtribe-bench")
        self.session_start = time.perf_counter() - started
        self.args, self.settings = args, settings
        self.passes: list[dict[str, Any]] = []

    def run(self, brands: list[dict[str, Any]], out: Path) -> None:
        from matching.spark_engine import score_brands_spark

        shutil.rmtree(out, ignore_errors=True)
        load = machine()["load_average_1m"]
        spec = JobSpec(self.args.k, chunk_size=self.args.chunk_size)
        report = score_brands_spark(self.settings, brands, out, spec, spark=self.spark)
        self.passes.append(measured(report, load))

    def result(self) -> dict[str, Any]:
        first, warm = self.passes[0], self.passes[1:]
        warm_seconds = statistics.median(p["seconds"] for p in warm)
        return {
            "engine": "spark",
            "master": self.args.master,
            "session_start_s": round(self.session_start, 2),
            "first_pass_s": first["seconds"],
            "startup_cost_s": round(self.session_start + first["seconds"] - warm_seconds, 2),
            "passes": warm,
            "first_pass": first,
            "pairs_per_s_median": statistics.median(p["pairs_per_s"] for p in warm),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--brands", type=Path, default=None)
    parser.add_argument("--k", type=int, default=500)
    parser.add_argument("--engine", choices=["local", "spark", "both"], default="local")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--n-brands", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=32)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/microtribe-bench-batch"))
    parser.add_argument("--copy-home", action="store_true")
    parser.add_argument("--grow", type=int, default=None)
    args = parser.parse_args()

    args.scratch.mkdir(parents=True, exist_ok=True)
    if args.grow and grown_size(args.scratch / "home") == args.grow:
        home = args.scratch / "home"  # grown by an earlier run with the same --grow
        catalog = f"grown to {args.grow} by an earlier run; see the bench docstring"
    else:
        home = copy_home(args.home, args.scratch) if args.copy_home or args.grow else args.home
        catalog = grow_home(home, args.grow) if args.grow else "real"
    settings = Settings.from_env(home)
    brands = read_brands(args.brands, args.n_brands, home)
    common = {
        "bench": "batch_throughput",
        "home": str(args.home),
        "brands": len(brands),
        "catalog": catalog,
        "k": args.k,
        "chunk_size": args.chunk_size,
        "machine": machine(),
        "commit": commit(),
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    results: list[dict[str, Any]] = []
    local = LocalEngine(args, settings) if args.engine in ("local", "both") else None
    spark = SparkEngine(args, settings) if args.engine in ("spark", "both") else None
    try:
        if spark is not None:
            spark.run(brands, args.scratch / "spark-0")  # start-up: workers load the pipeline
        # alternate the engines pass by pass: on a shared machine both see the same load
        for repeat in range(1, args.repeats + 1):
            if local is not None:
                local.run(brands, args.scratch / f"local-{repeat}")
            if spark is not None:
                spark.run(brands, args.scratch / f"spark-{repeat}")
    finally:
        if spark is not None:
            spark.spark.stop()
    if local is not None:
        results.append(local.result(local.stages(brands[:64])))
    if spark is not None:
        result = spark.result()
        if local is not None:
            result["spark_vs_local"] = round(
                result["pairs_per_s_median"] / results[0]["pairs_per_s_median"], 3
            )
            a, b = frame(args.scratch / "local-1"), frame(args.scratch / "spark-1")
            same_keys = a[["brand_id", "rank", "creator_id"]].equals(
                b[["brand_id", "rank", "creator_id"]]
            )
            result["identical"] = bool(same_keys and a.equals(b))
            result["max_abs_score_diff"] = (
                float(np.abs(a.score.to_numpy() - b.score.to_numpy()).max())
                if same_keys and len(a)
                else None
            )
        results.append(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as sink:
        for result in results:
            line = json.dumps({**common, **result})
            print(line)
            sink.write(line + "\n")


if __name__ == "__main__":
    main()
