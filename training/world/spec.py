"""The fixed shape of the synthetic world: niches, value tags, languages, markets and audiences.

Everything here is data; the samplers in the sibling modules read it. The numbers are
deliberately round: they encode orders of magnitude from market reports (see
docs/synthetic-world.md), not measurements.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

# "Now" is fixed so that the same seed always yields the same dates.
NOW = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY_DAYS = 365

NICHES = (
    "fashion", "beauty", "food", "travel", "fitness", "parenting",
    "tech", "gaming", "sustainability", "home", "pets",
)  # fmt: skip
NICHE_INDEX = {niche: i for i, niche in enumerate(NICHES)}
# How often each niche is a creator's (or a brand's) main topic.
NICHE_WEIGHTS = np.array([0.13, 0.12, 0.13, 0.10, 0.10, 0.07, 0.07, 0.07, 0.06, 0.08, 0.07])

# Secondary topics are not random: a food creator travels, a parent writes about home.
# Unlisted pairs get SECONDARY_BASE.
SECONDARY_BASE = 0.15
SECONDARY_AFFINITY: dict[str, dict[str, float]] = {
    "fashion": {"beauty": 3.0, "travel": 1.5, "sustainability": 1.5, "home": 1.0},
    "beauty": {"fashion": 3.0, "fitness": 1.5, "sustainability": 1.0},
    "food": {"travel": 2.5, "fitness": 1.5, "home": 1.5, "parenting": 1.0, "sustainability": 1.0},
    "travel": {"food": 2.5, "fashion": 1.5, "fitness": 1.0, "pets": 0.8},
    "fitness": {"food": 2.5, "beauty": 1.2, "travel": 1.0, "tech": 0.6},
    "parenting": {"home": 2.5, "food": 2.0, "pets": 1.0, "sustainability": 1.0},
    "tech": {"gaming": 3.0, "home": 1.0, "travel": 0.5},
    "gaming": {"tech": 3.0, "pets": 0.5},
    "sustainability": {"fashion": 2.0, "food": 2.0, "home": 2.0, "travel": 1.0},
    "home": {"parenting": 1.5, "food": 1.5, "sustainability": 1.5, "pets": 1.5},
    "pets": {"home": 2.0, "parenting": 1.0, "travel": 1.0},
}

VALUE_TAGS = (
    "vegan", "eco", "handmade", "budget", "luxury", "family",
    "outdoor", "minimalist", "local", "techsavvy", "wellness",
)  # fmt: skip
VALUE_INDEX = {tag: i for i, tag in enumerate(VALUE_TAGS)}
VALUE_BASE_PROB = 0.03
# P(creator holds the tag | main niche); brands draw their tags from the same table.
VALUE_PROB: dict[str, dict[str, float]] = {
    "fashion": {"eco": 0.25, "handmade": 0.12, "budget": 0.2, "luxury": 0.15, "minimalist": 0.15,
                "local": 0.15, "vegan": 0.05},
    "beauty": {"vegan": 0.15, "eco": 0.2, "luxury": 0.12, "budget": 0.18, "wellness": 0.25,
               "minimalist": 0.08},
    "food": {"vegan": 0.18, "local": 0.3, "family": 0.15, "budget": 0.15, "wellness": 0.12,
             "handmade": 0.12, "eco": 0.1},
    "travel": {"outdoor": 0.3, "luxury": 0.12, "budget": 0.2, "local": 0.15, "eco": 0.12,
               "family": 0.1},
    "fitness": {"outdoor": 0.3, "wellness": 0.35, "vegan": 0.12, "techsavvy": 0.1},
    "parenting": {"family": 0.7, "eco": 0.2, "budget": 0.2, "handmade": 0.1, "outdoor": 0.15},
    "tech": {"techsavvy": 0.7, "budget": 0.2, "minimalist": 0.15, "luxury": 0.08},
    "gaming": {"techsavvy": 0.45, "budget": 0.15},
    "sustainability": {"eco": 0.85, "vegan": 0.3, "handmade": 0.2, "local": 0.3,
                       "minimalist": 0.25, "outdoor": 0.15},
    "home": {"handmade": 0.2, "minimalist": 0.25, "family": 0.2, "eco": 0.15, "luxury": 0.1,
             "techsavvy": 0.08, "local": 0.1},
    "pets": {"family": 0.25, "outdoor": 0.25, "eco": 0.08},
}  # fmt: skip

AGE_BRACKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
# Audience age profile by niche, before the platform shift below.
NICHE_AGES: dict[str, tuple[float, ...]] = {
    "fashion": (0.06, 0.30, 0.35, 0.17, 0.08, 0.04),
    "beauty": (0.08, 0.32, 0.33, 0.15, 0.08, 0.04),
    "food": (0.02, 0.15, 0.30, 0.25, 0.16, 0.12),
    "travel": (0.02, 0.20, 0.36, 0.22, 0.12, 0.08),
    "fitness": (0.04, 0.28, 0.36, 0.19, 0.09, 0.04),
    "parenting": (0.01, 0.07, 0.42, 0.36, 0.10, 0.04),
    "tech": (0.06, 0.27, 0.33, 0.20, 0.09, 0.05),
    "gaming": (0.18, 0.40, 0.26, 0.10, 0.04, 0.02),
    "sustainability": (0.04, 0.26, 0.36, 0.19, 0.10, 0.05),
    "home": (0.01, 0.12, 0.34, 0.28, 0.15, 0.10),
    "pets": (0.05, 0.22, 0.31, 0.22, 0.12, 0.08),
}
# TikTok audiences skew young, YouTube slightly older than Instagram.
PLATFORM_AGE_SHIFT = {
    "instagram": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "tiktok": (1.9, 1.5, 1.0, 0.75, 0.55, 0.4),
    "youtube": (1.0, 1.1, 1.0, 1.05, 1.0, 0.95),
}
NICHE_FEMALE_SHARE = {
    "fashion": 0.78, "beauty": 0.86, "food": 0.62, "travel": 0.58, "fitness": 0.52,
    "parenting": 0.84, "tech": 0.28, "gaming": 0.22, "sustainability": 0.66, "home": 0.72,
    "pets": 0.68,
}  # fmt: skip

PLATFORMS = ("instagram", "tiktok", "youtube")
PLATFORM_WEIGHTS = np.array([0.60, 0.28, 0.12])
PLATFORM_PREFIX = {"instagram": "ig", "tiktok": "tt", "youtube": "yt"}

LANGUAGES = ("it", "en", "es")
CREATOR_LANGUAGE_WEIGHTS = np.array([0.50, 0.30, 0.20])
BRAND_LANGUAGE_WEIGHTS = np.array([0.55, 0.25, 0.20])
# Where speakers of each language live (creator country), and which other countries a
# creator's audience spills into (diaspora, neighbours, the English-speaking web).
HOME_COUNTRIES: dict[str, tuple[tuple[str, float], ...]] = {
    "it": (("IT", 0.90), ("CH", 0.07), ("SM", 0.03)),
    "en": (("GB", 0.45), ("US", 0.45), ("IE", 0.10)),
    "es": (("ES", 0.60), ("MX", 0.25), ("AR", 0.15)),
}
AUDIENCE_ABROAD = {
    "it": ("CH", "DE", "FR", "US", "GB", "ES", "SM"),
    "en": ("GB", "US", "IE", "CA", "AU", "DE", "IT"),
    "es": ("ES", "MX", "AR", "CO", "CL", "US", "IT"),
}
# A San Marino creator's audience lives mostly in Italy; elsewhere the home country leads.
AUDIENCE_DOMINANT = {"SM": "IT"}
# The language's largest market is always a strong second audience (Ticino → Italy).
LANGUAGE_MAIN_MARKET = {"it": "IT", "en": "US", "es": "ES"}
COUNTRIES = ("IT", "CH", "SM", "GB", "US", "IE", "ES", "MX", "AR", "DE", "FR", "CA", "AU",
             "CO", "CL")  # fmt: skip
COUNTRY_INDEX = {country: i for i, country in enumerate(COUNTRIES)}
CURRENCY = {"GB": "GBP", "US": "USD", "MX": "USD", "AR": "USD", "CH": "CHF"}  # else EUR
EUR_TO = {"EUR": 1.0, "GBP": 0.86, "USD": 1.08, "CHF": 0.95}


def currency_of(country: str) -> str:
    return CURRENCY.get(country, "EUR")


def rfc3339(epoch_seconds: float) -> str:
    """`2026-10-01T10:00:00Z`: whole seconds, UTC, as DESIGN.md's examples."""
    return datetime.fromtimestamp(int(epoch_seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
