"""Creator identities (handles, cities) and the published Creator record around the posts."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.world.audience import ages_field, countries_field
from training.world.creators import CreatorLatents
from training.world.engagement import post_fee_eur, round_fee
from training.world.spec import EUR_TO, NICHES, PLATFORM_PREFIX, currency_of
from training.world.text import Voice, write_bio
from training.world.vocabulary import vocabulary

AUDIENCE_SHARE = 0.85  # creators who published audience insights
AUTHENTIC_SHARE_SHARE = 0.75  # of those, the ones whose report includes authenticity
RATE_CARD_SHARE = 0.70
SECONDARY_LISTED = 0.75  # secondary niches are sometimes missing from `categories`
MAX_FRIENDS = 3


@dataclass(frozen=True, slots=True)
class Identity:
    creator_id: str
    handle: str
    first_name: str
    city: str


def _handle(pattern: str, name: str, surname: str, word: str, rng: random.Random) -> str:
    digits = str(rng.randint(80, 99) if rng.random() < 0.5 else rng.randint(1, 999))
    raw = pattern.format(n=name, s=surname, w=word, d=digits)
    return re.sub(r"[^a-z0-9.]", "", raw.lower())


def assign_identities(latents: CreatorLatents, rng: random.Random) -> list[Identity]:
    """Unique, language-plausible handles: name-ish + niche word + digits."""
    used: set[str] = set()
    identities: list[Identity] = []
    for i in range(latents.n):
        vocab = vocabulary(str(latents.language[i]))
        name, surname = rng.choice(vocab.first_names), rng.choice(vocab.surnames)
        word = rng.choice(vocab.niche_handle_words[NICHES[int(latents.main_niche[i])]])
        handle = _handle(rng.choice(vocab.handle_patterns), name, surname, word, rng)
        prefix = PLATFORM_PREFIX[str(latents.platform[i])]
        while f"{prefix}:{handle}" in used:  # a taken handle gets digits, as on the apps
            handle = f"{handle}{rng.randint(1, 99)}"
        used.add(f"{prefix}:{handle}")
        city = rng.choice(vocab.cities[str(latents.country[i])])
        identities.append(Identity(f"{prefix}:{handle}", handle, name, city))
    return identities


def voice_of(
    i: int, latents: CreatorLatents, identity: Identity, peers: Sequence[str], rng: random.Random
) -> Voice:
    mix = latents.topic_mix[i]
    niches = tuple(int(k) for k in np.argsort(-mix, kind="stable") if mix[k] > 0)
    count = rng.randint(0, MAX_FRIENDS) if peers else 0
    picks = [peers[rng.randrange(len(peers))] for _ in range(count)]
    friends = tuple(dict.fromkeys(f"@{h}" for h in picks if h != identity.handle))
    return Voice(
        vocab=vocabulary(str(latents.language[i])),
        niches=niches,
        tags=tuple(int(t) for t in np.flatnonzero(latents.value_tags[i])),
        city=identity.city,
        friends=friends,
    )


def _audience(i: int, latents: CreatorLatents, with_authenticity: bool) -> dict[str, Any]:
    audience: dict[str, Any] = {
        "countries": countries_field(latents.audience_countries[i]),
        "ages": ages_field(latents.audience_ages[i]),
        "female_share": round(float(latents.female_share[i]), 2),
    }
    if with_authenticity:
        audience["authentic_share"] = round(float(latents.authentic_share[i]), 2)
    return audience


def _rate_card(i: int, latents: CreatorLatents, rng: np.random.Generator) -> dict[str, Any]:
    currency = currency_of(str(latents.country[i]))
    platform = str(latents.platform[i])
    post = float(post_fee_eur(latents.followers[i : i + 1], platform, rng)[0]) * EUR_TO[currency]
    story, video = post * rng.uniform(0.28, 0.42), post * rng.uniform(1.5, 2.5)
    return {
        "post": round_fee(post),
        "story": round_fee(story),
        "video": round_fee(video),
        "currency": currency,
    }


def creator_record(
    i: int,
    identity: Identity,
    latents: CreatorLatents,
    voice: Voice,
    posts: list[dict[str, Any]],
    rng: np.random.Generator,
    text_rng: random.Random,
) -> dict[str, Any]:
    shown, listed = rng.random(4), rng.random(2)
    secondaries = [
        NICHES[k]
        for k, keep in zip(voice.niches[1:], listed, strict=False)
        if keep < SECONDARY_LISTED
    ]
    record: dict[str, Any] = {
        "creator_id": identity.creator_id,
        "handle": identity.handle,
        "platform": str(latents.platform[i]),
        "followers": int(latents.followers[i]),
        "following": int(latents.following[i]),
        "country": str(latents.country[i]),
        "language": str(latents.language[i]),
        "bio": write_bio(voice, identity.first_name, text_rng),
        "categories": [NICHES[voice.niches[0]], *secondaries],
        "posts": posts,
    }
    if shown[0] < AUDIENCE_SHARE:
        record["audience"] = _audience(i, latents, shown[1] < AUTHENTIC_SHARE_SHARE)
    if shown[2] < RATE_CARD_SHARE:
        record["rate_card"] = _rate_card(i, latents, rng)
    return record
