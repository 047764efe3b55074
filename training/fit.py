"""Fitting the ranker: grouped split by brand, LightGBM with early stopping, Platt calibration.

Brands, not rows, are held out: a model must rank creators for brands it has never seen.
Calibration is Platt scaling on the log-odds, fitted on predictions for brands the scoring
trees never saw: the validation brands, plus out-of-fold predictions for the training brands
(`calibration_folds` brand folds, each a booster with the final model's number of rounds
trained on the other folds). A dozen validation brands alone left the calibration at the mercy
of their advocate rates. Platt, unlike isotonic steps, is strictly increasing, so it never ties
candidates a ranking needs to tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from features.schema import ADVOCACY_MONOTONE, CATEGORICAL_FEATURES
from models.prior import Prior, sigmoid
from models.ranker import Ranker, engagement_benchmark
from training.dataset import TrainingSet


@dataclass(frozen=True, slots=True)
class FitConfig:
    seed: int = 42
    test_brand_share: float = 0.2
    validation_brand_share: float = 0.2
    learning_rate: float = 0.05
    # Small trees: on held-out brands they rank as well as 31 leaves (bench notes in
    # docs/ranking.md), generalise better to unseen worlds, and make pred_contrib explanations
    # several times cheaper on the request path.
    num_leaves: int = 7
    min_data_in_leaf: int = 50
    max_rounds: int = 1000
    early_stopping_rounds: int = 50
    # out-of-fold predictions for the training brands join the validation brands in the
    # calibration set (0: validation brands only)
    calibration_folds: int = 2
    threads: int = 2
    # The advocacy model adds one feature's effect to another (each tree splits on one
    # feature): it cannot learn a combination that only the training world holds. On data it
    # never saw this ranked as well or better (docs/ranking.md, "An additive advocacy model").
    additive_advocacy: bool = True
    # The advocacy booster learns the residual over the documented prior (models/prior.py):
    # the prior's margin is LightGBM's init_score. False: the booster alone (as before).
    use_prior: bool = True
    # How firmly the prior's documented weights hold against the outcomes: each term's scale
    # pays strength × (scale − 1)² in the log-likelihood (about that many outcomes' worth of
    # belief). A few hundred outcomes barely move it; ten thousand can halve or double a term.
    prior_strength: float = 200.0
    # Terms whose scale outcomes do not move. Content similarity: the synthetic worlds'
    # captions are templated, so how much embedding similarity predicts advocacy there says
    # little about real captions (six worlds pulled its scale to 0.39, and the golden set's
    # development part fell from 0.91 to 0.87 NDCG@10 with it); niche fit first is the
    # product's premise (the seed), not a figure to learn from a generator.
    prior_frozen: tuple[str, ...] = ("similarity",)

    def lightgbm_params(self, objective: str) -> dict[str, Any]:
        return {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.threads,
            "verbose": -1,
        }


@dataclass(frozen=True, slots=True)
class BrandSplit:
    train: np.ndarray  # row indices
    validation: np.ndarray
    test: np.ndarray
    test_brands: list[str] = field(default_factory=list)


def split_by_brand(data: TrainingSet, config: FitConfig) -> BrandSplit:
    brands = np.unique(data.brand_id)
    shuffled = np.random.default_rng(config.seed).permutation(brands)
    n_test = max(1, round(len(brands) * config.test_brand_share))
    n_val = max(1, round(len(brands) * config.validation_brand_share))
    test, val = set(shuffled[:n_test]), set(shuffled[n_test : n_test + n_val])
    rows = np.arange(len(data))
    in_test = np.isin(data.brand_id, list(test))
    in_val = np.isin(data.brand_id, list(val))
    return BrandSplit(
        train=rows[~in_test & ~in_val],
        validation=rows[in_val],
        test=rows[in_test],
        test_brands=sorted(str(b) for b in test),
    )


def split_by_time(data: TrainingSet, config: FitConfig) -> BrandSplit:
    """The latest `test_brand_share` of outcomes (by observed_at) are the test set; earlier
    ones train, with validation brands held out among them for early stopping and calibration.
    """
    cutoff = np.quantile(data.observed_at, 1.0 - config.test_brand_share)
    rows = np.arange(len(data))
    early = rows[data.observed_at < cutoff]
    brands = np.unique(data.brand_id[early])
    shuffled = np.random.default_rng(config.seed).permutation(brands)
    val_brands = shuffled[: max(1, round(len(brands) * config.validation_brand_share))]
    in_val = np.isin(data.brand_id[early], val_brands)
    return BrandSplit(
        train=early[~in_val], validation=early[in_val], test=rows[data.observed_at >= cutoff]
    )


def _train_booster(
    data: TrainingSet,
    target: np.ndarray,
    train: np.ndarray,
    validation: np.ndarray | None,
    objective: str,
    config: FitConfig,
    init_margin: np.ndarray | None = None,
) -> Any:
    """A LightGBM booster; `init_margin` (one per row of `data`) is the margin it starts
    from, so it learns only what the outcomes add to it."""
    import lightgbm

    names = list(data.feature_names)
    categorical = [name for name in CATEGORICAL_FEATURES if name in names]
    params = config.lightgbm_params(objective)
    # both models keep the domain's directions: so does every score made from them
    params["monotone_constraints"] = [ADVOCACY_MONOTONE.get(name, 0) for name in names]
    params["monotone_constraints_method"] = "advanced"
    if objective == "binary" and config.additive_advocacy:
        params["interaction_constraints"] = [[i] for i in range(len(names))]

    def start(rows: np.ndarray) -> np.ndarray | None:
        return None if init_margin is None else init_margin[rows]

    train_set = lightgbm.Dataset(
        data.features[train],
        target[train],
        feature_name=names,
        categorical_feature=categorical,
        init_score=start(train),
        free_raw_data=False,
    )
    if validation is None:
        return lightgbm.train(params, train_set, num_boost_round=config.max_rounds)
    valid_set = lightgbm.Dataset(
        data.features[validation],
        target[validation],
        init_score=start(validation),
        reference=train_set,
    )
    return lightgbm.train(
        params,
        train_set,
        num_boost_round=config.max_rounds,
        valid_sets=[valid_set],
        callbacks=[lightgbm.early_stopping(config.early_stopping_rounds, verbose=False)],
    )


def platt_knots(raw: np.ndarray, label: np.ndarray, points: int = 257) -> tuple[np.ndarray, ...]:
    """Platt scaling on the log-odds, tabulated as monotone interpolation knots."""
    from sklearn.linear_model import LogisticRegression

    def logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(p, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    model = LogisticRegression(C=1e6).fit(logit(raw)[:, None], label.astype(int))
    grid = np.linspace(0.0, 1.0, points)
    return grid, model.predict_proba(logit(grid)[:, None])[:, 1]


def _raw(booster: Any, data: TrainingSet, rows: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
    """Uncalibrated advocacy of `rows`: sigmoid(prior margin + the booster's margin)."""
    margin = booster.predict(
        data.features[rows], num_iteration=booster.best_iteration or None, raw_score=True
    )
    return sigmoid(margin + (0.0 if prior is None else prior[rows]))


def _calibration_set(
    data: TrainingSet,
    advocacy: Any,
    train: np.ndarray,
    val: np.ndarray,
    config: FitConfig,
    prior: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Raw advocacy predictions and labels for brands the predicting trees never saw."""
    raw = [_raw(advocacy, data, val, prior)]
    label = [data.advocate[val]]
    brands = np.unique(data.brand_id[train])
    folds = min(config.calibration_folds, len(brands))
    if folds < 2:
        return raw[0], label[0]
    shuffled = np.random.default_rng(config.seed + 1).permutation(brands)
    fold_of = dict(zip(shuffled.tolist(), (np.arange(len(brands)) % folds).tolist(), strict=True))
    fold = np.array([fold_of[b] for b in data.brand_id[train].tolist()])
    # the same number of rounds as the final model: no early stopping on the held-out fold
    fixed = replace(config, max_rounds=max(advocacy.best_iteration, 1), early_stopping_rounds=0)
    for k in range(folds):
        inside, outside = train[fold != k], train[fold == k]
        if len(np.unique(data.advocate[inside])) < 2:
            continue
        booster = _train_booster(data, data.advocate, inside, None, "binary", fixed, prior)
        raw.append(_raw(booster, data, outside, prior))
        label.append(data.advocate[outside])
    return np.concatenate(raw), np.concatenate(label)


def fit_ranker(data: TrainingSet, split: BrandSplit, config: FitConfig) -> Ranker:
    """Advocacy classifier + calibration + engagement regressor on the training brands."""
    has_advocacy = ~np.isnan(data.advocate)
    train = split.train[has_advocacy[split.train]]
    val = split.validation[has_advocacy[split.validation]]
    if len(np.unique(data.advocate[train])) < 2 or len(np.unique(data.advocate[val])) < 2:
        raise ValueError("training needs advocates and non-advocates in both training folds")
    prior = (
        refit_prior(Prior(), data, train, config.prior_strength, config.prior_frozen)
        if config.use_prior
        else None
    )
    margin = None if prior is None else prior.margin(data.features, data.feature_names)
    advocacy = _train_booster(data, data.advocate, train, val, "binary", config, margin)
    raw, label = _calibration_set(data, advocacy, train, val, config, margin)
    grid, calibrated = platt_knots(raw, label)

    rated = ~np.isnan(data.engagement_rate) & (np.nan_to_num(data.engagement_rate) > 0)
    benchmark = engagement_benchmark(data.features, data.feature_names)
    log_ratio = np.log(np.where(rated, data.engagement_rate, 1.0) / benchmark)
    engagement = _train_booster(
        data,
        log_ratio,
        split.train[rated[split.train]],
        split.validation[rated[split.validation]],
        "huber",
        config,
    )
    return Ranker(advocacy, engagement, grid, calibrated, data.feature_names, prior)


def refit_prior(
    prior: Prior,
    data: TrainingSet,
    rows: np.ndarray,
    strength: float,
    frozen: tuple[str, ...] = (),
) -> Prior:
    """The prior with each term's scale (≥ 0: a term never flips; 1 for the `frozen` features'
    terms) and the intercept fitted to the labelled `rows`, each scale shrunk toward 1 by
    `strength` (L-BFGS-B, a dozen numbers)."""
    from scipy.optimize import minimize

    labelled = rows[~np.isnan(data.advocate[rows])]
    terms = replace(prior, scales=None).term_matrix(data.features[labelled], data.feature_names)
    label = data.advocate[labelled]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        z = params[0] + terms @ params[1:]
        gap = sigmoid(z) - label
        penalty = params[1:] - 1.0
        value = np.sum(np.logaddexp(0.0, z) - label * z) + strength * np.sum(penalty**2)
        return float(value), np.concatenate([[gap.sum()], terms.T @ gap + 2 * strength * penalty])

    start = np.concatenate([[prior.intercept], np.ones(len(prior.terms))])
    bounds = [(None, None)] + [
        (1.0, 1.0) if term.feature in frozen else (0.0, None) for term in prior.terms
    ]
    fitted = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    return replace(prior, intercept=float(fitted[0]), scales=tuple(float(s) for s in fitted[1:]))


def prior_ranker(feature_names: tuple[str, ...], prior: Prior | None = None) -> Ranker:
    """The ranker before any outcome: the prior alone, uncalibrated (its margin is already
    log-odds), expected engagement at the tier benchmark."""
    grid = np.linspace(0.0, 1.0, 257)
    return Ranker(None, None, grid, grid, feature_names, prior or Prior())
