"""`microtribe train`, `evaluate` and `promote`: the ML lifecycle over the stored outcomes."""

from __future__ import annotations

import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from features.schema import FEATURE_NAMES
from matching.store import open_store
from microtribe.settings import Settings
from models.bundle import Bundle, load_bundle, save_bundle
from models.embedder import load_embedder
from models.embedding_cache import CachedEmbedder
from models.ranker import Ranker
from training.dataset import TrainingSet, build_training_set
from training.drift import write_drift_profile
from training.evaluate import Evaluation, evaluate
from training.fit import BrandSplit, FitConfig, fit_ranker, split_by_brand, split_by_time
from training.registry import (
    PRIMARY_METRIC,
    GateDecision,
    champion_version,
    gate,
    install_bundle,
    log_run,
    set_champion,
)
from training.worlds import WorldRecipe, concat, recipe_training_set


@dataclass(frozen=True, slots=True)
class TrainReport:
    rows: int
    evaluation: Evaluation
    run_id: str
    version: str | None
    decision: GateDecision | None
    seconds: float


def open_embedder(settings: Settings) -> CachedEmbedder:
    embedder = load_embedder(settings.embedder, threads=settings.embed_threads)
    return CachedEmbedder(embedder, settings.embedding_cache_path)


def training_data(settings: Settings, embedder: CachedEmbedder) -> TrainingSet:
    store = open_store(settings)
    try:
        return build_training_set(store.creators(), store.brands(), store.outcomes(), embedder)
    finally:
        store.close()


def _home_data(settings: Settings, embedder: CachedEmbedder) -> TrainingSet | None:
    """The home's own training set, or None when it holds no labelled outcome yet."""
    store = open_store(settings)
    try:
        outcomes = store.outcomes()
        if not any(o.get("advocate") is not None for o in outcomes):
            return None
        return build_training_set(store.creators(), store.brands(), outcomes, embedder)
    finally:
        store.close()


def recipe_split(
    data: TrainingSet,
    home_rows: int,
    config: FitConfig,
    home_split: Callable[[TrainingSet, FitConfig], BrandSplit] = split_by_brand,
) -> BrandSplit:
    """Held-out rows come from the home's own outcomes (the first `home_rows` rows, split by
    `home_split`: held-out brands for `train`, the newest outcomes for `retrain`) when there
    are any: the gate and the reported metrics stay about the agency's data. Synthetic worlds'
    brands go to training and, `validation_brand_share` of them, to validation.
    """
    if home_rows == 0:
        return home_split(data, config)
    rows = np.arange(len(data))
    home = home_split(_subset(data, rows[:home_rows]), config)
    synthetic = rows[home_rows:]
    brands = np.unique(data.brand_id[synthetic])
    shuffled = np.random.default_rng(config.seed).permutation(brands)
    n_val = round(len(brands) * config.validation_brand_share)
    in_val = np.isin(data.brand_id[synthetic], shuffled[:n_val])
    return BrandSplit(
        train=np.concatenate([home.train, synthetic[~in_val]]),
        validation=np.concatenate([home.validation, synthetic[in_val]]),
        test=home.test,
        test_brands=home.test_brands,
    )


SUMMARY_METRICS = (
    "model_ndcg_at_20",
    "baseline_similarity_ndcg_at_20",
    "advocacy_auc",
    "advocacy_ece",
)


def _evaluate(ranker: Ranker, data: TrainingSet, rows: np.ndarray) -> Evaluation:
    held_out = _subset(data, rows)
    out = ranker.predict(held_out.features)
    return evaluate(held_out, out.advocacy_fit, out.score, out.expected_engagement_rate)


def evaluate_bundle(bundle: Bundle, data: TrainingSet, rows: np.ndarray) -> Evaluation:
    """Metrics on the full briefs of `rows`, plus a summary on their sparse-brief copies."""
    sparse = data.sparse_brief[rows]
    evaluation = _evaluate(bundle.ranker, data, rows[~sparse])
    if sparse.any():
        terse = _evaluate(bundle.ranker, data, rows[sparse]).metrics
        summary = {f"sparse_brief_{key}": terse[key] for key in SUMMARY_METRICS}
        # the gate's metric: agencies send both full and terse briefs
        summary[PRIMARY_METRIC] = 0.5 * (
            evaluation.metrics["model_ndcg_at_20"] + terse["model_ndcg_at_20"]
        )
        evaluation = replace(evaluation, metrics={**evaluation.metrics, **summary})
    return evaluation


def _subset(data: TrainingSet, rows: np.ndarray) -> TrainingSet:
    return TrainingSet(
        features=data.features[rows],
        advocate=data.advocate[rows],
        engagement_rate=data.engagement_rate[rows],
        brand_id=data.brand_id[rows],
        creator_id=data.creator_id[rows],
        observed_at=data.observed_at[rows],
        language=data.language[rows],
        tier=data.tier[rows],
        sparse_brief=data.sparse_brief[rows],
        feature_names=data.feature_names,
        world=None if data.world is None else data.world[rows],
    )


def time_split_metrics(data: TrainingSet, config: FitConfig) -> dict[str, float]:
    """Train on earlier outcomes, test on the latest: does the ranker hold up over time?"""
    split = split_by_time(data, config)
    ranker = fit_ranker(data, split, config)
    full_test = split.test[~data.sparse_brief[split.test]]
    metrics = _evaluate(ranker, data, full_test).metrics
    return {f"time_split_{key}": metrics[key] for key in SUMMARY_METRICS}


def _plots(
    bundle: Bundle, data: TrainingSet, split: BrandSplit, evaluation: Evaluation, folder: Path
) -> Path:
    from training import plots

    folder.mkdir(parents=True, exist_ok=True)
    booster = bundle.ranker.advocacy_booster_
    plots.feature_importance(
        booster.feature_importance(importance_type="gain"),
        bundle.ranker.feature_names_in_,
        folder / "feature_importance.png",
    )
    plots.calibration_curve(evaluation.calibration, folder / "calibration_curve.png")
    held_out = _subset(data, split.test[~data.sparse_brief[split.test]])
    labelled = ~np.isnan(held_out.advocate)
    score = bundle.ranker.predict(held_out.features).score
    plots.ndcg_by_tier(
        score[labelled],
        held_out.advocate[labelled],
        held_out.brand_id[labelled],
        held_out.tier[labelled],
        folder / "ndcg_by_tier.png",
    )
    return folder


def _manifest(
    data: TrainingSet, embedder: CachedEmbedder, split: BrandSplit, recipe: WorldRecipe | None
) -> dict[str, Any]:
    import lightgbm

    synthetic = 0 if data.world is None else int((data.world != "").sum())
    return {
        "synthetic_worlds": None if recipe is None else recipe.describe(),
        "home_rows": len(data) - synthetic,
        "synthetic_rows": synthetic,
        "embedder": embedder.model_id,
        "dimension": embedder.dimension,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "training_window": [
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(data.observed_at.min()))),
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(data.observed_at.max()))),
        ],
        "rows": len(data),
        "test_brands": split.test_brands,
        "libraries": {
            "lightgbm": lightgbm.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }


def train(
    settings: Settings,
    config: FitConfig,
    register: bool,
    promote: bool,
    margin: float = 0.0,
    recipe: WorldRecipe | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainReport:
    """Train on the home's outcomes, plus the synthetic worlds of `recipe` when given.

    With a recipe, the home may hold no outcome at all (then the held-out brands are synthetic);
    otherwise held-out brands are the home's own (`recipe_split`) and the manifest and MLflow
    params record the recipe and every world's drawn effects.
    """
    started = time.perf_counter()
    embedder = open_embedder(settings)
    if recipe is None or recipe.worlds == 0:
        recipe = None
        data = training_data(settings, embedder)
        split = split_by_brand(data, config)
    else:
        home = _home_data(settings, embedder)
        synthetic = recipe_training_set(recipe, embedder, progress=progress)
        data = synthetic if home is None else concat([home, synthetic])
        split = recipe_split(data, 0 if home is None else len(home), config)
    ranker = fit_ranker(data, split, config)
    with tempfile.TemporaryDirectory() as tmp:
        bundle_dir = Path(tmp) / "bundle"
        save_bundle(ranker, bundle_dir, _manifest(data, embedder, split, recipe))
        candidate = load_bundle(bundle_dir)
        evaluation = evaluate_bundle(candidate, data, split.test)
        evaluation = replace(
            evaluation, metrics={**evaluation.metrics, **time_split_metrics(data, config)}
        )
        plots = _plots(candidate, data, split, evaluation, Path(tmp) / "plots")
        manifest = {**candidate.manifest, "metrics": evaluation.metrics}
        save_bundle(ranker, bundle_dir, manifest)
        write_drift_profile(bundle_dir, data, settings)  # for `microtribe drift`
        import pandas as pd

        example = pd.DataFrame(data.features[split.test[:5]], columns=list(data.feature_names))
        params = {
            **config.lightgbm_params("binary"),
            "rows": len(data),
            "embedder": embedder.model_id,
        }
        params["best_iteration_advocacy"] = ranker.advocacy_booster_.best_iteration
        params["calibration_folds"] = config.calibration_folds
        if recipe is not None:  # every world's drawn effects are in the bundle's manifest
            params["worlds"] = recipe.worlds
            params["world_families"] = ",".join(recipe.families)
            params["world_creators"] = recipe.creators
            params["world_brands"] = recipe.brands
            params["world_max_posts"] = recipe.max_posts
            params["world_seed"] = recipe.seed
        run_id, version = log_run(
            settings, bundle_dir, params, evaluation, example, register, plots
        )
        if version is not None:
            install_bundle(settings, bundle_dir, version, run_id)
    decision = None
    if promote:
        if version is None:
            raise ValueError(
                "--promote needs --register: only a registered version can be promoted"
            )
        decision = _gate(settings, version, data, split, margin)
    if version is not None:  # the card compares with the champion before the alias moves
        from training.card_facts import train_card

        gate_text = None if decision is None else decision.reason
        train_card(settings, run_id, version, data, split.test, evaluation, gate_text)
    if decision is not None and version is not None and decision.promote:
        set_champion(settings, version)
    return TrainReport(
        len(data), evaluation, run_id, version, decision, time.perf_counter() - started
    )


def register_prior(
    settings: Settings, config: FitConfig, progress: Callable[[str], None] | None = None
) -> TrainReport:
    """Register the documented prior alone (nothing fitted) and make it the champion when the
    home has none: what a home serves before its first training run (`microtribe demo` serves
    it while the published recipe trains). With labelled outcomes its metrics are measured on
    the held-out brands `train` would hold out; without, it is logged with no metric."""
    from models.prior import Prior
    from training.fit import prior_ranker

    started = time.perf_counter()
    embedder = open_embedder(settings)
    data = _home_data(settings, embedder)
    ranker = prior_ranker(FEATURE_NAMES, Prior())
    manifest: dict[str, Any] = {
        "model": "prior",
        "embedder": embedder.model_id,
        "dimension": embedder.dimension,
        "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows": 0,
    }
    with tempfile.TemporaryDirectory() as tmp:
        bundle_dir = Path(tmp) / "bundle"
        save_bundle(ranker, bundle_dir, manifest)
        test = None
        if data is None:
            evaluation = Evaluation(metrics={}, calibration=[], by_group={})
            example = np.full((1, len(FEATURE_NAMES)), np.nan, dtype=np.float32)
        else:
            test = split_by_brand(data, config).test
            evaluation = evaluate_bundle(load_bundle(bundle_dir), data, test)
            example = data.features[test[:5]]
        save_bundle(ranker, bundle_dir, {**manifest, "metrics": evaluation.metrics})
        import pandas as pd

        frame = pd.DataFrame(example, columns=list(FEATURE_NAMES))
        params = {"model": "prior", "rows": 0, "embedder": embedder.model_id}
        run_id, version = log_run(settings, bundle_dir, params, evaluation, frame, True)
        assert version is not None  # registered
        install_bundle(settings, bundle_dir, version, run_id)
    decision = None
    if champion_version(settings) is None:
        measured = evaluation.metrics.get(PRIMARY_METRIC, float("nan"))
        decision = GateDecision(True, "no champion yet", measured, None)
    from training.card_facts import prior_card

    gate_text = None if decision is None else f"champion: {decision.reason}"
    prior_card(settings, run_id, version, data, test, evaluation, FEATURE_NAMES, gate_text)
    if decision is not None:
        set_champion(settings, version)
    if progress is not None:
        progress(f"prior registered as version {version}")
    return TrainReport(0, evaluation, run_id, version, decision, time.perf_counter() - started)


def _gate(
    settings: Settings, version: str, data: TrainingSet, split: BrandSplit, margin: float
) -> GateDecision:
    """Score candidate and champion on the same held-out brands, then apply the margin."""
    candidate = evaluate_bundle(load_bundle(settings.models_dir / version), data, split.test)
    champion = champion_version(settings)
    champion_score = None
    if champion is not None and champion != version:
        bundle = load_bundle(settings.models_dir / champion)
        # a champion trained before a feature was added still scores these rows, by name
        if set(bundle.ranker.feature_names_in_) <= set(data.feature_names):
            champion_score = evaluate_bundle(bundle, data, split.test).metrics[PRIMARY_METRIC]
    return gate(candidate.metrics[PRIMARY_METRIC], champion_score, margin)


def promote_version(
    settings: Settings, version: str, config: FitConfig, margin: float = 0.0
) -> GateDecision:
    embedder = open_embedder(settings)
    data = training_data(settings, embedder)
    decision = _gate(settings, version, data, split_by_brand(data, config), margin)
    if decision.promote:
        set_champion(settings, version)
    return decision


def evaluate_version(settings: Settings, version: str | None, config: FitConfig) -> Evaluation:
    chosen = version or champion_version(settings)
    if chosen is None:
        raise ValueError("no model version given and no champion yet; run `microtribe train`")
    embedder = open_embedder(settings)
    data = training_data(settings, embedder)
    return evaluate_bundle(
        load_bundle(settings.models_dir / chosen), data, split_by_brand(data, config).test
    )
