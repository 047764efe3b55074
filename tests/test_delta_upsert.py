"""Upserts served from a delta segment: searchable at once, the base never copied, and the same
answers as the next build gives (matching/delta.py, features/stacked.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from features.brand_profile import brand_profile
from features.stacked import Stacked
from matching.build import build_catalog
from matching.catalog import Catalog, load_catalog, warm_catalog
from matching.delta import apply_delta, retrieve, rows_of
from matching.filters import MatchFilters, eligible_mask
from matching.lookalikes import content_vector, lookalikes
from matching.pipeline import assemble_features
from matching.store import CatalogStore, prepare_creators
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.factories import make_creator, make_post
from tests.test_catalog import _creators

BRAND = {
    "brand_id": "verde",
    "name": "Verde",
    "values": "cucina vegana, ricette di stagione",
    "category": "food",
    "markets": ["IT"],
    "languages": ["it"],
}


def _new(creator_id: str, topic: str, followers: int, country: str, language: str) -> dict:
    # posts no newer than the base world's newest: the rebuild keeps its reference time
    return make_creator(
        creator_id,
        followers=followers,
        country=country,
        language=language,
        bio=f"Parlo di {topic} ogni giorno",
        audience={"authentic_share": 0.8, "countries": {country: 0.7}},
        posts=[
            make_post(f"n{j}", f"2026-10-0{j + 1}T09:00:00Z", f"{topic} nuovo {j} @verde", 90, 7)
            for j in range(3)
        ],
    )


@pytest.fixture
def world(tmp_path: Path) -> tuple[CatalogStore, CachedEmbedder, Path]:
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_creators(_creators(90))
    embedder = CachedEmbedder(HashingEmbedder(), tmp_path / "embeddings.db")
    build_catalog(store, embedder, tmp_path / "catalog", progress=False)
    return store, embedder, tmp_path / "catalog"


@pytest.fixture
def served(
    world: tuple[CatalogStore, CachedEmbedder, Path],
) -> tuple[Catalog, Catalog, dict[str, dict]]:
    """(the built catalog, the same with a delta applied, the upserted documents by id): two
    new creators, one replaced base creator (new country and size) and one deleted; the store
    holds the same changes, so the next build sees them."""
    store, embedder, catalog_dir = world
    base = load_catalog(catalog_dir)
    replaced = {**_creators(90)[5], "followers": 250_000, "country": "ES", "language": "es"}
    docs = [
        _new("ig:new.vegan", "cucina vegana", 12_000, "IT", "it"),
        _new("tt:new.travel", "viaggi in montagna", 40_000, "GB", "en"),
        replaced,
    ]
    prepared = prepare_creators(docs)
    grown = apply_delta(base, docs, prepared.hashes, ["ig:c007"], embedder, frozenset())
    store.write_creators(prepared)
    assert store.delete_creator("ig:c007")
    return base, grown, {doc["creator_id"]: doc for doc in docs}


def _live_row(catalog: Catalog, creator_id: str) -> int:
    rows = rows_of(catalog, [creator_id])
    rows = rows[catalog.live[rows]]
    assert len(rows) == 1, (creator_id, rows)
    return int(rows[0])


def _ids(catalog: Catalog, rows: np.ndarray) -> list[str]:
    return [str(i) for i in catalog.creators.creator_id[rows].tolist()]


def test_the_base_columns_are_shared_not_copied(served: tuple[Catalog, Catalog, dict]) -> None:
    base, grown, docs = served
    assert len(grown) == len(base) + len(docs) and grown.n_base == len(base)
    for name, column in grown.features.items():
        assert isinstance(column, Stacked) and column.base is base.features[name]
        assert len(column.tail) == len(docs)
    stacked = grown.creators.followers
    assert isinstance(stacked, Stacked) and stacked.base is base.creators.followers
    assert grown.mentions.n_rows == len(grown)
    # a second write extends the tail and still shares the same base arrays
    again = apply_delta(
        grown, [_new("ig:third", "yoga", 3_000, "IT", "it")], ["h3"], [],
        CachedEmbedder(HashingEmbedder(), None), frozenset(),
    )  # fmt: skip
    assert again.features["log_followers"].base is base.features["log_followers"]
    assert len(again) == len(grown) + 1 and _live_row(again, "ig:third") == len(grown)


def test_a_catalog_with_upserts_warms_its_mapped_base(
    served: tuple[Catalog, Catalog, dict],
) -> None:
    base, grown, _ = served
    # the server faults a new version's pages in after the swap, upserts caught up or not
    assert warm_catalog(grown) == warm_catalog(base) > 0


def test_an_upsert_is_searchable_at_once_under_filters(
    served: tuple[Catalog, Catalog, dict],
) -> None:
    _, grown, _ = served
    row = _live_row(grown, "ig:new.vegan")
    assert row >= grown.n_base
    query = content_vector(grown, row)
    rows, scores = retrieve(grown, query, 5, eligible_mask(grown, MatchFilters()))
    assert int(rows[0]) == row and scores[0] == pytest.approx(1.0, abs=1e-3)
    wanted = MatchFilters(countries=("IT",), languages=("it",), tiers=("micro",))
    mask = eligible_mask(grown, wanted)
    assert mask[row]
    assert row in retrieve(grown, query, 5, mask)[0].tolist()
    for elsewhere in (MatchFilters(countries=("GB",)), MatchFilters(tiers=("nano",)),
                      MatchFilters(exclude_creator_ids=("ig:new.vegan",))):  # fmt: skip
        mask = eligible_mask(grown, elsewhere)
        assert not mask[row]
        assert row not in retrieve(grown, query, 20, mask)[0].tolist()


def test_replacement_and_deletion_hide_the_old_rows(served: tuple[Catalog, Catalog, dict]) -> None:
    base, grown, _ = served
    old = _live_row(base, "ig:c005")
    new = _live_row(grown, "ig:c005")
    assert new >= grown.n_base and not grown.live[old]
    assert grown.creators.country[new] == "ES" and grown.tier[new] == "mid"
    deleted = _live_row(base, "ig:c007")
    gone = rows_of(grown, ["ig:c007"])
    assert not grown.live[deleted] and not grown.live[gone].any()
    everyone = eligible_mask(grown, MatchFilters())
    for query in (content_vector(base, old), content_vector(base, deleted)):
        ids = _ids(grown, retrieve(grown, query, 60, everyone)[0])
        assert "ig:c007" not in ids and ids.count("ig:c005") <= 1
    assert not eligible_mask(grown, MatchFilters(countries=("IT", "GB")))[new]


def test_lookalikes_from_and_to_a_delta_row(served: tuple[Catalog, Catalog, dict]) -> None:
    _, grown, _ = served
    row = _live_row(grown, "ig:new.vegan")
    found = lookalikes(grown, row, 10, np.ones(len(grown), dtype=bool))
    assert row not in found.rows.tolist() and len(found.rows) == 10
    assert grown.live[found.rows].all()
    # from a base row: the delta rows are candidates, the replaced and deleted rows are not
    twin = int(found.rows[0])
    back = _ids(grown, lookalikes(grown, twin, len(grown), np.ones(len(grown), bool)).rows)
    assert "ig:new.vegan" in back and "ig:c007" not in back
    assert back.count("ig:c005") == 1


def test_the_next_build_answers_as_the_delta_did(
    world: tuple[CatalogStore, CachedEmbedder, Path], served: tuple[Catalog, Catalog, dict]
) -> None:
    """After `microtribe build` folds the store in, the upserted creators have the same
    features, vectors, retrieval scores, lookalikes and ranker inputs as their delta rows."""
    store, embedder, catalog_dir = world
    _, grown, docs = served
    build_catalog(store, embedder, catalog_dir, progress=False)
    rebuilt = load_catalog(catalog_dir)
    assert rebuilt.manifest["reference_time"] == grown.manifest["reference_time"]
    assert len(rebuilt) == len(rebuilt.live) == int(grown.live.sum())
    assert not len(rows_of(rebuilt, ["ig:c007"]))
    delta_rows = np.array([_live_row(grown, cid) for cid in sorted(docs)])
    built_rows = np.array([_live_row(rebuilt, cid) for cid in sorted(docs)])
    for name in rebuilt.features:
        np.testing.assert_allclose(
            grown.features[name][delta_rows], rebuilt.features[name][built_rows], err_msg=name
        )
    np.testing.assert_array_equal(grown.tier[delta_rows], rebuilt.tier[built_rows])
    np.testing.assert_allclose(grown.estimated_cost[delta_rows], rebuilt.estimated_cost[built_rows])
    np.testing.assert_array_equal(grown.content_hash[delta_rows], rebuilt.content_hash[built_rows])
    for delta_row, built_row in zip(delta_rows.tolist(), built_rows.tolist(), strict=True):
        np.testing.assert_allclose(
            content_vector(grown, delta_row), content_vector(rebuilt, built_row), atol=1e-6
        )
    # retrieval: the same creators with the same scores, under a filter and without
    for cid in sorted(docs):
        query = content_vector(grown, _live_row(grown, cid))
        for filters in (MatchFilters(), MatchFilters(countries=("IT", "ES"))):
            a_rows, a_scores = retrieve(grown, query, 15, eligible_mask(grown, filters))
            b_rows, b_scores = retrieve(rebuilt, query, 15, eligible_mask(rebuilt, filters))
            np.testing.assert_allclose(a_scores, b_scores, atol=1e-5)
            # the world repeats texts: equal scores may come in either row order, and a tie at
            # the k-th place may keep either member; every creator above it is the same
            above = a_scores > a_scores[-1] + 1e-5
            a = dict(zip(_ids(grown, a_rows), np.round(a_scores, 4).tolist(), strict=True))
            b = dict(zip(_ids(rebuilt, b_rows), np.round(b_scores, 4).tolist(), strict=True))
            assert {c: a[c] for c in np.array(list(a))[above]} == {
                c: b[c] for c in np.array(list(b))[b_scores > b_scores[-1] + 1e-5]
            }
    # the ranker's inputs for the upserted creators (equal inputs: equal scores)
    profile = brand_profile(BRAND)
    similarity = np.full(len(delta_rows), 0.5)
    np.testing.assert_allclose(
        assemble_features(grown, profile, delta_rows, similarity),
        assemble_features(rebuilt, profile, built_rows, similarity),
    )
    # lookalikes of a delta row: the same creators and similarities
    a = lookalikes(grown, int(delta_rows[0]), 8, np.ones(len(grown), dtype=bool))
    b = lookalikes(rebuilt, int(built_rows[0]), 8, np.ones(len(rebuilt), dtype=bool))
    np.testing.assert_allclose(a.similarity, b.similarity, atol=1e-6)
    # ties (repeated texts) are ordered by creator_id in both
    assert _ids(grown, a.rows) == _ids(rebuilt, b.rows)


def test_stacked_columns_read_like_arrays() -> None:
    """Gathers, masks, slices, operators and the numpy functions filters use agree with the
    concatenated array."""
    base = np.array(["a", "c", "e", "g"])
    column = Stacked(base, np.array(["zz", "b"], dtype=object))
    whole = np.array(["a", "c", "e", "g", "zz", "b"])
    assert len(column) == 6 and column.shape == (6,)
    np.testing.assert_array_equal(np.asarray(column), whole)
    np.testing.assert_array_equal(column[[5, 0, 4]], whole[[5, 0, 4]])
    np.testing.assert_array_equal(column[whole > "b"], whole[whole > "b"])
    assert column[-1] == "b" and column[4] == "zz" and column[slice(None)] is column
    np.testing.assert_array_equal(column[3:], whole[3:])
    np.testing.assert_array_equal(column == "zz", whole == "zz")
    np.testing.assert_array_equal(np.isin(column, ["b", "c"]), np.isin(whole, ["b", "c"]))
    numbers = Stacked(np.array([1.0, np.nan, 3.0]), np.array([np.nan, 5.0]))
    np.testing.assert_array_equal(np.nan_to_num(numbers, nan=-1.0), [1, -1, 3, -1, 5])
    np.testing.assert_array_equal(numbers >= 3, [False, False, True, False, True])
    assert np.nansum(numbers) == 9.0 and numbers.tolist()[4] == 5.0
    ages = Stacked(np.zeros((2, 3)), np.ones((1, 3)))
    np.testing.assert_array_equal(ages[[2, 0]], [[1, 1, 1], [0, 0, 0]])
