"""Latent creator traits, drawn in one vectorised pass.

Nothing here is written out as is; the feed, the profile and the audience carry it only
through observable signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.world_alt.common import COUNTRIES, LANGUAGES, NEIGHBOURS, NICHES, theme_matrix
from training.world_alt.effects import DEFAULT, AltEffects

PLATFORMS: tuple[str, ...] = ("instagram", "tiktok", "youtube")
PLATFORM_P = (0.55, 0.33, 0.12)
LANGUAGE_P = (0.60, 0.22, 0.18)
REGIONS = ("roma", "napoli", "milano", "veneto", "sicilia", "torino", "bologna", "puglia",
           "toscana")  # fmt: skip
REGION_P = (0.16, 0.14, 0.18, 0.12, 0.10, 0.08, 0.08, 0.07, 0.07)
NICHE_P = (0.13, 0.11, 0.14, 0.10, 0.10, 0.08, 0.07, 0.07, 0.06, 0.07, 0.07)


@dataclass(frozen=True, slots=True)
class Creators:
    platform: np.ndarray  # index into PLATFORMS
    language: np.ndarray  # index into LANGUAGES
    country: np.ndarray  # str
    region: np.ndarray  # dialect region, "" outside Italian speakers
    followers: np.ndarray  # int64
    main: np.ndarray  # niche index
    sub: np.ndarray  # sub-niche index within the main niche
    second: np.ndarray  # niche index, -1 for none
    main_share: np.ndarray  # share of on-topic posts about the main niche
    themes: np.ndarray  # bool (n, themes)
    saturation: np.ndarray  # probability that a post is paid
    authentic: np.ndarray  # authentic share of the audience
    reply_rate: np.ndarray  # share of comments the creator answers
    er_factor: np.ndarray  # how much better or worse than the curve the creator engages
    talker: np.ndarray  # names brands it likes, unpaid

    @property
    def n(self) -> int:
        return int(self.followers.shape[0])


def _followers(rng: np.random.Generator, n: int) -> np.ndarray:
    """1k–100k for most; a thin shelf below 1k; a tail of 100k–8M names."""
    u = rng.random(n)
    logf = 3.0 + 2.0 * rng.beta(1.5, 2.3, n)
    logf = np.where(u < 0.06, rng.uniform(2.5, 3.0, n), logf)
    logf = np.where(u > 0.935, 5.0 + 1.9 * rng.beta(1.2, 2.2, n), logf)
    return np.round(10.0**logf).astype(np.int64)


def _second(rng: np.random.Generator, main: np.ndarray) -> np.ndarray:
    n = main.shape[0]
    u = rng.random(n)
    second = np.full(n, -1, dtype=np.int64)
    for k, niche in enumerate(NICHES):
        near = np.array([NICHES.index(x) for x in NEIGHBOURS[niche]])
        rows = np.flatnonzero((main == k) & (u < 0.55))
        second[rows] = near[rng.integers(0, near.shape[0], rows.shape[0])]
    wander = np.flatnonzero((u >= 0.55) & (u < 0.65))
    second[wander] = (main[wander] + rng.integers(1, len(NICHES), wander.shape[0])) % len(NICHES)
    return second


def _reply_rate(rng: np.random.Generator, followers: np.ndarray) -> np.ndarray:
    n = followers.shape[0]
    rate = np.select(
        [followers < 10_000, followers < 100_000, followers < 500_000],
        [rng.beta(2.5, 3.5, n), rng.beta(2.0, 5.0, n), rng.beta(1.2, 8.0, n)],
        rng.beta(1.0, 20.0, n),
    )
    ghost = rng.random(n) < 0.12  # accounts that never open their comments
    return np.where(ghost, rate * 0.1, rate)


def sample_creators(
    rng: np.random.Generator, n: int, effects: AltEffects = DEFAULT
) -> Creators:
    platform = rng.choice(len(PLATFORMS), n, p=PLATFORM_P)
    language = rng.choice(len(LANGUAGES), n, p=LANGUAGE_P)
    country = np.empty(n, dtype=object)
    for j, lang in enumerate(LANGUAGES):
        rows = np.flatnonzero(language == j)
        codes, probs = COUNTRIES[lang]
        drawn = rng.choice(len(codes), rows.shape[0], p=probs)
        country[rows] = np.array(codes, dtype=object)[drawn]
    region = np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), n, p=REGION_P)]
    region = np.where(language == 0, np.where(country == "CH", "ticino", region), "")
    followers = _followers(rng, n)
    logf = np.log10(followers)
    main = rng.choice(len(NICHES), n, p=NICHE_P)
    second = _second(rng, main)
    main_share = np.where(second >= 0, rng.uniform(0.62, 0.9, n), 0.93)
    prob = theme_matrix()
    held_main = prob[main]
    held_second = np.where((second >= 0)[:, None], 0.35 * prob[np.maximum(second, 0)], 0.0)
    themes = rng.random(held_main.shape) < 1.0 - (1.0 - held_main) * (1.0 - held_second)

    fake = rng.random(n) < np.clip(effects.fake_base + 0.05 * (logf - 3.0), 0.03, 0.25)
    authentic = np.where(
        fake, 0.30 + 0.45 * rng.beta(2.0, 2.0, n), 0.76 + 0.22 * rng.beta(5.0, 2.0, n)
    )
    hustler = rng.random(n) < np.clip(effects.hustler_base + 0.04 * (logf - 3.0), 0.04, 0.3)
    saturation = rng.beta(1.3, 11.0, n) + np.clip(0.05 * (logf - 3.0), 0.0, 0.2)
    saturation = np.clip(np.where(hustler, rng.uniform(0.35, 0.75, n), saturation), 0.0, 0.9)
    talker = rng.random(n) < np.where(followers < 100_000, effects.talker_small, effects.talker_big)
    return Creators(
        platform=platform,
        language=language,
        country=country,
        region=region.astype(object),
        followers=followers,
        main=main,
        sub=rng.integers(0, 5, n),
        second=second,
        main_share=main_share,
        themes=themes,
        saturation=saturation,
        authentic=authentic,
        reply_rate=_reply_rate(rng, followers),
        er_factor=rng.lognormal(0.0, effects.er_sigma, n),
        talker=talker,
    )
