"""One creator's feed: organic posts, unpaid brand talk, paid posts and campaign posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.world_alt import captions
from training.world_alt.brands import BrandRef
from training.world_alt.campaigns import CampaignPost
from training.world_alt.common import DAY, NICHES, NOW_TS, PLATFORM_PREFIX, SUBNICHES, Dice, iso
from training.world_alt.engagement import COMMENT_SHARE, LIKES_PER_VIEW, PAID_FACTOR, interactions

HANDLE_RE = re.compile(r"@[A-Za-z0-9_.]*[A-Za-z0-9_]")
POSTS_PER_PLATFORM = {"instagram": (14, 48), "tiktok": (20, 70), "youtube": (8, 30)}
WINDOW_DAYS = 420
MAX_POSTS = 200


@dataclass(frozen=True, slots=True)
class Author:
    """What the feed needs to know about its creator."""

    platform: str
    followers: int
    main: int
    sub: int
    second: int
    main_share: float
    saturation: float
    reply_rate: float
    base_rate: float
    shows_replies: bool
    code: str  # discount code used in paid captions
    voice: captions.Voice
    paid_factor: float = PAID_FACTOR  # ER of a paid post / organic


@dataclass(slots=True)
class Draft:
    ts: int
    caption: str
    paid: bool
    disclosed: bool
    rate: float
    campaign_id: str | None = None


def _topic(author: Author, dice: Dice) -> tuple[str, str]:
    roll = dice.random()
    if roll < 0.06:
        return "", ""  # daily life, off-topic
    if roll < author.main_share or author.second < 0:
        niche = NICHES[author.main]
        return niche, SUBNICHES[niche][author.sub]
    niche = NICHES[author.second]
    return niche, dice.pick(SUBNICHES[niche])


def _brand_text(ref: BrandRef, dice: Dice) -> str:
    roll = dice.random()
    if roll < 0.55:
        return ref.handle
    if roll < 0.85:
        return ref.name
    return ref.name.lower()


def _regular(author: Author, favourites: list[tuple[BrandRef, int]],
             sponsors: dict[tuple[int, str], list[BrandRef]], friends: list[str],
             dice: Dice) -> list[Draft]:  # fmt: skip
    voice = author.voice
    low, high = POSTS_PER_PLATFORM[author.platform]
    n = dice.between(low, high)
    times = sorted(NOW_TS - int(WINDOW_DAYS * DAY * dice.random() ** 1.3) - 3600 for _ in range(n))
    rounds = max((count for _, count in favourites), default=0)
    talk = [ref for r in range(rounds) for ref, count in favourites if count > r]
    talk = talk[: max(len(favourites), n // 3)]  # every favourite shows up at least once
    slots = dict(zip(dice.some(range(n), len(talk)), talk, strict=False))
    drafts: list[Draft] = []
    for k, ts in enumerate(times):
        rate = author.base_rate * dice.uniform(0.45, 1.55)
        if k in slots:
            ref = slots[k]
            niche = NICHES[ref.niche]
            text = captions.shoutout(voice, niche, dice.pick(SUBNICHES[niche]),
                                     _brand_text(ref, dice), dice)  # fmt: skip
            drafts.append(Draft(ts, text, False, False, rate))
            continue
        niche, sub = _topic(author, dice)
        pool = sponsors.get((NICHES.index(niche) if niche else author.main, voice.language), [])
        if pool and dice.chance(author.saturation):
            ref = dice.pick(pool)
            disclose = dice.chance(0.94)
            text = captions.sponsored(voice, niche or NICHES[author.main], sub, ref.name,
                                      ref.handle, author.code, dice, disclose=disclose)  # fmt: skip
            drafts.append(Draft(ts, text, True, disclose, rate * author.paid_factor))
            continue
        text = captions.organic(voice, niche, sub, dice)
        if friends and dice.chance(0.07):
            text = f"{text} 📸 {dice.pick(friends)}"
        drafts.append(Draft(ts, text, False, False, rate))
    return drafts


def render_feed(
    author: Author,
    favourites: list[tuple[BrandRef, int]],
    paid: list[CampaignPost],
    afterglow: list[tuple[BrandRef, int]],
    sponsors: dict[tuple[int, str], list[BrandRef]],
    catalogue: list[BrandRef],
    friends: list[str],
    rng: np.random.Generator,
    dice: Dice,
) -> list[dict[str, Any]]:
    voice = author.voice
    drafts = _regular(author, favourites, sponsors, friends, dice)
    keep = MAX_POSTS - len(paid) - len(afterglow)
    drafts = sorted(drafts, key=lambda d: d.ts)[-keep:]
    for job in paid:
        ref = catalogue[job.brand]
        niche = NICHES[ref.niche]
        disclose = dice.chance(0.95)
        text = captions.sponsored(voice, niche, dice.pick(SUBNICHES[niche]), ref.name, ref.handle,
                                  author.code, dice, disclose=disclose)  # fmt: skip
        tag = job.campaign_id if job.tagged else None
        drafts.append(Draft(job.posted_at, text, True, disclose, job.rate, tag))
    for ref, ts in afterglow:
        niche = NICHES[ref.niche]
        text = captions.shoutout(voice, niche, dice.pick(SUBNICHES[niche]),
                                 _brand_text(ref, dice), dice)  # fmt: skip
        drafts.append(Draft(ts, text, False, False, author.base_rate * dice.uniform(0.6, 1.6)))
    drafts.sort(key=lambda d: d.ts, reverse=True)

    low, high = COMMENT_SHARE[author.platform]
    comment_share = dice.uniform(low, high)
    vlow, vhigh = LIKES_PER_VIEW[author.platform]
    counts = [interactions(author.followers, draft.rate, comment_share) for draft in drafts]
    replies = rng.binomial(np.array([c for _, c in counts], dtype=np.int64), author.reply_rate)
    posts: list[dict[str, Any]] = []
    for k, (draft, (likes, comments)) in enumerate(zip(drafts, counts, strict=True)):
        post: dict[str, Any] = {
            "post_id": f"{PLATFORM_PREFIX[author.platform]}{len(drafts) - k:03d}",
            "posted_at": iso(draft.ts), "caption": draft.caption[:5000],
            "likes": likes, "comments": comments,
        }  # fmt: skip
        if author.platform != "instagram" or dice.chance(0.3):
            post["views"] = int(likes / dice.uniform(vlow, vhigh)) + comments
        if (draft.paid and not draft.disclosed) or dice.chance(0.5):
            post["sponsored"] = draft.paid
        if author.shows_replies:
            post["creator_replies"] = int(replies[k])
        if dice.chance(0.55):
            post["mentions"] = list(dict.fromkeys(HANDLE_RE.findall(draft.caption)))
        if draft.campaign_id is not None:
            post["campaign_id"] = draft.campaign_id
        posts.append(post)
    return posts
