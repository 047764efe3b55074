"""Who follows whom: age and gender profiles by niche, and a creator's published audience."""

from __future__ import annotations

from typing import Any

import numpy as np

from training.world_alt.common import NICHE_INDEX

BRACKETS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
AGE_PROFILE = np.array([
    (5, 32, 35, 16, 8, 4),  # fashion
    (7, 34, 33, 15, 7, 4),  # beauty
    (2, 14, 30, 26, 17, 11),  # food
    (2, 20, 36, 24, 12, 6),  # travel
    (4, 30, 36, 18, 8, 4),  # fitness
    (1, 8, 42, 36, 10, 3),  # parenting
    (6, 28, 32, 20, 10, 4),  # tech
    (22, 40, 24, 9, 4, 1),  # gaming
    (4, 33, 33, 16, 9, 5),  # sustainability
    (1, 10, 28, 30, 20, 11),  # home
    (3, 20, 32, 24, 13, 8),  # pets
], dtype=float)  # fmt: skip
AGE_PROFILE /= AGE_PROFILE.sum(axis=1, keepdims=True)
PLATFORM_AGE = {
    "instagram": np.ones(6),
    "tiktok": np.array([1.8, 1.4, 1.0, 0.7, 0.5, 0.4]),
    "youtube": np.array([1.2, 1.1, 1.0, 1.0, 1.0, 1.0]),
}
FEMALE = (0.74, 0.88, 0.62, 0.58, 0.50, 0.82, 0.30, 0.27, 0.64, 0.70, 0.68)
ABROAD: dict[str, tuple[str, ...]] = {
    "IT": ("CH", "DE", "FR", "GB", "US"),
    "CH": ("IT", "DE", "FR"),
    "GB": ("US", "IE", "AU", "CA", "DE"),
    "US": ("CA", "GB", "MX", "AU"),
    "IE": ("GB", "US", "AU"),
    "AU": ("GB", "US", "NZ"),
    "ES": ("MX", "AR", "FR", "IT", "US"),
    "MX": ("US", "ES", "CO", "AR"),
    "AR": ("ES", "UY", "CL", "MX"),
    "CO": ("MX", "ES", "US", "VE"),
}


def brand_ages(category: str) -> list[str]:
    """The peak bracket of the category and its larger neighbours, two or three in all."""
    profile = AGE_PROFILE[NICHE_INDEX[category]]
    top = int(np.argmax(profile))
    picked = {top}
    for _ in range(2):
        edges = [j for j in (min(picked) - 1, max(picked) + 1) if 0 <= j < 6]
        best = max(edges, key=lambda j: profile[j])
        if profile[best] >= 0.15:
            picked.add(best)
    return [BRACKETS[j] for j in sorted(picked)]


def audience_record(
    rng: np.random.Generator,
    country: str,
    platform: str,
    mix: dict[int, float],
    authentic: float,
    show_authentic: bool,
) -> dict[str, Any]:
    """Published audience: top countries, ages, female share and maybe the authentic share."""
    abroad = ABROAD[country]
    home = rng.beta(8.0, 3.0) if country != "CH" else rng.uniform(0.3, 0.5)
    rest = rng.dirichlet(np.linspace(3.0, 1.0, len(abroad))) * (1.0 - home) * rng.uniform(0.6, 0.95)
    shares = sorted(zip((country, *abroad), (home, *rest), strict=True), key=lambda kv: -kv[1])
    countries = {code: float(np.floor(share * 1000) / 1000) for code, share in shares[:5]
                 if share >= 0.01}  # fmt: skip
    profile = sum(w * AGE_PROFILE[k] for k, w in mix.items()) * PLATFORM_AGE[platform]
    ages = rng.dirichlet(profile / profile.sum() * 60.0 + 0.05)
    ages = np.floor(ages * 1000) / 1000
    female = sum(w * FEMALE[k] for k, w in mix.items()) + rng.normal(0.0, 0.08)
    record: dict[str, Any] = {
        "countries": countries,
        "ages": {BRACKETS[j]: float(a) for j, a in enumerate(ages) if a > 0},
        "female_share": round(float(np.clip(female, 0.03, 0.97)), 2),
    }
    if show_authentic:
        record["authentic_share"] = round(float(authentic), 2)
    return record

