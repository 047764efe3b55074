"""Bundle round trip, MLflow pyfunc parity, and the promotion gate (real stack, small world)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from microtribe.settings import Settings
from models.bundle import BundleError, load_bundle, save_bundle
from training.fit import FitConfig, fit_ranker, split_by_brand
from training.registry import champion_version, gate, install_bundle, log_run
from training.run import evaluate_bundle, open_embedder, promote_version, training_data

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def settings(trained_home: Path) -> Settings:
    os.environ["MICROTRIBE_HOME"] = str(trained_home)
    return Settings.from_env(trained_home)


@pytest.fixture(scope="module")
def data(settings: Settings):  # type: ignore[no-untyped-def]
    return training_data(settings, open_embedder(settings))


def test_bundle_round_trip_gives_identical_scores(settings: Settings, data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle = load_bundle(settings.models_dir / str(champion_version(settings)))
    save_bundle(bundle.ranker, tmp_path / "copy", bundle.manifest)
    again = load_bundle(tmp_path / "copy")
    a, b = bundle.ranker.predict(data.features), again.ranker.predict(data.features)
    np.testing.assert_array_equal(a.score, b.score)
    np.testing.assert_array_equal(a.advocacy_fit, b.advocacy_fit)
    np.testing.assert_array_equal(a.expected_engagement_rate, b.expected_engagement_rate)


def test_pyfunc_predict_equals_in_process_predict(settings: Settings, data) -> None:  # type: ignore[no-untyped-def]
    import mlflow

    mlflow.set_tracking_uri(settings.tracking_uri)
    model = mlflow.pyfunc.load_model("models:/microtribe-ranker@champion")
    frame = pd.DataFrame(data.features[:300], columns=list(data.feature_names))
    served = model.predict(frame)
    local = load_bundle(settings.models_dir / str(champion_version(settings))).ranker.predict(
        data.features[:300]
    )
    np.testing.assert_allclose(served["score"].to_numpy(), local.score, rtol=0, atol=1e-12)
    np.testing.assert_allclose(served["advocacy_fit"].to_numpy(), local.advocacy_fit, atol=1e-12)


def test_gate_refuses_a_worse_model(settings: Settings, data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    champion = champion_version(settings)
    config = FitConfig(max_rounds=2, num_leaves=2, learning_rate=0.01)
    split = split_by_brand(data, FitConfig())
    weak = fit_ranker(data, split, config)
    manifest = dict(load_bundle(settings.models_dir / str(champion)).manifest)
    save_bundle(weak, tmp_path / "weak", manifest)
    evaluation = evaluate_bundle(load_bundle(tmp_path / "weak"), data, split.test)
    example = pd.DataFrame(data.features[:3], columns=list(data.feature_names))
    run_id, version = log_run(
        settings, tmp_path / "weak", {"weak": True}, evaluation, example, register=True
    )
    assert version is not None
    install_bundle(settings, tmp_path / "weak", version, run_id)
    decision = promote_version(settings, version, FitConfig(), margin=0.0)
    assert not decision.promote
    assert decision.champion is not None and decision.candidate < decision.champion
    assert "<" in decision.reason
    assert champion_version(settings) == champion


def test_gate_rules() -> None:
    assert gate(0.5, None, 0.01).promote
    assert gate(0.52, 0.5, 0.01).promote
    assert not gate(0.505, 0.5, 0.01).promote


def test_incompatible_catalog_is_refused(settings: Settings) -> None:
    bundle = load_bundle(settings.models_dir / str(champion_version(settings)))
    names = list(bundle.ranker.feature_names_in_)
    bundle.check_compatible(bundle.manifest["embedder"], int(bundle.manifest["dimension"]), names)
    with pytest.raises(BundleError, match="dimension"):
        bundle.check_compatible(bundle.manifest["embedder"], 384, names)
    with pytest.raises(BundleError, match="feature names"):
        bundle.check_compatible(bundle.manifest["embedder"], 512, names[:-1])


def test_the_prior_is_registered_and_served_first_only_when_there_is_no_champion(
    trained_home: Path, tmp_path: Path
) -> None:
    import shutil

    import mlflow

    from training.run import register_prior

    fresh = tmp_path / "fresh"  # the trained home's store and embeddings, no model yet
    fresh.mkdir()
    for name in ("catalog.db", "embeddings.db"):
        shutil.copy(trained_home / name, fresh / name)
    # its own MLflow store: the session's trained home keeps its registry and aliases
    settings = replace(Settings.from_env(fresh), tracking_uri=f"sqlite:///{fresh / 'mlflow.db'}")
    settings.ensure_home()
    before = mlflow.get_tracking_uri()
    try:
        first = register_prior(settings, FitConfig())
        assert first.version is not None and champion_version(settings) == first.version
        served = load_bundle(settings.models_dir / first.version)
        assert served.manifest["model"] == "prior"
        assert served.ranker.advocacy_booster_ is None and served.ranker.prior_ is not None
        # measured on the held-out brands `train` holds out, like any candidate
        assert 0.0 < first.evaluation.metrics["model_ndcg_at_20"] <= 1.0
        second = register_prior(settings, FitConfig())
        assert second.version != first.version
        assert champion_version(settings) == first.version  # a champion is never replaced by it
        assert second.decision is None
    finally:
        mlflow.set_tracking_uri(before)
