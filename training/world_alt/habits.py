"""Unpaid brand talk: which brands each creator names on its own, and how often.

About half of the small creators (a third of the big ones) name brands they like. Each
picks one to four favourites among the brands of its niches, mostly ones that speak its
language and, for catalogue brands, share its values; each favourite is named 1 + Poisson(1.2)
times (at most 5) in the feed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.world_alt.brands import BrandRef, BrandSpec
from training.world_alt.common import LANGUAGES, NICHES
from training.world_alt.creators import Creators


@dataclass(frozen=True, slots=True)
class Habits:
    favourites: list[list[tuple[BrandRef, int]]]  # per creator: (brand, unpaid mentions)
    brand_counts: np.ndarray  # (creators, catalogue brands) unpaid mentions
    niche_counts: np.ndarray  # (creators, niches) unpaid mentions of any brand of the niche


def draw_habits(
    creators: Creators, specs: list[BrandSpec], background: list[BrandRef], rng: np.random.Generator
) -> Habits:
    n, n_brands = creators.n, len(specs)
    refs = [spec.ref for spec in specs] + background
    niche = np.array([ref.niche for ref in refs])
    speaks = np.zeros((len(LANGUAGES), len(refs)), dtype=bool)
    for j, lang in enumerate(LANGUAGES):
        for r, ref in enumerate(refs):
            langs = specs[r].languages if r < n_brands else (ref.language,)
            speaks[j, r] = lang in langs
    brand_themes = np.zeros((len(refs), creators.themes.shape[1]))
    for b, spec in enumerate(specs):
        brand_themes[b, list(spec.themes)] = 1.0
    is_catalogue = np.arange(len(refs)) < n_brands

    favourites: list[list[tuple[BrandRef, int]]] = [[] for _ in range(n)]
    brand_counts = np.zeros((n, n_brands), dtype=np.int64)
    niche_counts = np.zeros((n, len(NICHES)), dtype=np.int64)
    for i in np.flatnonzero(creators.talker).tolist():
        topical = np.where(niche == creators.main[i], 3.0,
                           np.where(niche == creators.second[i], 1.2, 0.0))  # fmt: skip
        shared = brand_themes @ creators.themes[i].astype(float)
        weight = topical * np.where(speaks[creators.language[i]], 3.0, 0.2)
        weight *= np.where(is_catalogue, 0.6 + shared, 1.0)
        total = weight.sum()
        if total <= 0:
            continue
        k = min(1 + int(rng.binomial(3, 0.3)), int(np.count_nonzero(weight)))
        for r in rng.choice(len(refs), k, replace=False, p=weight / total).tolist():
            count = min(5, 1 + int(rng.poisson(1.2)))
            favourites[i].append((refs[r], count))
            niche_counts[i, refs[r].niche] += count
            if r < n_brands:
                brand_counts[i, r] = count
    return Habits(favourites, brand_counts, niche_counts)
