"""Diversification caps the share of one niche and one audience country in a list."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from matching.build import build_catalog
from matching.catalog import load_catalog
from matching.diversify import diversify, main_audience_country
from matching.store import CatalogStore
from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from tests.factories import make_creator, make_post


def _catalog(tmp_path: Path):  # type: ignore[no-untyped-def]
    docs = []
    for i in range(30):
        other = ("travel", "ES") if i % 2 else ("pets", "GB")
        niche, country = ("food", "IT") if i < 20 else other
        docs.append(make_creator(
            f"ig:c{i:02d}", categories=[niche], country=country,
            audience={"countries": {country: 0.8}},
            posts=[make_post("p1", "2026-10-01T10:00:00Z", f"{niche} {i}", 10, 1)]))
    store = CatalogStore(tmp_path / "catalog.db")
    store.upsert_creators(docs)
    build_catalog(store, CachedEmbedder(HashingEmbedder(), None), tmp_path / "catalog",
                  progress=False)
    return load_catalog(tmp_path / "catalog")


def test_caps_niche_and_country_share(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    ranked = list(range(30))  # food/IT creators are rows 0-19 and rank first
    picked = [ranked[p] for p in diversify(catalog, ranked, k=10, max_share=0.4)]
    assert len(picked) == 10
    niches = Counter(n for row in picked for n in catalog.creators.categories[row])
    countries = Counter(main_audience_country(catalog, row) for row in picked)
    assert max(niches.values()) <= 4 and max(countries.values()) <= 4
    assert picked[:4] == [0, 1, 2, 3]  # the best of the capped niche are kept, in order


def test_fills_by_score_when_caps_cannot_be_met(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path)
    ranked = list(range(20))  # food/IT only
    positions = diversify(catalog, ranked, k=10, max_share=0.4)
    assert positions.tolist() == list(range(10))
    assert np.all(np.diff(positions) > 0)
