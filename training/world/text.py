"""Bios and captions in the creator's language, reflecting topics and values.

Text choices use a `random.Random` seeded from the world's numpy generator: it is several
times faster than numpy for picking single words, and just as deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from training.world.spec import NICHES, VALUE_TAGS
from training.world.vocabulary import NICHE_EMOJIS, LanguageVocab

VALUE_TERM_PROB = 0.6  # a creator who holds a value brings it into most captions
VALUE_HASHTAG_PROB = 0.5
VALUE_TEMPLATE_PROB = 0.2
FRIEND_MENTION_PROB = 0.08
BRAND_HANDLE_PROB = 0.6  # unpaid mentions use the @handle, otherwise the plain name


@dataclass(frozen=True, slots=True)
class Voice:
    """What one creator writes about and how."""

    vocab: LanguageVocab
    niches: tuple[int, ...]  # niche indices, main first
    tags: tuple[int, ...]  # value-tag indices held by the creator
    city: str
    friends: tuple[str, ...]  # @handles of other creators they tag now and then


@dataclass(frozen=True, slots=True)
class BrandRef:
    """The two ways a caption can name a brand."""

    name: str
    handle: str


@dataclass(frozen=True, slots=True)
class Caption:
    text: str
    handles: tuple[str, ...]  # @handles in order of appearance


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _value_term(voice: Voice, niche: str, rng: random.Random) -> tuple[str, int | None]:
    if voice.tags and rng.random() < VALUE_TERM_PROB:
        tag = rng.choice(voice.tags)
        return rng.choice(voice.vocab.value_terms[VALUE_TAGS[tag]]), tag
    return rng.choice(voice.vocab.niche_terms[niche]), None


def _hashtags(voice: Voice, niche: str, tag: int | None, rng: random.Random) -> list[str]:
    vocab = voice.vocab
    tags = rng.sample(vocab.niche_hashtags[niche], rng.randint(1, 3))
    if tag is None and voice.tags and rng.random() < VALUE_HASHTAG_PROB:
        tag = rng.choice(voice.tags)
    if tag is not None:
        tags.append(rng.choice(vocab.value_hashtags[VALUE_TAGS[tag]]))
    return list(dict.fromkeys(tags))  # order-preserving de-duplication


def write_caption(
    voice: Voice,
    niche_index: int,
    rng: random.Random,
    brand: BrandRef | None = None,
    sponsored: bool = False,
) -> Caption:
    """A regular post, an unpaid brand mention (`brand`), or an ad (`brand`, `sponsored`)."""
    vocab, niche = voice.vocab, NICHES[niche_index]
    t1, t2, t3 = rng.sample(vocab.niche_terms[niche], 3)
    value, tag = _value_term(voice, niche, rng)
    handles: list[str] = []
    if brand is None:
        # Value-centred templates only make sense when `value` really is one of the creator's.
        use_value = tag is not None and rng.random() < VALUE_TEMPLATE_PROB
        template = rng.choice(
            vocab.value_caption_templates if use_value else vocab.caption_templates
        )
        ref = ""
    elif sponsored:  # sponsors are always tagged
        template, ref = rng.choice(vocab.sponsored_templates), brand.handle
        handles.append(brand.handle)
    else:
        template = rng.choice(vocab.organic_mention_templates)
        ref = brand.handle if rng.random() < BRAND_HANDLE_PROB else brand.name
        if ref == brand.handle:
            handles.append(ref)
    emoji = rng.choice(NICHE_EMOJIS[niche])
    body = _capitalised(
        template.format(
            t1=t1,
            t2=t2,
            t3=t3,
            v=value,
            e=emoji,
            city=voice.city,
            brand=ref,
        )
    )
    if brand is not None and sponsored:
        disclosure = rng.choice(vocab.disclosures).format(brand=brand.handle)
        body = f"{disclosure} | {body}" if rng.random() < 0.25 else f"{body}\n{disclosure}"
    if voice.friends and rng.random() < FRIEND_MENTION_PROB:
        friend = rng.choice(voice.friends)
        body = f"{body} {rng.choice(vocab.friend_templates).format(friend=friend)}"
        handles.append(friend)
    hashtags = " ".join(_hashtags(voice, niche, tag, rng))
    separator = "\n\n" if rng.random() < 0.6 else " "
    return Caption(f"{body}{separator}{hashtags}", tuple(dict.fromkeys(handles)))


def write_bio(voice: Voice, name: str, rng: random.Random) -> str:
    vocab = voice.vocab
    main = NICHES[voice.niches[0]]
    b1 = rng.choice(vocab.niche_bio[main])
    other = NICHES[voice.niches[1]] if len(voice.niches) > 1 else main
    b2 = rng.choice([b for b in vocab.niche_bio[other] if b != b1])
    value, _ = _value_term(voice, main, rng)
    bio = rng.choice(vocab.bio_templates).format(
        b1=b1,
        b2=b2,
        v=value,
        e=rng.choice(NICHE_EMOJIS[main]),
        city=voice.city,
        name=name.capitalize(),
    )
    return _capitalised(bio)
