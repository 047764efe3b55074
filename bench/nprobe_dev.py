"""Choose the unfiltered IVF depth (`IndexConfig.nprobe`) on development briefs, never on the
peer race's own queries.

    .venv/bin/python bench/nprobe_dev.py --home /work/homes/real100k \
        --brief-homes /work/homes/dev,/work/homes/recipe0b,/work/homes/h5k-old

`bench/peer.py` races on the first --race-queries (50) stored brands of --home: those briefs
are the test queries. This script queries the same catalog with every other brief it can
find (the home's remaining stored brands and the stored brands of --brief-homes, other
worlds), drops any brief text the race also uses, and sweeps nprobe for k = 50, unfiltered
and under the four-field typical filter, exactly as the served search runs
(`matching.index.search`, one thread). Recall@50 is against the exact top 50. One record per
nprobe goes to bench/results/nprobe_dev.jsonl.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log
from bench.peer import TYPICAL, exact_top, source_vectors
from bench.ranking_speed import stored_brands


def dev_briefs(home: Path, brief_homes: list[Path], race_queries: int) -> list[str]:
    """Brief texts that are not among the race's: the home's stored brands after the first
    `race_queries`, then every stored brand of `brief_homes`, without repeats."""
    from features.brand_profile import brand_profile

    own = [brand_profile(b).text for b in stored_brands(home, 10**6)]
    race = set(own[:race_queries])
    texts = list(own[race_queries:])
    for other in brief_homes:
        texts += [brand_profile(b).text for b in stored_brands(other, 10**6)]
    return list(dict.fromkeys(t for t in texts if t not in race))


def typical_mask(data: dict[str, Any]) -> np.ndarray:
    mask = np.isin(data["platform"], TYPICAL["platforms"])
    for key, column in (("countries", "country"), ("languages", "language"), ("tiers", "tier")):
        mask &= np.isin(data[column], TYPICAL[key])
    return mask


def sweep(data: dict[str, Any], queries: np.ndarray, nprobes: list[int], k: int,
          repeats: int, record: Any) -> None:  # fmt: skip
    import faiss
    from threadpoolctl import threadpool_limits

    from matching.index import IndexConfig, build_index, search

    vectors = data["vectors"]
    config = IndexConfig()
    factory = config.factory_for(len(vectors))
    index = build_index(vectors, factory, config)
    faiss.omp_set_num_threads(1)
    for name, mask in (("unfiltered", None), ("typical", typical_mask(data))):
        truth = [exact_top(vectors, q, k, mask) for q in queries]
        for nprobe in nprobes:
            fixed = replace(config, nprobe=nprobe)
            rows, times = [], []
            with threadpool_limits(1):
                for _ in range(repeats):
                    for q in queries:
                        started = time.perf_counter()
                        found = search(index, q, k, mask, vectors, fixed)[0]
                        times.append((time.perf_counter() - started) * 1e3)
                        rows.append({int(r) for r in found})
            last = rows[-len(queries) :]
            shares = [len(a & b) / max(1, len(b)) for a, b in zip(last, truth, strict=True)]
            record({"filter": name, "nprobe": nprobe, "k": k, "factory": factory,
                    "rows": len(vectors), "queries": len(queries),
                    "recall_at_k": round(statistics.mean(shares), 4),
                    "median_ms": round(statistics.median(times), 3),
                    "min_recall": round(min(shares), 3)})  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="the catalog to search")
    parser.add_argument("--brief-homes", default="", help="comma-separated homes whose "
                        "stored brands add development briefs")  # fmt: skip
    parser.add_argument(
        "--race-queries",
        type=int,
        default=50,
        help="the home's first stored brands the race uses (50): excluded",
    )
    parser.add_argument("--nprobes", default="16,20,24,28,32")
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=default_out("nprobe_dev"))
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)

    from models.embedder import load_embedder
    from models.embedding_cache import canonical

    homes = [Path(h) for h in args.brief_homes.split(",") if h]
    texts = dev_briefs(args.home, homes, args.race_queries)
    log(f"{len(texts)} development briefs")
    data = source_vectors(args.home, 1)
    queries = canonical(load_embedder(data["embedder"], threads=1).encode(texts))
    recorder = Recorder("nprobe_dev", args.out)
    context = {"label": args.label, "home": str(args.home), "catalog": data["catalog"],
               "brief_homes": [str(h) for h in homes]}  # fmt: skip
    nprobes = [int(n) for n in args.nprobes.split(",")]
    sweep(
        data,
        queries,
        nprobes,
        args.k,
        args.repeats,
        lambda record: recorder.emit({**context, **record}),
    )


if __name__ == "__main__":
    main()
