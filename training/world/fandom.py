"""Latent brand fans: creators who mention a brand of their niche unpaid, now and then.

About a third of creators are fans of one or two brands. A creator is more likely to
love a brand whose category they cover, whose language they speak and whose values
they share. The result is the number of unpaid posts mentioning each brand in the last
12 months, which both the posts (observable) and the advocacy model (latent) use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from training.world.brands import BrandSpec
from training.world.creators import CreatorLatents
from training.world.effects import DEFAULT, WorldEffects

FAN_SLOT_PROBS = np.array([0.66, 0.26, 0.08])  # fan of 0, 1 or 2 brands (fan share 0.34)
OTHER_LANGUAGE_WEIGHT = 0.15
MENTION_RATE = (0.06, 0.25)  # share of a fan's posts that mention the brand


def value_overlap(value_tags: np.ndarray, brand: BrandSpec) -> np.ndarray:
    """Share of the brand's value tags that each creator also holds, in [0, 1]."""
    return np.asarray(value_tags[:, list(brand.value_tags)].mean(axis=1))


def language_match(language: np.ndarray, brand: BrandSpec) -> np.ndarray:
    return np.isin(language, brand.languages)


def fan_slot_probs(fan_share: float) -> np.ndarray:
    """P(fan of 0, 1, 2 brands): `fan_share` fans, split 26:8 between one and two brands."""
    if fan_share == DEFAULT.fan_share:
        return FAN_SLOT_PROBS
    return np.array([1.0 - fan_share, fan_share * 26 / 34, fan_share * 8 / 34])


def draw_fan_mentions(
    latents: CreatorLatents,
    brands: Sequence[BrandSpec],
    rng: np.random.Generator,
    effects: WorldEffects = DEFAULT,
) -> np.ndarray:
    """(creators, brands) counts of unpaid brand mentions; zero for non-fans."""
    n, n_brands = latents.n, len(brands)
    counts = np.zeros((n, n_brands), dtype=np.int64)
    if n_brands == 0:
        return counts
    weights = np.zeros((n, n_brands))
    for b, brand in enumerate(brands):
        weights[:, b] = (
            latents.topic_mix[:, brand.category]
            * np.where(language_match(latents.language, brand), 1.0, OTHER_LANGUAGE_WEIGHT)
            * (0.5 + value_overlap(latents.value_tags, brand))
        )
    slots = rng.choice(3, size=n, p=fan_slot_probs(effects.fan_share))
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=(n, n_brands))  # Gumbel top-k sampling
    ranked = np.argsort(-keys, axis=1, kind="stable")[:, :2]  # fewer columns if one brand
    rates = rng.uniform(*MENTION_RATE, size=(n, 2))
    drawn = rng.binomial(latents.n_posts[:, None], rates)
    cap = latents.n_posts // 3  # leaves room for regular and sponsored posts
    for slot in range(ranked.shape[1]):
        rows = np.flatnonzero(slots > slot)
        brand = ranked[rows, slot]
        possible = weights[rows, brand] > 0  # no fandom outside the creator's niches
        rows, brand = rows[possible], brand[possible]
        counts[rows, brand] = np.clip(drawn[rows, slot], 1, cap[rows])
    return counts
