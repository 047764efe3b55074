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
- `score_1_thread`: `Ranker.predict` on that matrix as served (both LightGBM boosters, one
  thread each, calibration, final score); `score_2_threads`: the same `Ranker.predict` with
  its boosters' `predict` called with `num_threads=2`. candidates/s = K / median seconds.
- `explain_20`: `matching.explain.explain` (LightGBM `pred_contrib`) for the top 20.
- `pipeline`: `MatchPipeline.run(brand, k=20, depth=K)` end to end in-process (brief
  embedding cached after the first call, as for a repeated brief), with its own stage laps.

One record per K: median and p99 milliseconds of each stage over --briefs briefs (the home's
stored brands) × --repeats passes, after one warm-up pass. Records are printed and appended.
"""

from __future__ import annotations

import argparse
import sys
import time
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
    import copy

    twin = copy.copy(ranker)
    twin.advocacy_booster_ = _ThreadedBooster(ranker.advocacy_booster_, 2)
    twin.engagement_booster_ = _ThreadedBooster(ranker.engagement_booster_, 2)
    return twin


def bench_k(pipeline: Any, brands: list[dict[str, Any]], k: int, repeats: int) -> dict[str, Any]:
    from features.brand_profile import brand_profile
    from matching.delta import retrieve
    from matching.explain import explain
    from matching.pipeline import assemble_features

    catalog, ranker = pipeline.catalog, pipeline.bundle.ranker
    ranker2 = two_thread_ranker(ranker)
    samples: dict[str, list[float]] = {
        name: []
        for name in ("feature_assembly", "score_1_thread", "score_2_threads", "explain_20",
                     "pipeline")
    }  # fmt: skip
    laps: dict[str, list[float]] = {}
    agree = 0.0
    for brand in brands:
        profile = brand_profile(brand)
        query = pipeline.briefs.vector(profile.text)
        rows, similarity = retrieve(catalog, query, k, catalog.live)
        features = assemble_features(catalog, profile, rows, similarity)
        scores = ranker.predict(features).score
        agree = max(agree, float(np.abs(scores - ranker2.predict(features).score).max()))
        top = features[np.argsort(-scores)[:20]]
        samples["feature_assembly"] += timed_ms(
            partial(assemble_features, catalog, profile, rows, similarity), repeats, warmup=1
        )
        samples["score_1_thread"] += timed_ms(partial(ranker.predict, features), repeats, 1)
        samples["score_2_threads"] += timed_ms(partial(ranker2.predict, features), repeats, 1)
        samples["explain_20"] += timed_ms(partial(explain, ranker, top), repeats, 1)
        for attempt in range(repeats + 1):  # the first run embeds the brief: a warm-up
            started = time.perf_counter()
            result = pipeline.run(brand, k=20, depth=k)
            if attempt:
                samples["pipeline"].append((time.perf_counter() - started) * 1000.0)
                for stage, ms in result.timings_ms.items():
                    laps.setdefault(stage, []).append(ms)
        candidates = len(rows)
    stats = {name: summary_ms(values) for name, values in samples.items()}
    return {
        "candidates": candidates,
        "catalog_creators": len(catalog),
        "briefs": len(brands),
        "repeats": repeats,
        "stages": stats,
        "feature_assembly_us_per_candidate": round(
            stats["feature_assembly"]["median_ms"] * 1000 / candidates, 2
        ),
        "candidates_per_s_1_thread": round(
            candidates / (stats["score_1_thread"]["median_ms"] / 1000)
        ),
        "candidates_per_s_2_threads": round(
            candidates / (stats["score_2_threads"]["median_ms"] / 1000)
        ),
        "score_max_abs_diff_1_vs_2_threads": agree,
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
