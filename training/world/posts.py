"""One creator's feed: a plan of posts (topic, kind, brand, date), then counts and captions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.world.brands import BrandSpec
from training.world.creators import CreatorLatents
from training.world.effects import DEFAULT, WorldEffects
from training.world.engagement import (
    INSTAGRAM_VIEWS_SHARE,
    LIKES_PER_VIEW,
    authenticity_effect,
    benchmark_rate,
    post_noise,
)
from training.world.outcomes import CampaignEvent
from training.world.spec import HISTORY_DAYS, NOW, rfc3339
from training.world.text import BrandRef, Voice, write_caption

MAX_POSTS = 200
EXPLICIT_SPONSORED_SHARE = 0.7  # the rest leave `sponsored` absent: detect from the caption
MENTIONS_FIELD_SHARE = 0.6  # the rest leave `mentions` absent: extract from the caption
WORLD_SPONSOR_SHARE = 0.7  # other ads are for brands outside the catalogue
_DAY = 86_400.0

REGULAR, FAN, SPONSORED, CAMPAIGN, AFTERGLOW = range(5)


@dataclass(frozen=True, slots=True)
class FeedContext:
    """World-level inputs every feed needs."""

    brands: Sequence[BrandSpec]
    brands_by_niche: dict[int, list[int]]
    background_sponsors: dict[tuple[str, int], list[BrandRef]]  # (language, niche)


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """Per-post arrays, newest first."""

    kind: np.ndarray
    niche: np.ndarray
    brand: np.ndarray  # -1 when the post names no brand
    at: np.ndarray  # epoch seconds
    campaign_rate: np.ndarray  # the outcome's engagement rate on campaign posts, else NaN
    campaign_id: np.ndarray  # object: the campaign of a campaign post, else None


def _plan(
    i: int,
    latents: CreatorLatents,
    fans: np.ndarray,
    events: Sequence[CampaignEvent],
    ctx: FeedContext,
    rng: np.random.Generator,
) -> FeedPlan:
    n = int(latents.n_posts[i])
    niche = rng.choice(latents.topic_mix.shape[1], size=n, p=latents.topic_mix[i])
    kind = np.full(n, REGULAR)
    brand = np.full(n, -1)
    order = rng.permutation(n)
    taken = 0
    for b in np.flatnonzero(fans[i]).tolist():  # unpaid fan mentions first: counts stay exact
        slots = order[taken : taken + fans[i, b]]
        kind[slots], brand[slots], niche[slots] = FAN, b, ctx.brands[b].category
        taken += len(slots)
    rest = order[taken:]
    kind[rest[rng.random(len(rest)) < latents.sponsored_saturation[i]]] = SPONSORED
    at = NOW.timestamp() - rng.uniform(0, HISTORY_DAYS * _DAY, n)
    campaign_rate = np.full(n, np.nan)
    campaign_id = np.full(n, None, dtype=object)
    if events:
        kind = np.concatenate(
            [kind, [CAMPAIGN if e.kind == "campaign" else AFTERGLOW for e in events]]
        )
        brand = np.concatenate([brand, [e.brand for e in events]])
        niche = np.concatenate([niche, [ctx.brands[e.brand].category for e in events]])
        at = np.concatenate([at, [e.at for e in events]])
        rates = [np.nan if e.engagement_rate is None else e.engagement_rate for e in events]
        campaign_rate = np.concatenate([campaign_rate, rates])
        own = np.array([e.campaign_id for e in events], dtype=object)
        campaign_id = np.concatenate([campaign_id, own])
    keep = np.argsort(-at, kind="stable")
    if len(keep) > MAX_POSTS:  # drop the oldest regular posts, never campaign posts
        regular = keep[kind[keep] == REGULAR]
        drop = regular[-(len(keep) - MAX_POSTS) :]
        keep = keep[~np.isin(keep, drop)]
    return FeedPlan(
        kind[keep], niche[keep], brand[keep], at[keep], campaign_rate[keep], campaign_id[keep]
    )


def _engagement_rates(
    i: int, latents: CreatorLatents, plan: FeedPlan, rng: np.random.Generator, effects: WorldEffects
) -> np.ndarray:
    followers, platform = latents.followers[i : i + 1], str(latents.platform[i])
    rate = (
        benchmark_rate(followers, platform)
        * latents.engagement_factor[i]
        * authenticity_effect(latents.authentic_share[i], effects.authenticity_exponent)
        * post_noise(rng, len(plan.kind), effects.post_noise_sigma)
    )
    rate = np.where(plan.kind == SPONSORED, rate * effects.sponsored_engagement, rate)
    return np.where(np.isnan(plan.campaign_rate), rate, plan.campaign_rate)


def render_posts(
    i: int,
    creator_id: str,
    latents: CreatorLatents,
    fans: np.ndarray,
    events: Sequence[CampaignEvent],
    voice: Voice,
    ctx: FeedContext,
    rng: np.random.Generator,
    text_rng: random.Random,
    effects: WorldEffects = DEFAULT,
) -> list[dict[str, Any]]:
    plan = _plan(i, latents, fans, events, ctx, rng)
    n = len(plan.kind)
    total = _engagement_rates(i, latents, plan, rng, effects) * latents.followers[i]
    likes = np.round(total / (1 + latents.comment_ratio[i])).astype(np.int64)
    comments = rng.poisson(likes * latents.comment_ratio[i])
    replies = rng.binomial(comments, latents.reply_rate[i])
    platform = str(latents.platform[i])
    views = np.round(likes / rng.uniform(*LIKES_PER_VIEW[platform], n)).astype(np.int64)
    has_views = rng.random(n) < (INSTAGRAM_VIEWS_SHARE if platform == "instagram" else 1.0)
    explicit = rng.random(n) < EXPLICIT_SPONSORED_SHARE
    with_mentions = rng.random(n) < MENTIONS_FIELD_SHARE
    posts: list[dict[str, Any]] = []
    for j in range(n):
        paid = plan.kind[j] in (SPONSORED, CAMPAIGN)
        ref = _brand_ref(
            int(plan.kind[j]), int(plan.brand[j]), int(plan.niche[j]), voice, ctx, text_rng
        )
        caption = write_caption(voice, int(plan.niche[j]), text_rng, ref, sponsored=paid)
        post: dict[str, Any] = {
            "post_id": f"{creator_id}-p{n - j}",
            "posted_at": rfc3339(plan.at[j]),
            "caption": caption.text,
            "likes": int(likes[j]),
            "comments": int(comments[j]),
            "views": int(views[j]) if has_views[j] else None,
            "creator_replies": int(replies[j]),
        }
        if explicit[j]:  # an agency that records sponsorship records the campaign too
            post["sponsored"] = bool(paid)
            if plan.campaign_id[j] is not None:
                post["campaign_id"] = plan.campaign_id[j]
        if with_mentions[j]:
            post["mentions"] = list(caption.handles)
        posts.append(post)
    return posts


def _brand_ref(
    kind: int, brand: int, niche: int, voice: Voice, ctx: FeedContext, text_rng: random.Random
) -> BrandRef | None:
    if kind == REGULAR:
        return None
    if kind != SPONSORED:
        spec = ctx.brands[brand]
        return BrandRef(spec.name, spec.handle)
    # Sponsors address the creator's own language market; foreign ones come from outside.
    language = voice.vocab.language
    in_world = [
        b for b in ctx.brands_by_niche.get(niche, []) if language in ctx.brands[b].languages
    ]
    if in_world and text_rng.random() < WORLD_SPONSOR_SHARE:
        spec = ctx.brands[text_rng.choice(in_world)]
        return BrandRef(spec.name, spec.handle)
    return text_rng.choice(ctx.background_sponsors[(voice.vocab.language, niche)])
