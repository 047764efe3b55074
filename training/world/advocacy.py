"""The latent advocacy and campaign-engagement model (documented in docs/synthetic-world.md).

    z = b0 + b1·affinity + b2·log1p(brand mentions) + b2c·log1p(category mentions)
        − b3·sponsored saturation + b4·audience match + b5·(authentic_share − 0.85)
        + b6·(reply rate − 0.2) − b7·max(0, log10(followers) − 5) + b8·speaks the brand's
        language + ε

Community management (answering comments) and size follow the seed: creators who answer their
community keep a closer, more credible relation with it; past 100k followers a creator is less
and less likely to keep featuring a brand on their own. A creator who does not speak any of
the brand's languages rarely keeps featuring a brand whose products and content are not in it.
    advocate ~ Bernoulli(sigmoid(z))

None of these signals is written out: the system must recover them from text, counts and
audience shares, as it would with real data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from training.world.brands import BrandSpec
from training.world.creators import CreatorLatents
from training.world.effects import DEFAULT, WorldEffects
from training.world.engagement import authenticity_effect, benchmark_rate
from training.world.fandom import language_match, value_overlap

TOPIC_SATURATION = 0.75  # covering the category in 75% of posts counts as full topic fit
GAUSS_HERMITE_NODES = 24  # E[sigmoid(z + ε)] to ~1e-9: plenty for evaluation


@dataclass(frozen=True, slots=True)
class AdvocacyCoefficients:
    """Tuned so ~30% of completed campaigns produce an advocate and affinity dominates."""

    intercept: float = -3.55
    affinity: float = 4.0
    brand_mentions: float = 1.6
    category_mentions: float = 0.4
    sponsored_saturation: float = 3.0
    audience_match: float = 1.5
    authenticity: float = 4.0
    reply_rate: float = 2.5
    size_above_100k: float = 0.8  # per decade of followers above 100k
    language: float = 0.8
    noise_sd: float = 0.5

    @classmethod
    def of(cls, effects: WorldEffects) -> AdvocacyCoefficients:
        """The advocacy part of one world's effects."""
        return cls(**{name: getattr(effects, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True, slots=True)
class PairSignals:
    """Latent brand × creator signals for every creator, against one brand."""

    affinity: np.ndarray  # topic and value fit, [0, 1]
    brand_mentions: np.ndarray  # unpaid mentions of this brand (count)
    category_mentions: np.ndarray  # unpaid mentions of its competitors (count)
    audience_match: np.ndarray  # markets, ages, gender, [0, 1]
    speaks_language: np.ndarray  # bool: the creator writes in one of the brand's languages


def pair_signals(
    latents: CreatorLatents, fan_mentions: np.ndarray, brands: Sequence[BrandSpec], b: int
) -> PairSignals:
    brand = brands[b]
    topic_fit = np.minimum(latents.topic_mix[:, brand.category] / TOPIC_SATURATION, 1.0)
    affinity = 0.6 * topic_fit + 0.4 * value_overlap(latents.value_tags, brand)
    rivals = [i for i, other in enumerate(brands) if other.category == brand.category and i != b]
    market_share = latents.audience_countries[:, brand.market_mask()].sum(axis=1)
    age_fit = latents.audience_ages[:, brand.age_mask()].sum(axis=1)
    gender_fit = 1.0 - np.abs(latents.female_share - brand.female_share)
    # Speaking the brand's language matters even where markets overlap (e.g. US audiences).
    market_share = market_share * np.where(language_match(latents.language, brand), 1.0, 0.5)
    return PairSignals(
        affinity=affinity,
        brand_mentions=fan_mentions[:, b].astype(np.float64),
        category_mentions=fan_mentions[:, rivals].sum(axis=1).astype(np.float64),
        audience_match=0.5 * market_share + 0.3 * age_fit + 0.2 * gender_fit,
        speaks_language=language_match(latents.language, brand),
    )


def advocacy_logit(
    signals: PairSignals,
    latents: CreatorLatents,
    rows: np.ndarray,
    rng: np.random.Generator,
    coef: AdvocacyCoefficients,
) -> np.ndarray:
    """z for the candidate creators `rows` of one brand."""
    return np.asarray(
        systematic_logit(signals, latents, rows, coef) + rng.normal(0.0, coef.noise_sd, len(rows))
    )


def systematic_logit(
    signals: PairSignals, latents: CreatorLatents, rows: np.ndarray, coef: AdvocacyCoefficients
) -> np.ndarray:
    """z without its noise ε: what the pair's signals decide."""
    return np.asarray(
        coef.intercept
        + coef.affinity * signals.affinity[rows]
        + coef.brand_mentions * np.log1p(signals.brand_mentions[rows])
        + coef.category_mentions * np.log1p(signals.category_mentions[rows])
        - coef.sponsored_saturation * latents.sponsored_saturation[rows]
        + coef.audience_match * signals.audience_match[rows]
        + coef.authenticity * (latents.authentic_share[rows] - 0.85)
        + coef.reply_rate * (latents.reply_rate[rows] - 0.2)
        - coef.size_above_100k * np.maximum(np.log10(latents.followers[rows]) - 5.0, 0.0)
        + coef.language * signals.speaks_language[rows]
    )


def advocacy_probability(
    signals: PairSignals, latents: CreatorLatents, rows: np.ndarray, coef: AdvocacyCoefficients
) -> np.ndarray:
    """P(advocate) = E_ε[sigmoid(z + ε)], ε ~ N(0, noise_sd): Gauss–Hermite, no draws."""
    nodes, weights = np.polynomial.hermite.hermgauss(GAUSS_HERMITE_NODES)
    z = systematic_logit(signals, latents, rows, coef)
    shifted = z[:, None] + np.sqrt(2.0) * coef.noise_sd * nodes[None, :]
    return np.asarray(sigmoid(shifted) @ weights / np.sqrt(np.pi))


def campaign_engagement(
    signals: PairSignals,
    latents: CreatorLatents,
    rows: np.ndarray,
    rng: np.random.Generator,
    effects: WorldEffects = DEFAULT,
) -> np.ndarray:
    """(likes+comments)/followers of the campaign post: the creator's usual level, lifted by fit.

    A well-matched audience engages more with the brand's content: (1 + lift · fit), fit in
    [0, 1], lift 1 in the default world. The noise is mean-one lognormal, so
    `expected_campaign_engagement` is this rate's expectation.
    """
    sigma = effects.campaign_noise_sigma
    noise = rng.lognormal(-(sigma**2) / 2, sigma, len(rows))
    return np.asarray(expected_campaign_engagement(signals, latents, rows, effects) * noise)


def expected_campaign_engagement(
    signals: PairSignals, latents: CreatorLatents, rows: np.ndarray, effects: WorldEffects = DEFAULT
) -> np.ndarray:
    """The campaign post's engagement rate before its noise (which has mean one)."""
    fit = 0.6 * signals.affinity[rows] + 0.4 * signals.audience_match[rows]
    fit = effects.campaign_fit_lift * fit
    base = benchmark_rate(latents.followers[rows], latents.platform[rows])
    return np.asarray(
        base
        * latents.engagement_factor[rows]
        * authenticity_effect(latents.authentic_share[rows], effects.authenticity_exponent)
        * effects.sponsored_engagement
        * (1.0 + fit)
    )


def sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))
