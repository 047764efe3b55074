"""`build --engine spark` on local[2]: the local engine's catalog, file for file."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matching.build import build_catalog
from matching.catalog import current_version, load_catalog
from matching.store import CatalogStore
from microtribe.settings import Settings
from training.run import open_embedder
from training.world import generate_world

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="the Spark engine needs Java 17 (apt install openjdk-17-jre-headless)",
    ),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from matching.spark_engine import spark_session

    session = spark_session("local[2]", "microtribe-test-build")
    yield session
    session.stop()


def _home(path: Path, world: Any) -> tuple[Settings, CatalogStore]:
    path.mkdir(parents=True)
    settings = dataclasses.replace(Settings.from_env(path), embedder="hashing-256")
    store = CatalogStore(settings.store_path)
    store.upsert_brands(world.brands)
    store.upsert_creators(world.creators)
    return settings, store


def _version(settings: Settings) -> Path:
    return settings.catalog_dir / (current_version(settings.catalog_dir) or "")


def test_spark_build_equals_the_local_build(tmp_path: Path, spark: Any) -> None:
    from matching.spark_build import build_catalog_on_spark

    world = generate_world(150, 10, seed=3)
    local, local_store = _home(tmp_path / "local", world)
    on_spark, spark_store = _home(tmp_path / "spark", world)
    build_catalog(local_store, open_embedder(local), local.catalog_dir, progress=False,
                  chunk_size=40)  # fmt: skip
    report = build_catalog_on_spark(
        spark_store, open_embedder(on_spark), on_spark, spark=spark, progress=False,
        chunk_size=23,
    )  # fmt: skip
    assert (report.engine, report.creators, report.creators_featured) == ("spark", 150, 150)
    assert report.texts_embedded > 0  # the executors filled the home's embedding cache
    a, b = _version(local), _version(on_spark)
    names = sorted(p.name for p in a.glob("*.npy"))
    assert names == sorted(p.name for p in b.glob("*.npy")) and "vectors.npy" in names
    for name in names:
        x, y = np.load(a / name), np.load(b / name)
        assert x.dtype == y.dtype and np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    assert (a / "index.faiss").read_bytes() == (b / "index.faiss").read_bytes()
    ma, mb = (json.loads((v / "manifest.json").read_text()) for v in (a, b))
    assert ma["dictionaries"] == mb["dictionaries"] and mb["engine"] == "spark"
    assert not list(on_spark.catalog_dir.glob(".parts-*"))

    # incremental on Spark: one changed creator is featured, the rest reused
    changed = dict(world.creators[5], bio="Nuova vita: ceramica e tornio")
    spark_store.upsert_creators([changed])
    again = build_catalog_on_spark(
        spark_store, open_embedder(on_spark), on_spark, spark=spark, progress=False
    )
    assert (again.creators_reused, again.creators_featured) == (149, 1)
    catalog = load_catalog(on_spark.catalog_dir)
    row = int(np.flatnonzero(catalog.creators.creator_id == changed["creator_id"])[0])
    before = load_catalog(local.catalog_dir)
    assert not np.array_equal(catalog.vectors[row], before.vectors[row])
