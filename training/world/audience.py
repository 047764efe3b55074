"""Who follows a creator: countries, age brackets and gender, driven by language and niche."""

from __future__ import annotations

import numpy as np

from training.world.spec import (
    AGE_BRACKETS,
    AUDIENCE_ABROAD,
    AUDIENCE_DOMINANT,
    COUNTRIES,
    COUNTRY_INDEX,
    LANGUAGE_MAIN_MARKET,
    NICHE_AGES,
    NICHE_FEMALE_SHARE,
    NICHES,
    PLATFORM_AGE_SHIFT,
)

_DOMINANT_WEIGHT = 6.0
_MAIN_MARKET_WEIGHT = 2.5
_ABROAD_WEIGHT = 0.25
_COUNTRY_CONCENTRATION = 6.0  # Dirichlet concentration: lower means more varied audiences
_AGE_CONCENTRATION = 40.0


def audience_countries(
    language: np.ndarray, country: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(n, len(COUNTRIES)) shares; the creator's home market dominates, a tail stays abroad."""
    shares = np.zeros((len(language), len(COUNTRIES)))
    for i, (lang, home) in enumerate(zip(language, country, strict=True)):
        weights = np.zeros(len(COUNTRIES))
        for abroad in AUDIENCE_ABROAD[lang]:
            weights[COUNTRY_INDEX[abroad]] = _ABROAD_WEIGHT
        weights[COUNTRY_INDEX[LANGUAGE_MAIN_MARKET[lang]]] = _MAIN_MARKET_WEIGHT
        weights[COUNTRY_INDEX[AUDIENCE_DOMINANT.get(home, home)]] = _DOMINANT_WEIGHT
        if home in AUDIENCE_DOMINANT:  # a San Marino creator still has a home crowd
            weights[COUNTRY_INDEX[home]] = _MAIN_MARKET_WEIGHT
        present = weights > 0
        shares[i, present] = rng.dirichlet(weights[present] * _COUNTRY_CONCENTRATION)
    return shares


def audience_ages(
    topic_mix: np.ndarray, platform: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """(n, 6) age-bracket shares: the niche profile, shifted younger on TikTok."""
    profiles = np.array([NICHE_AGES[niche] for niche in NICHES])
    shift = np.array([PLATFORM_AGE_SHIFT[str(p)] for p in platform])
    expected = (topic_mix @ profiles) * shift
    expected /= expected.sum(axis=1, keepdims=True)
    ages = np.array([rng.dirichlet(row * _AGE_CONCENTRATION) for row in expected])
    assert ages.shape[1] == len(AGE_BRACKETS)
    return ages


def female_shares(topic_mix: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Gender split follows the niche mix (beauty high, gaming low) plus creator noise."""
    by_niche = np.array([NICHE_FEMALE_SHARE[niche] for niche in NICHES])
    expected = topic_mix @ by_niche
    return np.asarray(np.clip(expected + rng.normal(0.0, 0.07, len(expected)), 0.05, 0.97))


def countries_field(shares: np.ndarray) -> dict[str, float]:
    """The published `countries` dict: top countries above 1%, floored so the sum stays ≤ 1."""
    order = np.argsort(-shares, kind="stable")[:5]
    return {
        COUNTRIES[j]: float(np.floor(shares[j] * 1000) / 1000) for j in order if shares[j] >= 0.01
    }


def ages_field(shares: np.ndarray) -> dict[str, float]:
    return {bracket: round(float(s), 3) for bracket, s in zip(AGE_BRACKETS, shares, strict=True)}
