"""Fitting on a small random training set: the calibration set and the calibrated output."""

from __future__ import annotations

import numpy as np

from features.schema import FEATURE_NAMES
from training.dataset import TrainingSet
from training.fit import FitConfig, _calibration_set, _train_booster, fit_ranker, split_by_brand


def _data(rows: int = 2400, brands: int = 30, seed: int = 0) -> TrainingSet:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, len(FEATURE_NAMES))).astype(np.float32)
    features[:, FEATURE_NAMES.index("platform")] = rng.integers(0, 3, rows)
    features[:, FEATURE_NAMES.index("log_followers")] = rng.uniform(3, 5, rows)
    logit = 1.5 * features[:, FEATURE_NAMES.index("similarity")] - 0.8
    advocate = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    return TrainingSet(
        features=features,
        advocate=advocate,
        engagement_rate=rng.uniform(0.01, 0.05, rows),
        brand_id=np.array([f"b{i % brands}" for i in range(rows)], dtype=object),
        creator_id=np.array([f"c{i}" for i in range(rows)], dtype=object),
        observed_at=np.arange(rows, dtype=np.float64),
        language=np.full(rows, "it", dtype=object),
        tier=np.full(rows, "nano", dtype=object),
        sparse_brief=np.zeros(rows, dtype=bool),
    )


def test_calibration_uses_validation_and_out_of_fold_training_brands() -> None:
    data = _data()
    config = FitConfig(max_rounds=60, threads=1)
    split = split_by_brand(data, config)
    booster = _train_booster(data, data.advocate, split.train, split.validation, "binary", config)
    raw, label = _calibration_set(data, booster, split.train, split.validation, config)
    assert len(raw) == len(split.validation) + len(split.train)  # every labelled row, once
    assert sorted(label.tolist()) == sorted(data.advocate[np.r_[split.validation, split.train]])
    only_validation = FitConfig(max_rounds=60, threads=1, calibration_folds=0)
    raw, _ = _calibration_set(data, booster, split.train, split.validation, only_validation)
    assert len(raw) == len(split.validation)


def test_calibrated_advocacy_tracks_the_observed_rate() -> None:
    data = _data(seed=1)
    config = FitConfig(max_rounds=200, threads=1)
    split = split_by_brand(data, config)
    ranker = fit_ranker(data, split, config)
    fit = ranker.predict(data.features[split.test]).advocacy_fit
    assert abs(fit.mean() - data.advocate[split.test].mean()) < 0.05
    assert np.all(np.diff(ranker.calibration_y_) > 0)  # Platt: strictly increasing


def test_a_model_from_an_older_feature_list_scores_todays_matrix_by_name() -> None:
    from dataclasses import replace

    data = _data(rows=1200, brands=20, seed=2)
    older = [name for name in FEATURE_NAMES if name != "niche_focus"]
    keep = [FEATURE_NAMES.index(name) for name in older]
    old_data = replace(data, features=data.features[:, keep], feature_names=tuple(older))
    config = FitConfig(max_rounds=40, threads=1)
    ranker = fit_ranker(old_data, split_by_brand(old_data, config), config)
    today = ranker.predict(data.features)  # FEATURE_NAMES order, one column more
    own = ranker.predict(old_data.features)
    assert np.array_equal(today.score, own.score)
    # explanations name the model's features with their own values, not a shifted column
    from matching.explain import explain

    reasons = explain(ranker, data.features[:5])
    for row, row_reasons in enumerate(reasons):
        for reason in row_reasons:
            value = data.features[row, FEATURE_NAMES.index(reason.feature)]
            assert reason.value is None or abs(reason.value - value) < 1e-3

