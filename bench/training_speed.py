"""Training time at a given number of rows, and single-threaded scoring time per 500 candidates.

    .venv/bin/python bench/training_speed.py --home DIR [--rows 200000]

Builds the training set of the home's stored outcomes (timed), then tiles it to `--rows`
rows: each copy gets its own brand ids and a little feature noise, so the brand split, early
stopping and calibration do their full work (copies of a brand can land in both training and
validation, so early stopping rarely triggers: an upper bound). Times `fit_ranker` on it
(2 threads). Scoring is timed on a ranker fitted to the real rows (as `train` would):
`Ranker.predict` on 500 rows and `pred_contrib` on 20 rows, one thread, medians of 50.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()

    from microtribe.settings import Settings
    from training.fit import FitConfig, fit_ranker, split_by_brand
    from training.run import open_embedder, training_data

    settings = Settings.from_env(args.home)
    started = time.perf_counter()
    data = training_data(settings, open_embedder(settings))
    assembly_s = time.perf_counter() - started
    copies = int(np.ceil(args.rows / len(data)))
    rng = np.random.default_rng(0)
    features = np.vstack([data.features] * copies)[: args.rows]
    features = features * (1 + rng.normal(0, 0.01, features.shape)).astype(np.float32)

    def tile(values: np.ndarray) -> np.ndarray:
        return np.concatenate([values] * copies)[: args.rows]

    brand = np.concatenate([data.brand_id + f"#{i}" for i in range(copies)])[: args.rows]
    big = replace(
        data,
        features=features,
        advocate=tile(data.advocate),
        engagement_rate=tile(data.engagement_rate),
        brand_id=brand,
        creator_id=tile(data.creator_id),
        observed_at=tile(data.observed_at),
        language=tile(data.language),
        tier=tile(data.tier),
        sparse_brief=tile(data.sparse_brief),
    )
    config = FitConfig()
    started = time.perf_counter()
    ranker = fit_ranker(big, split_by_brand(big, config), config)
    fit_s = time.perf_counter() - started

    real = fit_ranker(data, split_by_brand(data, config), config)
    sample = data.features[:500]
    predict_ms, explain_ms = [], []
    for _ in range(50):
        t = time.perf_counter()
        real.predict(sample)
        predict_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        real.contributions(sample[:20])
        explain_ms.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "training_set_rows": len(data),
                "training_set_assembly_s": round(assembly_s, 2),
                "fit_rows": args.rows,
                "fit_s": round(fit_s, 2),
                "fit_advocacy_trees": ranker.advocacy_booster_.num_trees(),
                "fit_engagement_trees": ranker.engagement_booster_.num_trees(),
                "scoring_advocacy_trees": real.advocacy_booster_.num_trees(),
                "scoring_engagement_trees": real.engagement_booster_.num_trees(),
                "predict_500_ms_median_1_thread": round(statistics.median(predict_ms), 3),
                "explain_20_ms_median_1_thread": round(statistics.median(explain_ms), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
