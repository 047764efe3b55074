"""How the advocacy model moves from the prior as outcomes arrive: NDCG on held-out worlds after
0, 100, 1,000 and 10,000 outcomes.

    .venv/bin/python bench/prior_curve.py [--worlds 7 --eval-worlds 2 --creators 600
        --brands 20 --max-posts 12 --seed 0 --eval-seed 1000 --sizes 0,100,1000,10000
        --draws 3 --cache PATH]

A pool of domain-randomised worlds of both families (`--worlds` per family, `--seed`) stands
for the outcomes an agency collects; held-out worlds (`--eval-worlds` per family, another
seed) are ranked. For each size N, N labelled outcomes (each with its full and terse brief
rows) are drawn from the pool, `--draws` times; each draw is fitted as `microtribe train`
fits (the prior refitted and the booster's residual, `training.fit.fit_ranker`) and, beside
it, the booster alone (no prior); N = 0 is the prior alone. Scored per brand on the held-out
worlds' full briefs (NDCG@20, outcomes as gains), with similarity alone on the same rows.
Medians over the draws. One JSON record, printed and appended to --out (default
bench/results/prior_curve.jsonl).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, round_floats
from bench.lofo import score_rows, training_split


def outcome_rows(data: Any, pool: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """The rows (full and terse brief) of `n` labelled outcomes drawn from `pool`."""
    full = pool[~data.sparse_brief[pool] & ~np.isnan(data.advocate[pool])]
    chosen = rng.choice(full, size=min(n, len(full)), replace=False)
    # an outcome's terse row is its full row's twin: same brand, creator and time
    key = {(b, c, t): i for i, (b, c, t) in enumerate(zip(
        data.brand_id[pool], data.creator_id[pool], data.observed_at[pool], strict=True))
        if data.sparse_brief[pool][i]}  # fmt: skip
    twins = [pool[key[(data.brand_id[r], data.creator_id[r], data.observed_at[r])]]
             for r in chosen.tolist()
             if (data.brand_id[r], data.creator_id[r], data.observed_at[r]) in key]  # fmt: skip
    return np.sort(np.concatenate([chosen, np.asarray(twins, dtype=np.int64)]))


def curve(data: Any, pool: np.ndarray, held: np.ndarray, sizes: list[int], draws: int) -> Any:
    from training.fit import FitConfig, fit_ranker, prior_ranker

    config = FitConfig(threads=1)
    points = []
    prior = score_rows(prior_ranker(data.feature_names), data, held)
    for n in sizes:
        if n == 0:
            points.append({"outcomes": 0, "model": prior, "booster": None})
            log(f"0 outcomes: prior {prior['model_ndcg_at_20']:.3f}")
            continue
        model, booster = [], []
        for draw in range(draws):
            rows = outcome_rows(data, pool, n, np.random.default_rng(1000 * n + draw))
            split = training_split(data, rows, config.validation_brand_share, draw)
            try:
                fitted = fit_ranker(data, split, replace(config, seed=draw))
                alone = fit_ranker(data, split, replace(config, seed=draw, use_prior=False))
            except ValueError as exc:  # too few outcomes for a validation fold
                log(f"{n} outcomes, draw {draw}: {exc}")
                continue
            model.append(score_rows(fitted, data, held))
            booster.append(score_rows(alone, data, held))
        point = {"outcomes": n, "draws": len(model), "model": _median(model),
                 "booster": _median(booster)}  # fmt: skip
        log(
            f"{n} outcomes: model {point['model'].get('model_ndcg_at_20', float('nan')):.3f} "
            f"booster alone {point['booster'].get('model_ndcg_at_20', float('nan')):.3f}"
        )
        points.append(point)
    return points


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    if not runs:
        return {}
    return round_floats({key: float(np.median([r[key] for r in runs])) for key in runs[0]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worlds", type=int, default=7, help="pool worlds per family")
    parser.add_argument("--eval-worlds", type=int, default=2, help="held-out worlds per family")
    parser.add_argument("--creators", type=int, default=600)
    parser.add_argument("--brands", type=int, default=20)
    parser.add_argument("--max-posts", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-seed", type=int, default=1000)
    parser.add_argument("--sizes", default="0,100,1000,10000")
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache (SQLite)")
    parser.add_argument("--out", type=Path, default=default_out("prior_curve"))
    args = parser.parse_args()

    from microtribe.settings import Settings
    from models.embedder import load_embedder
    from models.embedding_cache import CachedEmbedder
    from training.worlds import WorldRecipe, concat, recipe_training_set

    settings = Settings.from_env(None)
    embedder = CachedEmbedder(load_embedder(settings.embedder, threads=settings.embed_threads),
                              args.cache)  # fmt: skip
    pool_recipe = WorldRecipe(2 * args.worlds, ("A", "B"), args.creators, args.brands,
                              args.max_posts, args.seed)  # fmt: skip
    held_recipe = WorldRecipe(2 * args.eval_worlds, ("A", "B"), args.creators, args.brands,
                              args.max_posts, args.eval_seed)  # fmt: skip
    pool = recipe_training_set(pool_recipe, embedder, progress=lambda s: log(f"pool {s}"))
    held = recipe_training_set(held_recipe, embedder, progress=lambda s: log(f"held out {s}"))
    data = concat([pool, held])
    held_rows = len(pool) + np.arange(len(held))
    sizes = [int(s) for s in args.sizes.split(",")]
    points = curve(data, np.arange(len(pool)), held_rows, sizes, args.draws)
    labelled = int((~pool.sparse_brief & ~np.isnan(pool.advocate)).sum())
    Recorder("prior_curve", args.out).emit({
        "embedder": embedder.model_id, "pool_outcomes": labelled,
        "pool_recipe": pool_recipe.describe(), "held_out_recipe": held_recipe.describe(),
        "draws": args.draws, "points": points,
    })  # fmt: skip


if __name__ == "__main__":
    main()
