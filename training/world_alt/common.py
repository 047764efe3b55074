"""Shared constants of the alternative world: clock, niches, value themes, and the dice.

Everything random flows from one `numpy.random.Generator`. `Dice` draws blocks of uniforms
from it and hands them out one at a time, which keeps per-word choices cheap and
deterministic without a second generator.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import numpy as np

T = TypeVar("T")

NOW = datetime(2026, 11, 1, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
DAY = 86_400

NICHES: tuple[str, ...] = (
    "fashion", "beauty", "food", "travel", "fitness", "parenting",
    "tech", "gaming", "sustainability", "home", "pets",
)  # fmt: skip
NICHE_INDEX = {name: k for k, name in enumerate(NICHES)}

# Sub-niches, in the order the Italian lexicon lists them.
SUBNICHES: dict[str, tuple[str, ...]] = {
    "fashion": ("thrift", "tailoring", "streetwear", "curvy", "capsule"),
    "beauty": ("skincare", "makeup", "curls", "nails", "fragrance"),
    "food": ("vegan", "barbecue", "pastry", "coffee", "regional"),
    "travel": ("vanlife", "trails", "villages", "budget", "backpacking"),
    "fitness": ("running", "calisthenics", "yoga", "lifting", "cycling"),
    "parenting": ("newborn", "montessori", "bigfamily", "dads", "pregnancy"),
    "tech": ("phones", "smarthome", "pcbuild", "photo", "productivity"),
    "gaming": ("retro", "esports", "cozy", "boardgames", "streaming"),
    "sustainability": ("zerowaste", "garden", "mobility", "repair", "climate"),
    "home": ("interior", "diy", "plants", "declutter", "renovation"),
    "pets": ("dogs", "cats", "rescue", "training", "small"),
}

# Which niches a creator of one niche drifts into (not symmetric on purpose).
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "fashion": ("beauty", "sustainability", "travel"),
    "beauty": ("fashion", "fitness"),
    "food": ("travel", "home", "fitness"),
    "travel": ("food", "fitness", "sustainability"),
    "fitness": ("food", "beauty", "travel"),
    "parenting": ("home", "food", "pets"),
    "tech": ("gaming", "home"),
    "gaming": ("tech",),
    "sustainability": ("food", "fashion", "home", "travel"),
    "home": ("parenting", "sustainability", "pets"),
    "pets": ("home", "parenting"),
}

# Value themes: what a brand stands for and what a creator cares about.
THEMES: tuple[str, ...] = (
    "circular", "craft", "inclusive", "territory", "animalcare", "plantbased",
    "affordable", "mindful", "kidsafe", "performance", "community", "transparency",
    "slowliving", "privacy", "adventure", "premium",
)  # fmt: skip

# P(a creator of the niche holds the theme); themes not listed: 0.03.
THEME_PROB: dict[str, dict[str, float]] = {
    "fashion": {"circular": .30, "craft": .25, "inclusive": .22, "territory": .15,
                "premium": .12, "affordable": .20, "slowliving": .10},
    "beauty": {"animalcare": .40, "inclusive": .30, "plantbased": .20, "mindful": .25,
               "premium": .15, "affordable": .20, "transparency": .15},
    "food": {"territory": .40, "plantbased": .25, "craft": .30, "slowliving": .20,
             "affordable": .20, "community": .15, "premium": .10},
    "travel": {"adventure": .50, "slowliving": .30, "territory": .25, "affordable": .30,
               "community": .10, "circular": .08},
    "fitness": {"performance": .50, "mindful": .35, "plantbased": .15, "community": .25,
                "adventure": .20, "inclusive": .15},
    "parenting": {"kidsafe": .60, "slowliving": .20, "affordable": .35, "community": .25,
                  "mindful": .20, "circular": .20},
    "tech": {"performance": .40, "privacy": .35, "affordable": .25, "transparency": .20,
             "premium": .15, "community": .10},
    "gaming": {"community": .50, "performance": .25, "affordable": .20, "inclusive": .15,
               "privacy": .10},
    "sustainability": {"circular": .70, "plantbased": .35, "transparency": .35,
                       "territory": .30, "slowliving": .30, "community": .30, "animalcare": .20},
    "home": {"craft": .35, "slowliving": .35, "circular": .25, "affordable": .25,
             "premium": .15, "territory": .15},
    "pets": {"animalcare": .55, "community": .30, "transparency": .20, "affordable": .20,
             "mindful": .10, "adventure": .20},
}  # fmt: skip
THEME_BASE = 0.015
THEME_SCALE = 0.75  # the table reads as relative strengths; creators hold ~1.6 themes

LANGUAGES: tuple[str, ...] = ("it", "en", "es")
COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "it": (("IT", "CH"), (0.94, 0.06)),
    "en": (("GB", "US", "IE", "AU"), (0.40, 0.45, 0.05, 0.10)),
    "es": (("ES", "MX", "AR", "CO"), (0.55, 0.28, 0.10, 0.07)),
}
PLATFORM_PREFIX = {"instagram": "ig", "tiktok": "tt", "youtube": "yt"}
# Local currency and units of it per euro (round figures; quotes are rounded anyway).
CURRENCY: dict[str, tuple[str, float]] = {
    "IT": ("EUR", 1.0), "CH": ("CHF", 0.95), "GB": ("GBP", 0.85), "US": ("USD", 1.08),
    "IE": ("EUR", 1.0), "AU": ("AUD", 1.65), "ES": ("EUR", 1.0), "MX": ("MXN", 19.0),
    "AR": ("USD", 1.08), "CO": ("USD", 1.08),
}  # fmt: skip


def theme_matrix() -> np.ndarray:
    """(niches × themes) probabilities."""
    out = np.full((len(NICHES), len(THEMES)), THEME_BASE)
    for k, niche in enumerate(NICHES):
        for theme, p in THEME_PROB[niche].items():
            out[k, THEMES.index(theme)] = THEME_SCALE * p
    return out


def iso(ts: int) -> str:
    """An RFC 3339 UTC timestamp from epoch seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Dice:
    """Single draws served from blocks of uniforms of the one generator."""

    def __init__(self, rng: np.random.Generator, block: int = 1 << 15) -> None:
        self.rng = rng
        self._block = block
        self._stream: Iterator[float] = iter(())

    def random(self) -> float:
        try:
            return next(self._stream)
        except StopIteration:
            self._stream = iter(self.rng.random(self._block).tolist())
            return next(self._stream)

    def chance(self, p: float) -> bool:
        return self.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], both ends included."""
        return low + int(self.random() * (high - low + 1))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def some(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items (fewer when there are fewer), in draw order."""
        pool = list(items)
        out: list[T] = []
        while pool and len(out) < k:
            out.append(pool.pop(int(self.random() * len(pool))))
        return out
