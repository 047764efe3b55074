"""The effect sizes of the first world, as data: today's values, and the range each may take.

`WorldEffects()` holds the values the generator has always used, so `generate_world(...)`
without `effects=` writes the same bytes as before. `draw_effects(rng)` draws one world's
effects within `RANGES`: the *sign* of every effect is fixed by the domain (unpaid mentions
help, a saturated feed hurts, …); only magnitudes vary, so a model trained across many drawn
worlds learns the directions the seed describes rather than one world's exact weights.

The ranges come from the domain (docs/synthetic-world.md, "Domain randomisation", and the
seed article), never from an evaluation set: not the golden set, not a held-out world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class WorldEffects:
    """Everything that decides advocacy and engagement in one world (defaults: today's world)."""

    # advocacy log-odds (docs/synthetic-world.md, "The latent advocacy model")
    intercept: float = -3.55
    affinity: float = 4.0
    brand_mentions: float = 1.6
    category_mentions: float = 0.4
    sponsored_saturation: float = 3.0  # subtracted
    audience_match: float = 1.5
    authenticity: float = 4.0
    reply_rate: float = 2.5
    size_above_100k: float = 0.8  # subtracted, per decade above 100k
    language: float = 0.8
    noise_sd: float = 0.5
    # engagement
    sponsored_engagement: float = 0.8  # ER of a paid post / organic
    authenticity_exponent: float = 2.0  # ER ∝ (authentic_share / 0.88) ** this
    creator_factor_sigma: float = 0.35
    post_noise_sigma: float = 0.35
    campaign_fit_lift: float = 1.0  # campaign ER × (1 + this · fit)
    campaign_noise_sigma: float = 0.3
    # base rates
    inflated_share: float = 0.09  # creators with bought followers
    fan_share: float = 0.34  # creators who mention one or two brands unpaid
    saturated_share: float = 0.08  # busy ad feeds at 1k followers (+0.04 per decade)
    reply_scale: float = 0.6  # reply rate = this × Beta(1.3, 2.6)
    # candidate selection
    shortlist_share: float = 0.7  # candidates an agency searched for; the rest are random

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


DEFAULT = WorldEffects()


@dataclass(frozen=True, slots=True)
class EffectRange:
    low: float
    high: float
    log: bool  # draw log-uniformly (for effects whose plausible values span a ratio)
    why: str


# The intercept is not drawn: it follows the drawn coefficients (see `draw_effects`), shifted
# by `base_rate_shift`, so that every world keeps a plausible advocate rate.
BASE_RATE_SHIFT = EffectRange(
    -0.5, 0.5, False,
    "advocate rate of completed campaigns ≈ 22–42% (a minority become advocates; seed)",
)  # fmt: skip

RANGES: dict[str, EffectRange] = {
    "affinity": EffectRange(2.5, 5.5, False,
        "topic and value fit: the strongest driver in every account of advocacy (seed)"),
    "brand_mentions": EffectRange(0.8, 2.4, True,
        "already talking about the brand unpaid is the definition of an advocate (seed)"),
    "category_mentions": EffectRange(0.1, 0.8, True,
        "talking about the category helps, less than the brand itself"),
    "sponsored_saturation": EffectRange(1.5, 4.5, True,
        "a feed full of ads is a poor partner (DESIGN.md); how poor varies by market"),
    "audience_match": EffectRange(0.75, 2.25, True,
        "an audience in the brand's markets and ages makes lasting advocacy likelier"),
    "authenticity": EffectRange(2.0, 6.0, True,
        "bought followers make a poor partner whatever the count (DESIGN.md)"),
    "reply_rate": EffectRange(1.0, 4.0, True,
        "community management keeps a credible relation with the audience (seed)"),
    "size_above_100k": EffectRange(0.3, 1.5, True,
        "big names rarely keep featuring a brand unpaid; odds ÷1.3–4.5 per decade"),
    "language": EffectRange(0.4, 1.6, True,
        "creators rarely champion a brand whose products and content are in another language"),
    "noise_sd": EffectRange(0.3, 0.9, False,
        "how much of advocacy nothing observable explains (personal taste, timing)"),
    "sponsored_engagement": EffectRange(0.65, 0.95, False,
        "audiences engage less with ads; how much less varies by audience and format"),
    "authenticity_exponent": EffectRange(1.0, 2.5, False,
        "fake followers never engage (≥ 1); follow-back junk drags further (up to ~2.5)"),
    "creator_factor_sigma": EffectRange(0.2, 0.5, False,
        "creator-to-creator spread around the benchmark engagement curve"),
    "post_noise_sigma": EffectRange(0.2, 0.5, False,
        "post-to-post spread around a creator's own engagement level"),
    "campaign_fit_lift": EffectRange(0.3, 1.5, True,
        "a well-matched audience engages more with the brand's content"),
    "campaign_noise_sigma": EffectRange(0.15, 0.45, False,
        "spread of one campaign post's engagement"),
    "inflated_share": EffectRange(0.04, 0.15, True,
        "audits find a sizeable minority of accounts with bought followers (HypeAuditor)"),
    "fan_share": EffectRange(0.2, 0.45, False,
        "share of creators who name a brand of their niche unpaid"),
    "saturated_share": EffectRange(0.04, 0.14, True,
        "share of small creators whose feed is mostly ads; grows with size"),
    "reply_scale": EffectRange(0.4, 0.9, False,
        "how far reply rates reach (a nano creator can answer most comments)"),
    "shortlist_share": EffectRange(0.5, 0.9, False,
        "how targeted an agency's shortlist is; the rest is cold outreach and inbound requests"),
}  # fmt: skip

# Mean of each advocacy term over the candidates of a default world (5,000 creators, 60
# brands, seed 7), measured once by recording each term in `simulate_outcomes`. They re-centre
# the intercept when the coefficients change, so that a world's advocate rate moves mostly by
# `base_rate_shift` (the base rates drawn alongside move the means a little).
TERM_MEANS: dict[str, float] = {
    "affinity": 0.2920,
    "brand_mentions": 0.1053,  # of log1p(count)
    "category_mentions": 0.1296,  # of log1p(count)
    "sponsored_saturation": 0.1145,
    "audience_match": 0.5762,
    "authenticity": -0.0036,  # of authentic_share − 0.85
    "reply_rate": 0.0012,  # of reply rate − 0.2
    "size_above_100k": 0.0299,
    "language": 0.6610,
}
# Terms that lower z (the coefficient is subtracted).
NEGATIVE_TERMS = frozenset({"sponsored_saturation", "size_above_100k"})


def _uniform(rng: np.random.Generator, span: EffectRange) -> float:
    if span.log:
        return float(math.exp(rng.uniform(math.log(span.low), math.log(span.high))))
    return float(rng.uniform(span.low, span.high))


def draw_effects(rng: np.random.Generator) -> WorldEffects:
    """One world's effects: each uniform (or log-uniform) in its range, same rng → same draw."""
    drawn = {name: _uniform(rng, span) for name, span in RANGES.items()}
    shift = _uniform(rng, BASE_RATE_SHIFT)
    intercept = DEFAULT.intercept + shift
    for name, mean in TERM_MEANS.items():
        sign = -1.0 if name in NEGATIVE_TERMS else 1.0
        intercept -= sign * (drawn[name] - getattr(DEFAULT, name)) * mean
    return replace(DEFAULT, intercept=float(intercept), **drawn)


def describe(effects: WorldEffects) -> dict[str, Any]:
    """Rounded values, for manifests and bench records."""
    return {name: round(value, 4) for name, value in effects.as_dict().items()}
