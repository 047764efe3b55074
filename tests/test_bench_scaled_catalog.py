"""bench/scaled_catalog.py: a catalog grown at the catalog level serves like a built one.

Grows the 800-creator test home to 2,000 rows (with an IVF index, as 1M gets) and checks that
`MatchService` loads it as a normal version with nothing to catch up, that a match answers
from base rows and replicas alike, and that each replica's features are what the project's
own feature code gives for its source creator with followers × s and engagement × t.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from bench.scaled_catalog import (
    FROM_REAL,
    STRESS,
    base_neighbours,
    grow,
    layout,
    replica_features,
)
from features.creator_features import CREATOR_FEATURES, creator_features
from features.creator_table import creator_columns, post_columns
from features.tiers import PLATFORMS
from matching.catalog import FORMAT_VERSION, load_catalog
from matching.creator_snapshot import known_brand_keys
from matching.index import IndexConfig
from matching.service import MatchService
from matching.store import CatalogStore
from microtribe.contract import ID_PATTERN
from microtribe.settings import Settings

GROWN = 2_000


@pytest.fixture(scope="module")
def grown(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("grown") / "home"
    record = grow(trained_home, out, GROWN, config=IndexConfig(exact_below=1_000), progress=False)
    return out, record


def test_grown_catalog_loads_and_matches(trained_home: Path, grown: tuple[Path, dict]) -> None:
    home, record = grown
    assert json.loads((home / "scaled_catalog.json").read_text()) == record
    catalog = load_catalog(Settings.from_env(home).catalog_dir)
    base = load_catalog(Settings.from_env(trained_home).catalog_dir)
    assert len(catalog) == GROWN and catalog.manifest["creators"] == GROWN
    assert catalog.manifest["format_version"] == FORMAT_VERSION
    assert catalog.manifest["index_factory"].startswith("IVF") and catalog.index.ntotal == GROWN
    for key in ("embedder", "feature_names", "reference_time", "features_fingerprint"):
        assert catalog.manifest[key] == base.manifest[key], key
    ids = catalog.creators.creator_id.tolist()
    assert ids == sorted(ids) and len(set(ids)) == GROWN
    assert set(base.creators.creator_id.tolist()) <= set(ids)
    replicas = [cid for cid in ids if cid not in set(base.creators.creator_id.tolist())]
    assert all(re.match(ID_PATTERN, cid) for cid in replicas)
    norms = np.linalg.norm(np.asarray(catalog.vectors), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)
    assert 0.8 < record["mean_cos_replica_to_source"] < 0.95

    service = MatchService(Settings.from_env(home))
    try:
        service.start()
        pipe = service.ready()
        assert len(pipe.catalog) == GROWN and pipe.catalog.live.all()  # nothing to catch up
        brand = service.store.brands()[0]
        result = pipe.run(brand, 50, with_reasons=True)
        found = [ids[r] for r in result.rows.tolist()]
        assert len(found) == 50 and len(result.reasons) == 50
        assert any(cid in replicas for cid in found)
        stored = service.store.creator(replicas[0])
        assert stored is not None and "posts" not in stored
        row = ids.index(replicas[0])
        assert stored["followers"] == catalog.creators.followers[row]
    finally:
        service.close()


def test_replica_features_follow_the_feature_code(trained_home: Path) -> None:
    """Each replica row = the features of its source creator scaled as the docstring says
    (the from-real recipe: followers over tiers, some platforms from a neighbour)."""
    settings = Settings.from_env(trained_home)
    base = load_catalog(settings.catalog_dir)
    neighbours, _ = base_neighbours(base, FROM_REAL.neighbours)
    rows = layout(base, GROWN, np.random.default_rng(5), neighbours, 10, FROM_REAL)
    assert (rows.platform_from != rows.source).any()
    followers = np.where(
        rows.replica > 0,
        np.maximum(np.round(base.creators.followers[rows.source] * rows.followers_factor), 1.0),
        base.creators.followers[rows.source],
    )
    features = replica_features(base, rows, followers)
    store = CatalogStore(settings.store_path)
    try:
        brand_keys = known_brand_keys(store.brands())
        for i in np.flatnonzero(rows.replica > 0)[:25].tolist():
            doc = store.creator(base.creators.creator_id[rows.source[i]])
            assert doc is not None
            t = float(rows.engagement_factor[i])
            doc["followers"] = float(followers[i])
            doc["platform"] = PLATFORMS[int(base.creators.platform[rows.platform_from[i]])]
            for post in doc.get("posts") or []:
                post["likes"] *= t
                post["comments"] *= t
                if post.get("creator_replies") is not None:
                    post["creator_replies"] *= t
            expected = creator_features(
                creator_columns([doc]),
                post_columns([doc], brand_keys),
                np.array([0]),
                np.array([math.inf]),
                reference_time=base.manifest["reference_time"],
            )
            for name in CREATOR_FEATURES:
                assert np.allclose(
                    features[name][i], expected[name][0], rtol=1e-9, equal_nan=True
                ), (name, i)
    finally:
        store.close()


def test_a_source_gets_at_most_max_replicas(trained_home: Path) -> None:
    base = load_catalog(Settings.from_env(trained_home).catalog_dir)
    rng = np.random.default_rng(0)
    assert len(layout(base, len(base) * 3, rng, max_replicas=2).creator_id) == len(base) * 3
    with pytest.raises(ValueError, match="max-replicas 2"):
        layout(base, len(base) * 3 + 1, rng, max_replicas=2)


def test_from_real_replicas_vary_and_do_not_cluster_around_their_source(
    trained_home: Path, grown: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The from-real recipe: replicas as near their source as real rows are to each other,
    fewer of a replica's nearest rows its siblings than under the stress recipe, markets
    and platforms varied, and the store's documents say what the catalog rows say."""
    out = tmp_path_factory.mktemp("real") / "home"
    record = grow(trained_home, out, GROWN, recipe=FROM_REAL, max_replicas=10,
                  config=IndexConfig(exact_below=1_000), progress=False)  # fmt: skip
    stress = grown[1]
    assert stress["recipe_name"] == "stress" and record["recipe_name"] == "from-real"
    check, stress_check = record["neighbour_check"], stress["neighbour_check"]
    assert check["sibling_share_of_top_k"] < stress_check["sibling_share_of_top_k"]
    assert abs(record["mean_cos_replica_to_source"] - record["base_nearest_cos"]) < 0.1
    catalog = load_catalog(Settings.from_env(out).catalog_dir)
    assert catalog.manifest["grown"]["recipe_parameters"]["noise"] == FROM_REAL.noise
    base = load_catalog(Settings.from_env(trained_home).catalog_dir)
    base_ids = set(base.creators.creator_id.tolist())
    ids = catalog.creators.creator_id.tolist()
    replicas = np.array([cid not in base_ids for cid in ids])
    by_id = {c.replace("~", "-"): row for row, c in enumerate(base.creators.creator_id.tolist())}
    source = np.array([by_id[cid.rsplit("-m", 1)[0]] if rep else by_id[cid.replace("~", "-")]
                       for cid, rep in zip(ids, replicas, strict=True)])  # fmt: skip
    moved = catalog.creators.country[replicas] != base.creators.country[source[replicas]]
    assert 0 < moved.mean() < 0.5
    assert (catalog.creators.platform[replicas] != base.creators.platform[source[replicas]]).any()
    store = CatalogStore(Settings.from_env(out).store_path)
    try:
        for row in np.flatnonzero(replicas)[:40].tolist():
            doc = store.creator(ids[row])
            assert doc is not None
            assert doc["country"] == catalog.creators.country[row]
            assert doc["language"] == catalog.creators.language[row]
            assert doc["platform"] == PLATFORMS[int(catalog.creators.platform[row])]
            assert doc["followers"] == catalog.creators.followers[row]
    finally:
        store.close()
    assert STRESS.neighbours == 0


def test_report_shows_a_grown_home_and_serving_scaling(tmp_path: Path) -> None:
    """BENCHMARKS.md says how a serving home was made and how serving grows with the size."""
    from bench import report

    home = tmp_path / "h1m"
    home.mkdir()
    (home / "scaled_catalog.json").write_text(json.dumps({"base_creators": 100_000}))
    results = tmp_path / "results"
    results.mkdir()
    lines = []
    for creators, p50 in ((10_000, 11.0), (1_000_000, 15.5)):
        for measure in ("in_process", "cached_load", "uncached_load"):
            lines.append({"bench": "serve_load", "measure": measure, "run": f"r{creators}",
                          "creators": creators, "home": str(home), "rate_target": 50.0,
                          "match_concurrency": 1,
                          "latency_ms": {"p50": p50, "p99": 2 * p50},
                          "pipeline_run_ms": {"p50": p50 / 2}, "errors": 0})  # fmt: skip
    (results / "serve.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    out = tmp_path / "BENCHMARKS.md"
    report.main(["--results", str(results), "--out", str(out)])
    text = out.read_text()
    assert "h1m: catalog rows grown from 100,000" in text
    serving = "serving /v1/match (on the event loop when alone)"
    assert f"| {serving} cached p50 ms | 11 | 15.5 |" in text
    assert f"| {serving} uncached p99 ms | 22 | 31 |" in text
