"""Orchestration: brands → latent creators → fans → past campaigns → feeds → JSON Lines.

The stages run in this order because each needs the previous one: creators mention
brands, campaigns pick creators by latent fit, and campaigns add posts to the feeds.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from training.world.advocacy import (
    AdvocacyCoefficients,
    advocacy_probability,
    expected_campaign_engagement,
    pair_signals,
)
from training.world.brands import BrandSpec, generate_brands, random_name, slug
from training.world.creators import CreatorLatents, sample_creator_latents
from training.world.effects import DEFAULT, WorldEffects
from training.world.fandom import draw_fan_mentions
from training.world.outcomes import simulate_outcomes
from training.world.posts import FeedContext, render_posts
from training.world.profiles import assign_identities, creator_record, voice_of
from training.world.spec import LANGUAGES, NICHES
from training.world.text import BrandRef
from training.world.truth import WorldTruth, write_truth
from training.world.vocabulary import vocabulary

BACKGROUND_SPONSORS_PER_NICHE = 4


@dataclass(frozen=True, slots=True)
class World:
    creators: list[dict[str, Any]]  # DESIGN.md Creator records
    brands: list[dict[str, Any]]  # DESIGN.md Brand records
    outcomes: list[dict[str, Any]]  # DESIGN.md Outcome records
    # every pair's latent P(advocate) and expected engagement: for bench/ and tests only
    truth: WorldTruth | None = None


def _background_sponsors(
    brands: list[BrandSpec], text_rng: random.Random
) -> dict[tuple[str, int], list[BrandRef]]:
    """Advertisers outside the catalogue: most real sponsored posts are for other brands."""
    taken = {brand.brand_id for brand in brands}
    sponsors: dict[tuple[str, int], list[BrandRef]] = {}
    for language in LANGUAGES:
        vocab = vocabulary(language)
        for k, niche in enumerate(NICHES):
            refs: list[BrandRef] = []
            while len(refs) < BACKGROUND_SPONSORS_PER_NICHE:
                name = random_name(vocab, niche, text_rng)
                if slug(name) not in taken:
                    taken.add(slug(name))
                    refs.append(BrandRef(name, "@" + slug(name).replace("-", "")))
            sponsors[(language, k)] = refs
    return sponsors


def latent_truth(
    latents: CreatorLatents,
    creator_ids: list[str],
    fans: np.ndarray,
    brands: list[BrandSpec],
    effects: WorldEffects,
) -> WorldTruth:
    """Each pair's P(advocate) and expected campaign engagement: the draws' own expectations.

    Computed from the latents alone, so it consumes no random numbers: the world's records
    are the same bytes with or without it.
    """
    coef = AdvocacyCoefficients.of(effects)
    every = np.arange(latents.n)
    advocacy = np.zeros((len(brands), latents.n), dtype=np.float32)
    engagement = np.zeros((len(brands), latents.n), dtype=np.float32)
    for b in range(len(brands)):
        signals = pair_signals(latents, fans, brands, b)
        advocacy[b] = advocacy_probability(signals, latents, every, coef)
        engagement[b] = expected_campaign_engagement(signals, latents, every, effects)
    return WorldTruth(
        brand_ids=np.array([brand.brand_id for brand in brands], dtype=str),
        creator_ids=np.array(creator_ids, dtype=str),
        advocacy=advocacy,
        engagement_rate=engagement,
    )


def _progress(items: range, enabled: bool) -> Iterable[int]:
    if not enabled:
        return items
    from tqdm import tqdm  # only needed for interactive runs

    # disable=None: a bar on a terminal, silence in logs and CI
    bar: Iterable[int] = tqdm(items, desc="creators", unit="creator", disable=None)
    return bar


def generate_world(
    n_creators: int,
    n_brands: int,
    seed: int,
    progress: bool = False,
    max_posts: int | None = None,
    effects: WorldEffects = DEFAULT,
) -> World:
    """A deterministic world: the same arguments always give the same records.

    `max_posts` keeps only each creator's most recent posts (a world for build benchmarks,
    where embedding every caption of 100k creators would take hours); the rest of the world,
    outcomes included, is the one drawn without it.

    `effects` sets the effect sizes of advocacy and engagement (`training/world/effects.py`);
    the default is today's world, byte for byte.
    """
    if n_creators < 1 or n_brands < 0:
        raise ValueError(f"need n_creators >= 1 and n_brands >= 0, got {n_creators}, {n_brands}")
    rng = np.random.default_rng(seed)
    text_rng = random.Random(int(rng.integers(2**62)))
    brands, brand_records = generate_brands(n_brands, rng, text_rng)
    latents = sample_creator_latents(rng, n_creators, effects)
    identities = assign_identities(latents, text_rng)
    fans = draw_fan_mentions(latents, brands, rng, effects)
    creator_ids = [identity.creator_id for identity in identities]
    outcomes = simulate_outcomes(latents, creator_ids, fans, brands, rng, effects=effects)

    by_language: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for identity, language in zip(identities, latents.language, strict=True):
        by_language[str(language)].append(identity.handle)
    ctx = FeedContext(
        brands=brands,
        brands_by_niche={
            k: [b for b, s in enumerate(brands) if s.category == k] for k in range(len(NICHES))
        },
        background_sponsors=_background_sponsors(brands, text_rng),
    )
    creators: list[dict[str, Any]] = []
    for i in _progress(range(n_creators), progress):
        identity = identities[i]
        voice = voice_of(i, latents, identity, by_language[str(latents.language[i])], text_rng)
        posts = render_posts(
            i,
            identity.creator_id,
            latents,
            fans,
            outcomes.events.get(i, []),
            voice,
            ctx,
            rng,
            text_rng,
            effects,
        )
        record = creator_record(i, identity, latents, voice, posts, rng, text_rng)
        if max_posts is not None:
            record["posts"] = _most_recent(record.get("posts") or [], max_posts)
        creators.append(record)
    truth = latent_truth(latents, creator_ids, fans, brands, effects)
    return World(creators=creators, brands=brand_records, outcomes=outcomes.rows, truth=truth)


def _most_recent(posts: list[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    return sorted(posts, key=lambda post: str(post["posted_at"]), reverse=True)[:keep]


def _write_jsonl(records: list[dict[str, Any]], path: Path) -> int:
    # Write beside the target, then rename: a re-run never leaves a half-written file.
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    os.replace(temporary, path)
    return len(records)


def write_world(world: World, out_dir: Path) -> dict[str, int]:
    """creators.jsonl, brands.jsonl and outcomes.jsonl in `out_dir`; returns row counts.

    A world that carries its truth also gets `truth.npz` (training/world/truth.py), a
    separate file that ingest never reads; its count is the number of pairs.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {
        "creators": _write_jsonl(world.creators, out_dir / "creators.jsonl"),
        "brands": _write_jsonl(world.brands, out_dir / "brands.jsonl"),
        "outcomes": _write_jsonl(world.outcomes, out_dir / "outcomes.jsonl"),
    }
    if world.truth is not None:
        counts["truth_pairs"] = write_truth(world.truth, out_dir)
    return counts
