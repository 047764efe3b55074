"""Leave one generator family out: train on one family's worlds, rank the other family's.

    .venv/bin/python bench/lofo.py [--worlds 3 --eval-worlds 2 --creators 600 --brands 20
        --max-posts 12 --seed 0 --eval-seed 1000 --cache PATH]

Two recipes of domain-randomised worlds (training/worlds.py): the training recipe (`--worlds`
worlds per family, `--seed`) and an evaluation recipe with other seeds (`--eval-worlds` per
family, `--eval-seed`), so no evaluated world, brand or drawn effect was seen in training.

For each direction (A→B: trained on family-A worlds only, ranked on held-out family-B worlds;
B→A the reverse) a ranker is fitted with `training.fit.fit_ranker` as `microtribe train` fits
it (the prior refitted plus the booster's residual; the booster alone is reported beside it
as `booster_alone_ndcg_at_20`, and the prior alone as `prior->A`, `prior->B`) (20% of the
training brands for validation and calibration, no test brands: the test is the other family),
and scored per brand on the evaluation worlds' labelled outcomes, full briefs, with outcomes
as gains, as `training/evaluate.py` does. Reported per direction: the model's NDCG@20, the
similarity-alone NDCG@20 on the very same rows, their ratio (the target is ≥ 1.15 both ways),
AUC, and the same on terse briefs. For reference the same is reported in family (A→A, B→B) and
for a model trained on both families' training worlds (AB→A, AB→B).

One JSON record per run, printed and appended to --out (default bench/results/lofo.jsonl).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, round_floats

TARGET_RATIO = 1.15


def family_rows(world: np.ndarray, family: str) -> np.ndarray:
    """Row indices whose world name ends with the family letter (`w03B`)."""
    return np.flatnonzero(np.array([str(w).endswith(family) for w in world.tolist()]))


def training_split(data: Any, rows: np.ndarray, validation_share: float, seed: int) -> Any:
    """All of `rows` for training, `validation_share` of their brands held for validation."""
    from training.fit import BrandSplit

    brands = np.unique(data.brand_id[rows])
    shuffled = np.random.default_rng(seed).permutation(brands)
    n_val = max(1, round(len(brands) * validation_share))
    in_val = np.isin(data.brand_id[rows], shuffled[:n_val])
    return BrandSplit(train=rows[~in_val], validation=rows[in_val], test=rows[:0])


def score_rows(ranker: Any, data: Any, rows: np.ndarray) -> dict[str, float]:
    """Model and similarity-alone NDCG@20 (and AUC) on `rows`, full and terse briefs."""
    from training.evaluate import evaluate
    from training.run import _subset

    out: dict[str, float] = {}
    for label, sparse in (("", False), ("terse_", True)):
        chosen = rows[data.sparse_brief[rows] == sparse]
        held = _subset(data, chosen)
        predicted = ranker.predict(held.features)
        metrics = evaluate(
            held, predicted.advocacy_fit, predicted.score, predicted.expected_engagement_rate
        ).metrics
        model = metrics["model_ndcg_at_20"]
        similarity = metrics["baseline_similarity_ndcg_at_20"]
        out |= {
            f"{label}model_ndcg_at_20": model,
            f"{label}similarity_ndcg_at_20": similarity,
            f"{label}ratio": model / max(similarity, 1e-9),
            f"{label}advocacy_auc": metrics["advocacy_auc"],
        }
        if not sparse:
            out["brands"] = metrics["model_brands"]
            out["labelled_rows"] = float((~np.isnan(held.advocate)).sum())
            out["advocate_rate"] = metrics["advocate_rate"]
    return out


def run_lofo(
    embedder: Any,
    worlds: int,
    eval_worlds: int,
    creators: int,
    brands: int,
    max_posts: int,
    seed: int,
    eval_seed: int,
    threads: int = 1,
) -> dict[str, Any]:
    """Every direction's figures, plus both recipes (worlds, effects drawn)."""
    from dataclasses import replace

    from training.fit import FitConfig, fit_ranker, prior_ranker
    from training.worlds import WorldRecipe, recipe_training_set

    train_recipe = WorldRecipe(2 * worlds, ("A", "B"), creators, brands, max_posts, seed)
    eval_recipe = WorldRecipe(2 * eval_worlds, ("A", "B"), creators, brands, max_posts, eval_seed)
    started = time.perf_counter()
    train = recipe_training_set(train_recipe, embedder, progress=lambda s: log(f"train {s}"))
    held = recipe_training_set(eval_recipe, embedder, progress=lambda s: log(f"eval {s}"))
    build_seconds = time.perf_counter() - started
    assert train.world is not None and held.world is not None

    from training.worlds import concat

    data = concat([train, held])
    n_train = len(train)
    world = data.world
    assert world is not None
    config = FitConfig(threads=threads)
    sources = {
        "A": family_rows(world[:n_train], "A"),
        "B": family_rows(world[:n_train], "B"),
        "AB": np.arange(n_train),
    }
    targets = {fam: n_train + family_rows(world[n_train:], fam) for fam in ("A", "B")}
    directions: dict[str, dict[str, float]] = {}
    fit_seconds: dict[str, float] = {}
    for source, rows in sources.items():
        started = time.perf_counter()
        split = training_split(data, rows, config.validation_brand_share, config.seed)
        ranker = fit_ranker(data, split, config)
        fit_seconds[source] = round(time.perf_counter() - started, 1)
        alone = fit_ranker(data, split, replace(config, use_prior=False))
        for target, target_rows in targets.items():
            name = f"{source}->{target}"
            directions[name] = round_floats(score_rows(ranker, data, target_rows))
            booster = score_rows(alone, data, target_rows)
            directions[name]["booster_alone_ndcg_at_20"] = round(booster["model_ndcg_at_20"], 4)
            d = directions[name]
            log(f"{name}: model {d['model_ndcg_at_20']:.3f} similarity "
                f"{d['similarity_ndcg_at_20']:.3f} ratio {d['ratio']:.3f}")  # fmt: skip
    prior = prior_ranker(data.feature_names)
    for target, target_rows in targets.items():
        directions[f"prior->{target}"] = round_floats(score_rows(prior, data, target_rows))
    lofo = {name: directions[name] for name in ("A->B", "B->A")}
    return {
        "lofo": lofo,
        "min_ratio": min(d["ratio"] for d in lofo.values()),
        "target_ratio": TARGET_RATIO,
        "meets_target": all(d["ratio"] >= TARGET_RATIO for d in lofo.values()),
        "directions": directions,
        "train_rows": {fam: len(rows) for fam, rows in sources.items()},
        "eval_rows": {fam: len(rows) for fam, rows in targets.items()},
        "build_seconds": round(build_seconds, 1),
        "fit_seconds": fit_seconds,
        "train_recipe": train_recipe.describe(),
        "eval_recipe": eval_recipe.describe(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", type=int, default=3, help="training worlds per family")
    parser.add_argument("--eval-worlds", type=int, default=2, help="held-out worlds per family")
    parser.add_argument("--creators", type=int, default=600)
    parser.add_argument("--brands", type=int, default=20)
    parser.add_argument("--max-posts", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0, help="seed of the training recipe")
    parser.add_argument("--eval-seed", type=int, default=1000, help="seed of the held-out recipe")
    parser.add_argument("--threads", type=int, default=1, help="LightGBM threads")
    parser.add_argument("--embedder", default=None, help="default: MICROTRIBE_EMBEDDER or USE")
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache (SQLite)")
    parser.add_argument("--out", type=Path, default=default_out("lofo"))
    args = parser.parse_args()

    from microtribe.settings import Settings
    from models.embedder import load_embedder
    from models.embedding_cache import CachedEmbedder

    settings = Settings.from_env(None)
    name = args.embedder or settings.embedder
    embedder = CachedEmbedder(load_embedder(name, threads=settings.embed_threads), args.cache)
    record = run_lofo(
        embedder, args.worlds, args.eval_worlds, args.creators, args.brands, args.max_posts,
        args.seed, args.eval_seed, args.threads,
    )  # fmt: skip
    sizes = {"worlds_per_family": args.worlds, "eval_worlds_per_family": args.eval_worlds,
             "creators": args.creators, "brands": args.brands, "max_posts": args.max_posts,
             "seed": args.seed, "eval_seed": args.eval_seed}  # fmt: skip
    Recorder("lofo", args.out).emit({"embedder": embedder.model_id, **sizes, **record})


if __name__ == "__main__":
    main()
