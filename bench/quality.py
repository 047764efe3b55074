"""Ranking quality on a world training never saw: microtribe vs baselines, per brief language.

    .venv/bin/python bench/quality.py --train-home DIR --eval-home DIR2 [--label TEXT]
    .venv/bin/python bench/quality.py --train-home DIR --eval-home DIR2 \\
        --prepare --train-seed 7 --eval-seed 2027 --creators 1500 --brands 60   # build both

The model is the `champion` of --train-home (trained on a world of one seed). It is evaluated
on --eval-home, a home built from a world generated with another seed: every brand, creator
and outcome there is new to it. `--prepare` first makes both homes with `bench/worlds.py`
(the eval home as a snapshot of its world as of --cutoff, default 2026-06-01). Three
evaluations run in the same process, each with all its baselines on the very same rows:

1. `point_in_time`: `training.run.training_data` on the eval home (features as they were when
   each outcome was observed, the same code as `microtribe train`) scored by
   `training.run.evaluate_bundle`: NDCG@20 and recall@50 over each brand's labelled creators,
   advocacy AUC, for full briefs and for terse briefs (name + values). Baselines from
   `training.evaluate`: similarity only, engagement-rate sort, follower sort, random.
2. `pipeline`: the serving path. Features come from `matching.pipeline.assemble_features` on
   the eval home's catalog (creator features at build time, the brief embedded by the
   pipeline's `BriefCache`), for the labelled creators of campaigns that started after the
   snapshot (observed_at - 60 days >= --cutoff), scored by the bundle's `Ranker.predict` and
   evaluated by `training.evaluate.evaluate`. The snapshot matters: advocates keep mentioning
   a brand unpaid *after* a campaign and a catalog built today would see those posts.
3. `shortlist`: `MatchPipeline.run(brand, k=50)` over the whole eval catalog against
   shortlists of the same length by cosine similarity alone (the pipeline's own retrieval),
   by engagement rate, by followers, and at random. Relevance = the brand's known advocates
   among those same post-snapshot outcomes; a creator without an outcome counts as not an
   advocate, for every system alike. NDCG@20 and recall@50 via `training.evaluate`.

Groups: `all`, then each brief language (the brand's first language: `it`, `en`, `es`).
AUC for a baseline is the AUC of its raw signal. One record per (evaluation, group), printed
and appended to --out (default bench/results/quality.jsonl).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, round_floats
from bench.ranking_speed import load_pipeline
from bench.worlds import MAX_CAMPAIGN_DAYS, parse_time, prepare_home, world_spec

DEFAULT_CUTOFF = "2026-06-01T00:00:00Z"
SHORTLIST = 50
BASELINE_SIGNALS = {
    "similarity": "similarity",
    "engagement_sort": "engagement_rate_median",
    "follower_sort": "log_followers",
}


def brief_language(brand: Mapping[str, Any]) -> str:
    languages = brand.get("languages") or ["?"]
    return str(languages[0])


def language_groups(brand_id: np.ndarray, language_of: Mapping[str, str]) -> dict[str, np.ndarray]:
    """Row indices per group: every row, then the rows of each brief language."""
    languages = np.array([language_of.get(b, "?") for b in brand_id], dtype=object)
    groups = {"all": np.arange(len(brand_id))}
    for language in sorted(set(languages.tolist())):
        groups[f"brief_{language}"] = np.flatnonzero(languages == language)
    return groups


def baseline_aucs(data: Any, has_label: np.ndarray, seed: int = 0) -> dict[str, float]:
    """AUC of each baseline's raw signal against the advocate label (NaN signal = lowest)."""
    from sklearn.metrics import roc_auc_score

    label = data.advocate[has_label]
    if len(np.unique(label)) < 2:
        return {}
    out = {}
    for name, column in BASELINE_SIGNALS.items():
        signal = np.nan_to_num(data.column(column)[has_label], nan=-1e9)
        out[f"baseline_{name}_auc"] = float(roc_auc_score(label, signal))
    random = np.random.default_rng(seed).random(int(has_label.sum()))
    out["baseline_random_auc"] = float(roc_auc_score(label, random))
    return out


def summarise(metrics: Mapping[str, float]) -> dict[str, float]:
    """The figures BENCHMARKS.md shows, from a `training.evaluate.Evaluation.metrics`."""
    keys = [k for k in metrics if k.endswith(("ndcg_at_20", "recall_at_50", "_auc", "brands"))]
    keys += [k for k in ("ndcg_at_20_vs_best_baseline", "advocate_rate") if k in metrics]
    return round_floats({k: metrics[k] for k in keys})


@dataclass(frozen=True, slots=True)
class EvalWorld:
    creators: list[dict[str, Any]]
    brands: dict[str, dict[str, Any]]
    outcomes: list[dict[str, Any]]


def read_store(home: Path) -> EvalWorld:
    from matching.store import CatalogStore
    from microtribe.settings import Settings

    store = CatalogStore(Settings.from_env(home).store_path)
    try:
        brands = {b["brand_id"]: dict(b) for b in store.brands()}
        return EvalWorld([], brands, [dict(o) for o in store.outcomes()])
    finally:
        store.close()


def point_in_time(
    train_home: Path, eval_home: Path, world: EvalWorld, emit: Any
) -> None:  # fmt: skip
    from microtribe.settings import Settings
    from models.bundle import load_bundle
    from training.run import evaluate_bundle, open_embedder, training_data

    settings = Settings.from_env(eval_home)
    models_dir = Settings.from_env(train_home).models_dir
    bundle = load_bundle(models_dir / (models_dir / "CHAMPION").read_text().strip())
    if bundle.manifest.get("embedder") != settings.embedder:
        raise SystemExit(f"the champion of {train_home} uses {bundle.manifest.get('embedder')!r}"
                         f", the eval home {settings.embedder!r}")  # fmt: skip
    log("point-in-time training set of the eval world")
    data = training_data(settings, open_embedder(settings))
    language_of = {b: brief_language(doc) for b, doc in world.brands.items()}
    for group, rows in language_groups(data.brand_id, language_of).items():
        if not _has_both_labels(data.advocate[rows]):
            emit({"evaluation": "point_in_time", "group": group, "skipped": "one label class"})
            continue
        evaluation = evaluate_bundle(bundle, data, rows)
        full = rows[~data.sparse_brief[rows]]
        labelled = ~np.isnan(data.advocate[full])
        metrics = {**evaluation.metrics, **baseline_aucs(_rows(data, full), labelled)}
        emit({"evaluation": "point_in_time", "group": group, "rows": int(labelled.sum()),
              "metrics": summarise(metrics)})  # fmt: skip


def _has_both_labels(advocate: np.ndarray) -> bool:
    """AUC and NDCG need advocates and non-advocates among the labelled rows."""
    return len(np.unique(advocate[~np.isnan(advocate)])) == 2


def _rows(data: Any, rows: np.ndarray) -> Any:
    from training.run import _subset

    return _subset(data, rows)


def post_snapshot_labels(world: EvalWorld, cutoff: str) -> dict[str, dict[str, Mapping[str, Any]]]:
    """Labelled outcomes of campaigns that started after `cutoff`, by brand then creator."""
    from training.dataset import labelled_outcomes

    earliest = parse_time(cutoff).timestamp() + MAX_CAMPAIGN_DAYS * 86400.0
    by_brand: dict[str, dict[str, Mapping[str, Any]]] = {}
    for outcome in labelled_outcomes(world.outcomes):
        if outcome.get("advocate") is None or outcome["brand_id"] not in world.brands:
            continue
        if parse_time(outcome["observed_at"]).timestamp() >= earliest:
            by_brand.setdefault(outcome["brand_id"], {})[outcome["creator_id"]] = outcome
    return by_brand


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


def advocate_brands(labels: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[str]:
    """Brands with at least one known advocate: the only ones NDCG and recall are defined for."""
    return sorted(b for b, known in labels.items() if any(o["advocate"] for o in known.values()))


def pipeline_rerank(
    pipeline: Any, world: EvalWorld, labels: Mapping[str, Mapping[str, Mapping[str, Any]]],
    emit: Any,
) -> None:  # fmt: skip
    from features.brand_profile import brand_profile
    from matching.pipeline import assemble_features
    from training.dataset import TrainingSet
    from training.evaluate import evaluate

    catalog = pipeline.catalog
    row_of = {cid: i for i, cid in enumerate(catalog.creators.creator_id.tolist())}
    blocks, advocate, rate, brand_ids, creator_ids = [], [], [], [], []
    for brand_id, outcomes in labels.items():
        creators = [c for c in outcomes if c in row_of]
        rows = np.array([row_of[c] for c in creators], dtype=np.int64)
        profile = brand_profile(world.brands[brand_id])
        query = pipeline.briefs.vector(profile.text)
        blocks.append(assemble_features(catalog, profile, rows, catalog.vectors[rows] @ query))
        advocate += [float(outcomes[c]["advocate"]) for c in creators]
        rate += [_float(outcomes[c].get("engagement_rate")) for c in creators]
        brand_ids += [brand_id] * len(creators)
        creator_ids += creators
    rows = np.array([row_of[c] for c in creator_ids], dtype=np.int64)
    data = TrainingSet(
        features=np.vstack(blocks),
        advocate=np.array(advocate),
        engagement_rate=np.array(rate),
        brand_id=np.array(brand_ids, dtype=object),
        creator_id=np.array(creator_ids, dtype=object),
        observed_at=np.zeros(len(rows)),
        language=catalog.creators.language[rows],
        tier=catalog.tier[rows],
        sparse_brief=np.zeros(len(rows), dtype=bool),
    )
    language_of = {b: brief_language(doc) for b, doc in world.brands.items()}
    for group, picked in language_groups(data.brand_id, language_of).items():
        if not _has_both_labels(data.advocate[picked]):
            emit({"evaluation": "pipeline", "group": group, "skipped": "one label class"})
            continue
        subset = _rows(data, picked)
        out = pipeline.bundle.ranker.predict(subset.features)
        evaluation = evaluate(subset, out.advocacy_fit, out.score, out.expected_engagement_rate)
        has_label = ~np.isnan(subset.advocate)
        metrics = {**evaluation.metrics, **baseline_aucs(subset, has_label)}
        emit({"evaluation": "pipeline", "group": group, "rows": len(picked),
              "metrics": summarise(metrics)})  # fmt: skip


def shortlist_metrics(
    shortlists: Mapping[str, Sequence[str]],
    labels: Mapping[str, Mapping[str, Mapping[str, Any]]],
    length: int = SHORTLIST,
) -> dict[str, float]:
    """NDCG@20 / recall@50 / MRR of ranked shortlists against each brand's known advocates.

    Each brand's rows are its shortlist (scored by rank), padding rows of no gain up to
    `length`, then its advocates the shortlist missed (unscored, so ranked after everything):
    `training.evaluate.ranking_metrics` then credits only what the shortlist found.
    """
    from training.evaluate import ranking_metrics

    score: list[float] = []
    gain: list[float] = []
    brand: list[str] = []
    for brand_id, picked in shortlists.items():
        known = labels.get(brand_id, {})
        picked = list(picked)[:length]
        score += [float(length - i) for i in range(len(picked))]
        gain += [float(bool(known[c]["advocate"])) if c in known else 0.0 for c in picked]
        padding = length - len(picked)
        missed = [c for c, o in known.items() if o["advocate"] and c not in set(picked)]
        score += [0.5] * padding + [float("nan")] * len(missed)
        gain += [0.0] * padding + [1.0] * len(missed)
        brand += [brand_id] * (len(picked) + padding + len(missed))
    metrics = ranking_metrics(np.array(score), np.array(gain), np.array(brand, dtype=object))
    return {k: metrics[k] for k in ("ndcg_at_20", "recall_at_50", "mrr", "brands")}


def baseline_shortlists(
    pipeline: Any, world: EvalWorld, brand_ids: Sequence[str], seed: int = 0
) -> dict[str, dict[str, list[str]]]:
    """Shortlists of SHORTLIST creators by similarity, engagement, followers and at random."""
    from features.brand_profile import brand_profile
    from matching.delta import retrieve

    catalog = pipeline.catalog
    ids = catalog.creators.creator_id
    live = np.flatnonzero(catalog.live)
    rng = np.random.default_rng(seed)
    by_engagement = live[np.argsort(-np.nan_to_num(
        catalog.features["engagement_rate_median"][live], nan=-1.0), kind="stable")]  # fmt: skip
    by_followers = live[np.argsort(-catalog.creators.followers[live], kind="stable")]
    out: dict[str, dict[str, list[str]]] = {
        "similarity": {}, "engagement_sort": {}, "follower_sort": {}, "random": {}
    }  # fmt: skip
    for brand_id in brand_ids:
        query = pipeline.briefs.vector(brand_profile(world.brands[brand_id]).text)
        rows, _ = retrieve(catalog, query, SHORTLIST, catalog.live)
        out["similarity"][brand_id] = ids[rows].tolist()
        out["engagement_sort"][brand_id] = ids[by_engagement[:SHORTLIST]].tolist()
        out["follower_sort"][brand_id] = ids[by_followers[:SHORTLIST]].tolist()
        out["random"][brand_id] = ids[rng.choice(live, SHORTLIST, replace=False)].tolist()
    return out


def microtribe_shortlists(
    pipeline: Any, world: EvalWorld, brand_ids: Sequence[str]
) -> dict[str, list[str]]:
    ids = pipeline.catalog.creators.creator_id
    return {
        b: ids[pipeline.run(world.brands[b], k=SHORTLIST, with_reasons=False).rows].tolist()
        for b in brand_ids
    }


def shortlist_eval(
    pipeline: Any, world: EvalWorld, labels: Mapping[str, Mapping[str, Mapping[str, Any]]],
    emit: Any,
) -> None:  # fmt: skip
    brand_ids = advocate_brands(labels)
    systems = {"microtribe": microtribe_shortlists(pipeline, world, brand_ids),
               **baseline_shortlists(pipeline, world, brand_ids)}  # fmt: skip
    language_of = {b: brief_language(world.brands[b]) for b in brand_ids}
    groups = {"all": brand_ids}
    for language in sorted(set(language_of.values())):
        groups[f"brief_{language}"] = [b for b in brand_ids if language_of[b] == language]
    for group, members in groups.items():
        metrics: dict[str, float] = {}
        for system, lists in systems.items():
            found = shortlist_metrics({b: lists[b] for b in members}, labels)
            prefix = "model" if system == "microtribe" else f"baseline_{system}"
            metrics.update({f"{prefix}_{k}": v for k, v in found.items()})
        emit({"evaluation": "shortlist", "group": group, "shortlist": SHORTLIST,
              "metrics": summarise(metrics)})  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-home", type=Path, required=True)
    parser.add_argument("--eval-home", type=Path, required=True)
    parser.add_argument("--prepare", action="store_true", help="make both homes first")
    parser.add_argument("--train-seed", type=int, default=7)
    parser.add_argument("--eval-seed", type=int, default=2027)
    parser.add_argument("--creators", type=int, default=1500, help="per world, with --prepare")
    parser.add_argument("--brands", type=int, default=60, help="per world, with --prepare")
    parser.add_argument("--cutoff", default=DEFAULT_CUTOFF, help="eval snapshot time")
    parser.add_argument("--skip", default="", help="comma-separated evaluations to skip")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("quality"))
    args = parser.parse_args(argv)
    if args.prepare:
        if args.train_seed == args.eval_seed:
            parser.error("--train-seed and --eval-seed must differ")
        prepare_home(args.train_home, args.train_seed, args.creators, args.brands, True)
        prepare_home(args.eval_home, args.eval_seed, args.creators, args.brands, False,
                     args.cutoff)  # fmt: skip
    train_spec, eval_spec = world_spec(args.train_home), world_spec(args.eval_home)
    if train_spec and eval_spec and train_spec["seed"] == eval_spec["seed"]:
        raise SystemExit("the eval world has the training world's seed: nothing is held out")
    if eval_spec and eval_spec.get("cutoff") not in (None, args.cutoff):
        raise SystemExit(f"{args.eval_home} is a snapshot as of {eval_spec['cutoff']}, "
                         f"not {args.cutoff}: pass --cutoff {eval_spec['cutoff']}")  # fmt: skip
    recorder = Recorder("quality", args.out)
    context = {"train_world": train_spec, "eval_world": eval_spec, "cutoff": args.cutoff,
               "train_home": str(args.train_home), "eval_home": str(args.eval_home),
               "label": args.label}  # fmt: skip

    def emit(record: dict[str, Any]) -> None:
        recorder.emit({**record, **context})

    skip = set(args.skip.split(","))
    world = read_store(args.eval_home)
    if "point_in_time" not in skip:
        point_in_time(args.train_home, args.eval_home, world, emit)
    labels = post_snapshot_labels(world, args.cutoff)
    log(f"{sum(map(len, labels.values()))} labelled outcomes of {len(labels)} brands after "
        f"the snapshot")  # fmt: skip
    pipeline = load_pipeline(args.eval_home, model_home=args.train_home)
    if "pipeline" not in skip:
        pipeline_rerank(pipeline, world, labels, emit)
    if "shortlist" not in skip:
        shortlist_eval(pipeline, world, labels, emit)


if __name__ == "__main__":
    main()
