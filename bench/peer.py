"""Peer baseline: what an agency would use instead, plain cosine search in an embedded vector DB.

    .venv/bin/python bench/peer.py --home DIR [--sizes 10000,100000] [--queries 50]
    .venv/bin/python bench/peer.py --home DIR --train-home T --eval-home E   # + quality
    .venv/bin/python bench/peer.py --home DIR --quick                        # CI smoke run

The peer is LanceDB (PyPI `lancedb`, the `bench` extra; embedded mode, a directory on local
disk, no server). It is handed OUR vectors (the catalog's USE-v3 content vectors) and our
brief vectors, so it never loads or downloads an embedding model: what is compared is the
search and what it returns, not the embedder.

Speed (one record per size and filter). Vectors: the first N rows of --home's catalog; when
N is larger than the catalog, rows are grown from it as in `bench/retrieval.py` (a real row
plus Gaussian noise, sigma --noise-sigma, attributes inherited from that row). Queries: the
home's stored brands, embedded by the catalog's embedder (--queries of them). Filters:
`none`, and `typical` = country IT and platform instagram. For each query, top --k (50) by
cosine:
- `microtribe`: the catalog's own retrieval as the pipeline runs it: the eligibility mask
  (numpy over the columns) and `matching.index.search` on the index `microtribe build` would
  make for N rows (`IndexConfig().factory_for(N)`: exact below 50k, HNSW32 above), one
  FAISS/BLAS thread as in the server;
- `lancedb`: `table.search(q).metric("cosine").where(filter, prefilter=True).limit(k)` over
  a table without an ANN index (exact scan: the out-of-the-box behaviour), with LanceDB's own
  thread pool (it uses every core); with --lance-index also an IVF_HNSW_SQ index.
Median and p99 latency over --repeats passes after a warm-up, recall@k of each against an
exact numpy scan, build/load seconds, and `lancedb_median_over_microtribe` (> 1: slower).

Quality (with --train-home and --eval-home, as in `bench/quality.py`): LanceDB's top 50 by
cosine for each brief of the eval world against `MatchPipeline.run(brand, k=50)` (the /match
pipeline with the champion of --train-home), NDCG@20 and recall@50 against the brand's known
advocates after the eval snapshot (`bench.quality.shortlist_metrics`), and their ratios.

Records are printed and appended to --out (default bench/results/peer.jsonl).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, summary_ms, timed_ms

TYPICAL = {"countries": ("IT",), "platforms": ("instagram",)}
LANCE_TYPICAL = "country = 'IT' AND platform = 'instagram'"


def lance_table(folder: Path, ids: np.ndarray, attrs: dict[str, np.ndarray], vectors: np.ndarray,
                index: bool) -> tuple[Any, float]:  # fmt: skip
    """A LanceDB table of (creator_id, platform, country, vector); seconds to create it."""
    import lancedb
    import pyarrow as pa

    started = time.perf_counter()
    db = lancedb.connect(str(folder))
    dim = vectors.shape[1]
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel())
    table = db.create_table(
        "creators",
        pa.table(
            {
                "creator_id": pa.array(ids.tolist(), pa.string()),
                "platform": pa.array(attrs["platform"].tolist(), pa.string()),
                "country": pa.array(attrs["country"].tolist(), pa.string()),
                "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
            }
        ),
        mode="overwrite",
    )
    if index:
        table.create_index(metric="cosine", index_type="IVF_HNSW_SQ")
    return table, time.perf_counter() - started


def lance_search(table: Any, query: np.ndarray, k: int, where: str | None) -> list[str]:
    search = table.search(query).metric("cosine").limit(k).select(["creator_id", "_distance"])
    if where:
        search = search.where(where, prefilter=True)
    return [str(x) for x in search.to_arrow().column("creator_id").to_pylist()]


def source_vectors(home: Path, n_queries: int) -> dict[str, Any]:
    """The home's catalog vectors and attributes, and its brands' brief vectors."""
    from bench.ranking_speed import stored_brands
    from features.brand_profile import brand_profile
    from features.tiers import PLATFORMS
    from matching.catalog import load_catalog
    from microtribe.settings import Settings
    from models.embedder import load_embedder
    from models.embedding_cache import canonical

    catalog = load_catalog(Settings.from_env(home).catalog_dir)
    live = np.flatnonzero(catalog.live[: catalog.n_base])
    embedder = load_embedder(catalog.manifest["embedder"], threads=1)
    briefs = [brand_profile(b).text for b in stored_brands(home, n_queries)]
    return {
        "vectors": np.ascontiguousarray(catalog.vectors[live]),
        "ids": catalog.creators.creator_id[live],
        "platform": np.asarray(PLATFORMS, dtype=object)[catalog.creators.platform[live]],
        "country": catalog.creators.country[live],
        "queries": canonical(embedder.encode(briefs)),
        "embedder": catalog.manifest["embedder"],
    }


def sized(source: dict[str, Any], n: int, sigma: float, seed: int) -> dict[str, Any]:
    """The first `n` real rows, or `n` rows grown from the real ones (retrieval.py's recipe)."""
    real = source["vectors"]
    if n <= len(real):
        rows = np.arange(n)
        vectors = real[:n]
        origin = "first rows of the catalog"
    else:
        from bench.retrieval import synthetic_catalog

        vectors, rows, mean_cos = synthetic_catalog(real, n, sigma, np.random.default_rng(seed))
        origin = f"grown from {len(real)} catalog rows, sigma {sigma}, cos {mean_cos:.3f}"
    return {
        "vectors": vectors,
        "ids": np.array([f"c{i}" for i in range(n)], dtype=object),
        "platform": source["platform"][rows],
        "country": source["country"][rows],
        "origin": origin,
    }


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None) -> set[int]:
    scores = vectors @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    return {int(i) for i in top if np.isfinite(scores[i])}


def bench_size(args: argparse.Namespace, source: dict[str, Any], n: int,
               emit: Callable[[dict[str, Any]], Any]) -> None:  # fmt: skip
    import faiss
    from threadpoolctl import threadpool_limits

    from matching.index import IndexConfig, build_index, search

    data = sized(source, n, args.noise_sigma, args.seed)
    vectors, queries = data["vectors"], source["queries"]
    config = IndexConfig()
    factory = config.factory_for(n)
    faiss.omp_set_num_threads(2)
    log(f"size {n:,}: microtribe index {factory}")
    started = time.perf_counter()
    index = build_index(vectors, factory, config)
    build_s = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="peer-lance-"))
    try:
        log(f"size {n:,}: lancedb table in {folder}")
        tables = {"lancedb": lance_table(folder / "flat", data["ids"], data, vectors, False)}
        if args.lance_index and n >= 10_000:
            tables["lancedb_ivf_hnsw_sq"] = lance_table(
                folder / "indexed", data["ids"], data, vectors, True
            )
        position = {cid: i for i, cid in enumerate(data["ids"].tolist())}
        for filter_name in ("none", "typical"):
            mask = None
            if filter_name == "typical":
                mask = np.isin(data["country"], TYPICAL["countries"]) & np.isin(
                    data["platform"], TYPICAL["platforms"]
                )

            def ours(query: np.ndarray, mask: np.ndarray | None = mask) -> np.ndarray:
                eligible = None
                if mask is not None:  # built per request, as eligible_mask is
                    eligible = np.isin(data["country"], TYPICAL["countries"]) & np.isin(
                        data["platform"], TYPICAL["platforms"]
                    )
                return search(index, query, args.k, eligible, vectors, config)[0]

            truth = [exact_top(vectors, q, args.k, mask) for q in queries]
            where = LANCE_TYPICAL if filter_name == "typical" else None
            faiss.omp_set_num_threads(1)
            results: dict[str, dict[str, Any]] = {}
            with threadpool_limits(limits=1):
                samples = _latencies(ours, queries, args.repeats)
            found = [set(ours(q).tolist()) for q in queries]
            results["microtribe"] = {**summary_ms(samples), "factory": factory,
                                     "build_s": round(build_s, 2)}  # fmt: skip
            results["microtribe"]["recall_at_k"] = _recall(found, truth)
            for name, (table, create_s) in tables.items():
                samples = _latencies(
                    partial(lance_search, table, k=args.k, where=where), queries, args.repeats
                )
                found = [
                    {position[c] for c in lance_search(table, q, args.k, where)} for q in queries
                ]
                results[name] = {**summary_ms(samples), "build_s": round(create_s, 2),
                                 "recall_at_k": _recall(found, truth)}  # fmt: skip
            eligible = n if mask is None else int(mask.sum())
            ours_median = results["microtribe"]["median_ms"]
            emit(
                {
                    "part": "speed",
                    "size": n,
                    "filter": filter_name,
                    "eligible_rows": eligible,
                    "k": args.k,
                    "queries": len(queries),
                    "repeats": args.repeats,
                    "systems": results,
                    "lancedb_median_over_microtribe": round(
                        results["lancedb"]["median_ms"] / ours_median, 2
                    ),
                    "lancedb_p99_over_microtribe": round(
                        results["lancedb"]["p99_ms"] / results["microtribe"]["p99_ms"], 2
                    ),
                    "vectors": data["origin"],
                    "threads": {"microtribe": 1, "lancedb": "its own pool (all cores)"},
                }
            )
            faiss.omp_set_num_threads(2)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _latencies(run: Callable[[np.ndarray], Any], queries: np.ndarray, repeats: int) -> list[float]:
    samples: list[float] = []
    for query in queries:
        samples += timed_ms(partial(run, query), repeats, warmup=1)
    return samples


def _recall(found: list[set[int]], truth: list[set[int]]) -> float:
    scores = [len(f & t) / len(t) for f, t in zip(found, truth, strict=True) if t]
    return round(float(np.mean(scores)), 4) if scores else 1.0


def bench_quality(args: argparse.Namespace, emit: Callable[[dict[str, Any]], Any]) -> None:
    from bench.quality import (
        SHORTLIST,
        advocate_brands,
        microtribe_shortlists,
        post_snapshot_labels,
        read_store,
        shortlist_metrics,
    )
    from bench.ranking_speed import load_pipeline
    from bench.worlds import world_spec
    from features.brand_profile import brand_profile
    from features.tiers import PLATFORMS

    pipeline = load_pipeline(args.eval_home, model_home=args.train_home)
    world = read_store(args.eval_home)
    labels = post_snapshot_labels(world, args.cutoff)
    brand_ids = advocate_brands(labels)
    catalog = pipeline.catalog
    live = np.flatnonzero(catalog.live)
    attrs = {
        "platform": np.asarray(PLATFORMS, dtype=object)[catalog.creators.platform[live]],
        "country": catalog.creators.country[live],
    }
    folder = Path(tempfile.mkdtemp(prefix="peer-lance-"))
    try:
        table, _ = lance_table(folder, catalog.creators.creator_id[live], attrs,
                               catalog.vectors[live], False)  # fmt: skip
        peer = {
            b: lance_search(
                table, pipeline.briefs.vector(brand_profile(world.brands[b]).text), SHORTLIST, None
            )
            for b in brand_ids
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ours = shortlist_metrics(microtribe_shortlists(pipeline, world, brand_ids), labels)
    theirs = shortlist_metrics(peer, labels)
    emit(
        {
            "part": "quality",
            "shortlist": SHORTLIST,
            "brands": len(brand_ids),
            "microtribe": ours,
            "lancedb": theirs,
            "lancedb_ndcg_at_20_over_microtribe": round(
                theirs["ndcg_at_20"] / max(ours["ndcg_at_20"], 1e-9), 3
            ),
            "lancedb_recall_at_50_over_microtribe": round(
                theirs["recall_at_50"] / max(ours["recall_at_50"], 1e-9), 3
            ),
            "train_world": world_spec(args.train_home),
            "eval_world": world_spec(args.eval_home),
            "cutoff": args.cutoff,
        }
    )


def main(argv: list[str] | None = None) -> None:
    from bench.quality import DEFAULT_CUTOFF

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, help="a built home whose vectors are searched")
    parser.add_argument("--sizes", default="10000,100000", help="catalog sizes (10000,100000)")
    parser.add_argument("--queries", type=int, default=50, help="briefs used as queries (50)")
    parser.add_argument("--k", type=int, default=50, help="creators per query (50)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per query (3)")
    parser.add_argument("--noise-sigma", type=float, default=0.0245)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lance-index", action="store_true", help="also an IVF_HNSW_SQ index")
    parser.add_argument("--train-home", type=Path, help="with --eval-home: the quality part")
    parser.add_argument("--eval-home", type=Path)
    parser.add_argument("--cutoff", default=DEFAULT_CUTOFF)
    parser.add_argument("--quick", action="store_true", help="1000 rows, 5 queries, 1 pass")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("peer"))
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.queries, args.repeats = "1000", 5, 1
    recorder = Recorder("peer", args.out)
    import lancedb

    context = {"lancedb_version": lancedb.__version__, "label": args.label}

    def emit(record: dict[str, Any]) -> None:
        recorder.emit({**record, **context})

    if args.home is not None:
        source = source_vectors(args.home, args.queries)
        context.update({"home": str(args.home), "embedder": source["embedder"],
                        "source_rows": len(source["vectors"])})  # fmt: skip
        for n in (int(v) for v in args.sizes.split(",") if v):
            bench_size(args, source, n, emit)
    if args.train_home is not None and args.eval_home is not None:
        bench_quality(args, emit)


if __name__ == "__main__":
    main()
