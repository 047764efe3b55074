"""Past campaigns: agency shortlists, stages, dates, labels and the posts they leave behind.

A shortlist mixes three ways agencies really pick: a niche-and-values search that still
leans to bigger accounts and to creators already tagging the brand (75%), a reach hunt by
follower count within the niche (12%), and anyone related who was at hand (13%). Stages
depend on the creator: big names, saturated feeds and poor fits decline more, creators who
would advocate decline less.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from training.world_alt.brands import BrandSpec
from training.world_alt.common import DAY, NOW_TS, iso
from training.world_alt.creators import Creators
from training.world_alt.effects import DEFAULT, AltEffects
from training.world_alt.rules import Verdict

STAGES = ("proposed", "contacted", "accepted", "declined", "posted", "completed")
STAGE_W = np.array([0.07, 0.09, 0.07, 0.14, 0.11, 0.52])
OBSERVED_DAYS = ((1, 5), (2, 9), (5, 16), (2, 12), (12, 30), (25, 60))  # after started_at
FIRST_START = NOW_TS - 346 * DAY  # 2025-11-20
LAST_START = NOW_TS - 57 * DAY  # 2026-09-05


@dataclass(frozen=True, slots=True)
class CampaignPost:
    brand: int
    campaign_id: str
    posted_at: int
    rate: float  # (likes + comments) / followers of the campaign post
    tagged: bool  # carries "campaign_id" in the post record


@dataclass(slots=True)
class Campaigns:
    rows: list[dict[str, Any]] = field(default_factory=list)
    paid: dict[int, list[CampaignPost]] = field(default_factory=dict)
    afterglow: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # (brand, ts)


def _draw(rng: np.random.Generator, weight: np.ndarray, k: int, taken: np.ndarray) -> None:
    w = np.where(taken, 0.0, weight)
    k = min(k, int(np.count_nonzero(w)))
    if k > 0:
        taken[rng.choice(w.shape[0], k, replace=False, p=w / w.sum())] = True


def shortlist(
    b: int,
    creators: Creators,
    verdict: Verdict,
    rng: np.random.Generator,
    size: int,
    cold_share: float = 0.0,
) -> np.ndarray:
    """Agency picks: a niche search (75%), a reach hunt (12%), anyone related at hand (13%).

    With `cold_share` > 0, that share of the list is anyone at all (inbound requests, cold
    outreach) and the search and the hunt shrink in proportion.
    """
    fit = verdict.niche_fit[:, b]
    shared = verdict.shared[:, b]
    reach = np.where(verdict.reach[:, b], 1.0, 0.05)
    pull = (creators.followers / 10_000.0) ** 0.3  # agencies like bigger numbers
    relevance = (6.0 * (fit == 2) + 2.5 * (fit == 1) + shared + 0.05) ** 2
    # what a look at the profile shows: a feed full of ads, a flat response to a big audience,
    # comments left unanswered
    tidy = np.where(creators.saturation < 0.3, 1.0, 0.4)
    tidy *= np.where(creators.authentic < 0.7, 0.6, 1.0)
    tidy *= np.where(creators.reply_rate < 0.1, 0.6, 1.0)
    talk = 1.0 + 3.0 * verdict.named[:, b] + 1.0 * verdict.talks_category[:, b]
    search = relevance * talk * tidy * reach * pull
    related = (fit > 0) | (shared >= 1)
    hunt = creators.followers**0.7 * np.where(fit > 0, 1.0, 0.02) * reach
    taken = np.zeros(creators.n, dtype=bool)
    searched = 1.0 - cold_share
    cold = round(size * cold_share)
    _draw(rng, search, round(size * 0.75 * searched), taken)
    _draw(rng, hunt, round(size * 0.12 * searched), taken)
    _draw(rng, np.where(related, 1.0, 0.05) * reach, size - cold - int(taken.sum()), taken)
    _draw(rng, np.ones(creators.n), cold, taken)  # no draw at all when cold is 0
    return np.flatnonzero(taken)


def _stages(rng: np.random.Generator, creators: Creators, picked: np.ndarray,
            grade: np.ndarray) -> np.ndarray:  # fmt: skip
    weights = np.tile(STAGE_W, (picked.shape[0], 1))
    weights[:, 3] *= np.where(creators.followers[picked] > 500_000, 2.5, 1.0)
    weights[:, 3] *= np.where(creators.saturation[picked] >= 0.4, 1.6, 1.0)
    weights[:, 3] *= np.select([grade == 3, grade <= 1], [0.5, 1.6], 1.0)  # off-brand: no thanks
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return (rng.random((picked.shape[0], 1)) > cumulative).sum(axis=1)


def simulate(
    specs: list[BrandSpec],
    creators: Creators,
    creator_ids: list[str],
    verdict: Verdict,
    base: np.ndarray,
    rng: np.random.Generator,
    effects: AltEffects = DEFAULT,
) -> Campaigns:
    out = Campaigns()
    advocate_p = effects.advocate_p()
    shape = effects.campaign_noise_shape
    for b, spec in enumerate(specs):
        size = min(int(rng.integers(25, 66)), max(6, creators.n // 40))
        picked = shortlist(b, creators, verdict, rng, size, effects.cold_share)
        starts = np.sort(rng.integers(FIRST_START, LAST_START, int(rng.integers(1, 4))))
        ids = [f"{spec.brand_id}-{iso(int(s))[2:4]}{iso(int(s))[5:7]}-{k + 1}"
               for k, s in enumerate(starts)]  # fmt: skip
        which: list[int] = np.asarray(rng.integers(0, len(starts), size=len(picked))).tolist()
        grades = verdict.grade[picked, b]
        stage: list[int] = _stages(rng, creators, picked, grades).tolist()
        advocate: list[bool] = (rng.random(picked.shape[0]) < advocate_p[grades]).tolist()
        grade: list[int] = grades.tolist()
        for j, i in enumerate(picked.tolist()):
            started = int(starts[which[j]] + rng.integers(0, 9 * DAY) // 3600 * 3600)
            low, high = OBSERVED_DAYS[stage[j]]
            observed = min(started + int(rng.uniform(low, high) * DAY), NOW_TS - 2 * 3600)
            row: dict[str, Any] = {
                "brand_id": spec.brand_id, "creator_id": creator_ids[i],
                "campaign_id": ids[which[j]], "stage": STAGES[stage[j]],
                "started_at": iso(started), "observed_at": iso(observed),
            }  # fmt: skip
            if stage[j] >= 4:
                lift = (
                    1.0
                    + effects.campaign_fit_lift * (grade[j] >= 2)
                    + effects.campaign_advocate_lift * advocate[j]
                )
                noise = rng.gamma(shape, 1 / shape)
                rate = float(base[i] * effects.paid_factor * lift * noise)
                row["engagement_rate"] = round(rate, 5)
                span = max(2, min(20, (observed - started) // DAY - 1))
                posted_at = started + int(rng.uniform(2, span) * DAY)
                out.paid.setdefault(i, []).append(
                    CampaignPost(b, ids[which[j]], posted_at, rate, bool(rng.random() < 0.5))
                )
            if stage[j] == 5:
                row["advocate"] = bool(advocate[j])
                if advocate[j] and rng.random() < 0.65:
                    for _ in range(int(rng.integers(1, 4))):
                        ts = observed + int(rng.uniform(3, 90) * DAY)
                        if ts < NOW_TS - 3600:
                            out.afterglow.setdefault(i, []).append((b, ts))
            out.rows.append(row)
    return out
