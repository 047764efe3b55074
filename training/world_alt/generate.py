"""Orchestration: brands → creators → unpaid habits → rules → campaigns → feeds → records."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from training.world.truth import WorldTruth
from training.world.world import World, write_world
from training.world_alt.audience import audience_record
from training.world_alt.brands import BrandRef, background_brands, brand_record, generate_brands
from training.world_alt.campaigns import simulate
from training.world_alt.captions import Voice
from training.world_alt.common import LANGUAGES, NICHES, PLATFORM_PREFIX, Dice
from training.world_alt.creators import PLATFORMS, Creators, sample_creators
from training.world_alt.effects import DEFAULT, AltEffects
from training.world_alt.engagement import base_rate, rate_card
from training.world_alt.feed import Author, render_feed
from training.world_alt.habits import draw_habits
from training.world_alt.profile import make_bio, make_handle
from training.world_alt.rules import Verdict, judge


@dataclass(frozen=True, slots=True)
class AltWorld:
    world: World
    grades: list[tuple[str, str, int]]  # (brand_id, creator_id, grade), grade >= 1 only


def _voice(c: Creators, i: int, dice: Dice) -> Voice:
    from training.world_alt.common import THEMES

    tiktok = PLATFORMS[c.platform[i]] == "tiktok"
    italian = c.language[i] == 0
    return Voice(
        language=LANGUAGES[c.language[i]], country=str(c.country[i]), region=str(c.region[i]),
        dialect=dice.uniform(0.15, 0.45) if dice.chance(0.35) else dice.uniform(0.0, 0.05),
        slang=dice.uniform(0.05, 0.3) + (0.15 if tiktok else 0.0),
        codemix=dice.uniform(0.02, 0.2) if italian else 0.0,
        typo=dice.uniform(0.05, 0.15) if dice.chance(0.3) else dice.uniform(0.0, 0.03),
        story=(0.05 if tiktok else dice.uniform(0.0, 0.25)) if italian else 0.0,
        tagging=dice.uniform(0.3, 0.95), emoji=dice.uniform(0.3, 0.95),
        themes=tuple(THEMES[t] for t in np.flatnonzero(c.themes[i]).tolist()),
        value_rate=dice.uniform(0.2, 0.6),
    )  # fmt: skip


def _record(c: Creators, i: int, handle: str, posts: list[dict[str, Any]],
            rng: np.random.Generator, dice: Dice) -> dict[str, Any]:  # fmt: skip
    platform, lang, country = PLATFORMS[c.platform[i]], LANGUAGES[c.language[i]], str(c.country[i])
    followers = int(c.followers[i])
    rec: dict[str, Any] = {"creator_id": f"{PLATFORM_PREFIX[platform]}:{handle}", "handle": handle,
                           "platform": platform, "followers": followers}  # fmt: skip
    if dice.chance(0.9):
        typical = 700 if followers < 10_000 else (900 if followers < 100_000 else 350)
        following = rng.lognormal(np.log(typical), 0.6)
        if c.authentic[i] < 0.76:  # bought audiences come with follow-for-follow
            following = rng.uniform(2500, 7500)
        rec["following"] = int(np.clip(following, 5, 7500))
    if dice.chance(0.95):
        rec["country"] = country
    if dice.chance(0.93):
        rec["language"] = lang
    if dice.chance(0.92):
        rec["bio"] = make_bio(lang, country, str(c.region[i]), int(c.main[i]), int(c.sub[i]),
                              float(c.saturation[i]), float(c.reply_rate[i]), dice)  # fmt: skip
    if dice.chance(0.85):
        cats = [NICHES[c.main[i]]]
        if c.second[i] >= 0 and dice.chance(0.6):
            cats.append(NICHES[c.second[i]])
        rec["categories"] = cats
    rec["posts"] = posts
    if dice.chance(0.8):
        second_w = 1.0 - float(c.main_share[i]) if c.second[i] >= 0 else 0.0
        mix = {int(c.main[i]): 1.0 - second_w} | ({int(c.second[i]): second_w} if second_w else {})
        rec["audience"] = audience_record(rng, country, platform, mix, float(c.authentic[i]),
                                          dice.chance(0.65))  # fmt: skip
    if dice.chance(0.6):
        rec["rate_card"] = rate_card(followers, platform, country, rng)
    return rec


def _progress(items: range, enabled: bool) -> Iterable[int]:
    if not enabled:
        return items
    from tqdm import tqdm

    bar: Iterable[int] = tqdm(items, desc="alt creators", unit="creator", disable=None)
    return bar


def generate_alt_world(
    n_creators: int,
    n_brands: int,
    seed: int,
    progress: bool = False,
    effects: AltEffects = DEFAULT,
) -> AltWorld:
    """A deterministic world plus its graded truth: same arguments, same records.

    `effects` sets the rules' thresholds, engagement responses and base rates
    (`training/world_alt/effects.py`); the default is today's world, byte for byte.
    """
    if n_creators < 1 or n_brands < 1:
        raise ValueError(f"need n_creators >= 1 and n_brands >= 1, got {n_creators}, {n_brands}")
    rng = np.random.default_rng(seed)
    dice = Dice(rng)
    taken: set[str] = set()
    specs = generate_brands(n_brands, rng, dice, taken)
    background = background_brands(taken, dice)
    c = sample_creators(rng, n_creators, effects)
    used: dict[int, set[str]] = {p: set() for p in range(len(PLATFORMS))}
    handles = [make_handle(LANGUAGES[c.language[i]], int(c.main[i]), used[int(c.platform[i])], dice)
               for i in range(n_creators)]  # fmt: skip
    ids = [f"{PLATFORM_PREFIX[PLATFORMS[c.platform[i]]]}:{h}" for i, h in enumerate(handles)]
    habits = draw_habits(c, specs, background, rng)
    verdict = judge(c, specs, habits, effects)
    base = base_rate(c, effects.authenticity_exponent)
    campaigns = simulate(specs, c, ids, verdict, base, rng, effects)

    catalogue = [spec.ref for spec in specs]
    refs = catalogue + background
    sponsors: dict[tuple[int, str], list[BrandRef]] = {}
    for spec in specs:
        for lang in spec.languages:
            sponsors.setdefault((spec.category, lang), []).append(spec.ref)
    for ref in background:
        sponsors.setdefault((ref.niche, ref.language), []).append(ref)
    brands = []
    for spec in specs:
        rivals = [r for r in refs if r.niche == spec.category and r.name != spec.ref.name
                  and r.language == spec.ref.language]  # fmt: skip
        brands.append(brand_record(spec, rivals, rng, dice))
    friends = {j: [f"@{h}" for i, h in enumerate(handles) if c.language[i] == j][:400]
               for j in range(len(LANGUAGES))}  # fmt: skip

    creators: list[dict[str, Any]] = []
    for i in _progress(range(n_creators), progress):
        author = Author(
            platform=PLATFORMS[c.platform[i]], followers=int(c.followers[i]), main=int(c.main[i]),
            sub=int(c.sub[i]), second=int(c.second[i]), main_share=float(c.main_share[i]),
            saturation=float(c.saturation[i]), reply_rate=float(c.reply_rate[i]),
            base_rate=float(base[i]), shows_replies=dice.chance(0.8),
            code=f"{handles[i].split('.')[0].split('_')[0][:8].upper()}{dice.between(10, 30)}",
            voice=_voice(c, i, dice), paid_factor=effects.paid_factor,
        )  # fmt: skip
        glow = [(catalogue[b], ts) for b, ts in campaigns.afterglow.get(i, [])]
        posts = render_feed(author, habits.favourites[i], campaigns.paid.get(i, []), glow,
                            sponsors, catalogue, friends[int(c.language[i])],
                            rng, dice)  # fmt: skip
        creators.append(_record(c, i, handles[i], posts, rng, dice))

    grades = [
        (spec.brand_id, ids[i], int(verdict.grade[i, b]))
        for b, spec in enumerate(specs)
        for i in np.flatnonzero(verdict.grade[:, b]).tolist()
    ]
    truth = latent_truth(verdict, base, ids, [spec.brand_id for spec in specs], effects)
    world = World(creators=creators, brands=brands, outcomes=campaigns.rows, truth=truth)
    return AltWorld(world, grades)


def latent_truth(
    verdict: Verdict, base: np.ndarray, creator_ids: list[str], brand_ids: list[str],
    effects: AltEffects,
) -> WorldTruth:  # fmt: skip
    """P(advocate) by grade, and the campaign rate's expectation (`campaigns.simulate`).

    The paid post's rate is base · paid_factor · (1 + fit lift if grade ≥ 2 + advocate lift
    if the creator advocates) · Gamma noise of mean one; advocating has probability
    P(advocate | grade), so its expectation takes that lift times the probability. No draws.
    """
    grade = verdict.grade.T  # brands × creators
    advocacy = effects.advocate_p()[grade]
    lift = (
        1.0 + effects.campaign_fit_lift * (grade >= 2) + effects.campaign_advocate_lift * advocacy
    )
    engagement = base[None, :] * effects.paid_factor * lift
    return WorldTruth(
        brand_ids=np.array(brand_ids, dtype=str),
        creator_ids=np.array(creator_ids, dtype=str),
        advocacy=advocacy.astype(np.float32),
        engagement_rate=engagement.astype(np.float32),
    )


def write_alt_world(alt: AltWorld, out_dir: Path) -> dict[str, int]:
    """creators/brands/outcomes .jsonl and truth.npz (via write_world) and grades.csv; returns
    row counts."""
    out_dir = Path(out_dir)
    counts = write_world(alt.world, out_dir)
    target = out_dir / "grades.csv"
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as out:
        out.write("brand_id,creator_id,grade\n")
        for brand_id, creator_id, grade in alt.grades:
            out.write(f"{brand_id},{creator_id},{grade}\n")
    os.replace(temporary, target)
    counts["grades"] = len(alt.grades)
    return counts
