"""Lookalikes on a small hand-made catalog (deterministic hashing embedder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matching.build import build_catalog
from matching.catalog import Catalog, load_catalog
from matching.delta import apply_delta
from matching.lookalikes import lookalikes
from matching.store import CatalogStore
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.factories import make_creator, make_post

VEGAN = "ricette vegane facili con legumi tofu e verdure di stagione"
ITALIAN = {"countries": {"IT": 0.85, "CH": 0.05}, "female_share": 0.8,
           "ages": {"18-24": 0.4, "25-34": 0.4, "35-44": 0.2}}  # fmt: skip
AMERICAN = {"countries": {"US": 0.9}, "female_share": 0.2,
            "ages": {"35-44": 0.3, "45-54": 0.4, "55+": 0.3}}  # fmt: skip


def _creator(creator_id: str, topic: str, followers: int, audience: dict | None, posts: int = 4):
    return make_creator(
        creator_id,
        followers=followers,
        country="IT",
        language="it",
        bio=f"Parlo di {topic}",
        audience=audience,
        posts=[
            make_post(f"p{j}", f"2026-10-{j + 1:02d}T10:00:00Z", f"{topic} giorno {j}", 300, 20)
            for j in range(posts)
        ],
    )


DOCS = [
    _creator("ig:vegan.anna", VEGAN, 20_000, ITALIAN),
    _creator("ig:vegan.twin", VEGAN, 22_000, ITALIAN),  # same content, audience and size
    _creator("ig:vegan.usa", VEGAN, 22_000, AMERICAN),  # same content and size, other audience
    _creator("ig:vegan.star", VEGAN, 2_200_000, ITALIAN),  # same content and audience, 100× size
    _creator("ig:vegan.bio", VEGAN, 15_000, ITALIAN, posts=0),  # no posts: its bio only
    _creator("ig:hike.marco", "trekking in montagna rifugi e sentieri alpini", 20_000, ITALIAN),
    _creator("ig:game.luca", "videogiochi retro console e cabinati arcade", 20_000, ITALIAN),
    _creator("ig:skin.sara", "skincare naturale creme e sieri delicati", 20_000, None),
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    home = tmp_path_factory.mktemp("lookalikes")
    store = CatalogStore(home / "catalog.db")
    store.upsert_creators(DOCS)
    build_catalog(store, CachedEmbedder(HashingEmbedder(), None), home / "catalog", progress=False)
    return load_catalog(home / "catalog")


def _row(catalog: Catalog, creator_id: str) -> int:
    return int(np.flatnonzero(catalog.creators.creator_id == creator_id)[-1])


def _ids(catalog: Catalog, creator_id: str, k: int = 10, **kwargs) -> list[str]:
    mask = kwargs.pop("mask", np.ones(len(catalog), dtype=bool))
    found = lookalikes(catalog, _row(catalog, creator_id), k, mask, **kwargs)
    return catalog.creators.creator_id[found.rows].tolist()


def test_the_creator_itself_is_never_returned(catalog: Catalog) -> None:
    for creator_id in catalog.creators.creator_id.tolist():
        ids = _ids(catalog, creator_id, k=len(catalog))
        assert creator_id not in ids
        assert len(ids) == len(catalog) - 1


def test_same_niche_comes_first_and_audience_and_size_matter(catalog: Catalog) -> None:
    ids = _ids(catalog, "ig:vegan.anna")
    assert ids[0] == "ig:vegan.twin"
    assert set(ids[:4]) == {"ig:vegan.twin", "ig:vegan.usa", "ig:vegan.star", "ig:vegan.bio"}
    assert ids.index("ig:vegan.twin") < ids.index("ig:vegan.usa")  # audience
    assert ids.index("ig:vegan.twin") < ids.index("ig:vegan.star")  # size
    found = lookalikes(catalog, _row(catalog, "ig:vegan.anna"), 10, np.ones(len(catalog), bool))
    by_id = dict(zip(catalog.creators.creator_id[found.rows].tolist(), range(10), strict=False))
    twin, usa, star = by_id["ig:vegan.twin"], by_id["ig:vegan.usa"], by_id["ig:vegan.star"]
    assert found.content[twin] == pytest.approx(found.content[usa], abs=1e-6)
    assert found.audience[twin] > found.audience[usa] + 0.5
    assert found.size[twin] > found.size[star] + 0.9


def test_the_mask_and_exclusions_are_honoured(catalog: Catalog) -> None:
    mask = np.ones(len(catalog), dtype=bool)
    mask[_row(catalog, "ig:vegan.twin")] = False
    ids = _ids(catalog, "ig:vegan.anna", mask=mask, exclude_ids=("ig:vegan.usa",))
    assert "ig:vegan.twin" not in ids and "ig:vegan.usa" not in ids
    assert ids[0] == "ig:vegan.star" or ids[0] == "ig:vegan.bio"
    assert _ids(catalog, "ig:vegan.anna", mask=np.zeros(len(catalog), dtype=bool)) == []


def test_a_creator_without_posts_is_matched_by_its_bio(catalog: Catalog) -> None:
    assert set(_ids(catalog, "ig:vegan.bio")[:4]) == {
        "ig:vegan.anna", "ig:vegan.twin", "ig:vegan.usa", "ig:vegan.star"
    }  # fmt: skip


def test_reasons_explain_the_similarity(catalog: Catalog) -> None:
    found = lookalikes(catalog, _row(catalog, "ig:vegan.anna"), 3, np.ones(len(catalog), bool))
    for similarity, reasons in zip(found.similarity, found.reasons, strict=True):
        assert [r.feature for r in reasons] == [
            "content_similarity", "audience_similarity", "size_similarity"
        ]  # fmt: skip
        assert sum(r.contribution for r in reasons) == pytest.approx(similarity)
        assert all(r.description for r in reasons)
    assert "same countries" in found.reasons[0][1].description
    unknown = lookalikes(catalog, _row(catalog, "ig:skin.sara"), 7, np.ones(len(catalog), bool))
    assert "same countries" in unknown.reasons[0][1].description  # its own country stands in


def test_deterministic(catalog: Catalog) -> None:
    mask = np.ones(len(catalog), dtype=bool)
    first = lookalikes(catalog, 0, 7, mask)
    again = lookalikes(catalog, 0, 7, mask)
    assert first.rows.tolist() == again.rows.tolist()
    assert np.array_equal(first.similarity, again.similarity)


def test_delta_rows_are_searched_and_can_be_the_query(catalog: Catalog, tmp_path: Path) -> None:
    new = _creator("ig:vegan.new", VEGAN, 21_000, ITALIAN)
    embedder = CachedEmbedder(HashingEmbedder(), None)
    grown = apply_delta(catalog, [new], ["h"], [], embedder, frozenset())
    assert "ig:vegan.new" in _ids(grown, "ig:vegan.anna")[:2]
    ids = _ids(grown, "ig:vegan.new")
    assert "ig:vegan.new" not in ids and ids[0] in {"ig:vegan.anna", "ig:vegan.twin"}
    replaced = apply_delta(
        catalog, [{**DOCS[1], "followers": 23_000}], ["h"], [], embedder, frozenset()
    )
    ids = _ids(replaced, "ig:vegan.anna", k=20)
    assert ids.count("ig:vegan.twin") == 1  # the replaced base row is not live
