"""Peer baselines: what an agency would use instead, cosine search in an embedded vector DB
or an HNSW library, each in its best configuration.

    .venv/bin/python bench/peer.py --home DIR [--sizes 10000,100000] [--queries 50]
    .venv/bin/python bench/peer.py --home DIR --train-home T --eval-home E   # + quality
    .venv/bin/python bench/peer.py --home DIR --quick                        # CI smoke run

The peers (PyPI, the `bench` extra) are LanceDB (`lancedb`; embedded mode, a directory on
local disk, no server) and usearch (`usearch`; an in-process HNSW index). They are handed OUR
vectors (the catalog's USE-v3 content vectors) and our brief vectors, so neither loads or
downloads an embedding model: what is compared is the search and what it returns.

Speed (one record per size and filter). Vectors: the first N rows of --home's catalog (`full`
or 0: every row, e.g. the real 100k build or the 1M grown from it by `bench/scaled_catalog.py
--from-real`); when N is larger than the catalog, rows are grown from it as in
`bench/retrieval.py` (a real row plus Gaussian noise, sigma --noise-sigma, attributes
inherited from that row: a stress case). Each record says which (`catalog`). Queries: the
home's stored brands, embedded by the catalog's embedder (--queries of them). Filters:
`none`, and `typical` = what agencies send: market IT, language it, platform instagram,
tiers nano and micro (`TYPICAL`). For each query, top --k (50) by cosine:
- `microtribe`: the catalog's own retrieval as the pipeline runs it: the eligibility mask
  (`matching.filters`' checks over the catalog's column types, built per request) and
  `matching.index.search` on the index `microtribe build` would make for N rows
  (`IndexConfig().factory_for(N)`: exact Flat below 50k, IVF{√N},Flat above, nprobe by
  `IndexConfig.nprobe_for`), one FAISS/BLAS thread as in the server;
- `lancedb`: `table.search(q).metric("cosine").where(filter, prefilter=True).limit(k)` with
  `bypass_vector_index()`: an exact scan (--no-lance-exact skips it). Every LanceDB table has
  BITMAP scalar indexes on the four filter columns (for the prefilter); LanceDB runs on its
  own thread pool (all cores);
- `lancedb_ivf_pq` (from 10k rows; --lance-index): an IVF_PQ index, as many lists as
  microtribe's IVF (or --lance-pq-partitions), --lance-pq-sub-vectors sub-vectors, searched
  with `nprobes` --lance-nprobes and `refine_factor` --lance-refine-factor (k × that many PQ
  candidates re-ranked on the full vectors);
- `lancedb_ivf_hnsw_sq` (from 10k rows; --lance-index): IVF_HNSW_SQ, N / 250k partitions
  (at least 1), m --lance-hnsw-m, ef_construction --lance-hnsw-ef-construction (lighter from
  500k rows), all partitions probed, `ef` max(--lance-hnsw-ef, k × refine), refine_factor
  --lance-hnsw-refine-factor;
- `usearch` (unless --no-usearch): HNSW, inner product on the normalised vectors, float32,
  connectivity --usearch-connectivity, expansion_add --usearch-expansion-add (lighter from
  500k rows), expansion_search --usearch-ef; built on 2 threads, searched with threads=1 (one
  query is one thread's work). Its Python API has no filter predicate, so a filtered query
  over-fetches k / share × 1.5 neighbours, keeps the eligible ones and doubles until k are.
Median and p99 latency over --repeats timed passes per query after a warm-up (an engine
slower than 400 ms a query gets one pass, and with --slow-queries only that many queries),
recall@k of each against an exact numpy scan, build seconds, what each engine ran (`ran`),
and `<engine>_median_over_microtribe` (> 1: the peer is slower), all in the same run.

Quality (with --train-home and --eval-home, as in `bench/quality.py`): LanceDB's top 50 by
cosine for each brief of the eval world against `MatchPipeline.run(brand, k=50)` (the /match
pipeline with the champion of --train-home), NDCG@20 and recall@50 against the brand's known
advocates after the eval snapshot (`bench.quality.shortlist_metrics`), and their ratios.

Records are printed and appended to --out (default bench/results/peer.jsonl).
"""

from __future__ import annotations

import argparse
import json
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

from bench.common import Recorder, default_out, log, summary_ms

# what an agency sends: market, language, platform and tier (micro-creators: nano + micro)
TYPICAL = {"countries": ("IT",), "languages": ("it",), "platforms": ("instagram",),
           "tiers": ("nano", "micro")}  # fmt: skip
LANCE_TYPICAL = ("country = 'IT' AND language = 'it' AND platform = 'instagram' "
                 "AND tier IN ('nano', 'micro')")  # fmt: skip
FILTER_COLUMNS = ("platform", "country", "language", "tier")
SLOW_ABOVE_MS = 400.0  # an engine slower than this per query gets one timed pass per query


def lance_table(folder: Path, ids: np.ndarray, attrs: dict[str, np.ndarray], vectors: np.ndarray,
                index: dict[str, Any] | None = None) -> tuple[Any, float]:  # fmt: skip
    """A LanceDB table of (row, creator_id, platform, country, language, tier, vector) with
    BITMAP scalar indexes on the four filter columns (what LanceDB advises for prefiltering on
    low-cardinality columns) and, given `index`, a cosine vector index (`index_type` IVF_PQ
    or IVF_HNSW_SQ, the other keys its options); seconds to create it, index included."""
    import lancedb
    import pyarrow as pa
    from lancedb.index import Bitmap, HnswSq, IvfPq

    started = time.perf_counter()
    db = lancedb.connect(str(folder))
    dim = vectors.shape[1]
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).ravel())
    table = db.create_table(
        "creators",
        pa.table(
            {
                "row": pa.array(np.arange(len(ids), dtype=np.int64)),
                "creator_id": pa.array(ids.tolist(), pa.string()),
                **{
                    column: pa.array(np.asarray(attrs[column]).tolist(), pa.string())
                    for column in FILTER_COLUMNS
                },
                "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
            }
        ),
        mode="overwrite",
    )
    if len(ids) >= 1_000:
        for column in FILTER_COLUMNS:
            table.create_index(column, config=Bitmap())  # new API: metric = column
    if index:
        kinds: dict[str, Any] = {"IVF_PQ": IvfPq, "IVF_HNSW_SQ": HnswSq}
        options = {key: value for key, value in index.items() if key != "index_type"}
        config = kinds[index["index_type"]](distance_type="cosine", **options)
        table.create_index("vector", config=config)
    return table, time.perf_counter() - started


def lance_search(
    table: Any, query: np.ndarray, k: int, where: str | None,
    tuning: dict[str, int] | None = None, exact: bool = False,
) -> list[str]:  # fmt: skip
    """Creator ids of the top `k` by cosine: `tuning` sets nprobes / refine_factor / ef."""
    return [str(x) for x in _lance_query(table, query, k, where, tuning, exact, "creator_id")]


def lance_rows(
    table: Any, query: np.ndarray, k: int, where: str | None,
    tuning: dict[str, int] | None = None, exact: bool = False,
) -> list[int]:  # fmt: skip
    return [int(x) for x in _lance_query(table, query, k, where, tuning, exact, "row")]


def _lance_query(table: Any, query: np.ndarray, k: int, where: str | None,
                 tuning: dict[str, int] | None, exact: bool, column: str) -> list[Any]:  # fmt: skip
    search = table.search(query).metric("cosine").limit(k).select([column, "_distance"])
    if exact:
        search = search.bypass_vector_index()
    for name, value in (tuning or {}).items():
        search = getattr(search, name)(value)
    if where:
        search = search.where(where, prefilter=True)
    return list(search.to_arrow().column(column).to_pylist())


def usearch_index(vectors: np.ndarray, connectivity: int, expansion_add: int,
                  expansion_search: int, threads: int) -> tuple[Any, float]:  # fmt: skip
    """A usearch HNSW index (inner product on our L2-normalised vectors = cosine, float32
    storage, keys = row numbers), added in one batch on `threads` threads; build seconds."""
    from usearch.index import Index

    started = time.perf_counter()
    index = Index(ndim=vectors.shape[1], metric="ip", dtype="f32", connectivity=connectivity,
                  expansion_add=expansion_add, expansion_search=expansion_search)  # fmt: skip
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors, threads=threads)
    return index, time.perf_counter() - started


def usearch_search(index: Any, query: np.ndarray, k: int, eligible: np.ndarray | None,
                   share: float) -> np.ndarray:  # fmt: skip
    """Top `k` rows; with a filter (`share` < 1 of the rows eligible) usearch has no predicate
    in its Python API, so it over-fetches k / share × 1.5 neighbours, keeps the eligible ones
    (`eligible`, the typical filter's mask, looked up for the returned rows only) and doubles
    the fetch until k are eligible or the whole index was asked for."""
    if eligible is None or share >= 1.0:
        return np.asarray(index.search(query, k, threads=1).keys, dtype=np.int64)
    count = int(np.ceil(k / max(share, 1e-6) * 1.5))
    total = len(index)
    while True:
        count = min(count, total)
        keys = np.asarray(index.search(query, count, threads=1).keys, dtype=np.int64)
        ok = keys[eligible[keys]]
        if len(ok) >= k or count >= total:
            return ok[:k]
        count *= 2


def source_vectors(home: Path, n_queries: int) -> dict[str, Any]:
    """The home's catalog vectors and attributes, and its brands' brief vectors."""
    from bench.ranking_speed import stored_brands
    from features.brand_profile import brand_profile
    from features.tiers import PLATFORMS, tier_names
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
        "platform_code": np.asarray(catalog.creators.platform[live]),
        "country": catalog.creators.country[live],
        "language": catalog.creators.language[live],
        "followers": np.asarray(catalog.creators.followers[live]),
        "tier": tier_names(catalog.creators.followers[live]),
        "queries": canonical(embedder.encode(briefs)),
        "embedder": catalog.manifest["embedder"],
        "catalog": catalog_label(catalog.manifest, len(live), home),
        "grown": catalog.manifest.get("grown"),
    }


def catalog_label(manifest: dict[str, Any], rows: int, home: Path) -> str:
    """What the home's catalog is: a real build, grown from a real one, or a stress case (a
    home `bench/scaled_home.py` grew from a smaller one is built for real, from replicas)."""
    grown = manifest.get("grown")
    scaled_home = home / "scaled_home.json"
    if not grown and scaled_home.exists():
        base = json.loads(scaled_home.read_text()).get("base_creators", 0)
        return f"stress case (grown from {base:,}, replicas built by scaled_home)"
    if not grown:
        return f"real build ({rows:,} creators)"
    base = int(grown.get("base_creators", 0))
    parameters = grown.get("recipe_parameters") or {}
    base_grown = (Path(grown.get("base", "")) / "scaled_home.json").exists()
    if not base_grown and (parameters.get("neighbours") or parameters.get("noise") == "covariance"):
        return (f"grown from a real {base:,} build, ≤ {grown.get('max_replicas_per_source')} "
                f"replicas a source")  # fmt: skip
    return f"stress case (grown from {base:,})"


def sized(source: dict[str, Any], n: int, sigma: float, seed: int) -> dict[str, Any]:
    """The first `n` rows of the catalog (every row when `n` is 0), or `n` rows grown from
    them (retrieval.py's recipe: a stress case)."""
    real = source["vectors"]
    n = n or len(real)
    if n <= len(real):
        rows = np.arange(n)
        vectors = real[:n]
        origin = "every row of the catalog" if n == len(real) else "first rows of the catalog"
        catalog = source["catalog"] if n == len(real) else f"first {n:,} rows of a catalog"
    else:
        from bench.retrieval import synthetic_catalog

        vectors, rows, mean_cos = synthetic_catalog(real, n, sigma, np.random.default_rng(seed))
        origin = f"grown from {len(real)} catalog rows, sigma {sigma}, cos {mean_cos:.3f}"
        catalog = f"stress case (grown from {len(real):,} by noise)"
    picked = {name: source[name][rows] for name in ("platform", "platform_code", "country",
                                                     "language", "followers", "tier")}  # fmt: skip
    return {
        "vectors": vectors,
        "ids": np.array([f"c{i}" for i in range(n)], dtype=object),
        **picked,
        "live": np.ones(n, dtype=bool),
        "origin": origin,
        "catalog": catalog,
    }


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None) -> set[int]:
    scores = vectors @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
    return {int(i) for i in top if np.isfinite(scores[i])}


def lance_configs(args: argparse.Namespace, n: int, nlist: int) -> dict[str, dict[str, Any]]:
    """The LanceDB vector indexes run at `n` rows: what is built and how it is searched."""
    configs: dict[str, dict[str, Any]] = {}
    if n < 10_000 or args.lance_index == "none":
        return configs
    kinds = args.lance_index.split(",")
    if "ivf_pq" in kinds:
        # nlist and nprobes as microtribe's IVF uses them (≈ √N lists, 64 probed); 64
        # sub-vectors of 8 dims (LanceDB's SIMD-friendly sizes), the PQ candidates
        # re-ranked on the full vectors (refine_factor × k of them)
        # (--lance-pq-partitions, --lance-max-iterations, --lance-sample-rate: a lighter
        # build, for a slow machine at 1M)
        partitions = args.lance_pq_partitions or nlist
        configs["lancedb_ivf_pq"] = {
            "index": {"index_type": "IVF_PQ", "num_partitions": partitions,
                      "num_sub_vectors": args.lance_pq_sub_vectors,
                      "max_iterations": args.lance_max_iterations,
                      "sample_rate": args.lance_sample_rate},
            "search": {"nprobes": min(args.lance_nprobes, partitions),
                       "refine_factor": args.lance_refine_factor},
        }  # fmt: skip
    if "ivf_hnsw_sq" in kinds:
        # a few partitions, each an HNSW graph over 8-bit scalar-quantised vectors; all of
        # them probed, ef (graph search breadth) as usearch's expansion, k × refine_factor
        # candidates re-ranked on the full vectors (LanceDB wants ef ≥ k × refine_factor)
        partitions = max(1, n // args.lance_hnsw_rows_per_partition)
        heavy = n >= 500_000
        configs["lancedb_ivf_hnsw_sq"] = {
            "index": {"index_type": "IVF_HNSW_SQ", "num_partitions": partitions,
                      "m": args.lance_hnsw_m,
                      "ef_construction": args.lance_hnsw_ef_construction_1m if heavy
                      else args.lance_hnsw_ef_construction},
            "search": {"nprobes": partitions,
                       "ef": max(args.lance_hnsw_ef, args.k * args.lance_hnsw_refine_factor),
                       "refine_factor": args.lance_hnsw_refine_factor},
        }  # fmt: skip
    return configs


def bench_size(args: argparse.Namespace, source: dict[str, Any], n: int,
               emit: Callable[[dict[str, Any]], Any]) -> None:  # fmt: skip
    import faiss
    from threadpoolctl import threadpool_limits

    from matching.index import IndexConfig, build_index

    data = sized(source, n, args.noise_sigma, args.seed)
    vectors, queries = data["vectors"], source["queries"]
    n = len(vectors)
    config = IndexConfig()
    factory = config.factory_for(n)
    nlist = int(factory[3:].split(",")[0]) if factory.startswith("IVF") else max(1, n // 1000)
    faiss.omp_set_num_threads(2)
    log(f"size {n:,}: microtribe index {factory}")
    started = time.perf_counter()
    index = build_index(vectors, factory, config)
    build_s = time.perf_counter() - started
    variants = microtribe_variants(args.variants, vectors, n, (index, factory, build_s))
    engines: dict[str, dict[str, Any]] = {}
    folder = Path(tempfile.mkdtemp(prefix="peer-lance-", dir=args.scratch))
    try:
        log(f"size {n:,}: lancedb tables in {folder}")
        if not args.no_lance_exact:
            flat, flat_s = lance_table(folder / "flat", data["ids"], data, vectors)
            engines["lancedb"] = {
                "build_s": flat_s, "search": partial(lance_rows, flat, exact=True),
                "ran": {"index": "none: exact scan (bypass_vector_index)",
                        "filter": "where(..., prefilter=True), BITMAP indexes on the four "
                                  "filter columns",
                        "threads": "its own pool (all cores)"},
            }  # fmt: skip
        for name, lance in lance_configs(args, n, nlist).items():
            log(f"size {n:,}: {name} {lance['index']}")
            table, seconds = lance_table(folder / name, data["ids"], data, vectors,
                                         lance["index"])  # fmt: skip
            log(f"size {n:,}: {name} built in {seconds:.1f} s")
            engines[name] = {
                "build_s": seconds,
                "search": partial(lance_rows, table, tuning=lance["search"]),
                "ran": {"index": lance["index"], "search": lance["search"],
                        "filter": "where(..., prefilter=True), BITMAP indexes on the four "
                                  "filter columns", "threads": "its own pool (all cores)"},
            }  # fmt: skip
        if not args.no_usearch:
            heavy = n >= 500_000
            expansion_add = args.usearch_expansion_add_1m if heavy else args.usearch_expansion_add
            log(f"size {n:,}: usearch HNSW M={args.usearch_connectivity} "
                f"expansion_add={expansion_add}")  # fmt: skip
            hnsw, seconds = usearch_index(vectors, args.usearch_connectivity, expansion_add,
                                          args.usearch_ef, threads=2)  # fmt: skip
            log(f"size {n:,}: usearch built in {seconds:.1f} s")
            engines["usearch"] = {
                "build_s": seconds, "index": hnsw,
                "ran": {"index": f"HNSW f32 inner product, connectivity (M) "
                                 f"{args.usearch_connectivity}, expansion_add {expansion_add}, "
                                 f"expansion_search {args.usearch_ef}",
                        "filter": "no predicate in usearch's Python API: over-fetch "
                                  "k / share × 1.5, keep eligible, double until k",
                        "threads": "build 2, search 1 (threads=1)"},
            }  # fmt: skip
        for filter_name in ("none", "typical"):
            mask = None
            if filter_name == "typical":  # the reference mask, by plain numpy on names
                mask = np.ones(n, dtype=bool)
                for column, key in (("country", "countries"), ("language", "languages"),
                                    ("platform", "platforms"), ("tier", "tiers")):  # fmt: skip
                    mask &= np.isin(data[column], TYPICAL[key])

            truth = [exact_top(vectors, q, args.k, mask) for q in queries]
            where = LANCE_TYPICAL if filter_name == "typical" else None
            share = 1.0 if mask is None else float(mask.mean())
            faiss.omp_set_num_threads(1)
            results: dict[str, dict[str, Any]] = {}
            ours = [("microtribe", index, factory, config, build_s), *variants]
            for name, v_index, v_factory, v_config, v_build_s in ours:
                log(f"size {n:,}, filter {filter_name}: {name}")
                run = partial(_microtribe_search, v_index, data, mask is not None, args.k,
                              vectors, v_config)  # fmt: skip
                with threadpool_limits(limits=1):
                    samples, found = _latencies(run, queries, args.repeats)
                results[name] = {
                    **summary_ms(samples), "factory": v_factory, "build_s": round(v_build_s, 2),
                    "recall_at_k": _recall(found, truth), "ran": _microtribe_ran(v_factory,
                                                                                 v_config),
                }  # fmt: skip
            for name, engine in engines.items():
                log(f"size {n:,}, filter {filter_name}: {name}")
                if name == "usearch":
                    run = partial(usearch_search, engine["index"], k=args.k, eligible=mask,
                              share=share)  # fmt: skip
                else:
                    run = partial(engine["search"], k=args.k, where=where)
                samples, found = _latencies(run, queries, args.repeats, args.slow_queries)
                results[name] = {**summary_ms(samples), "build_s": round(engine["build_s"], 2),
                                 "recall_at_k": _recall(found, truth[: len(found)]),
                                 "queries": len(found),
                                 "results_per_query_min": min(len(f) for f in found),
                                 "ran": engine["ran"]}  # fmt: skip
            eligible = n if mask is None else int(mask.sum())
            ours_median = results["microtribe"]["median_ms"]
            ratios = {}
            for name in results:
                if name != "microtribe":
                    ratios[f"{name}_median_over_microtribe"] = round(
                        results[name]["median_ms"] / ours_median, 2
                    )
                    ratios[f"{name}_p99_over_microtribe"] = round(
                        results[name]["p99_ms"] / results["microtribe"]["p99_ms"], 2
                    )
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
                    **ratios,
                    "vectors": data["origin"],
                    "catalog": data["catalog"],
                    "filter_sent": TYPICAL if filter_name == "typical" else {},
                    "threads": {name: r["ran"]["threads"] for name, r in results.items()},
                }
            )
            faiss.omp_set_num_threads(2)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Other microtribe configurations run beside the default one (--variants), each through
# `matching.index.search`: what the default was chosen against, measured in the same run.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    # before issue 23: eligible rows gathered and scanned exactly below 50k, nprobe 64 always
    "gather": ("IVF{nlist},Flat", {"exact_filter_below": 50_000, "nprobe": 64,
                                   "scale_nprobe": False}),
    # the bitmap walk with nprobe × rows / eligible lists (the filter's share, not its √)
    "linear": ("IVF{nlist},Flat", {"filter_power": 1.0}),
    "ivf_sq8": ("IVF{nlist},SQ8", {}),  # 8-bit codes, k × rerank_factor re-ranked exactly
    "ivf_fp16": ("IVF{nlist},SQfp16", {}),  # half-precision codes, re-ranked exactly
    "hnsw32": ("HNSW32", {"ef_search": 128}),  # efSearch × 1/share under a filter
    "hnsw32_sq8": ("HNSW32_SQ8", {"ef_search": 128}),
}  # fmt: skip


def microtribe_variants(
    names: str, vectors: np.ndarray, n: int, built_default: tuple[Any, str, float]
) -> list[tuple[Any, ...]]:
    """(name, index, factory, config, build seconds) for each of --variants; one whose
    factory is the default's searches the default's index (`built_default`: index,
    factory, build seconds) instead of building it again."""
    from dataclasses import replace

    from matching.index import IndexConfig, build_index

    built = []
    for name in (v for v in names.split(",") if v):
        pattern, options = VARIANTS[name]
        config = replace(IndexConfig(), factory=pattern, **options)
        factory = config.factory_for(n)
        log(f"size {n:,}: microtribe variant {name}: {factory} {options}")
        if factory == built_default[1]:
            built.append((f"microtribe_{name}", built_default[0], factory, config,
                          built_default[2]))  # fmt: skip
            continue
        started = time.perf_counter()
        index = build_index(vectors, factory, config)
        seconds = time.perf_counter() - started
        log(f"size {n:,}: {name} built in {seconds:.1f} s")
        built.append((f"microtribe_{name}", index, factory, config, seconds))
    return built


def _microtribe_search(
    index: Any, data: dict[str, Any], filtered: bool, k: int, vectors: np.ndarray,
    config: Any, query: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """microtribe's retrieval as the pipeline runs it: the eligibility mask built per request
    over the catalog's own column types (live flags, platform int8 codes, followers, country
    and language fixed-width strings) by `matching.filters.eligible_mask`'s own checks, then
    `matching.index.search`."""
    from features.tiers import PLATFORMS
    from matching.filters import any_of, any_text_of, tier_mask
    from matching.index import search

    eligible = None
    if filtered:
        wanted = [PLATFORMS.index(p) for p in TYPICAL["platforms"]]
        eligible = data["live"].copy()
        eligible &= tier_mask(data["followers"], TYPICAL["tiers"])
        eligible &= any_of(data["platform_code"], wanted)
        eligible &= any_text_of(data["country"], TYPICAL["countries"])
        eligible &= any_text_of(data["language"], TYPICAL["languages"])
    return search(index, query, k, eligible, vectors, config)[0]


def _microtribe_ran(factory: str, config: Any) -> dict[str, Any]:
    index = f"FAISS {factory}"
    if factory.startswith("IVF"):
        index += f", nprobe {config.nprobe}"
    elif factory.startswith("HNSW"):
        index += f", efSearch {config.ef_search}"
    return {"index": index, "filter": config.describe_filtering(), "threads": 1}


def _latencies(run: Callable[[np.ndarray], Any], queries: np.ndarray, repeats: int,
               slow_queries: int = 0) -> tuple[list[float], list[set[int]]]:  # fmt: skip
    """Latency samples (one untimed warm-up per query, then `repeats` timed calls; an engine
    slower than SLOW_ABOVE_MS on the first query, an exact scan at 1M, gets one timed call
    per query, no further warm-ups, and only the first `slow_queries` queries when that is
    > 0) and the row sets the last calls returned (recall is over the same queries)."""
    samples: list[float] = []
    found: list[set[int]] = []
    passes, warm = repeats, True
    for number, query in enumerate(queries):
        if warm:
            run(query)
        for _ in range(passes):
            started = time.perf_counter()
            rows = run(query)
            samples.append((time.perf_counter() - started) * 1000.0)
        found.append({int(r) for r in rows})
        if number == 0 and samples[-1] > SLOW_ABOVE_MS:
            passes, warm = 1, False
        elif not warm and slow_queries and number + 1 >= slow_queries:
            break
    return samples, found


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
        "language": catalog.creators.language[live],
        "tier": catalog.tier[live],
    }
    folder = Path(tempfile.mkdtemp(prefix="peer-lance-"))
    try:
        table, _ = lance_table(folder, catalog.creators.creator_id[live], attrs,
                               catalog.vectors[live])  # fmt: skip
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
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="catalog sizes (10000,100000); 0 or 'full': every row of --home's catalog",
    )
    parser.add_argument("--queries", type=int, default=50, help="briefs used as queries (50)")
    parser.add_argument("--k", type=int, default=50, help="creators per query (50)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per query (3)")
    parser.add_argument("--noise-sigma", type=float, default=0.0245)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--lance-index",
        default="ivf_pq,ivf_hnsw_sq",
        help="LanceDB vector indexes from 10k rows: ivf_pq, ivf_hnsw_sq, none",
    )
    parser.add_argument("--lance-nprobes", type=int, default=64, help="IVF_PQ lists probed")
    parser.add_argument("--lance-refine-factor", type=int, default=10)
    parser.add_argument(
        "--lance-pq-partitions",
        type=int,
        default=0,
        help="IVF_PQ lists (0: as many as microtribe's IVF)",
    )
    parser.add_argument("--lance-max-iterations", type=int, default=50, help="k-means")
    parser.add_argument("--lance-sample-rate", type=int, default=256, help="k-means")
    parser.add_argument("--lance-pq-sub-vectors", type=int, default=64)
    parser.add_argument("--lance-hnsw-rows-per-partition", type=int, default=250_000)
    parser.add_argument("--lance-hnsw-m", type=int, default=20)
    parser.add_argument("--lance-hnsw-ef-construction", type=int, default=300)
    parser.add_argument(
        "--lance-hnsw-ef-construction-1m",
        type=int,
        default=150,
        help="lighter build from 500k rows",
    )
    parser.add_argument("--lance-hnsw-ef", type=int, default=400, help="HNSW search breadth")
    parser.add_argument("--lance-hnsw-refine-factor", type=int, default=4)
    parser.add_argument("--no-usearch", action="store_true", help="skip the usearch engine")
    parser.add_argument(
        "--no-lance-exact", action="store_true", help="skip LanceDB's exact scan (slow at 1M)"
    )
    parser.add_argument(
        "--variants",
        default="",
        help=f"other microtribe configurations, same run: {','.join(VARIANTS)}",
    )
    parser.add_argument("--usearch-connectivity", type=int, default=16)
    parser.add_argument("--usearch-expansion-add", type=int, default=128)
    parser.add_argument(
        "--usearch-expansion-add-1m", type=int, default=64, help="lighter build from 500k rows"
    )
    parser.add_argument("--usearch-ef", type=int, default=400, help="expansion_search")
    parser.add_argument(
        "--slow-queries",
        type=int,
        default=0,
        help="engines slower than 400 ms a query: time only this many (0: all)",
    )
    parser.add_argument("--scratch", type=Path, help="folder for the LanceDB tables (a temp dir)")
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
    import usearch

    context = {"lancedb_version": lancedb.__version__, "usearch_version": usearch.__version__,
               "label": args.label}  # fmt: skip

    def emit(record: dict[str, Any]) -> None:
        recorder.emit({**record, **context})

    if args.home is not None:
        source = source_vectors(args.home, args.queries)
        context.update({"home": str(args.home), "embedder": source["embedder"],
                        "source_rows": len(source["vectors"]),
                        "grown": source["grown"]})  # fmt: skip
        for n in (0 if v == "full" else int(v) for v in args.sizes.split(",") if v):
            bench_size(args, source, n, emit)
    if args.train_home is not None and args.eval_home is not None:
        bench_quality(args, emit)


if __name__ == "__main__":
    main()
