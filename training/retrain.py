"""`microtribe retrain`: one step of the weekly loop, for a scheduler (cron, Airflow, Spark).

    outcomes since DATE ──► joined to the served log (features and rank as served)
      ──► dataset (+ the published recipe's synthetic worlds) ──► hash
      ──► train (the recipe of `train`) ──► evaluate: the newest outcomes (a time split),
          candidate and champion on the very same rows; the golden test part
      ──► register (MLflow run, model version) ──► model card ──► gate (alias `champion`)

The version is always registered; `--promote` moves the alias only when the gate passes
(`training.registry.gate`, the rule `train --promote` and `promote` apply), and the reason is
printed either way. Same window, same store and log: same dataset hash.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from matching.store import open_store
from microtribe.settings import Settings
from models.bundle import Bundle, load_bundle, save_bundle
from models.embedding_cache import CachedEmbedder
from models.ranker import Ranker
from training.card import CardFacts, Slice
from training.card_facts import (
    champion_on,
    common_limits,
    held_out_slices,
    publish,
    rows_by_source,
    window_text,
)
from training.dataset import TrainingSet
from training.drift import write_drift_profile
from training.evaluate import Evaluation
from training.fit import BrandSplit, FitConfig, fit_ranker, split_by_time
from training.registry import PRIMARY_METRIC, GateDecision, gate, install_bundle, log_run
from training.retrain_data import Window, dataset_hash, feedback_rows, window_outcomes
from training.served_join import read_served
from training.worlds import WorldRecipe, concat, recipe_training_set

# What `microtribe demo` trains and promotes (`train --worlds 6 --seed 42`, docs/ranking.md).
PUBLISHED_RECIPE = WorldRecipe(worlds=6, creators=600, brands=20, seed=0)
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RetrainData:
    data: TrainingSet  # the window's feedback rows first, then the synthetic worlds'
    feedback_rows: int
    served_rank: np.ndarray  # per row; NaN: not served (or synthetic)
    labelled: int  # labelled outcomes in the window
    skipped: tuple[str, ...]  # of those, the ones whose creator or brand is not stored
    hash: str


@dataclass(frozen=True, slots=True)
class Measured:
    evaluation: Evaluation  # the candidate on the held-out rows (plus golden_test_* metrics)
    champion: str | None
    champion_bundle: Bundle | None
    champion_evaluation: Evaluation | None
    golden: dict[str, dict[str, float]]
    slices: list[Slice]


@dataclass(frozen=True, slots=True)
class RetrainReport:
    dataset_hash: str
    window: str
    rows_by_source: dict[str, int]
    measured: Measured
    run_id: str
    version: str
    decision: GateDecision
    promoted: bool
    card: Path
    stages: dict[str, float]
    seconds: float


class Stages:
    """Times each stage and reports one progress line as it ends."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[list[str]]:
        notes: list[str] = []
        started = time.perf_counter()
        yield notes
        self.seconds[name] = took = time.perf_counter() - started
        if self.progress is not None:
            detail = f": {'; '.join(notes)}" if notes else ""
            self.progress(f"retrain {name}: {took:.1f} s{detail}")


def build_dataset(
    settings: Settings,
    window: Window,
    recipe: WorldRecipe,
    embedder: CachedEmbedder,
    progress: Progress | None = None,
) -> RetrainData:
    """The window's outcomes joined to the served log, then the recipe's worlds; hashed."""
    store = open_store(settings)
    try:
        creators, brands = store.creators(), store.brands()
        outcomes = window_outcomes(store.outcomes(), window)
    finally:
        store.close()
    served = read_served(settings.served_log_path)
    feedback = feedback_rows(creators, brands, outcomes, served, embedder)
    data, rank = feedback.data, feedback.served_rank
    if recipe.worlds:
        synthetic = recipe_training_set(recipe, embedder, progress=progress)
        data = concat([data, synthetic])
        rank = np.concatenate([rank, np.full(len(synthetic), np.nan)])
    home = len(feedback.data)
    return RetrainData(
        data, home, rank, feedback.labelled, feedback.skipped, dataset_hash(data, rank)
    )


def measure(
    settings: Settings,
    candidate: Bundle,
    data: TrainingSet,
    split: BrandSplit,
    embedder: CachedEmbedder,
) -> Measured:
    """Candidate and champion on the held-out rows, and both on the golden test part."""
    from training.graded import golden_test_metrics
    from training.run import evaluate_bundle

    evaluation = evaluate_bundle(candidate, data, split.test)
    champion, champion_bundle, champion_evaluation = champion_on(settings, data, split.test)
    models = {"this version": candidate}
    if champion_bundle is not None:
        models[f"champion v{champion}"] = champion_bundle
    golden = golden_test_metrics(models, embedder)
    if "this version" in golden:
        mine = golden["this version"]
        extra = {f"golden_test_ndcg_at_{k}": mine[f"served_ndcg_at_{k}"] for k in (10, 20)}
        evaluation = replace(evaluation, metrics={**evaluation.metrics, **extra})
    found = held_out_slices(candidate, data, split.test)
    return Measured(evaluation, champion, champion_bundle, champion_evaluation, golden, found)


def _params(
    config: FitConfig, ranker: Ranker, dataset: RetrainData, window: Window, recipe: WorldRecipe
) -> dict[str, Any]:
    return {
        **config.lightgbm_params("binary"),
        "rows": len(dataset.data),
        "best_iteration_advocacy": ranker.advocacy_booster_.best_iteration,
        "calibration_folds": config.calibration_folds,
        "dataset_hash": dataset.hash,
        "window_since": window.since.isoformat() if window.since else "",
        "window_until": window.until.isoformat() if window.until else "",
        "feedback_rows": dataset.feedback_rows,
        "served_rows": int((~np.isnan(dataset.served_rank)).sum()),
        "worlds": recipe.worlds,
        "world_creators": recipe.creators,
        "world_brands": recipe.brands,
        "world_seed": recipe.seed,
    }


def _register(
    settings: Settings,
    bundle_dir: Path,
    params: dict[str, Any],
    measured: Measured,
    data: TrainingSet,
    split: BrandSplit,
) -> tuple[str, str]:
    import pandas as pd

    from training.run import _plots

    example = pd.DataFrame(data.features[split.test[:5]], columns=list(data.feature_names))
    candidate = load_bundle(bundle_dir)
    plots = _plots(candidate, data, split, measured.evaluation, bundle_dir.parent / "plots")
    run_id, version = log_run(
        settings, bundle_dir, params, measured.evaluation, example, True, plots
    )
    assert version is not None  # registered
    install_bundle(settings, bundle_dir, version, run_id)
    return run_id, version


def _decide(measured: Measured, margin: float) -> GateDecision:
    """The gate on the held-out rows: the candidate against the champion on the same rows."""
    champion = measured.champion_evaluation
    score = None if champion is None else champion.metrics[PRIMARY_METRIC]
    return gate(measured.evaluation.metrics[PRIMARY_METRIC], score, margin)


def _facts(
    run_id: str,
    version: str,
    dataset: RetrainData,
    split: BrandSplit,
    measured: Measured,
    window: Window,
    decision: GateDecision,
    promote: bool,
) -> CardFacts:
    data = dataset.data
    synthetic = len(data) - dataset.feedback_rows
    limits = common_limits(data, split.test, measured.champion_bundle, synthetic)
    limits.append(
        "Served outcomes carry the features logged when the shortlist was served (the catalog "
        "as it was then); the others are rebuilt as of their decision time. The served rank is "
        "kept beside each row, not learnt from: position bias is not corrected."
    )
    if dataset.skipped:
        limits.append(
            f"{len(dataset.skipped)} labelled outcomes of the window were left out (creator or "
            f"brand not stored), e.g. {', '.join(dataset.skipped[:3])}."
        )
    verdict = decision.reason if promote else f"{decision.reason} (not asked to promote)"
    return CardFacts(
        version=version,
        run_id=run_id,
        kind="retrain",
        window=f"{window.describe()}; in the data: {window_text(_subset_rows(data, dataset))}",
        rows_by_source=rows_by_source(data, dataset.served_rank),
        evaluated_on=f"the newest {int((~data.sparse_brief[split.test]).sum())} feedback "
        "outcomes (a time split: trained on the earlier ones), full and sparse briefs",
        metrics=measured.evaluation.metrics,
        feature_names=data.feature_names,
        champion=measured.champion,
        champion_metrics=None
        if measured.champion_evaluation is None
        else measured.champion_evaluation.metrics,
        golden=measured.golden,
        slices=measured.slices,
        dataset_hash=dataset.hash,
        gate=verdict,
        limits=limits,
    )


def _subset_rows(data: TrainingSet, dataset: RetrainData) -> TrainingSet:
    from training.run import _subset

    return _subset(data, np.arange(dataset.feedback_rows))


def retrain(
    settings: Settings,
    config: FitConfig,
    window: Window,
    promote: bool,
    margin: float = 0.0,
    recipe: WorldRecipe = PUBLISHED_RECIPE,
    progress: Progress | None = None,
) -> RetrainReport:
    """Dataset → train → evaluate → register → card → gate, one progress line per stage."""
    from training.registry import set_champion
    from training.run import _manifest, open_embedder, recipe_split

    started = time.perf_counter()
    stage = Stages(progress)
    embedder = open_embedder(settings)
    with stage("dataset") as notes:
        dataset = build_dataset(settings, window, recipe, embedder, progress)
        data = dataset.data
        notes.append(f"{dataset.labelled} labelled outcomes in the window")
        notes.append(
            ", ".join(f"{k} {v}" for k, v in rows_by_source(data, dataset.served_rank).items())
            + " rows"
        )
        notes.append(f"dataset hash {dataset.hash}")
    split = recipe_split(data, dataset.feedback_rows, config, split_by_time)
    with stage("train") as notes:
        ranker = fit_ranker(data, split, config)
        notes.append(f"{len(split.train)} training, {len(split.validation)} validation rows")
    with tempfile.TemporaryDirectory() as tmp:
        bundle_dir = Path(tmp) / "bundle"
        manifest = {**_manifest(data, embedder, split, recipe), "dataset_hash": dataset.hash}
        with stage("evaluate") as notes:
            save_bundle(ranker, bundle_dir, manifest)
            measured = measure(settings, load_bundle(bundle_dir), data, split, embedder)
            save_bundle(ranker, bundle_dir, {**manifest, "metrics": measured.evaluation.metrics})
            write_drift_profile(bundle_dir, data, settings)  # for `microtribe drift`
            notes.append(_summary(measured))
        with stage("register") as notes:
            params = _params(config, ranker, dataset, window, recipe)
            run_id, version = _register(settings, bundle_dir, params, measured, data, split)
            notes.append(f"version {version}, run {run_id}")
    decision = _decide(measured, margin)
    with stage("card") as notes:
        facts = _facts(run_id, version, dataset, split, measured, window, decision, promote)
        card = publish(settings, facts, {"gate": decision.reason})
        notes.append(str(card))
    with stage("gate") as notes:
        promoted = promote and decision.promote
        if promoted:
            set_champion(settings, version)
        notes.append(_verdict(decision, promote, version))
    return RetrainReport(
        dataset.hash,
        window.describe(),
        rows_by_source(data, dataset.served_rank),
        measured,
        run_id,
        version,
        decision,
        promoted,
        card,
        stage.seconds,
        time.perf_counter() - started,
    )


def _summary(measured: Measured) -> str:
    mine = measured.evaluation.metrics[PRIMARY_METRIC]
    if measured.champion_evaluation is None:
        return f"{PRIMARY_METRIC} {mine:.4f} (no champion to compare)"
    theirs = measured.champion_evaluation.metrics[PRIMARY_METRIC]
    return (
        f"{PRIMARY_METRIC} {mine:.4f}, champion v{measured.champion} {theirs:.4f} on the same rows"
    )


def _verdict(decision: GateDecision, promote: bool, version: str) -> str:
    if not promote:
        would = "would promote" if decision.promote else "would refuse"
        return f"not asked to promote (--promote); the gate {would}: {decision.reason}"
    if decision.promote:
        return f"version {version} promoted: {decision.reason}"
    return f"version {version} NOT promoted: {decision.reason}"
