"""Filtered retrieval (issue 23): exact where the path is exact, recall recorded where it is not.

A clustered synthetic set stands in for creator vectors: points around a few hundred
centres, so an inverted file's lists mean something and a filter that keeps a quarter of the
rows leaves eligible neighbours spread over many lists, as the typical agency filter does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from features.tiers import TIERS, tier_names
from matching.build import build_catalog
from matching.catalog import Catalog, load_catalog
from matching.delta import apply_delta, retrieve
from matching.filters import MatchFilters, any_of, any_text_of, eligible_mask, tier_mask
from matching.index import IndexConfig, build_index, exact_search, search
from matching.store import CatalogStore
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.test_catalog import _creators

ROWS, DIM, CENTRES = 12_000, 48, 300
K = 50
# recall@50 of the approximate path measured on this set (seed 0), nprobe 16 of 128 lists:
# unfiltered 0.983, filtered (25 % eligible, independent of content: nprobe × √4 = 32 lists)
# 0.950; the bound keeps margin. With nprobe 8 the filtered recall here was 0.869 (16 lists)
# against 0.955 with the share itself as the factor (32 lists): a filter independent of
# content is the √ rule's hard case (docs/scale.md)
RECALL_BOUND = 0.9


@pytest.fixture(scope="module")
def clustered() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(vectors, queries, a 25 % eligibility mask) with content and filter independent."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    vectors = centres[rng.integers(CENTRES, size=ROWS)]
    vectors = vectors + 0.35 * rng.standard_normal((ROWS, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    noise = rng.standard_normal((40, DIM)).astype(np.float32)
    queries = centres[rng.integers(CENTRES, size=40)] + 0.5 * noise
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    eligible = rng.random(ROWS) < 0.25
    return np.ascontiguousarray(vectors), queries.astype(np.float32), eligible


@pytest.fixture(scope="module")
def ivf(clustered: tuple[np.ndarray, np.ndarray, np.ndarray]) -> object:
    return build_index(clustered[0], "IVF128,Flat")


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found.tolist()) & set(truth.tolist())) / len(truth)


def test_small_eligible_sets_are_scanned_exactly(clustered: tuple, ivf: object) -> None:
    vectors, queries, _ = clustered
    eligible = np.zeros(ROWS, dtype=bool)
    eligible[np.random.default_rng(1).choice(ROWS, 900, replace=False)] = True
    config = IndexConfig(exact_filter_below=1_000, nprobe=1)  # one list would miss most
    for query in queries[:10]:
        rows, scores = search(ivf, query, K, eligible, vectors, config)
        exact_rows, exact_scores = exact_search(vectors, query, K, np.flatnonzero(eligible))
        assert rows.tolist() == exact_rows.tolist()  # today's exact path, unchanged
        assert scores.tolist() == exact_scores.tolist()


def test_a_filter_that_scales_nprobe_to_every_list_is_exact(clustered: tuple, ivf: object) -> None:
    vectors, queries, eligible = clustered
    config = IndexConfig(exact_filter_below=0, nprobe=66)  # × √(1 / 25 %) ≈ 2: all 128
    assert config.nprobe_for(128, ROWS, int(eligible.sum())) == 128
    for query in queries[:10]:
        rows, scores = search(ivf, query, K, eligible, vectors, config)
        exact_rows, exact_scores = exact_search(vectors, query, K, np.flatnonzero(eligible))
        assert rows.tolist() == exact_rows.tolist()
        np.testing.assert_allclose(scores, exact_scores, atol=1e-5)


def test_nprobe_grows_with_selectivity_up_to_every_list() -> None:
    config = IndexConfig(nprobe=16)
    assert config.nprobe_for(256, 100_000, 100_000) == 16
    assert config.nprobe_for(256, 100_000, 27_000) == 31  # ⌈16 × √(1 / 0.27)⌉
    assert config.nprobe_for(256, 100_000, 300) == 256
    assert config.nprobe_for(256, 100_000, 100_000, k=500) == 29  # ⌈16 × (500 / 50)^0.25⌉
    assert config.nprobe_for(256, 100_000, 27_000, k=500) == 55
    assert replace(config, depth_power=0.5).nprobe_for(256, 100_000, 100_000, k=500) == 51
    assert config.nprobe_for(1024, 1_000_000, 1_000_000) == 32  # × √(1024 / 256)
    assert replace(config, filter_power=1.0).nprobe_for(256, 100_000, 27_000) == 60
    assert replace(config, scale_nprobe=False).nprobe_for(256, 100_000, 1_000) == 16


@pytest.mark.parametrize("filtered", [False, True])
def test_recall_of_the_approximate_path(
    clustered: tuple, ivf: object, filtered: bool, record_property: Callable[[str, object], None]
) -> None:
    vectors, queries, eligible = clustered
    config = IndexConfig(exact_filter_below=0, nprobe=16)  # filtered: × √4 = 32 of 128 lists
    mask = eligible if filtered else None
    recalls = []
    for query in queries:
        rows, scores = search(ivf, query, K, mask, vectors, config)
        truth, _ = exact_search(vectors, query, K, None if mask is None else np.flatnonzero(mask))
        assert len(rows) == K and (mask is None or mask[rows].all())
        assert (np.diff(scores) <= 1e-6).all()
        recalls.append(_recall(rows, truth))
    recall = float(np.mean(recalls))
    record_property(f"recall_at_{K}_{'filtered' if filtered else 'unfiltered'}", recall)
    print(f"recall@{K} filtered={filtered}: {recall:.4f}")
    assert recall >= RECALL_BOUND


def test_any_of_equals_isin() -> None:
    codes = np.random.default_rng(2).integers(0, 3, size=1_000).astype(np.int8)
    names = np.asarray(["IT", "GB", "ES"])[codes]
    for wanted in ([0], [0, 2], list(range(20))):
        assert (any_of(codes, wanted) == np.isin(codes, wanted)).all()
    assert (any_of(names, ["IT", "ES"]) == np.isin(names, ["IT", "ES"])).all()
    assert not any_of(names, []).any()


def test_a_compressed_ivf_that_would_visit_every_list_scans_exactly(clustered: tuple) -> None:
    """8-bit codes visited in every list are not exact: that case takes the exact scan."""
    vectors, queries, eligible = clustered
    sq8 = build_index(vectors, "IVF128,SQ8")
    config = IndexConfig(exact_filter_below=0, nprobe=66)
    assert config.nprobe_for(128, ROWS, int(eligible.sum()), K * config.rerank_factor) == 128
    for query in queries[:10]:
        rows, scores = search(sq8, query, K, eligible, vectors, config)
        exact_rows, exact_scores = exact_search(vectors, query, K, np.flatnonzero(eligible))
        assert rows.tolist() == exact_rows.tolist()
        assert scores.tolist() == exact_scores.tolist()


def test_coded_filter_checks_equal_the_name_comparisons() -> None:
    """Country and language compared as integers, tiers as follower ranges: the same masks
    as comparing the names."""
    rng = np.random.default_rng(4)
    countries = np.asarray(["IT", "GB", "ES", "I", "US"])[rng.integers(0, 5, size=3_000)]
    for wanted in (["IT"], ["IT", "ES"], ["I"], ["ITA", "GB"], [], ["it"]):
        assert (any_text_of(countries, wanted) == np.isin(countries, wanted)).all(), wanted
    wide = np.asarray(["pt-BR", "en", "it"])[rng.integers(0, 3, size=500)]  # 20-byte cells
    assert (any_text_of(wide, ["pt-BR", "it"]) == np.isin(wide, ["pt-BR", "it"])).all()
    edges = [0, 999, 1_000, 9_999, 10_000, 99_999, 100_000, 499_999, 500_000, 10**6, 10**8]
    followers = np.r_[edges, np.round(10 ** rng.uniform(0, 7, size=3_000))].astype(np.float64)
    names = tier_names(followers)
    for size in range(1, len(TIERS) + 1):
        for wanted in itertools.combinations(TIERS, size):
            assert (tier_mask(followers, wanted) == np.isin(names, wanted)).all(), wanted


def test_eligible_mask_of_a_typical_request_equals_the_names(ivf_catalog: Catalog) -> None:
    catalog = ivf_catalog
    creators = catalog.creators
    country, language = str(creators.country[0]), str(creators.language[0])
    tiers = ("nano", "micro", "mega")
    filters = MatchFilters(countries=(country.lower(),), languages=(language.upper(),),
                           platforms=("instagram", "tiktok"), tiers=tiers)  # fmt: skip
    expected = (np.isin(creators.country, [country]) & np.isin(creators.language, [language])
                & np.isin(creators.platform, [0, 1])
                & np.isin(catalog.tier, tiers))  # fmt: skip
    assert expected.any()
    assert (eligible_mask(catalog, filters) == expected).all()


@pytest.mark.parametrize("config", [IndexConfig(), IndexConfig(exact_filter_below=0, nprobe=1)])
def test_filters_leaving_no_row_or_one_row(
    clustered: tuple, ivf: object, config: IndexConfig
) -> None:
    vectors, queries, _ = clustered
    none = np.zeros(ROWS, dtype=bool)
    rows, scores = search(ivf, queries[0], K, none, vectors, config)
    assert len(rows) == 0 and len(scores) == 0
    one = none.copy()
    one[4321] = True
    rows, scores = search(ivf, queries[0], K, one, vectors, config)
    assert rows.tolist() == [4321]
    assert scores[0] == pytest.approx(float(vectors[4321] @ queries[0]), abs=1e-5)


@pytest.fixture
def ivf_catalog(tmp_path: Path) -> Catalog:
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_creators(_creators(120))
    embedder = CachedEmbedder(HashingEmbedder(), None)
    config = IndexConfig(exact_below=10, factory="IVF{nlist},Flat")
    build_catalog(store, embedder, tmp_path / "catalog", progress=False, index_config=config)
    return load_catalog(tmp_path / "catalog")


def test_deleted_and_upserted_rows_are_respected(ivf_catalog: Catalog) -> None:
    """Through `retrieve` on the bitmap path: a deleted or replaced base row is never
    returned, an upsert is searched at once, whatever the filter."""
    catalog = ivf_catalog
    assert catalog.manifest["index_factory"].startswith("IVF")
    config = IndexConfig(exact_filter_below=0)
    query = np.asarray(catalog.vectors[7])
    top = catalog.creators.creator_id[retrieve(catalog, query, 3, catalog.live, config)[0]]
    gone, replaced = str(top[0]), str(top[1])
    doc = next(d for d in _creators(120) if d["creator_id"] == replaced)
    embedder = CachedEmbedder(HashingEmbedder(), None)
    grown = apply_delta(
        catalog, [{**doc, "followers": 77_777}], ["h"], [gone], embedder, frozenset()
    )
    for filters in (MatchFilters(), MatchFilters(countries=("IT",))):
        mask = eligible_mask(grown, filters)
        rows, scores = retrieve(grown, query, 40, mask, config)
        assert mask[rows].all() and (np.diff(scores) <= 1e-6).all()
        ids = grown.creators.creator_id[rows].tolist()
        assert gone not in ids and len(ids) == len(set(ids))
        if filters.countries == () or doc["country"] in filters.countries:
            assert ids.count(replaced) == 1 and rows.max() >= grown.n_base  # the upsert
        assert len(rows) == min(40, int(mask.sum()))
