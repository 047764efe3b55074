"""Ranking speed on a built home: feature assembly per request and candidates scored per second.

    .venv/bin/python bench/ranking_speed.py --home DIR [--candidates 100,500,1000]
        [--briefs 30 --repeats 3] [--out bench/results/ranking_speed.jsonl]
    .venv/bin/python bench/ranking_speed.py --home DIR --quick      # CI: K=100, 5 briefs, 1 pass

DIR is a MICROTRIBE_HOME after `generate/ingest/build/train --register --promote`. The real
serving objects are loaded as the server loads them (the catalog `CURRENT` names, the
`champion` bundle, the catalog's embedder with one thread, `BriefCache`) and the real stages
are timed, one brief at a time, BLAS capped at one thread as in `MatchService.start`:

- `feature_assembly`: `matching.pipeline.assemble_features` for the K candidates that
  `matching.delta.retrieve` returned for the brief (no filter): the vectorised pair features
  (similarity, category/language/market match, audience overlap, brand and competitor
  mentions, cost vs budget) joined to the catalog's creator features. Mention counts are
  looked up over the whole catalog, so this grows with the catalog as well as with K.
- `score_1_thread`: `Ranker.predict` on that matrix as served: the boosters' compiled twins
  (models/compiled_native.py) where built, calibration, final score.
  `score_booster_1_thread`: the same on LightGBM's own `predict`, one thread
  (`Ranker.booster_only()`); `score_2_threads`: that with `num_threads=2`.
  candidates/s = K / median seconds.
- `contributions_20` / `contributions_booster_20`: `Ranker.contributions` (prior terms plus
  TreeSHAP) for the top 20, compiled tables vs LightGBM's `pred_contrib`.
- `explain_20` / `explain_booster_20`: `matching.explain.explain` (the reasons: contributions,
  ordering, the Reason rows) for the top 20, on each path.
- `pipeline` / `pipeline_booster`: `MatchPipeline.run(brand, k=20, depth=K)` end to end
  in-process (brief embedding cached after the first call, as for a repeated brief), with the
  served ranker and with the booster-only one, with its own stage laps.

The ratios (booster median / compiled median) are measured in the same run, on the same
matrices, interleaved brief by brief; the largest differences between the two paths' scores
and contributions are recorded with them (they should be ~1e-15). On a shared machine wall
time mostly measures the wait for a core: the scoring and reasons stages are also timed in
the calling thread's CPU time (`cpu_stages`, `cpu_speedup_*`), which the wait does not count.

One record per K: median and p99 milliseconds of each stage over --briefs briefs (the home's
stored brands) × --repeats passes, after one warm-up pass. Records are printed and appended.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, summary_ms, timed_ms


@dataclass(frozen=True, slots=True)
class _ThreadedBooster:
    """A LightGBM booster whose `predict` runs on `threads` threads whatever the caller asks."""

    booster: Any
    threads: int

    def predict(self, data: Any, **kwargs: Any) -> Any:
        return self.booster.predict(data, **{**kwargs, "num_threads": self.threads})


def load_pipeline(home: Path, model_home: Path | None = None) -> Any:
    """The serving pipeline of `home`, built as `MatchService._load` builds it.

    With `model_home`, the champion bundle comes from that home instead (a model trained on
    one world scoring another world's catalog).
    """
    from features.schema import FEATURE_NAMES
    from matching.catalog import load_catalog
    from matching.pipeline import BriefCache, MatchPipeline
    from microtribe.settings import Settings
    from models.bundle import load_bundle
    from models.embedder import load_embedder

    settings = Settings.from_env(home)
    models_dir = Settings.from_env(model_home or home).models_dir
    pointer = models_dir / "CHAMPION"
    if not pointer.exists():
        raise SystemExit(f"{model_home or home} has no champion model: run `microtribe train "
                         "--register --promote` with MICROTRIBE_HOME set to it")  # fmt: skip
    catalog = load_catalog(settings.catalog_dir)
    bundle = load_bundle(models_dir / pointer.read_text().strip())
    bundle.check_compatible(catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES))
    embedder = load_embedder(catalog.manifest["embedder"], threads=1)
    return MatchPipeline(catalog=catalog, bundle=bundle, briefs=BriefCache(embedder))


def stored_brands(home: Path, limit: int) -> list[dict[str, Any]]:
    from matching.store import CatalogStore
    from microtribe.settings import Settings

    store = CatalogStore(Settings.from_env(home).store_path)
    try:
        brands = [dict(b) for b in store.brands()]
    finally:
        store.close()
    if not brands:
        raise SystemExit(f"{home} has no stored brands to use as briefs")
    return brands[:limit]


def two_thread_ranker(ranker: Any) -> Any:
    """`ranker` on LightGBM's `predict` with two threads (no compiled trees)."""
    twin = ranker.booster_only()
    twin.advocacy_booster_ = _ThreadedBooster(ranker.advocacy_booster_, 2)
    twin.engagement_booster_ = _ThreadedBooster(ranker.engagement_booster_, 2)
    return twin


STAGES = (
    "feature_assembly", "score_1_thread", "score_booster_1_thread", "score_2_threads",
    "contributions_20", "contributions_booster_20", "explain_20", "explain_booster_20",
    "pipeline", "pipeline_booster",
)  # fmt: skip


def timed_cpu_ms(run: Callable[[], Any], repeats: int, warmup: int = 1) -> list[float]:
    """CPU milliseconds of the calling thread for `repeats` calls of `run` (the kernel and
    LightGBM both compute on it with one thread): time spent waiting for a core is not in it."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        started = time.thread_time()
        run()
        samples.append((time.thread_time() - started) * 1000.0)
    return samples


def _pipeline_ms(
    pipeline: Any, brand: dict[str, Any], k: int, repeats: int
) -> tuple[list[float], list[dict[str, float]]]:
    """Wall milliseconds of `repeats` end-to-end runs (after one that embeds the brief) and
    their stage laps."""
    samples, laps = [], []
    for attempt in range(repeats + 1):
        started = time.perf_counter()
        result = pipeline.run(brand, k=20, depth=k)
        if attempt:
            samples.append((time.perf_counter() - started) * 1000.0)
            laps.append(result.timings_ms)
    return samples, laps


def bench_k(pipeline: Any, brands: list[dict[str, Any]], k: int, repeats: int) -> dict[str, Any]:
    from dataclasses import replace

    from features.brand_profile import brand_profile
    from matching.delta import retrieve
    from matching.explain import explain
    from matching.pipeline import assemble_features
    from models.bundle import Bundle

    catalog, ranker = pipeline.catalog, pipeline.bundle.ranker
    booster = ranker.booster_only()
    ranker2 = two_thread_ranker(ranker)
    on_booster = replace(pipeline, bundle=Bundle(ranker=booster, manifest=pipeline.bundle.manifest))
    samples: dict[str, list[float]] = {name: [] for name in STAGES}
    laps: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    agree = {"score_1_vs_2_threads": 0.0, "score_compiled_vs_booster": 0.0,
             "contributions_compiled_vs_booster": 0.0}  # fmt: skip
    for brand in brands:
        profile = brand_profile(brand)
        query = pipeline.briefs.vector(profile.text)
        rows, similarity = retrieve(catalog, query, k, catalog.live)
        features = assemble_features(catalog, profile, rows, similarity)
        scores = ranker.predict(features).score
        reference = booster.predict(features).score
        top = features[np.argsort(-scores)[:20]]
        for name, diff in (
            ("score_1_vs_2_threads", reference - ranker2.predict(features).score),
            ("score_compiled_vs_booster", scores - reference),
            ("contributions_compiled_vs_booster",
             ranker.contributions(top) - booster.contributions(top)),
        ):  # fmt: skip
            agree[name] = max(agree[name], float(np.abs(diff).max()))
        samples["feature_assembly"] += timed_ms(
            partial(assemble_features, catalog, profile, rows, similarity), repeats, warmup=1
        )
        for stage, run in (
            ("score_1_thread", partial(ranker.predict, features)),
            ("score_booster_1_thread", partial(booster.predict, features)),
            ("score_2_threads", partial(ranker2.predict, features)),
            ("contributions_20", partial(ranker.contributions, top)),
            ("contributions_booster_20", partial(booster.contributions, top)),
            ("explain_20", partial(explain, ranker, top)),
            ("explain_booster_20", partial(explain, booster, top)),
        ):
            samples[stage] += timed_ms(run, repeats, 1)
            cpu.setdefault(stage, []).extend(timed_cpu_ms(run, repeats))
        for stage, served in (("pipeline", pipeline), ("pipeline_booster", on_booster)):
            runs, stage_laps = _pipeline_ms(served, brand, k, repeats)
            samples[stage] += runs
            if stage == "pipeline":
                for lap in stage_laps:
                    for name, ms in lap.items():
                        laps.setdefault(name, []).append(ms)
        candidates = len(rows)
    stats = {name: summary_ms(values) for name, values in samples.items()}
    cpu_stats = {name: summary_ms(values) for name, values in cpu.items()}

    def ratio(slow: str, fast: str, table: dict[str, dict[str, float]] = stats) -> float:
        return round(table[slow]["median_ms"] / table[fast]["median_ms"], 2)

    def per_s(stage: str) -> int:
        return round(candidates / (stats[stage]["median_ms"] / 1000))

    return {
        "candidates": candidates,
        "catalog_creators": len(catalog),
        "briefs": len(brands),
        "repeats": repeats,
        "stages": stats,
        "feature_assembly_us_per_candidate": round(
            stats["feature_assembly"]["median_ms"] * 1000 / candidates, 2
        ),
        "candidates_per_s_1_thread": per_s("score_1_thread"),
        "candidates_per_s_booster_1_thread": per_s("score_booster_1_thread"),
        "candidates_per_s_2_threads": per_s("score_2_threads"),
        "speedup_score": ratio("score_booster_1_thread", "score_1_thread"),
        "speedup_contributions_20": ratio("contributions_booster_20", "contributions_20"),
        "speedup_explain_20": ratio("explain_booster_20", "explain_20"),
        "speedup_pipeline": ratio("pipeline_booster", "pipeline"),
        "cpu_stages": cpu_stats,
        "cpu_speedup_score": ratio("score_booster_1_thread", "score_1_thread", cpu_stats),
        "cpu_speedup_contributions_20": ratio(
            "contributions_booster_20", "contributions_20", cpu_stats
        ),
        "cpu_speedup_explain_20": ratio("explain_booster_20", "explain_20", cpu_stats),
        "compiled": {
            "advocacy": ranker.fast_.advocacy is not None,
            "engagement": ranker.fast_.engagement is not None,
        },
        "score_max_abs_diff_1_vs_2_threads": agree["score_1_vs_2_threads"],
        "max_abs_diff_compiled_vs_booster": {
            "score": agree["score_compiled_vs_booster"],
            "contributions_20": agree["contributions_compiled_vs_booster"],
        },
        "pipeline_stage_median_ms": {
            stage: round(float(np.median(values)), 3) for stage, values in laps.items()
        },
        "features": len(pipeline.bundle.ranker.feature_names_in_),
        "trees": {
            "advocacy": ranker.advocacy_booster_.num_trees(),
            "engagement": ranker.engagement_booster_.num_trees(),
        },
        "embedder": catalog.manifest["embedder"],
        "catalog_version": catalog.version,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True, help="a built, trained home")
    parser.add_argument("--candidates", default="100,500,1000", help="values of K (100,500,1000)")
    parser.add_argument("--briefs", type=int, default=30, help="stored brands used as briefs (30)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per brief (3)")
    parser.add_argument("--quick", action="store_true", help="K=100, 5 briefs, 1 pass")
    parser.add_argument("--label", default="", help="free text stored in each record")
    parser.add_argument("--out", type=Path, default=default_out("ranking_speed"))
    args = parser.parse_args(argv)
    if args.quick:
        args.candidates, args.briefs, args.repeats = "100", 5, 1
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)  # as the server: one BLAS thread per worker
    recorder = Recorder("ranking_speed", args.out)
    log(f"loading the serving pipeline of {args.home}")
    pipeline = load_pipeline(args.home)
    brands = stored_brands(args.home, args.briefs)
    for k in (int(v) for v in args.candidates.split(",") if v):
        log(f"K={k}: {len(brands)} briefs x {args.repeats} passes")
        measured = bench_k(pipeline, brands, min(k, len(pipeline.catalog)), args.repeats)
        recorder.emit({"k_requested": k, **measured, "home": str(args.home), "label": args.label})


if __name__ == "__main__":
    main()
