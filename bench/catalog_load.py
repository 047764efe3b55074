"""How long a catalog version takes to load, and what it costs the process, mapped vs read.

    .venv/bin/python bench/catalog_load.py --home DIR [--repeats 5]

For the current version of --home: `load_catalog` wall time (median of --repeats, each in a
fresh subprocess so nothing is cached in Python; the page cache is warm after the first, as
it is for a server reloading a version a build has just written), the process's resident
memory after the load (RSS, and of it the private part, USS, from /proc/self/smaps_rollup),
and the first and the median of 20 following `/v1/match` pipeline runs on it (k = 20,
reasons on, a cached brief: the first pays the page faults of the pages it touches). Once
with the mapped format (`mapped=True`, what the server does) and once reading every file
into memory (`mapped=False`) for comparison. One JSON record per mode, printed and appended
to bench/results/catalog_load.jsonl.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--modes", default="mapped,read")
    parser.add_argument("--out", type=Path, default=default_out("catalog_load"))
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[1])
    recorder = Recorder("catalog_load", args.out)
    for mode in args.modes.split(","):
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


if __name__ == "__main__":
    main()
