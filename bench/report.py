"""Render BENCHMARKS.md from bench/results/*.jsonl: every figure in it comes from a record.

    .venv/bin/python bench/report.py [--results bench/results] [--out BENCHMARKS.md]

For each results file the newest run is shown (records sharing the `run` stamp that
`bench/common.py` writes; for files from scripts without it, the newest record per key).
Records labelled `quick` (CI smoke runs) are ignored. The machine is described from the
records' own `machine` field, and each section says when its figures were measured. Files
this script has no dedicated section for are rendered generically (scalar fields of the
newest run's records), so a new bench script shows up without a change here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report_scale import section_build_scale, section_catalog_load  # noqa: E402

Record = dict[str, Any]


def read(path: Path) -> list[Record]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{number}: not JSON ({exc})") from exc
        if isinstance(record, dict) and record.get("label") != "quick":
            records.append(record)
    return records


def newest_run(records: list[Record]) -> list[Record]:
    """The records of the newest `run`; records without one all count as one run."""
    stamped = [r for r in records if r.get("run")]
    if not stamped:
        return records
    newest = max(r["run"] for r in stamped)
    return [r for r in stamped if r["run"] == newest]


def newest_per_key(records: list[Record], key: Callable[[Record], Any]) -> list[Record]:
    latest: dict[Any, Record] = {}
    for record in records:  # files are appended to: later lines are newer
        latest[key(record)] = record
    return list(latest.values())


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.1f}"
        return f"{value:.{digits}g}"
    return str(value)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return lines


def when(records: list[Record]) -> str:
    stamps = sorted(r["at"] for r in records if r.get("at"))
    if not stamps:
        return "undated records"
    commits = sorted({r["commit"] for r in records if r.get("commit")})
    loads = [r["load_1min"] for r in records if r.get("load_1min") is not None]
    text = f"measured {stamps[0]}" + (f" to {stamps[-1]}" if stamps[-1] != stamps[0] else "")
    if commits:
        text += f", commit {', '.join(commits)}"
    if loads:
        text += f", 1-min load average {min(loads):.1f}–{max(loads):.1f} on the machine"
    return text


def retrieval_rows(records: list[Record]) -> list[Record]:
    """Newest record per (size, index, filter) at the catalog's default search settings."""
    from matching.index import IndexConfig

    config = IndexConfig()
    rows = newest_per_key(
        [r for r in records if r.get("factory")],
        lambda r: (r["size"], r["factory"], r["filter"], r.get("ef_search"), r.get("nprobe")),
    )
    return [r for r in rows if r.get("ef_search") in (None, config.ef_search)
            and r.get("nprobe") in (None, config.nprobe)]  # fmt: skip


def served_bytes(r: Record) -> Any:
    """Records from before `served_bytes_per_creator` existed: Flat and HNSW-Flat indexes
    hold full vectors, which a loaded catalog now uses instead of a second copy."""
    if "served_bytes_per_creator" in r:
        return r["served_bytes_per_creator"]
    factory = str(r["factory"])
    full_vectors = factory == "Flat" or (factory.startswith("HNSW") and "_" not in factory)
    return r["index_bytes_per_creator" if full_vectors else "index_plus_vectors_bytes_per_creator"]


def section_retrieval(records: list[Record]) -> list[str]:
    rows = retrieval_rows(records)
    rows.sort(key=lambda r: (r["size"], r["filter"] != "none", r["filter"], r["factory"]))
    out = [
        "FAISS as the catalog uses it (`bench/retrieval.py`): recall@k against exact search, "
        "single-query latency (1 thread), index build and memory. Flat = exact (what a "
        "catalog below 50k creators uses); other indexes at the catalog's default search "
        "settings (`matching.index.IndexConfig`). Served bytes: what a loaded catalog holds "
        "for search: Flat and HNSW32 lend their stored vectors to exact scans, IVF keeps "
        "`vectors.npy` memory-mapped beside the index (read only by exact scans). × vs exact "
        "is the ratio of medians to Flat in the same run and filter; compare runs with care "
        "when the load differed.",
        "",
    ]
    out += table(
        ["creators", "index", "filter", "eligible", "recall@k", "median ms", "p99 ms",
         "× vs exact", "build s", "index bytes/creator", "served bytes/creator",
         "measured (UTC)"],
        [(r["size"], r["factory"], r["filter"], r["eligible_rows"], r["recall_at_k_mean"],
          r["latency_ms_median"], r["latency_ms_p99"], r.get("speedup_vs_flat"), r["build_s"],
          r["index_bytes_per_creator"],
          served_bytes(r),
          r.get("at", "—")) for r in rows],
    )  # fmt: skip
    return [*out, "", f"_{when(rows)}; k = {rows[0]['k'] if rows else '—'}._"]


def section_embedders(records: list[Record]) -> list[str]:
    kinds = ("backend_speed", "backend_agreement")
    run = newest_run([r for r in records if r.get("kind") in kinds])
    if not run:
        return ["No backend records yet: run `bench/embedders.py --backends`."]
    out = ["Sentences per second on the same captions, batch 64 (`bench/embedders.py "
           "--backends`); agreement = cosine between two code paths running the same weights "
           "(not between different models).", ""]  # fmt: skip
    speed = [r for r in run if r["kind"] == "backend_speed"]
    out += table(
        ["backend", "dim", "threads", "captions", "sentences/s",
         "load s (the first torch backend pays the import)"],
        [(r["backend"], r["dimension"], r["threads"], r["captions"], r["sentences_per_s"],
          r["load_s"]) for r in speed],
    )  # fmt: skip
    rates = {r["backend"]: r["sentences_per_s"] for r in speed}
    if "use-v3/microtribe" in rates and "minilm/sentence-transformers" in rates:
        ratio = rates["use-v3/microtribe"] / rates["minilm/sentence-transformers"]
        out += ["", f"Default embedder vs plain sentence-transformers PyTorch fp32: "
                f"**{ratio:.1f}×** the sentences per second."]  # fmt: skip
    agreement = [r for r in run if r["kind"] == "backend_agreement"]
    out += [
        "",
        *table(
        ["backends (same weights)", "captions", "mean cosine", "min cosine", "1 − min cosine"],
        [(" vs ".join(r["backends"]), r["captions"], r["cosine_mean"], r["cosine_min"],
          r.get("one_minus_cosine_max")) for r in agreement],
        ),
    ]  # fmt: skip
    return [*out, "", f"_{when(run)}._"]


def section_ranking(records: list[Record]) -> list[str]:
    rows = newest_per_key(records, lambda r: (r.get("catalog_creators"), r.get("candidates")))
    rows.sort(key=lambda r: (r["catalog_creators"], r["candidates"]))
    out = ["The real serving stages on a built home (`bench/ranking_speed.py`): feature "
           "assembly for K candidates, `Ranker.predict` (both LightGBM models) on 1 and 2 "
           "threads, and the whole in-process pipeline returning 20 (K = retrieval depth).",
           ""]  # fmt: skip
    out += table(
        ["catalog creators", "K", "features ms (median)", "µs/candidate", "scored/s 1 thread",
         "scored/s 2 threads", "explain 20 ms", "pipeline ms median", "pipeline p99"],
        [(r["catalog_creators"], r["candidates"], r["stages"]["feature_assembly"]["median_ms"],
          r["feature_assembly_us_per_candidate"], r["candidates_per_s_1_thread"],
          r["candidates_per_s_2_threads"], r["stages"]["explain_20"]["median_ms"],
          r["stages"]["pipeline"]["median_ms"], r["stages"]["pipeline"]["p99_ms"])
         for r in rows],
    )  # fmt: skip
    return [*out, "", f"_{when(rows)}._"]


QUALITY_SYSTEMS = (
    ("microtribe", "model"),
    ("similarity only", "baseline_similarity"),
    ("engagement sort", "baseline_engagement_sort"),
    ("follower sort", "baseline_follower_sort"),
    ("random", "baseline_random"),
)


# Until this date training features were taken as of each outcome's `observed_at` and included
# the campaign's own paid post (issue #14): figures measured before it are superseded.
LEAK_FIXED_AT = "2026-11-29"


def superseded(records: list[Record]) -> list[str]:
    old = [r for r in records if str(r.get("at", "")) < LEAK_FIXED_AT]
    if not old:
        return []
    return ["", f"{len(old)} earlier records in this file (before {LEAK_FIXED_AT}) took "
            "features as of `observed_at` with the campaign's own paid post inside them "
            "(issue #14): superseded, kept for history, not shown above."]  # fmt: skip


def section_quality_ceiling(records: list[Record]) -> list[str]:
    current = [r for r in records if str(r.get("at", "")) >= LEAK_FIXED_AT]
    return [*section_generic(current), *superseded(records)] if current else superseded(records)


def section_quality(records: list[Record]) -> list[str]:
    run = [r for r in newest_run(records) if "metrics" in r]
    if not run:
        return ["No records."]
    first = run[0]
    out = [f"`bench/quality.py`: the champion trained on world seed "
           f"{(first.get('train_world') or {}).get('seed', '?')} evaluated on world seed "
           f"{(first.get('eval_world') or {}).get('seed', '?')} (never seen in training), "
           f"snapshot as of {first.get('cutoff')}. `point_in_time`: features as of each "
           "outcome (as `microtribe evaluate`), re-ranking each brand's labelled creators; "
           "`pipeline`: the serving feature path on the snapshot catalog, same task, campaigns "
           "after the snapshot; `shortlist`: top 50 over the whole catalog vs the brand's "
           "known advocates.", ""]  # fmt: skip
    rows = []
    for record in run:
        m = record["metrics"]
        baselines = [m[f"{prefix}_ndcg_at_20"] for _, prefix in QUALITY_SYSTEMS[1:]
                     if f"{prefix}_ndcg_at_20" in m]  # fmt: skip
        ratio = m["model_ndcg_at_20"] / max(baselines) if baselines and max(baselines) else None
        rows.append((record["evaluation"], record["group"], m.get("model_brands"),
                     *[m.get(f"{prefix}_ndcg_at_20") for _, prefix in QUALITY_SYSTEMS], ratio,
                     m.get("model_recall_at_50"), m.get("baseline_similarity_recall_at_50"),
                     m.get("advocacy_auc"), m.get("baseline_similarity_auc"),
                     m.get("sparse_brief_model_ndcg_at_20")))  # fmt: skip
    out += table(["evaluation", "group", "brands", "NDCG@20 microtribe", "similarity only",
                  "engagement sort", "follower sort", "random", "÷ best baseline",
                  "recall@50 microtribe", "similarity only", "advocacy AUC microtribe",
                  "similarity only", "NDCG@20 terse briefs"], rows)  # fmt: skip
    return [*out, "", f"_{when(run)}._", *superseded(records)]


PEER_ENGINES = {  # record key -> how the table names it
    "lancedb": "LanceDB exact",
    "lancedb_ivf_pq": "LanceDB IVF_PQ",
    "lancedb_ivf_hnsw_sq": "LanceDB IVF_HNSW_SQ",
    "usearch": "usearch HNSW",
}


def section_peer(records: list[Record]) -> list[str]:
    speed = sorted(
        newest_per_key([r for r in records if r.get("part") == "speed"],
                       lambda r: (r["size"], r["filter"], _origin(r))),
        key=lambda r: (_stress(r), r["size"], _origin(r), r["filter"]),
    )  # fmt: skip
    quality = [r for r in records if r.get("part") == "quality"][-1:]
    run = speed + quality
    out = ["Peers fed our own vectors (`bench/peer.py`): what an agency would use instead. "
           "LanceDB in embedded mode, exact and with its ANN indexes, and the usearch HNSW "
           "library, each in its best configuration; latency of one top-k cosine query, "
           "recall@k against an exact numpy scan, and each engine's median ÷ microtribe's "
           "median in the same run (> 1: the peer is slower). What each side ran (index, "
           "parameters, threads, filter handling) is listed under the tables. Catalogs: the "
           "real 100k build, 1M grown from it (≤ 10 replicas a source, "
           "`bench/scaled_catalog.py --from-real`), and the older catalogs grown from 5,000 "
           "creators, kept as a stress case (200 near-copies of each creator).", ""]  # fmt: skip
    out += ["Median ms (recall@k) per engine, each row one run:", ""]
    out += table(["catalog", "creators", "filter", "eligible", "k", "microtribe",
                  *PEER_ENGINES.values(), "microtribe ≤ every ANN peer at recall ≥ 0.95"],
                 [_peer_headline(r) for r in speed])  # fmt: skip
    out += [""]
    rows = []
    ran: dict[str, Any] = {}
    for r in speed:
        systems = r["systems"]
        for name, system in systems.items():
            label = "microtribe " + str(system.get("factory", "")) if name == "microtribe" \
                else PEER_ENGINES.get(name, name)  # fmt: skip
            ratio = None if name == "microtribe" else r.get(f"{name}_median_over_microtribe")
            rows.append((r["size"], _origin(r), _filter(r), r["k"], label,
                         system.get("queries", r["queries"]), system["median_ms"],
                         system["p99_ms"], system.get("recall_at_k"), system.get("build_s"),
                         ratio))  # fmt: skip
            if "ran" in system and not _stress(r):
                ran[f"{label} at {r['size']:,} ({_origin(r)})"] = system["ran"]
    out += table(["creators", "vectors", "filter", "k", "engine", "queries", "median ms",
                  "p99 ms", "recall@k", "build s", "median ÷ microtribe"], rows)  # fmt: skip
    if ran:
        out += ["", "What each engine ran (newest records, real and grown-from-real "
                "catalogs):", ""]  # fmt: skip
        for label, what in ran.items():
            out.append(f"- {label}: " + "; ".join(f"{k}: {_plain_ran(v)}" for k, v in what.items()))
    if quality:
        q = quality[-1]
        out += ["", f"Shortlist quality on the held-out world ({q['brands']} brands, top "
                f"{q['shortlist']}):", ""]  # fmt: skip
        out += table(
            ["system", "NDCG@20", "recall@50"],
            [("microtribe /match", q["microtribe"]["ndcg_at_20"],
              q["microtribe"]["recall_at_50"]),
             ("LanceDB cosine", q["lancedb"]["ndcg_at_20"], q["lancedb"]["recall_at_50"]),
             ("LanceDB ÷ microtribe", q["lancedb_ndcg_at_20_over_microtribe"],
              q["lancedb_recall_at_50_over_microtribe"])],
        )  # fmt: skip
    versions = f"LanceDB {run[-1].get('lancedb_version') if run else '?'}"
    usearch = [r.get("usearch_version") for r in speed if r.get("usearch_version")]
    if usearch:
        versions += f", usearch {usearch[-1]}"
    return [*out, "", f"_{when(run)}; {versions}._"]


ANN_PEERS = ("usearch", "lancedb_ivf_hnsw_sq", "lancedb_ivf_pq")
RECALL_FLOOR = 0.95  # issue 23: microtribe's median ≤ every ANN peer's at recall@k ≥ this


def _peer_headline(r: Record) -> list[Any]:
    """One run's row: each engine's median (recall), and whether microtribe is ahead."""
    systems = r["systems"]

    def cell(name: str) -> str:
        system = systems.get(name)
        if system is None:
            return "—"
        return f"{fmt(system['median_ms'])} ({fmt(system.get('recall_at_k'))})"

    ours = systems["microtribe"]
    peers = [systems[name] for name in ANN_PEERS if name in systems]
    ahead = None
    if peers:
        ahead = (ours.get("recall_at_k", 0) >= RECALL_FLOOR
                 and all(ours["median_ms"] <= p["median_ms"] for p in peers))  # fmt: skip
    return [_origin(r), r["size"], _filter(r), r.get("eligible_rows"), r["k"],
            cell("microtribe"), *(cell(name) for name in PEER_ENGINES), ahead]  # fmt: skip


def _filter(record: Record) -> str:
    """The filter a run sent: `typical` records before the four-field filter sent IT and
    instagram only."""
    if record["filter"] != "typical":
        return record["filter"]
    sent = record.get("filter_sent") or {"countries": ["IT"], "platforms": ["instagram"]}
    values = [", ".join(v) if not isinstance(v, str) else v for v in sent.values()]
    return f"typical ({'; '.join(values)})"


def _plain_ran(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _origin(record: Record) -> str:
    """Which catalog a peer run searched: the real build, grown from it, or a stress case."""
    if record.get("catalog"):
        return str(record["catalog"])
    if str(record.get("vectors", "")).startswith("first rows"):
        return f"real catalog of {record.get('source_rows', 0):,}"
    return f"stress case (grown from {record.get('source_rows', 0):,})"


def _stress(record: Record) -> bool:
    return _origin(record).startswith("stress case")


def section_generic(records: list[Record]) -> list[str]:
    run = newest_run(records)
    skip = {"bench", "run", "at", "commit", "machine", "load_1min", "label"}
    columns: list[str] = []
    for record in run:
        for key, value in record.items():
            if key not in skip and key not in columns and not isinstance(value, dict | list):
                columns.append(key)
    out = table(columns, [[r.get(c) for c in columns] for r in run])
    return [*out, "", f"_{when(run)}._"]


def section_scaling(by_file: dict[str, list[Record]]) -> list[str]:
    """How the size-dependent figures grow from the smallest to the largest catalog."""
    rows = []
    from matching.index import IndexConfig

    config = IndexConfig()
    for r in retrieval_rows(by_file.get("retrieval", [])):
        if r["factory"].startswith("IVF") and r["factory"] != config.factory_for(r["size"]):
            continue  # the scaling row follows the nlist the catalog picks at each size
        r = {**r, "factory": re.sub(r"IVF\d+", "IVF√N", r["factory"])}  # nlist grows with N
        if r["filter"] in ("none", "typical"):
            rows.append((f"retrieval {r['factory']}, filter {r['filter']}: median ms",
                         r["size"], r["latency_ms_median"]))  # fmt: skip
            if r["filter"] == "none":
                rows.append((f"retrieval {r['factory']}: build s", r["size"], r["build_s"]))
    peer = [r for r in by_file.get("peer", []) if r.get("part") == "speed"]
    for r in newest_per_key(peer, lambda r: (r["size"], r["filter"])):
        if _stress(r):
            continue
        for name, label in PEER_ENGINES.items():
            if f"{name}_median_over_microtribe" in r:
                rows.append((f"{label} ÷ microtribe median, filter {r['filter']}", r["size"],
                             r[f"{name}_median_over_microtribe"]))  # fmt: skip
    ranking = by_file.get("ranking_speed", [])
    for r in newest_per_key(ranking, lambda r: (r.get("catalog_creators"), r.get("candidates"))):
        if r.get("candidates") == 500:
            rows.append(("feature assembly ms, K = 500", r["catalog_creators"],
                         r["stages"]["feature_assembly"]["median_ms"]))  # fmt: skip
    for (creators, threads), by in serve_runs(by_file.get("serve", [])):
        serving = f"serving /v1/match ({matches_run(threads)})"
        for name, path in (("cached p50 ms", ("latency_ms", "p50")),
                           ("cached p99 ms", ("latency_ms", "p99"))):  # fmt: skip
            rows.append((f"{serving} {name}", creators, pick(by, "cached_load", *path)))
        rows.append((f"{serving} uncached p99 ms", creators,
                     pick(by, "uncached_load", "latency_ms", "p99")))  # fmt: skip
        rows.append((f"{serving} in-process pipeline p50 ms", creators,
                     pick(by, "in_process", "pipeline_run_ms", "p50")))  # fmt: skip
    names = sorted({name for name, _, _ in rows})
    sizes = sorted({size for _, size, _ in rows})
    value = {(name, size): v for name, size, v in rows}
    out = table(["figure", *[f"{s:,} creators" for s in sizes]],
                [[name, *[value.get((name, s)) for s in sizes]] for name in names])  # fmt: skip
    return [*out, "", "Figures of one size can come from different runs (and machine loads): "
            "the sections above give each figure's measurement time."]  # fmt: skip


def serve_runs(records: list[Record]) -> list[tuple[tuple[int, int], dict[str, Record]]]:
    """Per catalog size and server concurrency, the newest full (not --quick) record of each
    measure: a run of some phases only (`--phases reload`) updates those and leaves the
    others as they were."""
    full = [r for r in records if not r.get("quick") and r.get("run") and r.get("creators")]
    newest: dict[tuple[int, int], dict[str, Record]] = {}
    for r in sorted(full, key=lambda r: r["run"]):
        newest.setdefault((r["creators"], concurrency(r)), {})[r["measure"]] = r
    return sorted(newest.items())


def concurrency(record: Record) -> int:
    """MICROTRIBE_MATCH_CONCURRENCY of the server measured; runs that did not record it had
    the default of their time, 2 worker threads."""
    return int(record.get("match_concurrency") or 2)


def matches_run(concurrency: int) -> str:
    return "on the event loop when alone" if concurrency == 1 else f"≤ {concurrency} worker threads"


def pick(by: dict[str, Record], measure: str, *path: str) -> Any:
    """`by[measure][path[0]][path[1]]...`, or None where a level is missing."""
    value: Any = by.get(measure)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def home_origin(home: Any) -> str:
    """How a serving home was made, from the record its grower left in it (else its name:
    a suite home such as `train-seed7` is a generated world built by `microtribe build`)."""
    path = Path(str(home or ""))
    for name, text in (("scaled_catalog.json", "catalog rows grown from {:,}"),
                       ("scaled_home.json", "built, grown from {:,}")):  # fmt: skip
        try:
            record = json.loads((path / name).read_text())
            return f"{path.name}: " + text.format(int(record["base_creators"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return path.name or "—"


def overheads(by: dict[str, Record]) -> tuple[Any, Any]:
    """HTTP overhead with the minimal client and with httpx. Runs before the minimal client
    existed measured `overhead_paired_median` with httpx: shown as httpx only."""
    sequential = by.get("sequential_http") or {}
    if "overhead_httpx_paired_median" not in sequential:
        return None, sequential.get("overhead_paired_median")
    return sequential["overhead_paired_median"], sequential["overhead_httpx_paired_median"]


def section_serve(records: list[Record]) -> list[str]:
    """Per catalog size, the newest full (not --quick) run of bench/serve_load.py."""
    out = [
        "`/v1/match` over HTTP against `microtribe serve` (uvicorn, loopback), k = 20, "
        "explanations on, an open-loop sender in another process (`bench/serve_load.py`). "
        "HTTP overhead = median over requests of (client latency ÷ in-process "
        "`MatchPipeline.run` time of the same brief just before − 1), target ≤ 0.15, with a "
        "minimal keep-alive HTTP/1.1 client, and beside it with httpx (whose own per-request "
        "Python is the client's cost). Home: a generated world built by `microtribe build`, one "
        "grown through its store and rebuilt (`bench/scaled_home.py`), or one whose catalog "
        "rows were replicated (`bench/scaled_catalog.py`; each script's docstring says how).",
        "",
    ]
    rows: list[tuple[Any, ...]] = []
    shown: list[Record] = []
    for (creators, threads), by in serve_runs(records):
        shown += by.values()
        rows.append((
            creators, matches_run(threads), home_origin(pick(by, "cached_load", "home")),
            pick(by, "cached_load", "rate_target"), pick(by, "cached_load", "achieved_rps"),
            pick(by, "cached_load", "duration_s"), pick(by, "cached_load", "latency_ms", "p50"),
            pick(by, "cached_load", "latency_ms", "p99"),
            pick(by, "uncached_load", "latency_ms", "p99"),
            sum(int(pick(by, m, "errors") or 0) for m in ("cached_load", "uncached_load")),
            *overheads(by),
            pick(by, "reload_under_load", "errors"),
            pick(by, "reload_under_load", "latency_ms", "p99"),
            pick(by, "wrk_capacity", "throughput_rps"), pick(by, "cached_load", "load_1min"),
        ))  # fmt: skip
    out += table(
        ["creators", "matches run", "home", "rate target", "achieved req/s", "seconds",
         "cached p50 ms", "cached p99 ms", "uncached p99 ms", "errors", "HTTP overhead",
         "with httpx",
         "failed during reloads",
         "p99 during reloads ms", "wrk capacity req/s", "load avg"],
        rows,
    )  # fmt: skip
    return [*out, "", f"_{when(shown)}._", "", *overhead_repeats(records)]


def overhead_repeats(records: list[Record]) -> list[str]:
    """The HTTP overhead of every sequential phase of the newest commit measured per catalog
    size and server concurrency (full runs and `--phases none` runs alike): one run's median
    moves with the machine's load, the spread over runs shows how far."""
    runs: dict[tuple[int, int], list[Record]] = {}
    for r in sorted(records, key=lambda r: r.get("run", "")):
        if r.get("measure") == "sequential_http" and not r.get("quick") and r.get("creators"):
            runs.setdefault((r["creators"], concurrency(r)), []).append(r)
    rows = []
    for (creators, threads), measured in sorted(runs.items()):
        commit = measured[-1].get("commit")
        # runs from before the minimal client measured with httpx only: left out
        same = [r for r in measured if r.get("commit") == commit and r.get("client")]
        ratios = [r["overhead_paired_median"] for r in same]
        httpx = [r["overhead_httpx_paired_median"] for r in same]
        if ratios:
            rows.append((creators, matches_run(threads), commit, len(ratios),
                         statistics.median(ratios), min(ratios), max(ratios),
                         statistics.median(httpx)))  # fmt: skip
    if not rows:
        return []
    head = ["creators", "matches run", "commit", "runs", "HTTP overhead median", "min", "max",
            "with httpx median"]  # fmt: skip
    return ["HTTP overhead over repeated runs of the sequential phase, newest commit measured "
            "per size and concurrency:", "", *table(head, rows)]  # fmt: skip


def section_write_load(records: list[Record]) -> list[str]:
    """Concurrent writers (`bench/write_load.py`): the newest record per label, phase, clients;
    then the delta phase (issue 23: one writer, catalogs of several sizes)."""
    delta = [r for r in records if r.get("phase") == "delta"]
    ratios = [r for r in records if str(r.get("phase", "")).endswith("_ratio")]
    records = [r for r in records if "clients" in r]
    newest = newest_per_key(
        records, lambda r: (r.get("label"), r["phase"], r["clients"], r.get("store", "sqlite"))
    )
    rows = [
        [r.get("label"), r.get("commit"), r["phase"], r.get("store", "sqlite"), r["clients"],
         _answers(r), r.get("server_errors", r.get("errors")), r.get("creators_per_s_median"),
         r.get("latency_p50_ms", r.get("runs", [{}])[0].get("latency_p50_ms")),
         r.get("load_1min")]
        for r in sorted(newest, key=lambda r: (r["phase"], r["clients"], str(r.get("label"))))
    ]  # fmt: skip
    header = ["label", "commit", "phase", "store", "clients", "answers (first run)",
              "5xx / errors", "creators/s (median)", "p50 ms", "load"]  # fmt: skip
    return [
        *table(header, rows),
        *(["", *_store_ratios(ratios)] if ratios else []),
        "",
        "`mixed`: six clients, two each on creators, brands and feedback, one record a request "
        "(the reproduction of issue #13). `creators`: single-creator upserts of new creators "
        "(each embeds its captions), median of three runs. 5xx and dropped connections "
        "(`ReadError`) are failures.",
        "",
        f"_{when(newest)}._",
        *(["", *section_write_delta(delta)] if delta else []),
    ]


def _answers(r: Record) -> str:
    statuses = r.get("statuses") or (r.get("runs") or [{}])[0].get("statuses") or {}
    return ", ".join(f"{k}: {v}" for k, v in statuses.items())


def _store_ratios(records: list[Record]) -> list[str]:
    """Issue 26: PostgreSQL ÷ SQLite upserts/s with N writers, measured in one run."""
    rows = [
        [r.get("label"), r.get("commit"), r["phase"], clients, r["sqlite"].get(clients),
         r["postgres"].get(clients), ratio, "yes" if ratio >= 1 else "no", r.get("load_1min")]
        for r in sorted(records, key=lambda r: r["at"])
        for clients, ratio in r.get("postgres_over_sqlite", {}).items()
    ]  # fmt: skip
    header = ["label", "commit", "phase", "writers", "SQLite /s", "PostgreSQL /s",
              "PostgreSQL ÷ SQLite", "≥ 1?", "load"]  # fmt: skip
    return ["PostgreSQL against SQLite, one run each (target: PostgreSQL ≥ SQLite with 8 "
            "writers):", "", *table(header, rows)]  # fmt: skip


def section_write_delta(records: list[Record]) -> list[str]:
    """`bench/write_load.py --phases delta`: one client, one creator a request, then batches
    of 100, per catalog size, newest run."""
    run = max(records, key=lambda r: r["at"])["run"]
    newest = sorted((r for r in records if r["run"] == run), key=lambda r: r["catalog_creators"])
    rows = [
        [r["catalog_creators"], kind, r[kind]["single_p50_ms"], r[kind]["single_p99_ms"],
         r[kind]["batch100_creators_per_s"], r.get("load_1min")]
        for r in newest for kind in ("update", "new") if kind in r
    ]  # fmt: skip
    header = ["creators in the catalog", "write", "one creator p50 ms", "p99 ms",
              "batches of 100: creators/s", "load"]  # fmt: skip
    return [
        "Writes in O(delta) (issue 23): `POST /v1/creators` with one client, one creator a "
        "request, then batches of 100; `update` re-sends a stored creator with followers "
        "× 1.01 and one new post (a roster sync: one caption to embed), `new` is a creator "
        "the home never saw (about 26 captions to embed). Each home served by its own server "
        "in the same run; a write copies no catalog column (docs/scale.md, 'Upserts in "
        "O(delta)').",
        "",
        *table(header, rows),
        "",
        f"_{when(newest)}._",
    ]


def section_judgement(records: list[Record]) -> list[str]:
    """`bench/judgement.py`: the served order on sets training never saw, next to baselines."""
    newest = newest_per_key(records, lambda r: (r["set"], r["rank_by"]))
    rows = []
    for r in sorted(newest, key=lambda r: (r["set"], r["rank_by"] != "advocacy", r["rank_by"])):
        m = r["metrics"]
        k = 10 if r["set"].startswith("golden") else 20
        if "signal_similarity_ndcg_at_10" not in m:  # served from a mixed catalog: one figure
            rows.append([r["set"], r["rank_by"], k, m.get(f"served_ndcg_at_{k}"),
                         "—", "—", "—", "—", r.get("commit")])  # fmt: skip
            continue
        rows.append([
            r["set"], r["rank_by"], k, m[f"served_ndcg_at_{k}"], m[f"advocacy_fit_ndcg_at_{k}"],
            m[f"signal_similarity_ndcg_at_{k}"],
            f"{m[f'best_single_signal_ndcg_at_{k}']:.3f} ({r.get('best_single_signal')})",
            f"{m[f'best_hand_rule_ndcg_at_{k}']:.3f} ({r.get('best_hand_rule')})",
            fmt(m.get(f"answer_rule_ndcg_at_{k}")), fmt(m.get(f"served_vs_answer_rule_at_{k}")),
            r.get("label") or "", r.get("commit"),
        ])  # fmt: skip
    header = ["set", "rank_by", "NDCG@", "served", "advocacy_fit alone", "similarity alone",
              "best single signal", "best three-term hand rule",
              "advocacy × authenticity × (1 − sponsored)", "served ÷ that", "model",
              "commit"]  # fmt: skip
    return [
        *table(header, rows),
        "",
        "The model is the champion of the home named in each row (since issue 22 the published "
        "recipe, `microtribe train --worlds 6`); `golden` is the hand-labelled set's "
        "development part (tests/data/golden), `golden-test` its frozen test part, written "
        "before any tuning and never used to set anything, `alt-…` the independently written world "
        "(training/world_alt), both served through `MatchPipeline.run` with every creator "
        "ranked; `golden-in-train-catalog` serves the golden briefs from the training home's "
        "own catalog with the golden creators upserted into it (generated creators count as "
        "grade 0). Gains are the grades.",
        "",
        f"_{when(newest)}._",
    ]


PLAN_SYSTEMS = (
    ("plan", "plan (advocated engagements)"),
    ("plan_advocates", "plan (objective: advocates)"),
    ("macro_only", "macro/mega only"),
    ("top_by_score", "top by score, cost ignored"),
)


def section_plan_quality(records: list[Record]) -> list[str]:
    """`bench/plan_quality.py`: realised advocates of plans on the held-out brands."""
    truth = [r for r in records if r.get("judged_by")]
    budgets = newest_per_key(
        [r for r in records if r.get("record") == "budget" and "home" in r],
        lambda r: (r["home"], r["budget_eur"]),
    )
    rows = [
        [f"{r['budget_eur']:,.0f}", label, int(r[key]["creators"]), r[key]["cost"],
         int(r[key]["realised_advocates"]), r[key]["realised_advocates_per_1k_budget"],
         r[key]["observed_share"], r[key]["advocate_rate_observed"],
         r[key]["expected_advocates"]]
        for r in sorted(budgets, key=lambda r: r["budget_eur"])
        for key, label in PLAN_SYSTEMS
    ]  # fmt: skip
    header = ["budget EUR (per brand)", "plan", "creators", "spent EUR", "realised advocates",
              "per 1k EUR of budget", "labelled share", "advocates among labelled",
              "expected advocates (model)"]  # fmt: skip
    brands = budgets[0]["brands"] if budgets else 0
    return [
        *table(header, rows),
        "",
        f"Sums over the {brands} held-out brands of the training split (`split_by_brand`, "
        "seed 42), every plan over the same 500 candidates of the brief, the budget the only "
        "constraint. Realised advocates are the chosen creators whose outcome with the brand "
        "says `advocate: true`; **a chosen creator the world never labelled for the brand "
        "counts as not an advocate**, for every plan alike (`labelled share` says how much of "
        "each plan was labelled). The catalog is built from the whole world, posts after the "
        "campaigns included: features such as unpaid brand mentions can reflect the labelled "
        "outcomes, which favours the score-ordered shortlist, drawn to exactly the labelled "
        "pairs. Ratios per budget are in the `summary` record.",
        "",
        f"_{when(budgets)}._",
        *_plan_truth(truth),
    ]


def _plan_truth(records: list[Record]) -> list[str]:
    """The newest truth-judged summaries (`judged_by`): MILP ÷ each other plan, per family
    and budget, on true advocated engagements."""
    summaries = newest_per_key(
        [r for r in records if r.get("record") == "summary"], lambda r: r.get("label")
    )
    rows = [
        [key, *(ratios.get(f"true_advocated_engagements_milp_over_{other}")
                for other in ("top_k_budget", "top_k_size", "greedy", "macro_only"))]
        for r in summaries for key, ratios in sorted(r["ratios"].items())
        if not key.startswith("both")  # one family per summary: "both" repeats it
    ]  # fmt: skip
    if not rows:
        return []
    header = ["family, budget EUR", "MILP ÷ top-k (budget)", "MILP ÷ top-k (plan's size)",
              "MILP ÷ greedy", "MILP ÷ macro-only"]  # fmt: skip
    return ["", "Judged by the world's truth (`truth.npz`, docs/planning.md): true advocated "
            "engagements, MILP ÷ each other plan.", "", *table(header, rows), "",
            f"_{when(summaries)}._"]  # fmt: skip


def section_lookalike_quality(records: list[Record]) -> list[str]:
    """`bench/lookalike_quality.py`: niche agreement of the golden creators' lookalikes."""
    newest = newest_per_key(
        records, lambda r: (r.get("label"), r["k"], tuple(r.get("weights") or ()))
    )
    rows = [
        [r.get("label"), " / ".join(f"{w:g}" for w in r.get("weights") or ()) +
         (" (served)" if r.get("served_weights") else ""), r["k"], r["niche_share"],
         r["niche_share_eligible"], r["eligible_creators"], r["any_category_share"],
         r["target"], r.get("commit")]
        for r in newest
    ]  # fmt: skip
    header = ["set", "weights content / audience / size", "top k", "same niche",
              "same niche (niches > k members)", "creators counted", "a category in common",
              "target", "commit"]  # fmt: skip
    served = [r for r in newest if r.get("served_weights")] or newest
    by_niche = served[-1]["niche_share_by_niche"] if served else {}
    return [
        *table(header, rows),
        "",
        "The 78 golden creators' catalog on its own, no filters. A creator's niche is its first "
        "category; rows other than the served weights are a what-if (--sweep). Same niche by "
        "niche, served weights: "
        + ", ".join(f"{niche} {share:.2f}" for niche, share in by_niche.items())
        + ".",
        "",
        f"_{when(newest)}._",
    ]


def _latency_target(measure: str) -> str:
    """The p99 target of a plan latency measure (ms): issue 25's, or the lookalikes' 20 ms."""
    return {"plan": "200", "programme": "500", "programme_repeats": "500"}.get(measure, "20")


def section_plan_latency(records: list[Record]) -> list[str]:
    """`bench/plan_latency.py`: `/v1/plan`'s engine and lookalikes, in process."""
    newest = newest_per_key(records, lambda r: (r["home"], r["measure"]))
    rows = [
        [r["measure"], r["catalog_creators"], r["latency"]["median_ms"], r["latency"]["p99_ms"],
         r.get("cpu", {}).get("median_ms"), r.get("cpu", {}).get("p99_ms"),
         r.get("max_ms", r["latency"].get("max_ms")),
         r.get("within_200ms", r.get("within_20ms", r.get("within_500ms"))),
         _latency_target(r["measure"]), r["latency"]["samples"],
         ", ".join(f"{k}: {v}" for k, v in r.get("status", {}).items()), r.get("load_1min")]
        for r in newest
    ]  # fmt: skip
    header = ["measure", "catalog creators", "median ms", "p99 ms", "CPU median ms",
              "CPU p99 ms", "max ms", "within target",
              "target p99 ms", "samples", "plan status", "load"]  # fmt: skip
    return [
        *table(header, rows),
        "",
        "Plans: embed (cached), retrieve 500 candidates, features, ranker, the MILP with the "
        "greedy and macro-only plans, reasons; with bench/plan_problems.py's tier, platform "
        "and overlap constraints. Programmes: always-on programme plans (`--programme-months`; "
        "6 months at 10,000 EUR a month: a 60,000 EUR budget), the default constraints only. "
        "Lookalikes: k = 10, no filters. The targets are stated at "
        "100k creators; planning works on the 500 candidates whatever the catalog's size.",
        "",
        f"_{when(newest)}._",
    ]


LOFO_DIRECTIONS = ("A->B", "B->A", "A->A", "B->B", "AB->A", "AB->B")


def section_lofo(records: list[Record]) -> list[str]:
    """`bench/lofo.py`: trained on one generator family's worlds, ranked on the other's."""
    newest = newest_per_key(records, lambda r: (r["worlds_per_family"], r["eval_worlds_per_family"],
                                                r["creators"], r["brands"], r["max_posts"],
                                                r["seed"], r["eval_seed"]))  # fmt: skip
    rows = []
    for r in newest:
        for name in LOFO_DIRECTIONS:
            d = r["directions"].get(name)
            if d is not None:
                rows.append([f"{r['seed']} / {r['eval_seed']}", name, d["model_ndcg_at_20"],
                             fmt(d.get("booster_alone_ndcg_at_20")),
                             d["similarity_ndcg_at_20"], d["ratio"], d["terse_ratio"],
                             d["advocacy_auc"], int(d["brands"]), r.get("commit")])  # fmt: skip
    header = ["seeds train / held out", "trained → ranked", "model NDCG@20",
              "booster alone (no prior)", "similarity", "× similarity",
              "× similarity, terse briefs", "AUC", "brands", "commit"]  # fmt: skip
    sizes = {(r["worlds_per_family"], r["eval_worlds_per_family"], r["creators"], r["brands"],
              r["max_posts"]) for r in newest}  # fmt: skip
    return [
        *table(header, rows),
        "",
        "Worlds per family (training, held out), creators, brands, posts: "
        + "; ".join(f"{w}, {e}, {c}, {b}, {p}" for w, e, c, b, p in sorted(sizes))
        + f". Target: ≥ {newest[-1]['target_ratio']} × similarity both ways (A->B, B->A); "
        "A->A, B->B and AB->… are references (docs/ranking.md, 'Trained across worlds').",
        "",
        f"_{when(newest)}._",
    ]


def section_prior_curve(records: list[Record]) -> list[str]:
    """`bench/prior_curve.py`: NDCG on held-out worlds as outcomes arrive."""
    r = records[-1]
    rows = []
    for point in r["points"]:
        model, booster = point["model"], point.get("booster") or {}
        rows.append([point["outcomes"], model.get("model_ndcg_at_20"),
                     fmt(booster.get("model_ndcg_at_20")), model.get("similarity_ndcg_at_20"),
                     model.get("advocacy_auc"), point.get("draws", "—")])  # fmt: skip
    return [
        *table(
            [
                "outcomes",
                "prior + residual NDCG@20",
                "booster alone (no prior)",
                "similarity alone",
                "AUC",
                "draws (median)",
            ],
            rows,
        ),
        "",
        f"Pool: {r['pool_outcomes']} labelled outcomes from {r['pool_recipe']['worlds']} "
        f"domain-randomised worlds of both families; held out: "
        f"{r['held_out_recipe']['worlds']} other worlds. 0 outcomes is the prior alone "
        "(docs/ranking.md, 'Judgement'). A size above the pool takes the whole pool.",
        "",
        f"_{when([r])}; commit {r.get('commit')}._",
    ]


def section_captions(records: list[Record]) -> list[str]:
    """`bench/captions.py`: paid-post and critical-stance detection on hand-labelled captions."""
    parts = [r for r in newest_run(records) if r.get("kind") == "part"]
    rows = [[r["part"], r["captions"], r["paid"]["precision"], r["paid"]["recall"],
             r["paid"]["f1"], r["paid_baseline"]["f1"], r["critical"]["precision"],
             r["critical"]["recall"], r["critical"]["f1"], r["critical_rules_only"]["f1"]]
            for r in parts]  # fmt: skip
    header = ["part", "captions", "paid P", "paid R", "paid F1", "paid F1 before (#ad tags)",
              "critical P", "critical R", "critical F1", "critical F1, rules only"]  # fmt: skip
    return [
        *table(header, rows),
        "",
        "tests/data/captions: dev and test written before any detector (rules tuned on dev), "
        "blind written after the detectors were frozen. Targets on test: paid F1 ≥ 0.95, "
        "critical F1 ≥ 0.80 (docs/ranking.md, 'Reading captions').",
        "",
        f"_{when(parts)}._",
    ]


def section_replicas(records: list[Record]) -> list[str]:
    """`bench/replicas.py`: two replicas, one store, one published directory; newest record
    per store kind."""
    newest = newest_per_key(records, lambda r: r.get("store"))
    rows = [
        [r.get("store"), r.get("catalog_creators"), r.get("writes"), r.get("visible_p50_s"),
         r.get("visible_p99_s"), r.get("visible_max_s"), r.get("write_p50_ms"),
         ", ".join(str(s) for s in r.get("publish_to_served_s", [])),
         f"{r.get('switch_failed')} of {r.get('switch_requests')}", r.get("load_1min")]
        for r in newest
    ]  # fmt: skip
    header = ["store", "creators", "writes", "write → visible on B p50 s", "p99 s", "max s",
              "write on A p50 ms", "publish → both serve it, s", "failed matches during the "
              "switches", "load"]  # fmt: skip
    return [
        "Replica A takes a write (`POST /v1/creators`); replica B, on another home sharing the "
        "store, returns the creator from `/v1/match` after its next store poll (every "
        "`MICROTRIBE_STORE_POLL_SECONDS`, 1 s). A build published with `build --publish DIR` "
        "is served by both replicas (`serve --catalog-from DIR`, polling every 1 s) after the "
        "copy, the digest check and a safe reload, while a client keeps matching on both. "
        "Writes go one after another, each just after B's previous poll: each waits nearly a "
        "whole poll period (the worst phase). "
        "Targets: p99 write → visible ≤ 2 s, publish → served ≤ 5 s, 0 failed matches.",
        "",
        *table(header, rows),
        "",
        f"_{when(newest)}._",
    ]


SECTIONS: dict[str, tuple[str, Callable[[list[Record]], list[str]]]] = {
    "retrieval": ("Retrieval", section_retrieval),
    "embedders": ("Embedding", section_embedders),
    "ranking_speed": ("Ranking", section_ranking),
    "quality": ("Quality on a held-out world", section_quality),
    "peer": ("Peer baselines: LanceDB and usearch", section_peer),
    "serve": ("Serving end to end", section_serve),
    "write_load": ("Concurrent writers", section_write_load),
    "judgement": ("Judgement on data training never saw", section_judgement),
    "quality_ceiling": ("Quality ceiling: the generator's own oracle", section_quality_ceiling),
    "plan_quality": ("Campaign plans: realised advocates per budget", section_plan_quality),
    "plan_latency": ("Campaign plans and lookalikes: latency", section_plan_latency),
    "lookalike_quality": ("Lookalikes on the golden set", section_lookalike_quality),
    "build_scale": ("Catalog builds at scale: memory and engines", section_build_scale),
    "catalog_load": ("Loading a catalog version: mapped vs read", section_catalog_load),
    "lofo": ("Leave one generator family out", section_lofo),
    "prior_curve": ("The prior as outcomes arrive", section_prior_curve),
    "captions": ("Reading captions: paid posts and critical stance", section_captions),
    "replicas": ("Replicas: writes and published catalogs across homes", section_replicas),
}


def machines(by_file: dict[str, list[Record]]) -> list[str]:
    """One line per distinct machine description found in the records."""
    seen: list[str] = []
    for records in by_file.values():
        for record in records:
            m = record.get("machine")
            if not isinstance(m, dict):
                continue
            if {"cpu", "cores", "memory_gib", "os", "python"} <= set(m):
                line = (f"- {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, "
                        f"Python {m['python']}")  # fmt: skip
            else:  # another script's description: shown as it was recorded
                line = "- " + ", ".join(f"{k}: {v}" for k, v in m.items() if "load" not in k)
            if line not in seen:
                seen.append(line)
    return seen or ["- not recorded"]


def render(results: Path) -> str:
    by_file = {path.stem: read(path) for path in sorted(results.glob("*.jsonl"))}
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `bench/report.py` from `bench/results/*.jsonl` on {today}. Every figure "
        "below is read from a result record; do not edit this file by hand: re-run the "
        "benchmarks and the report.",
        "",
        "## How to reproduce",
        "",
        "```bash",
        "make bench        # the suite at 10k and 100k creators, then this file (< 20 min)",
        ".venv/bin/python bench/suite.py --with-1m   # adds the 1M sizes",
        "# serving at 1M: a home whose catalog rows are grown from a built 100k home, then load",
        ".venv/bin/python bench/scaled_catalog.py --base HOME100K --out HOME1M --creators 1000000",
        ".venv/bin/python bench/serve_load.py --home HOME1M",
        "make bench-quick  # tiny sizes, seconds (CI: tests/test_bench_quick.py)",
        "```",
        "",
        "Each script's docstring says exactly what it measures; `bench/suite.py --help` lists "
        "the steps and their arguments.",
        "",
        "## Machine",
        "",
        *machines(by_file),
        "",
        "Timings were taken on a shared machine: each section gives the load average at the "
        "time; medians over repeats, and ratios measured in the same run.",
    ]
    for stem, (title, render_section) in SECTIONS.items():
        if by_file.get(stem):
            lines += ["", f"## {title}", "", *render_section(by_file[stem])]
    for stem, records in by_file.items():
        if stem not in SECTIONS and records:
            lines += ["", f"## {stem} (`{stem}.jsonl`)", "", *section_generic(records)]
    lines += ["", "## Scaling", "", "How each size-dependent figure grows with the catalog.", ""]
    lines += section_scaling(by_file)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args(argv)
    text = render(args.results)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.splitlines())} lines)", file=sys.stderr)


if __name__ == "__main__":
    main()
