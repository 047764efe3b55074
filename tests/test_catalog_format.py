"""The mapped catalog format and the streaming build: chunked = one pass, mapped = loaded,
old formats refused with advice, an interrupted or repeated build leaves nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching.build import build_catalog
from matching.catalog import CatalogFormatOld, current_version, load_catalog
from matching.filters import MatchFilters
from matching.index import IndexConfig
from matching.pipeline import BriefCache, MatchPipeline
from matching.store import CatalogStore
from models.bundle import load_bundle
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from training.world import generate_world


@pytest.fixture(scope="module")
def world_store(tmp_path_factory: pytest.TempPathFactory) -> CatalogStore:
    world = generate_world(240, 12, seed=5)
    store = CatalogStore(tmp_path_factory.mktemp("world") / "catalog.db")
    store.upsert_brands(world.brands)
    store.upsert_creators(world.creators)
    return store


def _build(store: CatalogStore, folder: Path, chunk_size: int, **kwargs: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    embedder = CachedEmbedder(HashingEmbedder(), folder / "embeddings.db")  # a fresh cache
    build_catalog(
        store, embedder, folder / "catalog", progress=False, chunk_size=chunk_size, **kwargs
    )  # type: ignore[arg-type]
    return folder / "catalog"


def _files(catalog_dir: Path) -> dict[str, np.ndarray]:
    version = catalog_dir / (current_version(catalog_dir) or "")
    return {path.name: np.load(path) for path in sorted(version.glob("*.npy"))}


def _manifest(catalog_dir: Path) -> dict:
    version = catalog_dir / (current_version(catalog_dir) or "")
    return json.loads((version / "manifest.json").read_text())


@pytest.mark.parametrize("factory", ["Flat", "IVF{nlist},Flat"])
def test_chunked_build_equals_one_pass(
    world_store: CatalogStore, tmp_path: Path, factory: str
) -> None:
    config = IndexConfig(exact_below=0 if "IVF" in factory else 10**9, factory=factory)
    one = _build(world_store, tmp_path / "one", chunk_size=10_000, index_config=config)
    chunked = _build(world_store, tmp_path / "chunked", chunk_size=17, index_config=config)
    a, b = _files(one), _files(chunked)
    assert sorted(a) == sorted(b) and "vectors.npy" in a and "f.reply_rate.npy" in a
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert np.array_equal(a[name], b[name], equal_nan=a[name].dtype.kind == "f"), name
    ma, mb = _manifest(one), _manifest(chunked)
    assert ma["dictionaries"] == mb["dictionaries"]
    assert ma["reference_time"] == mb["reference_time"] > 0
    index_a = (one / ma["version"] / "index.faiss").read_bytes()
    assert index_a == (chunked / mb["version"] / "index.faiss").read_bytes()
    catalog = load_catalog(one)
    assert len(catalog) == 240 and list(catalog.creators.creator_id) == sorted(
        catalog.creators.creator_id
    )
    assert sum(len(rows) for rows, _ in catalog.mentions.postings.values()) > 0


def test_incremental_chunked_build_equals_a_full_one(
    world_store: CatalogStore, tmp_path: Path
) -> None:
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_brands(world_store.brands())
    docs = world_store.creators()
    store.upsert_creators(docs[:200])
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "embeddings.db")
    catalog_dir = tmp_path / "catalog"
    build_catalog(store, embedder, catalog_dir, progress=False, chunk_size=31)
    changed = dict(docs[3], bio="Tutt'altro: pesca sportiva e barche a vela")
    store.upsert_creators([changed, *docs[200:]])
    report = build_catalog(store, embedder, catalog_dir, progress=False, chunk_size=13)
    assert (report.creators_reused, report.creators_featured) == (199, 41)
    full = _build(store, tmp_path / "full", chunk_size=10_000)
    a, b = _files(catalog_dir), _files(full)
    for name in a:
        assert np.array_equal(a[name], b[name], equal_nan=a[name].dtype.kind == "f"), name
    assert not list(catalog_dir.glob(".parts-*")) and not list(catalog_dir.glob(".building-*"))


def test_mapped_catalog_answers_bit_identically_to_the_loaded_one(trained_home: Path) -> None:
    mapped = load_catalog(trained_home / "catalog")
    loaded = load_catalog(trained_home / "catalog", mapped=False)
    assert isinstance(mapped.features["reply_rate"].base, np.memmap)
    assert not isinstance(loaded.features["reply_rate"].base, np.memmap)
    champion = (trained_home / "models" / "CHAMPION").read_text().strip()
    bundle = load_bundle(trained_home / "models" / champion)
    briefs = BriefCache(HashingEmbedder())  # the same brief vectors for both
    store = CatalogStore(trained_home / "catalog.db")
    brands = store.brands()[:4]
    store.close()
    runs = [MatchPipeline(c, bundle, BriefCache(briefs.embedder)) for c in (mapped, loaded)]
    # briefs embedded by the catalog's own embedder would need the model; any vector of the
    # right size exercises retrieval, features, ranking and reasons on both catalogs
    query = np.asarray(mapped.vectors[7], dtype=np.float32)
    topics = np.asarray(mapped.vectors[:55], dtype=np.float32)  # stand-ins of the right size
    for run in runs:
        run.briefs._vectors.update({_brief_text(b): query for b in brands})
        run.briefs._topics = topics
    filters = [MatchFilters(), MatchFilters(countries=("IT",), min_followers=5_000)]
    for brand in brands:
        for chosen in filters:
            a, b = (run.run(brand, k=20, filters=chosen) for run in runs)
            assert np.array_equal(a.rows, b.rows)
            assert np.array_equal(a.ranked.score, b.ranked.score)
            assert np.array_equal(a.features, b.features, equal_nan=True)
            assert a.reasons == b.reasons


def _brief_text(brand: dict) -> str:
    from features.brand_profile import brand_profile

    return brand_profile(brand).text


def test_a_catalog_of_an_older_format_is_refused_with_advice(
    world_store: CatalogStore, tmp_path: Path
) -> None:
    catalog_dir = _build(world_store, tmp_path, chunk_size=100)
    version = current_version(catalog_dir) or ""
    manifest_path = catalog_dir / version / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 2
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CatalogFormatOld, match=r"format 2.*microtribe build --full"):
        load_catalog(catalog_dir)
    # the next build cannot reuse it: it rebuilds everything, and the result loads
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "embeddings.db")
    report = build_catalog(world_store, embedder, catalog_dir, progress=False)
    assert report.creators_reused == 0 and report.creators_featured == 240
    assert len(load_catalog(catalog_dir)) == 240


def test_a_failed_build_leaves_no_scratch_and_the_old_version_serving(
    world_store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_dir = _build(world_store, tmp_path, chunk_size=100)
    before = current_version(catalog_dir)
    import matching.build as build_module

    calls = {"n": 0}
    real = build_module.featurize_chunk

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "featurize_chunk", failing)
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "embeddings.db")
    with pytest.raises(RuntimeError, match="disk full"):
        build_catalog(world_store, embedder, catalog_dir, progress=False, full=True,
                      chunk_size=50)  # fmt: skip
    assert current_version(catalog_dir) == before
    assert [p.name for p in catalog_dir.iterdir() if p.name.startswith(".")] == []
    assert len(load_catalog(catalog_dir)) == 240


def test_the_store_numbers_changes_and_a_catalog_finds_its_hashes(
    world_store: CatalogStore, tmp_path: Path
) -> None:
    from matching.service import built_hashes

    store = CatalogStore(tmp_path / "catalog.db")
    docs = world_store.creators()[:50]
    store.upsert_creators(docs)
    hashes, seq = store.creator_hashes_and_seq()
    assert seq == 50 and len(hashes) == 50
    embedder = CachedEmbedder(HashingEmbedder(), None)
    build_catalog(store, embedder, tmp_path / "catalog", progress=False, chunk_size=20)
    catalog = load_catalog(tmp_path / "catalog")
    assert catalog.manifest["store_seq"] == 50
    changed = dict(docs[7], bio="Un'altra storia")
    store.upsert_creators([changed])
    store.delete_creator(docs[9]["creator_id"])
    touched, last = store.creators_changed_since(catalog.manifest["store_seq"])
    assert last == 52
    assert touched == {
        docs[7]["creator_id"]: store.creator_hashes()[docs[7]["creator_id"]],
        docs[9]["creator_id"]: None,
    }
    ids = np.array([docs[7]["creator_id"], docs[9]["creator_id"], "ig:nobody"], dtype=str)
    found = built_hashes(catalog, ids)
    assert found[0] == hashes[docs[7]["creator_id"]] and found[1] == hashes[docs[9]["creator_id"]]
    assert found[2] == ""
    assert store.creators_changed_since(last)[0] == {}
