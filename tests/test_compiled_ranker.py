"""The compiled trees (models/compiled.py, models/compiled_native.py) equal LightGBM's booster:
margins within 1e-6 and TreeSHAP contributions equal to `pred_contrib`, on NaN features,
rows at split thresholds and categorical splits; the ranker and a saved bundle use them."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from features.schema import FEATURE_NAMES
from models import compiled_native
from models.bundle import load_bundle, save_bundle
from models.compiled import compile_booster, probe_rows
from models.compiled_native import load_kernel, native_trees
from models.prior import Prior
from models.ranker import Ranker

lightgbm = pytest.importorskip("lightgbm")

NAMES = list(FEATURE_NAMES)
TOLERANCE = 1e-6


def _features(rows: int, seed: int) -> np.ndarray:
    """Feature rows with NaNs (a tenth of each column but the size), zeros, and a 0–2
    platform code."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, len(NAMES))).astype(np.float32)
    x[:, NAMES.index("platform")] = rng.integers(0, 3, size=rows)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.05] = 0.0
    x[:, NAMES.index("log_followers")] = rng.uniform(3, 6, size=rows)  # size: always known
    return x


def _train(objective: str, seed: int, **params: Any) -> Any:
    x = _features(3000, seed)
    rng = np.random.default_rng(seed + 1)
    signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 3]) * np.nan_to_num(x[:, 5])
    signal += 2.5 * (np.nan_to_num(x[:, NAMES.index("platform")]) == 2)
    signal += np.isnan(x[:, 1]) * 0.8
    init = None
    if objective == "binary":
        init = Prior().margin(x, NAMES)
        target = (rng.random(len(x)) < 1 / (1 + np.exp(-(signal + init)))).astype(float)
    else:
        target = signal + rng.normal(scale=0.3, size=len(x))
    train = lightgbm.Dataset(
        x, target, feature_name=NAMES, categorical_feature=["platform"], init_score=init
    )
    base = {"objective": objective, "num_leaves": 7, "min_data_in_leaf": 20, "verbose": -1,
            "learning_rate": 0.1, "seed": seed, "deterministic": True,
            "num_threads": 1}  # fmt: skip
    return lightgbm.train({**base, **params}, train, num_boost_round=60)


ADDITIVE = {"interaction_constraints": [[i] for i in range(len(NAMES))]}


@pytest.fixture(scope="module")
def boosters() -> dict[str, Any]:
    return {
        "advocacy_additive": _train("binary", 1, **ADDITIVE),
        "advocacy": _train("binary", 2, num_leaves=15),
        "engagement": _train("huber", 3),
        "zero_as_missing": _train("regression", 4, zero_as_missing=True),
        "no_missing": _train("regression", 5, use_missing=False),
    }


def _test_rows(compiled: Any, seed: int) -> np.ndarray:
    """Random rows, probe rows at every threshold (and the next float either side), and each
    threshold itself (as float32) in its column."""
    rows = [_features(400, seed), probe_rows(compiled, 600, seed=seed)]
    at = _features(len(compiled.feature), seed + 7)
    numeric = ~np.isnan(compiled.threshold) & (np.abs(compiled.threshold) < 1e30)
    index = np.flatnonzero(numeric)
    at[index, compiled.feature[index]] = compiled.threshold[index].astype(np.float32)
    rows.append(at[index])
    return np.concatenate(rows).astype(np.float32)


@pytest.fixture(scope="module")
def kernel() -> Any:
    lib = load_kernel()
    if lib is None:
        pytest.skip("no C compiler: the compiled kernel cannot be built here")
    return lib


@pytest.mark.parametrize(
    "name", ["advocacy_additive", "advocacy", "engagement", "zero_as_missing", "no_missing"]
)
def test_compiled_margins_equal_the_booster(
    boosters: dict[str, Any], kernel: Any, name: str
) -> None:
    booster = boosters[name]
    compiled = compile_booster(booster)
    assert compiled is not None
    native = native_trees(booster, shap=False)
    assert native is not None
    rows = _test_rows(compiled, seed=11)
    assert np.isnan(rows).any() and len(compiled.categorical)  # NaN and categorical splits
    expected = booster.predict(rows, raw_score=True)
    assert np.abs(compiled.predict_raw(rows) - expected).max() < TOLERANCE
    assert np.abs(native.predict_raw(rows) - expected).max() < TOLERANCE


@pytest.mark.parametrize("name", ["advocacy_additive", "advocacy", "engagement"])
def test_compiled_contributions_equal_pred_contrib(
    boosters: dict[str, Any], kernel: Any, name: str
) -> None:
    booster = boosters[name]
    native = native_trees(booster, shap=True)
    assert native is not None and native.has_contributions
    rows = _test_rows(native.trees, seed=12)[::5]
    expected = booster.predict(rows, pred_contrib=True)
    assert np.abs(native.contributions(rows) - expected).max() < TOLERANCE
    assert np.abs(native.trees.contributions(rows) - expected).max() < TOLERANCE
    # they sum to the margin, as TreeSHAP does
    margin = booster.predict(rows, raw_score=True)
    assert np.abs(native.contributions(rows).sum(axis=1) - margin).max() < TOLERANCE


def _ranker(boosters: dict[str, Any], fast: bool = True) -> Ranker:
    grid = np.linspace(0.0, 1.0, 65)
    calibrated = grid**1.2
    return Ranker(
        boosters["advocacy"], boosters["engagement"], grid, calibrated, NAMES, Prior(), fast=fast
    )


def _assert_same(fast: Ranker, reference: Ranker, rows: np.ndarray) -> None:
    for rank_by in ("advocacy", "engagement", "value"):
        got, expected = fast.predict(rows, rank_by), reference.predict(rows, rank_by)
        for field in ("advocacy_fit", "expected_engagement_rate", "score"):
            # equal NaN where a score needs an unknown signal (no rate card: no value)
            np.testing.assert_allclose(
                getattr(got, field), getattr(expected, field), rtol=1e-9, atol=TOLERANCE
            )
    margin = fast.advocacy_margin(rows)
    assert np.abs(margin - reference.advocacy_margin(rows)).max() < TOLERANCE
    contributions = fast.contributions(rows[:20])
    assert np.abs(contributions - reference.contributions(rows[:20])).max() < TOLERANCE
    assert np.abs(contributions.sum(axis=1) - margin[:20]).max() < TOLERANCE


def test_the_ranker_serves_from_the_compiled_trees_and_equals_the_booster(
    boosters: dict[str, Any], kernel: Any
) -> None:
    ranker = _ranker(boosters)
    assert ranker.fast_.advocacy is not None and ranker.fast_.engagement is not None
    reference = ranker.booster_only()
    assert reference.fast_.advocacy is None and reference.fast_.engagement is None
    _assert_same(ranker, reference, _features(500, seed=21))
    # pickled (a Spark UDF, a worker): the compiled twins are rebuilt on arrival
    restored = pickle.loads(pickle.dumps(ranker))
    assert restored.fast_.advocacy is not None
    _assert_same(restored, reference, _features(50, seed=22))


def test_a_bundle_round_trip_serves_from_the_compiled_trees(
    boosters: dict[str, Any], kernel: Any, tmp_path: Path
) -> None:
    ranker = _ranker(boosters, fast=False)
    save_bundle(ranker, tmp_path / "bundle", {"embedder": "test", "dimension": 4})
    loaded = load_bundle(tmp_path / "bundle").ranker
    assert loaded.fast_.advocacy is not None and loaded.fast_.engagement is not None
    _assert_same(loaded, ranker, _features(300, seed=23))


def test_without_a_kernel_the_boosters_serve(
    boosters: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compiled_native, "load_kernel", lambda: None)
    ranker = _ranker(boosters)
    assert ranker.fast_.advocacy is None and ranker.fast_.engagement is None
    rows = _features(100, seed=24)
    expected = boosters["advocacy"].predict(rows, raw_score=True) + Prior().margin(rows, NAMES)
    assert np.abs(ranker.advocacy_margin(rows) - expected).max() < TOLERANCE


def test_a_model_the_trees_do_not_cover_keeps_its_booster(kernel: Any) -> None:
    x = _features(600, seed=31)
    target = np.random.default_rng(32).integers(0, 3, size=len(x))
    params = {"objective": "multiclass", "num_class": 3, "verbose": -1, "num_leaves": 4}
    multiclass = lightgbm.train(params, lightgbm.Dataset(x, target), num_boost_round=3)
    assert compile_booster(multiclass) is None
    assert native_trees(multiclass, shap=True) is None
    # an engagement model whose predict is not its margin (a log link) keeps its booster
    poisson = lightgbm.train(
        {"objective": "poisson", "verbose": -1, "num_leaves": 4},
        lightgbm.Dataset(x, np.abs(np.nan_to_num(x[:, 0]))),
        num_boost_round=3,
    )
    assert native_trees(poisson, shap=False) is not None
    assert native_trees(poisson, shap=False, output_margin=True) is None


def test_a_ranker_without_boosters_needs_no_kernel() -> None:
    grid = np.linspace(0.0, 1.0, 9)
    ranker = Ranker(None, None, grid, grid, NAMES, Prior())
    rows = _features(10, seed=41)
    assert np.abs(ranker.advocacy_margin(rows) - Prior().margin(rows, NAMES)).max() == 0.0
    assert ranker.contributions(rows).shape == (10, len(NAMES) + 1)


def test_the_kernel_builds_into_an_empty_cache_and_a_missing_compiler_is_an_error(
    kernel: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = tmp_path / "cache" / "kernel.so"
    assert compiled_native._load(library).mt_predict is not None and library.exists()
    monkeypatch.setenv("CC", str(tmp_path / "no-such-compiler"))
    with pytest.raises(OSError):
        compiled_native._load(tmp_path / "other" / "kernel.so")


def test_without_shap_tables_the_reasons_come_from_pred_contrib(
    boosters: dict[str, Any], kernel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models import compiled

    monkeypatch.setattr(compiled, "MAX_TABLE_TERMS", 0)  # tables too big to keep
    ranker = _ranker(boosters)
    assert ranker.fast_.advocacy is not None and not ranker.fast_.advocacy.has_contributions
    _assert_same(ranker, ranker.booster_only(), _features(60, seed=51))


def test_a_bundle_loaded_natively_serves_from_the_compiled_trees(
    boosters: dict[str, Any], kernel: Any, tmp_path: Path
) -> None:
    ranker = _ranker(boosters, fast=False)
    save_bundle(ranker, tmp_path / "bundle", {"embedder": "test", "dimension": 4})
    loaded = load_bundle(tmp_path / "bundle", native=True).ranker  # NativeBooster.dump_model
    assert loaded.fast_.advocacy is not None and loaded.fast_.engagement is not None
    _assert_same(loaded, ranker, _features(200, seed=61))
