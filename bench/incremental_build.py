"""Incremental catalog build: time to fold a 1 % change of the roster in, vs a full build.

    # self-contained, one run (generate, ingest, cold full build, then the changes):
    .venv/bin/python bench/incremental_build.py --creators 10000 --work /tmp/incr
    # against an existing built home (copied to --work first; the home is never written):
    .venv/bin/python bench/incremental_build.py --home /path/to/home --work /tmp/incr

Build times are those `build_catalog` measures in-process (interpreter start-up excluded).
A change, repeated --repeats times: --fraction of the stored creators (drawn at random with
--seed) each get one new post with a caption never seen before and a new follower count, and
are upserted into the store; then `build_catalog` runs as `microtribe build` does (incremental:
only new or changed creators are re-featured, only unseen text is embedded). Reported: the
median incremental build time over the repeats, a full rebuild with a warm embedding cache
(`--full`: every creator re-featured, nothing re-embedded) measured in the same run, and the
cold full build (nothing cached): measured in this run with --creators; with --home, taken
from the `scaled_home.json` that bench/scaled_home.py leaves (its timed cold build), else the
`build_seconds` of the oldest catalog version in --home (on this machine, not in this run;
the record says which). `ratio_vs_cold` is the issue's target:
incremental ≤ 10 % of the full build. One JSON object is printed and appended to --out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.build import build_catalog
from matching.catalog import current_version
from matching.store import CatalogStore
from microtribe.settings import Settings
from training.run import open_embedder

RESULTS = Path(__file__).resolve().parent / "results" / "incremental_build.jsonl"


def _cli(home: Path, *args: str) -> str:
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "microtribe", *args],
        env=env, check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    return done.stdout


def _prepare(args: argparse.Namespace) -> tuple[Path, float | None, str]:
    """A home to change, the cold full build time and where that figure comes from."""
    work: Path = args.work
    if work.exists():
        shutil.rmtree(work)
    if args.home:
        shutil.copytree(args.home, work, symlinks=True)
        grown = args.home / "scaled_home.json"
        grown_record = json.loads(grown.read_text()) if grown.exists() else {}
        if grown_record.get("cold"):  # bench/scaled_home.py timed a cold full build
            cold = grown_record["build"]["seconds"]
            return work, float(cold), f"cold full build by bench/scaled_home.py ({grown})"
        if grown_record:  # grown with the base's cache kept: no cold build was timed
            return work, None, f"not measured: {grown} was built with --keep-cache"
        catalog_dir = Settings.from_env(work).catalog_dir
        versions = sorted(p for p in catalog_dir.iterdir() if p.is_dir() and p.name[0] != ".")
        manifest = json.loads((versions[0] / "manifest.json").read_text())
        source = f"build_seconds of version {versions[0].name} of {args.home} (not this run)"
        return work, float(manifest["build_seconds"]), source
    world = work / "world"
    _cli(work, "generate", "--out", str(world), "--creators", str(args.creators),
         "--brands", "60", "--seed", str(args.seed))  # fmt: skip
    _cli(work, "ingest", "--creators", str(world / "creators.jsonl"),
         "--brands", str(world / "brands.jsonl"))  # fmt: skip
    report = json.loads(_cli(work, "build").strip().splitlines()[-1])
    return work, float(report["seconds"]), "measured in this run (`microtribe build`)"


def _change(store: CatalogStore, fraction: float, rng: np.random.Generator, tag: str) -> int:
    ids = sorted(store.creator_hashes())
    picked = rng.choice(len(ids), size=max(1, round(fraction * len(ids))), replace=False)
    docs, _ = store.creators_by_id([ids[i] for i in picked.tolist()])
    for n, doc in enumerate(docs):
        posts = doc.get("posts") or []
        newest = max((p["posted_at"] for p in posts), default="2026-01-01T00:00:00Z")
        posts.append(
            {
                "post_id": f"bench-{tag}-{n}",
                "posted_at": newest,
                "caption": f"Nuovo post {tag}-{n}: una collaborazione che ci è piaciuta davvero",
                "likes": 120 + n,
                "comments": 9,
            }
        )
        doc["posts"] = posts
        doc["followers"] = int(doc["followers"]) + 17
    return store.upsert_creators(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--home", type=Path, help="an existing built home (copied, not changed)")
    source.add_argument("--creators", type=int, help="generate a world of this size instead")
    parser.add_argument("--work", type=Path, required=True, help="scratch home (deleted first)")
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep --work afterwards")
    args = parser.parse_args()

    work, cold_s, cold_source = _prepare(args)
    settings = Settings.from_env(work)
    store = CatalogStore(settings.store_path)
    embedder = open_embedder(settings)
    rng = np.random.default_rng(args.seed)
    # a full rebuild first: measured with a warm cache, and it brings a catalog written by
    # older code to the current format, so that every repeat below is incremental
    started = time.perf_counter()
    warm = build_catalog(store, embedder, settings.catalog_dir, progress=False, full=True)
    warm_s = time.perf_counter() - started
    incremental: list[float] = []
    reports: list[dict[str, Any]] = []
    for repeat in range(args.repeats):
        changed = _change(store, args.fraction, rng, f"r{repeat}")
        started = time.perf_counter()
        report = build_catalog(store, embedder, settings.catalog_dir, progress=False)
        incremental.append(time.perf_counter() - started)
        reports.append({"changed": changed, **{k: getattr(report, k) for k in report.__slots__}})
    manifest = json.loads(
        (settings.catalog_dir / str(current_version(settings.catalog_dir)) / "manifest.json")
        .read_text()
    )
    store.close()
    median = statistics.median(incremental)
    record = {
        "bench": "incremental_build",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
        "creators": warm.creators,
        "fraction_changed": args.fraction,
        "embedder": manifest["embedder"],
        "index_factory": manifest["index_factory"],
        "cold_full_build_s": None if cold_s is None else round(cold_s, 2),
        "cold_full_build_source": cold_source,
        "warm_full_build_s": round(warm_s, 2),
        "incremental_build_s_median": round(median, 2),
        "incremental_build_s": [round(s, 2) for s in incremental],
        "ratio_vs_cold": None if cold_s is None else round(median / cold_s, 4),
        "ratio_vs_warm_full": round(median / warm_s, 4),
        "target_ratio_vs_cold": 0.10,
        "runs": reports,
    }
    print(json.dumps(record))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a") as f:
        f.write(json.dumps(record) + "\n")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
