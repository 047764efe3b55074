"""The effect sizes of the alternative world, as data: today's values, and their ranges.

This world's truth is a set of rules (`rules.py`), so its "effects" are the rules' thresholds
(how clean a feed, how real an audience, how present a host must be), how often the rule is
flipped (advocacy probability by grade), how engagement responds, and base rates. Each
threshold keeps its direction (a cleaner feed never hurts, …); only where the line sits and
how strongly it shows vary. `AltEffects()` is today's world, byte for byte; `draw_effects(rng)`
draws one world's values within `RANGES`, chosen from the domain (docs/synthetic-world.md,
"Domain randomisation"), never from an evaluation set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class AltEffects:
    """Everything that decides advocacy and engagement in one alternative world."""

    # the rules (rules.py)
    max_clean_saturation: float = 0.20  # clean: saturation below this
    saturated: float = 0.40  # a poor partner from this saturation on
    min_real: float = 0.80  # real: authentic share at least this
    fake: float = 0.65  # a poor partner below this authentic share
    min_reply_rate: float = 0.10  # host: answers at least this share of comments
    big: float = 500_000.0  # followers above which a creator is never grade 3
    min_category_mentions: int = 3  # evidence: unpaid mentions of the brand's category
    # advocacy probability of a completed campaign, by grade (the rule, with some flipped)
    advocate_p0: float = 0.01
    advocate_p1: float = 0.03
    advocate_p2: float = 0.10
    advocate_p3: float = 0.92
    # engagement
    paid_factor: float = 0.72  # ER of a paid post / organic
    authenticity_exponent: float = 1.5  # ER ∝ (authentic / 0.9) ** this
    er_sigma: float = 0.4  # creator-to-creator spread around the curve
    campaign_fit_lift: float = 0.3  # campaign ER × (1 + this) for grade ≥ 2
    campaign_advocate_lift: float = 0.25  # … and × (1 + this) more for an advocate
    campaign_noise_shape: float = 8.0  # Gamma(shape, 1/shape) noise: higher is tighter
    # base rates
    fake_base: float = 0.06  # share with bought followers at 1k (+5% per decade)
    hustler_base: float = 0.08  # share of ad-saturated feeds at 1k (+4% per decade)
    talker_small: float = 0.5  # share of creators < 100k who name brands unpaid
    talker_big: float = 0.3  # … of bigger creators
    # candidate selection
    cold_share: float = 0.0  # candidates nobody searched for (inbound, cold outreach)

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}

    def advocate_p(self) -> np.ndarray:
        """Advocacy probability by grade 0..3."""
        return np.array([self.advocate_p0, self.advocate_p1, self.advocate_p2, self.advocate_p3])


DEFAULT = AltEffects()


@dataclass(frozen=True, slots=True)
class EffectRange:
    low: float
    high: float
    log: bool  # draw log-uniformly
    why: str
    integer: bool = False


# Ranges of neighbouring thresholds and of the grade probabilities do not overlap: the rules'
# order (clean < saturated, fake < real, grade 0 < 1 < 2 < 3) holds in every drawn world.
RANGES: dict[str, EffectRange] = {
    "max_clean_saturation": EffectRange(0.12, 0.28, False,
        "a clean feed: roughly one post in 4–8 paid at most; agencies draw the line differently"),
    "saturated": EffectRange(0.32, 0.55, False,
        "a feed a third to a half ads reads as a billboard (DESIGN.md)"),
    "min_real": EffectRange(0.72, 0.88, False,
        "where a healthy audience ends is a judgement call, not a published constant"),
    "fake": EffectRange(0.55, 0.70, False,
        "below ~55–70% real followers an account is inflated"),
    "min_reply_rate": EffectRange(0.03, 0.20, True,
        "answering comments at all is what community management means (seed)"),
    "big": EffectRange(200_000.0, 1_500_000.0, True,
        "where a creator stops being a peer: upper mid tier to macro"),
    "min_category_mentions": EffectRange(2, 4, False,
        "how much unpaid talk about the category counts as evidence", integer=True),
    "advocate_p0": EffectRange(0.002, 0.015, True, "an off-brand pick rarely advocates"),
    "advocate_p1": EffectRange(0.015, 0.06, True, "a poor partner in the niche, now and then"),
    "advocate_p2": EffectRange(0.06, 0.25, True, "one thing missing: sometimes"),
    "advocate_p3": EffectRange(0.75, 0.97, False,
        "a genuine advocate mostly keeps featuring the brand; life gets in the way"),
    "paid_factor": EffectRange(0.6, 0.9, False,
        "audiences engage less with ads; how much less varies by audience and format"),
    "authenticity_exponent": EffectRange(1.0, 2.5, False,
        "fake followers never engage (≥ 1); follow-back junk drags further"),
    "er_sigma": EffectRange(0.25, 0.55, False,
        "creator-to-creator spread around the engagement curve"),
    "campaign_fit_lift": EffectRange(0.1, 0.6, True,
        "a well-matched audience engages more with the brand's content"),
    "campaign_advocate_lift": EffectRange(0.05, 0.5, True,
        "a creator who believes in the brand writes a post that lands better"),
    "campaign_noise_shape": EffectRange(4.0, 16.0, True,
        "spread of one campaign post's engagement (Gamma shape: sd 25–50%)"),
    "fake_base": EffectRange(0.03, 0.12, True,
        "audits find a sizeable minority of accounts with bought followers"),
    "hustler_base": EffectRange(0.04, 0.14, True,
        "share of small creators whose feed is mostly ads"),
    "talker_small": EffectRange(0.3, 0.65, False,
        "share of small creators who name brands they like, unpaid"),
    "talker_big": EffectRange(0.15, 0.45, False,
        "bigger creators name brands unpaid less often"),
    "cold_share": EffectRange(0.0, 0.3, False,
        "inbound requests and cold outreach: candidates nobody searched for"),
}  # fmt: skip


def _uniform(rng: np.random.Generator, span: EffectRange) -> float:
    if span.integer:
        return float(rng.integers(int(span.low), int(span.high) + 1))
    if span.log:
        return float(math.exp(rng.uniform(math.log(span.low), math.log(span.high))))
    return float(rng.uniform(span.low, span.high))


def draw_effects(rng: np.random.Generator) -> AltEffects:
    """One world's effects, each uniform (or log-uniform) in its range; same rng → same draw."""
    drawn: dict[str, Any] = {name: _uniform(rng, span) for name, span in RANGES.items()}
    drawn["min_category_mentions"] = int(drawn["min_category_mentions"])
    return replace(DEFAULT, **drawn)


def describe(effects: AltEffects) -> dict[str, Any]:
    """Rounded values, for manifests and bench records."""
    return {name: round(value, 4) for name, value in effects.as_dict().items()}
