"""Past campaigns: who each brand shortlisted, how far it got, and who became an advocate.

Agencies shortlist relevant creators, so most candidates are drawn with probability rising
with affinity and language fit; the rest are random (cold outreach, inbound requests).
That selection bias is deliberate: a model trained on these rows must cope with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from training.world.advocacy import (
    AdvocacyCoefficients,
    PairSignals,
    advocacy_logit,
    campaign_engagement,
    pair_signals,
    sigmoid,
)
from training.world.brands import BrandSpec
from training.world.creators import CreatorLatents
from training.world.effects import DEFAULT, WorldEffects
from training.world.fandom import language_match
from training.world.spec import NOW, rfc3339

STAGES = ("completed", "posted", "accepted", "contacted", "proposed", "declined")
STAGE_PROBS = np.array([0.58, 0.10, 0.06, 0.08, 0.06, 0.12])
ROWS_PER_BRAND = (80, 150)
SHORTLIST_SHARE = 0.7  # today's; WorldEffects.shortlist_share varies it per world
POSTED_ADVOCATE_SHARE = 0.3  # a "posted" row sometimes already carries the label
AFTERGLOW_SHARE = 0.55  # advocates who keep posting about the brand unpaid afterwards
DAY = 86_400.0
WINDOW = (
    datetime(2026, 3, 1, tzinfo=UTC).timestamp(),
    datetime(2026, 10, 31, 23, 59, tzinfo=UTC).timestamp(),
)
CAMPAIGN_STARTS = (
    datetime(2026, 2, 10, tzinfo=UTC).timestamp(),
    datetime(2026, 9, 30, tzinfo=UTC).timestamp(),
)
# Days from campaign start to the observation, by stage: completed campaigns take longest.
STAGE_LAG_DAYS = {"completed": (25, 60), "posted": (8, 30)}
OTHER_LAG_DAYS = (0, 25)


@dataclass(frozen=True, slots=True)
class CampaignEvent:
    """A post a campaign adds to a creator's feed."""

    kind: str  # "campaign": the paid post; "afterglow": an unpaid mention afterwards
    brand: int
    at: float  # epoch seconds
    engagement_rate: float | None = None
    campaign_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outcomes:
    rows: list[dict[str, Any]]
    events: dict[int, list[CampaignEvent]] = field(default_factory=dict)


def _shortlist(
    signals: PairSignals,
    latents: CreatorLatents,
    brand: BrandSpec,
    m: int,
    rng: np.random.Generator,
    share: float = SHORTLIST_SHARE,
) -> np.ndarray:
    n = latents.n
    n_relevant = round(share * m)
    # Agencies search for creators who already talk about the brand, and who speak its language.
    weight = (
        np.exp(3.0 * signals.affinity)
        * np.where(language_match(latents.language, brand), 1.0, 0.2)
        * np.where(signals.brand_mentions > 0, 3.0, 1.0)
    )
    relevant = rng.choice(n, size=n_relevant, replace=False, p=weight / weight.sum())
    rest = np.setdiff1d(np.arange(n), relevant)
    random_pick = rng.choice(rest, size=min(m - n_relevant, len(rest)), replace=False)
    return np.concatenate([relevant, random_pick])


def _campaign_ids(brand: BrandSpec, starts: np.ndarray) -> list[str]:
    ids: list[str] = []
    for start in starts:
        base = f"{brand.brand_id}-{datetime.fromtimestamp(start, UTC):%b%y}".lower()
        ids.append(base if base not in ids else f"{base}-{len(ids) + 1}")
    return ids


def simulate_outcomes(
    latents: CreatorLatents,
    creator_ids: Sequence[str],
    fan_mentions: np.ndarray,
    brands: Sequence[BrandSpec],
    rng: np.random.Generator,
    coef: AdvocacyCoefficients | None = None,
    effects: WorldEffects = DEFAULT,
) -> Outcomes:
    coef = coef or AdvocacyCoefficients.of(effects)
    outcomes = Outcomes(rows=[])
    for b, brand in enumerate(brands):
        signals = pair_signals(latents, fan_mentions, brands, b)
        m = min(
            int(rng.integers(ROWS_PER_BRAND[0], ROWS_PER_BRAND[1] + 1)),
            max(3, latents.n // 10),
            latents.n,
        )
        rows = _shortlist(signals, latents, brand, m, rng, effects.shortlist_share)
        starts = np.sort(rng.uniform(*CAMPAIGN_STARTS, size=int(rng.integers(1, 4))))
        campaign = rng.integers(len(starts), size=len(rows))
        stages = rng.choice(len(STAGES), size=len(rows), p=STAGE_PROBS)
        advocate = rng.random(len(rows)) < sigmoid(
            advocacy_logit(signals, latents, rows, rng, coef)
        )
        rates = campaign_engagement(signals, latents, rows, rng, effects)
        extra = rng.random((len(rows), 4))  # lags, post dates and label reveal, per row
        ids = _campaign_ids(brand, starts)
        for j, creator in enumerate(rows):
            stage = STAGES[stages[j]]
            low, high = STAGE_LAG_DAYS.get(stage, OTHER_LAG_DAYS)
            start = starts[campaign[j]]
            observed = float(np.clip(start + (low + extra[j, 0] * (high - low)) * DAY, *WINDOW))
            row: dict[str, Any] = {
                "brand_id": brand.brand_id,
                "creator_id": creator_ids[creator],
                "campaign_id": ids[campaign[j]],
                "stage": stage,
                "started_at": rfc3339(start),  # the decision time: features are taken as of it
            }
            if stage in ("completed", "posted"):
                row["engagement_rate"] = round(float(rates[j]), 4)
                if stage == "completed" or extra[j, 1] < POSTED_ADVOCATE_SHARE:
                    row["advocate"] = bool(advocate[j])
                posted_at = min(start + (2 + 10 * extra[j, 2]) * DAY, observed - DAY)
                _add_event(
                    outcomes,
                    creator,
                    CampaignEvent(
                        "campaign", b, max(posted_at, start), float(rates[j]), ids[campaign[j]]
                    ),
                )
                if advocate[j] and extra[j, 3] < AFTERGLOW_SHARE:
                    _add_afterglow(outcomes, int(creator), b, observed, rng)
            row["observed_at"] = rfc3339(observed)
            outcomes.rows.append(row)
    return outcomes


def _add_event(outcomes: Outcomes, creator: int, event: CampaignEvent) -> None:
    outcomes.events.setdefault(int(creator), []).append(event)


def _add_afterglow(
    outcomes: Outcomes, creator: int, brand: int, observed: float, rng: np.random.Generator
) -> None:
    """Unpaid mentions after the observation: visible today, invisible point-in-time."""
    room = NOW.timestamp() - observed - DAY
    if room <= 0:
        return
    for at in observed + DAY + rng.uniform(0, room, size=int(rng.integers(1, 3))):
        _add_event(outcomes, creator, CampaignEvent("afterglow", brand, float(at)))
