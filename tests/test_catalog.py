"""Catalog build, versions, crash safety, incremental embedding and filtered retrieval."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching import catalog as catalog_module
from matching.build import build_catalog
from matching.catalog import current_version, load_catalog
from matching.filters import MatchFilters, eligible_mask
from matching.index import IndexConfig, build_index, exact_search, search
from matching.store import CatalogStore
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.factories import make_creator, make_post

TOPICS = [
    "moda vintage second hand",
    "ricette vegane facili",
    "trekking in montagna",
    "videogiochi retro",
    "skincare naturale",
]


def _creators(n: int) -> list[dict]:
    docs = []
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        docs.append(
            make_creator(
                f"ig:c{i:03d}",
                followers=1_000 + 997 * i,
                platform=("instagram", "tiktok", "youtube")[i % 3],
                country=("IT", "GB", "ES")[i % 3 if i % 4 else 0],
                language=("it", "en", "es")[i % 3 if i % 4 else 0],
                bio=f"Parlo di {topic}",
                audience={"authentic_share": 0.5 + (i % 5) / 10},
                posts=[
                    make_post(
                        f"p{j}", f"2026-10-{j + 1:02d}T10:00:00Z", f"{topic} giorno {j}", 50 + i, 3
                    )
                    for j in range(4)
                ],
            )
        )
    return docs


@pytest.fixture
def built(tmp_path: Path) -> tuple[CatalogStore, CachedEmbedder, Path]:
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_creators(_creators(60))
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "embeddings.db")
    build_catalog(store, embedder, tmp_path / "catalog", progress=False)
    return store, embedder, tmp_path / "catalog"


def test_filters_return_exactly_the_eligible_set(built: tuple) -> None:
    _, _, catalog_dir = built
    catalog = load_catalog(catalog_dir)
    filters = MatchFilters(
        platforms=("tiktok",),
        countries=("GB",),
        min_authenticity=0.7,
        exclude_creator_ids=("ig:c001",),
        tiers=("nano", "micro"),
    )
    mask = eligible_mask(catalog, filters)
    expected = {
        i
        for i in range(60)
        if i % 3 == 1
        and i % 4
        and 0.5 + (i % 5) / 10 >= 0.7
        and i != 1
        and 1_000 <= 1_000 + 997 * i < 100_000
    }
    assert set(np.flatnonzero(mask)) == expected
    query = np.asarray(catalog.vectors[0])
    for vectors in (None, catalog.vectors):  # FAISS ID selector, then exact subset scan
        rows, _ = search(catalog.index, query, 500, mask, vectors)
        assert set(rows.tolist()) == expected
        rows, _ = search(catalog.index, query, 3, mask, vectors)
        assert len(rows) == 3 and set(rows.tolist()) <= expected


@pytest.mark.parametrize("factory", ["HNSW32", "HNSW32_SQ8", "IVF{nlist},Flat", "IVF{nlist},SQ8"])
def test_approximate_index_with_filter_still_returns_k(tmp_path: Path, factory: str) -> None:
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_creators(_creators(60))
    embedder = CachedEmbedder(HashingEmbedder(), None)
    config = IndexConfig(exact_below=10, factory=factory, exact_filter_below=0)
    build_catalog(store, embedder, tmp_path / "catalog", progress=False, index_config=config)
    catalog = load_catalog(tmp_path / "catalog")
    assert catalog.manifest["index_factory"] == config.factory_for(60) != "Flat"
    mask = eligible_mask(catalog, MatchFilters(platforms=("youtube",)))
    query = np.asarray(catalog.vectors[7])
    rows, scores = search(catalog.index, query, 15, mask, catalog.vectors, config)
    assert len(rows) == 15 and mask[rows].all()
    exact_rows, _ = exact_search(np.asarray(catalog.vectors), query, 15, np.flatnonzero(mask))
    assert len(set(rows.tolist()) & set(exact_rows.tolist())) >= 14
    assert (np.diff(scores) <= 1e-6).all()


def test_unknown_filter_values_name_the_choices() -> None:
    with pytest.raises(ValueError, match="expected \\['instagram', 'tiktok', 'youtube'\\]"):
        MatchFilters(platforms=("myspace",))


def test_rebuild_embeds_only_changed_text(built: tuple) -> None:
    store, embedder, catalog_dir = built
    first = current_version(catalog_dir)
    docs = _creators(60)
    docs[5]["posts"][0]["caption"] = "un tema del tutto nuovo"
    store.upsert_creators(docs[5:6])
    report = build_catalog(store, embedder, catalog_dir, progress=False)
    assert report.texts_embedded == 1
    assert current_version(catalog_dir) == report.version != first


def _same_catalog(a_dir: Path, b_dir: Path) -> None:
    a, b = load_catalog(a_dir), load_catalog(b_dir)
    assert a.creators.creator_id.tolist() == b.creators.creator_id.tolist()
    assert a.content_hash.tolist() == b.content_hash.tolist()
    assert set(a.features) == set(b.features)
    for name in a.features:
        np.testing.assert_allclose(a.features[name], b.features[name], rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(np.asarray(a.vectors), np.asarray(b.vectors), atol=1e-6)
    assert a.manifest["reference_time"] == b.manifest["reference_time"]
    for key in ("nike", "brand"):
        assert a.mentions.counts([key]).sum() > 0
        np.testing.assert_array_equal(a.mentions.counts([key]), b.mentions.counts([key]))


def test_incremental_build_reuses_unchanged_creators_and_equals_a_full_build(
    built: tuple, tmp_path: Path
) -> None:
    store, embedder, catalog_dir = built
    docs = _creators(60)
    docs[5]["posts"][0]["caption"] = "un tema del tutto nuovo, grazie @brand #nike"
    docs[9]["followers"] = 99_000
    # a newer post than any other moves the reference time: every row's freshness changes
    docs[12]["posts"].append(make_post("late", "2026-11-20T10:00:00Z", "nuovo video", 80, 4))
    added = make_creator("ig:zz-new", bio="Parlo di skincare naturale", posts=[
        make_post("n1", "2026-10-03T10:00:00Z", "skincare #nike", 40, 2)])  # fmt: skip
    store.upsert_creators([docs[5], docs[9], docs[12], added])
    assert store.delete_creator("ig:c020")
    report = build_catalog(store, embedder, catalog_dir, progress=False)
    assert (report.creators, report.creators_featured, report.creators_reused) == (60, 4, 56)
    full_dir = tmp_path / "full"
    full = build_catalog(store, embedder, full_dir, progress=False, full=True)
    assert (full.creators_featured, full.creators_reused) == (60, 0)
    _same_catalog(catalog_dir, full_dir)
    fresh = load_catalog(catalog_dir)
    row = fresh.creators.creator_id.tolist().index("ig:c000")
    # newest post 2026-10-04, newest in the catalog 2026-11-20: 47 days
    assert fresh.features["days_since_last_post"][row] == pytest.approx(47.0)


def test_loaded_vectors_share_the_index_storage(built: tuple) -> None:
    _, _, catalog_dir = built
    catalog = load_catalog(catalog_dir)
    on_disk = np.load(catalog_dir / catalog.version / "vectors.npy")
    assert not isinstance(catalog.vectors, np.memmap)  # no second copy of the vectors
    np.testing.assert_array_equal(np.asarray(catalog.vectors), on_disk)


def test_another_embedder_forces_a_full_build(built: tuple, tmp_path: Path) -> None:
    store, _, catalog_dir = built

    class OtherModel(HashingEmbedder):
        model_id = "hashing-other"

    other = CachedEmbedder(OtherModel(), tmp_path / "other.db")
    report = build_catalog(store, other, catalog_dir, progress=False)
    assert (report.creators_featured, report.creators_reused) == (60, 0)
    assert load_catalog(catalog_dir).manifest["embedder"] == "hashing-other"


def test_crashed_build_keeps_the_previous_version(
    built: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, embedder, catalog_dir = built
    before = current_version(catalog_dir)

    def crash(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(catalog_module, "save_index", crash)
    with pytest.raises(OSError):
        build_catalog(store, embedder, catalog_dir, progress=False)
    assert current_version(catalog_dir) == before
    assert len(load_catalog(catalog_dir)) == 60
    monkeypatch.undo()
    build_catalog(store, embedder, catalog_dir, progress=False)
    assert not list(catalog_dir.glob(".building-*"))  # the crash's leftovers are cleaned


def test_old_versions_are_pruned(built: tuple) -> None:
    store, embedder, catalog_dir = built
    for _ in range(4):
        build_catalog(store, embedder, catalog_dir, keep_versions=2, progress=False)
    versions = [p for p in catalog_dir.iterdir() if p.is_dir()]
    assert len(versions) == 2
    assert current_version(catalog_dir) in {p.name for p in versions}


def test_ivf_search_applies_the_filter_inside_the_lists() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    config = IndexConfig(nprobe=16, exact_filter_below=100)  # every list: exact answers
    index = build_index(vectors, "IVF16,Flat", config)
    eligible = np.zeros(3000, dtype=bool)
    eligible[::3] = True
    rows, _ = search(index, vectors[5], 50, eligible, vectors, config)
    exact_rows, _ = exact_search(vectors, vectors[5], 50, np.flatnonzero(eligible))
    assert eligible[rows].all() and rows.tolist() == exact_rows.tolist()
    one_list = IndexConfig(nprobe=1, exact_filter_below=100)  # ~60 eligible rows per list
    few, _ = search(index, vectors[5], 150, eligible, vectors, one_list)
    assert len(few) == 150 and eligible[few].all()  # the lists ran dry: exact fallback
