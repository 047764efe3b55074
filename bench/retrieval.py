"""Retrieval benchmark: FAISS factories over realistic creator vectors, with and without filters.

    .venv/bin/python bench/retrieval.py [--sizes 100000,1000000] [--factories Flat,HNSW32,...]
    (";" separates factories that contain a comma: --factories "Flat;IVF1024,Flat")

Vectors. A synthetic world (`training.world.generate_world(--creators, n_brands, --seed)`) is
embedded with the default model (USE multilingual v3, 512-d): a creator's content vector is
the L2-normalised mean of the embeddings of its bio and its first 10 captions. A catalog of N
rows is grown from these real vectors: row i = l2_normalise(real[s_i] + sigma * g_i), with s_i
drawn uniformly from the real creators and g_i ~ N(0, I_512) (float32), sigma = --noise-sigma
(default 0.0245: the mean cosine between a row and its source is ≈ 0.875, two copies of one
source ≈ 0.77, so the top-200 of a query mixes copies of many sources). The exact recipe and
the measured cosines are written in each result's "vectors" field.

Queries (--queries, default 50) are embedded briefs, never catalog rows: `values. description`
of the world's brands plus hand-written Italian briefs.

Filters, a boolean mask over per-row attributes: platform (instagram 60 %, tiktok 25 %,
youtube 15 %), country (IT 45 %, ...), tier (nano 50 % + micro 35 % = 85 %). With
--attributes independent (default) each row draws them independently; with `inherited` a row
takes the platform and country of its source creator (content and filter then correlate, as in
real data) and draws its tier. "typical" = instagram + IT + nano/micro (≈ 23 % eligible);
"selective" = tiktok + ES + nano/micro (≈ 2.3 %: at 1M just above
`IndexConfig.exact_filter_below`, so it goes through the graph); "narrow" = youtube + ES +
micro (≈ 0.5 %); "none" = no filter.

For each size and factory (`Flat` is the exact reference; build with 2 FAISS threads and
--ef-construction): build time, index bytes per creator (serialised size / N), the same plus the
float32 vectors that `search()` needs beside the index, and RSS growth; then for each filter and
each --ef-search value: recall@k against exact search (mean and worst query), the mean cosine
of the exact top k minus that of the returned top k (how much the misses cost: near-ties cost
little), median and p99 single-query latency of
`matching.index.search` with the catalog vectors passed (1 FAISS/OpenMP thread, 1 BLAS
thread; --repeats passes over all queries after a warm-up), whether every result is eligible
and whether min(k, eligible) results came back, and the speed-up vs `Flat` (ratio of medians,
same run, same filter). One JSON object per (size, factory, ef_search, filter) is printed to
stdout and appended to --out. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import faiss
from threadpoolctl import threadpool_limits

from features.tiers import PLATFORMS, TIERS
from features.vectors import l2_normalise
from matching.index import EXACT_FACTORY, IndexConfig, build_index, search, stored_vectors
from models.embedder import load_embedder
from training.world import generate_world

EMBEDDER = "use-multilingual-v3"
CAPTIONS_PER_CREATOR = 10
DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "retrieval.jsonl"
CHUNK = 50_000  # rows per chunk when generating vectors or scoring them: bounds temporaries

PLATFORM_SHARES = {"instagram": 0.60, "tiktok": 0.25, "youtube": 0.15}
COUNTRY_SHARES = {
    "IT": 0.45, "GB": 0.12, "US": 0.11, "ES": 0.11, "MX": 0.05,
    "CH": 0.04, "IE": 0.04, "AR": 0.04, "DE": 0.04,
}  # fmt: skip
TIER_SHARES = {
    "emerging": 0.06, "nano": 0.50, "micro": 0.35, "mid": 0.06, "macro": 0.02, "mega": 0.01,
}  # fmt: skip
FILTERS: dict[str, dict[str, tuple[str, ...]] | None] = {
    "none": None,
    "typical": {"platform": ("instagram",), "country": ("IT",), "tier": ("nano", "micro")},
    "selective": {"platform": ("tiktok",), "country": ("ES",), "tier": ("nano", "micro")},
    "narrow": {"platform": ("youtube",), "country": ("ES",), "tier": ("micro",)},
}

ITALIAN_BRIEFS = (
    "Cerchiamo creator che parlino di cucina casalinga, ricette semplici e prodotti del territorio",
    "Marchio di cosmetici naturali cerca voci autentiche su skincare e pelle sensibile",
    "Scarpe da corsa: cerchiamo runner e appassionati di allenamento all'aperto",
    "Abbigliamento di seconda mano e moda sostenibile, niente fast fashion",
    "Giocattoli educativi in legno per bambini piccoli: genitori e famiglie",
    "Crocchette per cani e gatti, cerchiamo chi vive con animali domestici",
    "Agenzia di viaggi per weekend in montagna e borghi italiani poco conosciuti",
    "Cuffie wireless e gadget tecnologici per chi lavora da casa",
    "Videogiochi indipendenti, cerchiamo streamer e recensori appassionati",
    "Mobili e decorazioni per piccoli appartamenti in città",
    "Birra artigianale e abbinamenti con la cucina regionale",
    "App per la meditazione e il benessere mentale, vita lenta e consapevole",
)


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


def peak_rss_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def real_vectors(
    n_creators: int, n_brands: int, seed: int, n_queries: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """A generated world's content vectors and attributes, and embedded brief queries."""
    log(f"generating a world of {n_creators} creators and {n_brands} brands (seed {seed})")
    world = generate_world(n_creators, n_brands, seed)
    model = load_embedder(EMBEDDER, threads=2)
    texts: list[str] = []
    owner: list[int] = []
    for row, creator in enumerate(world.creators):
        parts = [creator.get("bio", "")]
        parts += [p["caption"] for p in creator["posts"][:CAPTIONS_PER_CREATOR]]
        texts += parts
        owner += [row] * len(parts)
    log(f"embedding {len(texts)} texts with {EMBEDDER}")
    started = time.perf_counter()
    embedded = model.encode(texts, batch_size=64)
    log(f"embedded in {time.perf_counter() - started:.1f} s")
    summed = np.zeros((n_creators, embedded.shape[1]), dtype=np.float64)
    np.add.at(summed, np.asarray(owner), embedded)
    creators = l2_normalise(summed.astype(np.float32))
    briefs = [f"{b['values']}. {b['description']}" for b in world.brands]
    briefs += list(ITALIAN_BRIEFS)
    queries = model.encode(briefs[:n_queries])
    attributes = {
        "platform": np.array([c["platform"] for c in world.creators]),
        "country": np.array([c["country"] for c in world.creators]),
    }
    return creators, queries, attributes


def cached_real_vectors(
    cache: Path | None, n_creators: int, n_brands: int, seed: int, n_queries: int
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """`real_vectors`, reused from `cache` (an .npz) when it was made with the same arguments."""
    key = f"{EMBEDDER}|{CAPTIONS_PER_CREATOR}|{n_creators}|{n_brands}|{seed}|{n_queries}"
    if cache is not None and cache.exists():
        with np.load(cache, allow_pickle=False) as saved:
            if str(saved["key"]) == key:
                log(f"real vectors and queries from {cache}")
                attrs = {"platform": saved["platform"], "country": saved["country"]}
                return saved["creators"], saved["queries"], attrs
    creators, queries, attrs = real_vectors(n_creators, n_brands, seed, n_queries)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, key=np.array(key), creators=creators, queries=queries, **attrs)
    return creators, queries, attrs


def synthetic_catalog(
    real: np.ndarray, n: int, sigma: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, float]:
    """`n` rows, each a real vector plus Gaussian noise, L2-normalised; (rows, sources, cos)."""
    dim = real.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    sources = rng.integers(len(real), size=n).astype(np.int32)
    cos_sum = 0.0
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        block = out[start:stop]
        rng.standard_normal(size=block.shape, dtype=np.float32, out=block)
        block *= np.float32(sigma)
        block += real[sources[start:stop]]
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        cos_sum += float(np.einsum("ij,ij->", block, real[sources[start:stop]]))
    return out, sources, cos_sum / n


def draw_attributes(
    n: int, sources: np.ndarray, real_attrs: dict[str, np.ndarray], mode: str,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:  # fmt: skip
    def draw(shares: dict[str, float]) -> np.ndarray:
        names = np.array(list(shares))
        probabilities = np.array(list(shares.values()))
        return names[rng.choice(len(names), size=n, p=probabilities / probabilities.sum())]

    attrs = {"tier": draw(TIER_SHARES)}
    if mode == "inherited":
        attrs["platform"] = real_attrs["platform"][sources]
        attrs["country"] = real_attrs["country"][sources]
    else:
        attrs["platform"] = draw(PLATFORM_SHARES)
        attrs["country"] = draw(COUNTRY_SHARES)
    assert set(attrs["platform"]) <= set(PLATFORMS) and set(attrs["tier"]) <= set(TIERS)
    return attrs


def filter_mask(attrs: dict[str, np.ndarray], spec: dict[str, tuple[str, ...]]) -> np.ndarray:
    mask = np.ones(len(attrs["tier"]), dtype=bool)
    for field, wanted in spec.items():
        mask &= np.isin(attrs[field], list(wanted))
    return mask


def exact_truth(
    vectors: np.ndarray, queries: np.ndarray, k: int, masks: dict[str, np.ndarray | None]
) -> dict[str, list[np.ndarray]]:
    """Exact top-k row ids per query for each filter (one pass over the vectors per filter)."""
    truth: dict[str, list[np.ndarray]] = {}
    for name, mask in masks.items():
        best_scores = np.full((0, len(queries)), -np.inf, dtype=np.float32)
        best_rows = np.zeros((0, len(queries)), dtype=np.int64)
        for start in range(0, len(vectors), CHUNK):
            stop = min(start + CHUNK, len(vectors))
            scores = vectors[start:stop] @ queries.T
            if mask is not None:
                scores[~mask[start:stop]] = -np.inf
            rows = np.broadcast_to(np.arange(start, stop)[:, None], scores.shape)
            scores = np.vstack([best_scores, scores])
            rows = np.vstack([best_rows, rows])
            keep = min(k, len(scores))
            top = np.argpartition(-scores, keep - 1, axis=0)[:keep]
            best_scores = np.take_along_axis(scores, top, axis=0)
            best_rows = np.take_along_axis(rows, top, axis=0)
        truth[name] = [best_rows[np.isfinite(best_scores[:, q]), q] for q in range(len(queries))]
    return truth


def serialized_bytes(index: Any) -> int:
    """The size of the serialised index, counted without materialising it."""
    total = 0

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)

    faiss.write_index(index, faiss.PyCallbackIOWriter(count))
    return total


def time_queries(
    run: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], queries: np.ndarray, repeats: int
) -> tuple[list[float], list[float]]:
    """Single-query latencies (ms), all samples and the median of each pass."""
    for query in queries[: min(5, len(queries))]:  # warm-up
        run(query)
    samples: list[float] = []
    pass_medians: list[float] = []
    for _ in range(repeats):
        this_pass = []
        for query in queries:
            started = time.perf_counter()
            run(query)
            this_pass.append((time.perf_counter() - started) * 1000.0)
        samples += this_pass
        pass_medians.append(statistics.median(this_pass))
    return samples, pass_medians


def is_compressed(index: Any) -> bool:
    """True for a graph over compressed codes (search() fetches more and re-ranks exactly)."""
    storage = getattr(faiss.downcast_index(index), "storage", None)
    return storage is not None and not isinstance(faiss.downcast_index(storage), faiss.IndexFlat)


def measure(
    index: Any,
    vectors: np.ndarray,
    queries: np.ndarray,
    mask: np.ndarray | None,
    truth: list[np.ndarray],
    config: IndexConfig,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Recall and similarity lost per query, bad results, short lists, latency samples."""
    n_eligible = len(vectors) if mask is None else int(mask.sum())

    def run(query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return search(index, query, args.k, mask, vectors, config)

    recalls: list[float] = []
    sim_losses: list[float] = []
    bad_rows = short = 0
    for query, expected in zip(queries, truth, strict=True):
        rows, _ = run(query)
        hits = len(set(rows.tolist()) & set(expected.tolist()))
        recalls.append(hits / len(expected) if len(expected) else 1.0)
        # how much worse the returned list is than the exact one (mean cosine of the top k)
        if len(rows) and len(expected):
            found_sim = float((vectors[rows] @ query).mean())
            sim_losses.append(float((vectors[expected] @ query).mean()) - found_sim)
        if mask is not None:
            bad_rows += int((~mask[rows]).sum())
        bad_rows += len(rows) - len(set(rows.tolist()))  # duplicates
        short += int(len(rows) < min(args.k, n_eligible))
    faiss.omp_set_num_threads(1)
    with threadpool_limits(limits=1):
        samples, pass_medians = time_queries(run, queries, args.repeats)
    faiss.omp_set_num_threads(args.build_threads)
    return {
        "recalls": recalls,
        "sim_losses": sim_losses,
        "bad_rows": bad_rows,
        "short": short,
        "samples": samples,
        "pass_medians": pass_medians,
    }


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_size(
    args: argparse.Namespace,
    n: int,
    real: np.ndarray,
    queries: np.ndarray,
    real_attrs: dict[str, np.ndarray],
    emit: Callable[[dict[str, Any]], None],
) -> None:
    rng = np.random.default_rng([args.seed, n])
    log(f"size {n:,}: generating vectors (sigma {args.noise_sigma})")
    vectors, sources, mean_cos = synthetic_catalog(real, n, args.noise_sigma, rng)
    attrs = draw_attributes(n, sources, real_attrs, args.attributes, rng)
    masks = {
        name: None if spec is None else filter_mask(attrs, spec) for name, spec in FILTERS.items()
    }
    log("exact ground truth")
    truth = exact_truth(vectors, queries, args.k, masks)
    sources_in_top = statistics.median(len(set(sources[t].tolist())) for t in truth["none"])
    vectors_note = (
        f"{n} rows = l2norm(real[s] + {args.noise_sigma} * N(0, I_512)), s uniform over "
        f"{len(real)} USE-multilingual-v3 content vectors (mean of bio + first "
        f"{CAPTIONS_PER_CREATOR} captions) of generate_world({args.creators}, seed={args.seed}); "
        f"measured mean cos(row, source) = {mean_cos:.3f}; median distinct sources in exact "
        f"top-{args.k} = {sources_in_top:g}; attributes {args.attributes}"
    )
    log(vectors_note)
    flat_medians: dict[str, float] = {}
    for factory in args.factories:
        faiss.omp_set_num_threads(args.build_threads)
        rss_before = rss_bytes()
        log(f"size {n:,}: building {factory} with {args.build_threads} threads")
        started = time.perf_counter()
        index = build_index(vectors, factory, IndexConfig(ef_construction=args.ef_construction))
        build_s = time.perf_counter() - started
        rss_growth = rss_bytes() - rss_before
        index_bytes = serialized_bytes(index)
        log(f"built {factory} in {build_s:.1f} s, {index_bytes / n:.0f} B/creator")
        hnsw = getattr(faiss.downcast_index(index), "hnsw", None)
        ivf = isinstance(faiss.downcast_index(index), faiss.IndexIVF)
        ef_values = args.ef_search if hnsw is not None else [None]
        seen_effective: set[int | None] = set()
        compressed = is_compressed(index)
        for ef in ef_values if not ivf else args.nprobe:
            config = IndexConfig(ef_construction=args.ef_construction)
            if ivf:
                config = IndexConfig(ef_construction=args.ef_construction, nprobe=ef)
            elif ef is not None:
                config = IndexConfig(ef_construction=args.ef_construction, ef_search=ef)
            fetch = args.k * config.rerank_factor if compressed else args.k
            effective = None if hnsw is None else max(config.ef_search, fetch)
            if ivf:
                effective = None
            elif effective in seen_effective:
                continue
            seen_effective.add(effective)
            for filter_name, mask in masks.items():
                n_eligible = n if mask is None else int(mask.sum())
                measured = measure(index, vectors, queries, mask, truth[filter_name], config, args)
                recalls, samples = measured["recalls"], measured["samples"]
                median = statistics.median(samples)
                if factory == EXACT_FACTORY:
                    flat_medians[filter_name] = median
                flat = flat_medians.get(filter_name)
                result = {
                    "bench": "retrieval",
                    "size": n,
                    "factory": factory,
                    "filter": filter_name,
                    "filter_spec": FILTERS[filter_name],
                    "eligible_rows": n_eligible,
                    "eligible_share": round(n_eligible / n, 4),
                    "k": args.k,
                    "ef_search": None if hnsw is None else config.ef_search,
                    "ef_effective": effective,
                    "ef_construction": None if hnsw is None else args.ef_construction,
                    "nprobe": config.nprobe if ivf else None,
                    "rerank_factor": config.rerank_factor if compressed else None,
                    "exact_filter_below": config.exact_filter_below,
                    "queries": len(queries),
                    "recall_at_k_mean": round(statistics.fmean(recalls), 4),
                    "recall_at_k_min": round(min(recalls), 4),
                    "mean_cosine_lost_vs_exact": round(
                        statistics.fmean(measured["sim_losses"] or [0.0]), 5
                    ),
                    "latency_ms_median": round(median, 3),
                    "latency_ms_p99": round(percentile(samples, 99), 3),
                    "latency_ms_pass_medians": [round(m, 3) for m in measured["pass_medians"]],
                    "latency_samples": len(samples),
                    "speedup_vs_flat": None if flat is None else round(flat / median, 1),
                    "ineligible_or_duplicate_results": measured["bad_rows"],
                    "queries_with_fewer_than_k": measured["short"],
                    "build_s": round(build_s, 2),
                    "index_bytes_per_creator": round(index_bytes / n, 1),
                    "index_plus_vectors_bytes_per_creator": round(
                        (index_bytes + vectors.nbytes) / n, 1
                    ),
                    # what a served catalog holds: Flat and HNSW-Flat indexes lend their stored
                    # vectors to exact re-ranking (matching.index.stored_vectors); others keep
                    # vectors.npy beside the index
                    "served_bytes_per_creator": round(
                        (index_bytes + (0 if stored_vectors(index) is not None else vectors.nbytes))
                        / n,
                        1,
                    ),
                    "rss_growth_bytes_per_creator": round(rss_growth / n, 1),
                    "peak_rss_gb": round(peak_rss_bytes() / 2**30, 2),
                    "threads": {
                        "build_faiss_omp": args.build_threads,
                        "search_faiss_omp": 1,
                        "search_blas": 1,
                    },
                    "vectors": vectors_note,
                    "faiss": faiss.__version__,
                    "seed": args.seed,
                    "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
                knob = f"nprobe={config.nprobe}" if ivf else f"ef={effective}"
                log(
                    f"{factory} {knob} {filter_name}: recall {result['recall_at_k_mean']}"
                    f", median {result['latency_ms_median']} ms, p99 {result['latency_ms_p99']}"
                    f" ms, x{result['speedup_vs_flat']} vs Flat"
                )
                emit(result)
        del index


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="100000",
        help="comma-separated catalog sizes (rows); 100000 takes ≈ 1.5 min after embedding, "
        "1000000 ≈ 10-15 min (default 100000)",
    )  # fmt: skip
    parser.add_argument(
        "--factories", default="Flat,HNSW32,HNSW32_SQ8",
        help="comma-separated FAISS factory strings; Flat (exact) first gives the speed-ups "
        "(default Flat,HNSW32,HNSW32_SQ8)",
    )  # fmt: skip
    parser.add_argument(
        "--queries", type=int, default=50,
        help="number of embedded brief queries: world brands, then up to "
        f"{len(ITALIAN_BRIEFS)} hand-written Italian briefs (default 50)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=7, help="world and noise seed (default 7)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT,
        help="JSON-lines file the results are appended to (default bench/results/retrieval.jsonl)",
    )  # fmt: skip
    parser.add_argument(
        "--creators", type=int, default=3000,
        help="real creators embedded to seed the catalog (default 3000)",
    )  # fmt: skip
    parser.add_argument(
        "--noise-sigma", type=float, default=0.0245,
        help="per-dimension std of the Gaussian noise added to a real vector (default 0.0245)",
    )  # fmt: skip
    parser.add_argument(
        "--ef-search", default="96,300,500,800,1200,2000,3500",
        help="comma-separated IndexConfig.ef_search values for HNSW factories; search() uses "
        "max(ef_search, k fetched), duplicates of that are skipped (default %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--nprobe",
        default="16,32,64,128",
        help="comma-separated IndexConfig.nprobe values for IVF factories (default %(default)s)",
    )
    parser.add_argument(
        "--ef-construction", type=int, default=IndexConfig().ef_construction,
        help="IndexConfig.ef_construction for HNSW builds (default %(default)s)",
    )  # fmt: skip
    parser.add_argument("--k", type=int, default=200, help="results per query (default 200)")
    parser.add_argument(
        "--repeats", type=int, default=3,
        help="timed passes over all queries; latencies pool all passes (default 3)",
    )  # fmt: skip
    parser.add_argument(
        "--attributes", choices=("independent", "inherited"), default="independent",
        help="filter attributes drawn independently per row, or platform and country inherited "
        "from the source creator (default independent)",
    )  # fmt: skip
    parser.add_argument(
        "--embedding-cache", type=Path, default=None,
        help="optional .npz reused across runs for the embedded creators and queries "
        "(embedding 3000 creators takes 1.5-4 min here); off by default",
    )  # fmt: skip
    parser.add_argument(
        "--build-threads", type=int, default=2, help="FAISS threads for builds (default 2)"
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    # ";" separates factories when one has a comma itself ("Flat;IVF1024,Flat")
    separator = ";" if ";" in args.factories else ","
    factories = [f.strip() for f in args.factories.split(separator) if f.strip()]
    # the exact reference first, so that every other factory has a speed-up in the same run
    args.factories = sorted(factories, key=lambda f: f != EXACT_FACTORY)
    args.ef_search = [int(e) for e in args.ef_search.split(",") if e]
    args.nprobe = [int(p) for p in args.nprobe.split(",") if p]
    if args.queries < 1 or args.k < 1 or args.repeats < 1:
        parser.error("--queries, --k and --repeats must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    n_brands = max(args.queries - len(ITALIAN_BRIEFS), 0)
    real, queries, real_attrs = cached_real_vectors(
        args.embedding_cache, args.creators, n_brands, args.seed, args.queries
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def emit(result: dict[str, Any]) -> None:
        line = json.dumps(result, ensure_ascii=False)
        print(line, flush=True)
        with args.out.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    for n in args.sizes:
        bench_size(args, n, real, queries, real_attrs, emit)
    log(f"done; peak RSS {peak_rss_bytes() / 2**30:.2f} GiB; results appended to {args.out}")


if __name__ == "__main__":
    main()
