"""Latent creator traits, sampled for all creators at once (vectorised).

These arrays are the generator's ground truth. Only their observable consequences
(text, counts, audience shares) reach the output files; the arrays themselves never do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.world import audience
from training.world.effects import DEFAULT, WorldEffects
from training.world.spec import (
    CREATOR_LANGUAGE_WEIGHTS,
    HOME_COUNTRIES,
    LANGUAGES,
    NICHE_INDEX,
    NICHE_WEIGHTS,
    NICHES,
    PLATFORM_WEIGHTS,
    PLATFORMS,
    SECONDARY_AFFINITY,
    SECONDARY_BASE,
    VALUE_BASE_PROB,
    VALUE_INDEX,
    VALUE_PROB,
    VALUE_TAGS,
)

SECONDARY_COUNT_PROBS = np.array([0.25, 0.45, 0.30])  # 0, 1 or 2 secondary niches
POSTS_RANGE = (12, 40)


@dataclass(frozen=True, slots=True)
class CreatorLatents:
    """Ground truth per creator; row i of every array is creator i."""

    platform: np.ndarray  # (n,) str
    language: np.ndarray  # (n,) str
    country: np.ndarray  # (n,) str
    followers: np.ndarray  # (n,) int
    following: np.ndarray  # (n,) int
    topic_mix: np.ndarray  # (n, niches) rows sum to 1
    main_niche: np.ndarray  # (n,) niche index
    value_tags: np.ndarray  # (n, tags) bool
    inflated: np.ndarray  # (n,) bool: bought followers
    authentic_share: np.ndarray  # (n,)
    engagement_factor: np.ndarray  # (n,) personal level around the benchmark
    sponsored_saturation: np.ndarray  # (n,) P(post is sponsored)
    reply_rate: np.ndarray  # (n,) share of comments the creator answers
    comment_ratio: np.ndarray  # (n,) comments per like
    n_posts: np.ndarray  # (n,) regular posts in the last 12 months
    audience_countries: np.ndarray  # (n, COUNTRIES)
    audience_ages: np.ndarray  # (n, AGE_BRACKETS)
    female_share: np.ndarray  # (n,)

    @property
    def n(self) -> int:
        return len(self.followers)


def _followers(rng: np.random.Generator, n: int) -> np.ndarray:
    """A lognormal body (nano/micro) with a Pareto tail (mid, macro, mega)."""
    body = 10 ** rng.normal(3.85, 0.5, n)
    tail = 100_000 * (1 + rng.pareto(1.0, n))
    in_tail = rng.random(n) < 0.07
    return np.minimum(np.where(in_tail, tail, body), 5e7)


def _topic_mix(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One main niche (60-90% of posts) plus 0-2 related secondary niches."""
    k = len(NICHES)
    main = rng.choice(k, size=n, p=NICHE_WEIGHTS / NICHE_WEIGHTS.sum())
    related = np.full((k, k), SECONDARY_BASE)
    for niche, partners in SECONDARY_AFFINITY.items():
        for partner, weight in partners.items():
            related[NICHE_INDEX[niche], NICHE_INDEX[partner]] = weight
    # Gumbel top-k draws related niches without replacement, for all creators at once.
    keys = np.log(related[main]) + rng.gumbel(size=(n, k))
    keys[np.arange(n), main] = -np.inf
    ranked = np.argsort(-keys, axis=1, kind="stable")[:, :2]
    n_secondary = rng.choice(3, size=n, p=SECONDARY_COUNT_PROBS)
    main_weight = np.where(n_secondary > 0, rng.uniform(0.6, 0.9, n), 1.0)
    split = rng.dirichlet([2.0, 2.0], size=n)
    mix = np.zeros((n, k))
    mix[np.arange(n), main] = main_weight
    rest = 1.0 - main_weight
    one = n_secondary == 1
    mix[np.flatnonzero(one), ranked[one, 0]] = rest[one]
    two = np.flatnonzero(n_secondary == 2)
    mix[two, ranked[two, 0]] = rest[two] * split[two, 0]
    mix[two, ranked[two, 1]] = rest[two] * split[two, 1]
    return mix, main


def niche_value_probs() -> np.ndarray:
    """(niches, tags) P(tag | niche); shared with brands so both sides speak alike."""
    probs = np.full((len(NICHES), len(VALUE_TAGS)), VALUE_BASE_PROB)
    for niche, tags in VALUE_PROB.items():
        for tag, p in tags.items():
            probs[NICHE_INDEX[niche], VALUE_INDEX[tag]] = p
    return probs


def _home_country(rng: np.random.Generator, language: np.ndarray) -> np.ndarray:
    country = np.empty(len(language), dtype=object)
    for lang in LANGUAGES:
        rows = np.flatnonzero(language == lang)
        names = [c for c, _ in HOME_COUNTRIES[lang]]
        weights = np.array([w for _, w in HOME_COUNTRIES[lang]])
        country[rows] = rng.choice(names, size=len(rows), p=weights / weights.sum())
    return country


def sample_creator_latents(
    rng: np.random.Generator, n: int, effects: WorldEffects = DEFAULT
) -> CreatorLatents:
    platform = rng.choice(np.array(PLATFORMS, dtype=object), size=n, p=PLATFORM_WEIGHTS)
    weights = CREATOR_LANGUAGE_WEIGHTS
    language = rng.choice(np.array(LANGUAGES, dtype=object), size=n, p=weights / weights.sum())
    country = _home_country(rng, language)
    topic_mix, main = _topic_mix(rng, n)
    tag_probs = np.clip(topic_mix @ niche_value_probs(), 0.0, 0.95)
    value_tags = rng.random((n, len(VALUE_TAGS))) < tag_probs

    inflated = rng.random(n) < effects.inflated_share
    authentic = np.where(inflated, rng.uniform(0.35, 0.75, n), rng.uniform(0.78, 0.97, n))
    # Bought followers inflate the count: the real audience is what an organic peer has.
    followers = _followers(rng, n) * np.where(inflated, 0.88 / authentic, 1.0)
    following = rng.lognormal(np.log(np.where(inflated, 2_500, 550)), 0.7, n)

    # Big accounts are more often saturated with ads; most creators stay below ~15%.
    busy = effects.saturated_share + 0.04 * np.clip(np.log10(followers) - 3, 0, 4)
    saturated = rng.random(n) < busy
    saturation = np.where(saturated, rng.uniform(0.3, 0.6, n), rng.beta(1.1, 14.0, n))

    return CreatorLatents(
        platform=platform,
        language=language,
        country=country,
        followers=np.maximum(np.round(followers), 50).astype(np.int64),
        following=np.clip(np.round(following), 20, 7_500).astype(np.int64),
        topic_mix=topic_mix,
        main_niche=main,
        value_tags=value_tags,
        inflated=inflated,
        authentic_share=authentic,
        engagement_factor=rng.lognormal(0.0, effects.creator_factor_sigma, n),
        sponsored_saturation=saturation,
        reply_rate=effects.reply_scale * rng.beta(1.3, 2.6, n),
        comment_ratio=rng.uniform(0.02, 0.06, n),
        n_posts=rng.integers(POSTS_RANGE[0], POSTS_RANGE[1] + 1, n),
        audience_countries=audience.audience_countries(language, country, rng),
        audience_ages=audience.audience_ages(topic_mix, platform, rng),
        female_share=audience.female_shares(topic_mix, rng),
    )
