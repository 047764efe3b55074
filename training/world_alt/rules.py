"""The ground truth of this world: rules, not a logistic score.

For a creator c and a brand b:

- fit       c's main or secondary niche is b's category, or c holds >= 2 of b's value themes
- evidence  c named b unpaid, or named other brands of b's category unpaid >= 3 times,
            or c holds >= 2 of b's value themes
- clean     sponsored saturation < 0.20        (saturated: >= 0.40)
- real      authentic audience share >= 0.80   (fake: < 0.65)
- host      replies to >= 10% of its comments
- reach     c writes in one of b's languages, or lives in one of b's markets, or named b unpaid
- big       more than 500k followers

grade 3  fit, not big, and evidence, clean, real, host and reach all hold (would advocate)
grade 2  fit, not big/saturated/fake, exactly one of evidence/clean/real/host/reach missing
grade 1  fit otherwise (in niche but a poor partner: celebrity, saturated, fake, or several
         things missing), or b's category neighbours c's main niche and they share a value
grade 0  anything else

A campaign with c ends with c advocating with probability 0.92 for grade 3, 0.10 for
grade 2, 0.03 for grade 1 and 0.01 for grade 0: the rule, with a few percent flipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.world_alt.brands import BrandSpec
from training.world_alt.common import LANGUAGES, NEIGHBOURS, NICHES
from training.world_alt.creators import Creators
from training.world_alt.effects import DEFAULT, AltEffects
from training.world_alt.habits import Habits

# Today's thresholds and probabilities; each world may draw its own (effects.py, AltEffects).
MAX_CLEAN_SATURATION = DEFAULT.max_clean_saturation
SATURATED = DEFAULT.saturated
MIN_REAL = DEFAULT.min_real
FAKE = DEFAULT.fake
MIN_REPLY_RATE = DEFAULT.min_reply_rate
BIG = DEFAULT.big
MIN_CATEGORY_MENTIONS = DEFAULT.min_category_mentions
ADVOCATE_P = DEFAULT.advocate_p()  # by grade


@dataclass(frozen=True, slots=True)
class Verdict:
    grade: np.ndarray  # int8 (creators, brands)
    niche_fit: np.ndarray  # 2 main niche, 1 secondary, 0 none
    shared: np.ndarray  # value themes in common
    reach: np.ndarray  # bool
    named: np.ndarray  # bool: c named b unpaid
    talks_category: np.ndarray  # bool: c named other brands of b's category unpaid


def _adjacency() -> np.ndarray:
    adj = np.zeros((len(NICHES), len(NICHES)), dtype=bool)
    for k, niche in enumerate(NICHES):
        for other in NEIGHBOURS[niche]:
            adj[k, NICHES.index(other)] = True
    return adj


def judge(
    creators: Creators, specs: list[BrandSpec], habits: Habits, effects: AltEffects = DEFAULT
) -> Verdict:
    category = np.array([spec.category for spec in specs], dtype=np.int64)
    niche_fit = 2 * (creators.main[:, None] == category) + (creators.second[:, None] == category)
    brand_themes = np.zeros((len(specs), creators.themes.shape[1]), dtype=np.int64)
    for b, spec in enumerate(specs):
        brand_themes[b, list(spec.themes)] = 1
    shared = creators.themes.astype(np.int64) @ brand_themes.T
    named = habits.brand_counts >= 1
    category_talk = habits.niche_counts[:, category] - habits.brand_counts
    language = np.array(LANGUAGES, dtype=object)[creators.language]
    speaks = np.stack([np.isin(language, spec.languages) | np.isin(creators.country, spec.markets)
                       for spec in specs], axis=1)  # fmt: skip
    reach = speaks | named

    fit = (niche_fit > 0) | (shared >= 2)
    evidence = named | (category_talk >= effects.min_category_mentions) | (shared >= 2)
    clean = (creators.saturation < effects.max_clean_saturation)[:, None]
    real = (creators.authentic >= effects.min_real)[:, None]
    host = (creators.reply_rate >= effects.min_reply_rate)[:, None]
    big = (creators.followers > effects.big)[:, None]
    saturated = (creators.saturation >= effects.saturated)[:, None]
    poor = big | saturated | (creators.authentic < effects.fake)[:, None]
    misses = (~evidence).astype(np.int64) + ~clean + ~real + ~host + ~reach

    near = _adjacency()[creators.main][:, category] & (shared >= 1)
    grade = np.zeros(fit.shape, dtype=np.int8)
    grade[near | fit] = 1
    grade[fit & ~poor & (misses == 1)] = 2
    grade[fit & ~big & (misses == 0)] = 3
    return Verdict(grade=grade, niche_fit=niche_fit, shared=shared, reach=reach, named=named,
                   talks_category=category_talk >= 1)
