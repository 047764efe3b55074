"""Brands: invented but plausible names, briefs in their own language, markets and budgets.

Brands are generated before creators so that creators can be fans of them (and mention
them unpaid) and so that sponsored posts can name them.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.world.creators import niche_value_probs
from training.world.spec import (
    AGE_BRACKETS,
    BRAND_LANGUAGE_WEIGHTS,
    COUNTRIES,
    COUNTRY_INDEX,
    HOME_COUNTRIES,
    LANGUAGES,
    NICHE_AGES,
    NICHE_FEMALE_SHARE,
    NICHE_WEIGHTS,
    NICHES,
    VALUE_BASE_PROB,
    VALUE_INDEX,
    VALUE_TAGS,
    currency_of,
)
from training.world.vocabulary import LanguageVocab, vocabulary


@dataclass(frozen=True, slots=True)
class BrandSpec:
    """A brand as the generator sees it: public brief fields plus its latent value tags."""

    brand_id: str
    name: str
    handle: str  # "@ecoveste"
    language: str
    languages: tuple[str, ...]
    country: str
    category: int  # niche index
    value_tags: tuple[int, ...]  # value-tag indices
    markets: tuple[str, ...]
    ages: tuple[str, ...]
    female_share: float

    def market_mask(self) -> np.ndarray:
        mask = np.zeros(len(COUNTRIES), dtype=bool)
        mask[[COUNTRY_INDEX[c] for c in self.markets]] = True
        return mask

    def age_mask(self) -> np.ndarray:
        return np.isin(np.array(AGE_BRACKETS), self.ages)


def slug(name: str) -> str:
    """`Filo&Trama` → `filo-trama`; accents folded so ids stay ASCII."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def random_name(
    vocab: LanguageVocab,
    category: str,
    text_rng: random.Random,
    tags: Sequence[str] = (),
    city: str | None = None,
) -> str:
    """A plausible brand name; value tags colour the prefix ("Eco", "Verde", "Bottega")."""
    roots = vocab.brand_roots[category]
    prefixes = [p for tag in tags for p in vocab.value_prefixes[tag]]
    prefixes = prefixes or [p for group in vocab.value_prefixes.values() for p in group]
    root, root2 = text_rng.sample(roots, 2)
    city = city or text_rng.choice(next(iter(vocab.cities.values())))
    return text_rng.choice(vocab.brand_patterns).format(
        prefix=text_rng.choice(prefixes),
        root=root,
        root2=root2,
        city=city,
        adjective=text_rng.choice(vocab.brand_adjectives),
        house=text_rng.choice(vocab.brand_houses),
        name=text_rng.choice(vocab.first_names).capitalize(),
    )


def _ages(category: str) -> tuple[str, ...]:
    """The two or three adjacent brackets holding most of the niche's audience."""
    profile = np.array(NICHE_AGES[category])
    width = 3 if profile.max() < 0.36 else 2
    sums = np.convolve(profile, np.ones(width), mode="valid")
    start = int(np.argmax(sums))
    return AGE_BRACKETS[start : start + width]


def _markets(language: str, country: str, rng: np.random.Generator) -> tuple[str, ...]:
    others = [c for c, _ in HOME_COUNTRIES[language] if c != country]
    extra = [c for c in others if rng.random() < 0.35]
    return (country, *extra)


def _record(
    brand: BrandSpec, vocab: LanguageVocab, text_rng: random.Random, rng: np.random.Generator
) -> dict[str, Any]:
    """The DESIGN.md Brand; competitors are filled in once all brands exist."""
    category = NICHES[brand.category]
    value_phrases = [
        text_rng.choice(vocab.value_brand_phrases[VALUE_TAGS[t]]) for t in brand.value_tags
    ]
    niche_phrases = text_rng.sample(vocab.niche_brand_phrases[category], text_rng.randint(1, 2))
    phrases = value_phrases + niche_phrases
    text_rng.shuffle(phrases)
    description = text_rng.choice(vocab.description_templates).format(
        name=brand.name,
        np=niche_phrases[0],
        vp=value_phrases[0],
        year=text_rng.randint(1952, 2023),
    )
    # "EcoVeste" → "eco veste", "Trama Nobile" → "tramanobile": how people type it.
    spaced = re.sub(r"\s+", " ", re.sub(r"(?<=[a-z])(?=[A-Z])|&", " ", brand.name)).strip()
    alias = spaced.lower() if spaced != brand.name else spaced.lower().replace(" ", "")
    amount = float(np.round(np.exp(rng.uniform(np.log(1_000), np.log(50_000))) / 500) * 500)
    return {
        "brand_id": brand.brand_id,
        "name": brand.name,
        "category": category,
        "values": ", ".join(phrases),
        "description": description,
        "markets": list(brand.markets),
        "languages": list(brand.languages),
        "audience": {"ages": list(brand.ages), "female_share": brand.female_share},
        "aliases": [brand.handle, alias],
        "competitors": [],
        "budget": {"amount": max(amount, 1_000.0), "currency": currency_of(brand.country)},
    }


def generate_brands(
    n: int, rng: np.random.Generator, text_rng: random.Random
) -> tuple[list[BrandSpec], list[dict[str, Any]]]:
    """`n` brands: the specs the generator reasons with, and the published records."""
    weights = NICHE_WEIGHTS / NICHE_WEIGHTS.sum()
    # Every niche gets a brand before the weighted draw, so small worlds cover all categories.
    cover = rng.permutation(len(NICHES))
    categories = np.concatenate([cover, rng.choice(len(NICHES), n, p=weights)])
    specs: list[BrandSpec] = []
    records: list[dict[str, Any]] = []
    used: set[str] = set()
    for category in categories[:n]:
        lang = str(rng.choice(LANGUAGES, p=BRAND_LANGUAGE_WEIGHTS / BRAND_LANGUAGE_WEIGHTS.sum()))
        vocab = vocabulary(lang)
        spec = _spec(int(category), lang, vocab, used, rng, text_rng)
        used.add(spec.brand_id)
        specs.append(spec)
        records.append(_record(spec, vocab, text_rng, rng))
    for spec, record in zip(specs, records, strict=True):
        # Brands name rivals that sell in their own markets first.
        rivals = [s for s in specs if s.category == spec.category and s is not spec]
        rivals.sort(key=lambda s: not set(s.markets) & set(spec.markets))
        record["competitors"] = [s.name for s in rivals[: text_rng.randint(1, 3)]]
    return specs, records


def _spec(
    category: int,
    lang: str,
    vocab: LanguageVocab,
    used: set[str],
    rng: np.random.Generator,
    text_rng: random.Random,
) -> BrandSpec:
    homes = HOME_COUNTRIES[lang]
    country = str(rng.choice([c for c, _ in homes], p=[w for _, w in homes]))
    niche = NICHES[category]
    # Brands state values that fit their category: only the niche's listed tags, no base rate.
    tag_weights = np.where(niche_value_probs()[category] > VALUE_BASE_PROB, 1.0, 0.0)
    tag_weights *= niche_value_probs()[category]
    k = min(int(rng.integers(1, 4)), int(np.count_nonzero(tag_weights)))
    picks = rng.choice(len(VALUE_TAGS), k, replace=False, p=tag_weights / tag_weights.sum())
    tags = [VALUE_TAGS[t] for t in picks]
    city = text_rng.choice(vocab.cities[country])
    name = random_name(vocab, niche, text_rng, tags, city)
    while slug(name) in used:  # rare: another draw, then a disambiguating city
        name = random_name(vocab, niche, text_rng, tags, city)
        if slug(name) in used:
            name = f"{name} {text_rng.choice(vocab.cities[country])}"
    brand_id = slug(name)
    handle = "@" + brand_id.replace("-", "")
    if rng.random() < 0.2:
        handle += "." + country.lower()
    languages = (lang, "en") if lang != "en" and rng.random() < 0.15 else (lang,)
    female = float(np.clip(NICHE_FEMALE_SHARE[niche] + rng.normal(0, 0.08), 0.1, 0.95))
    return BrandSpec(
        brand_id=brand_id,
        name=name,
        handle=handle,
        language=lang,
        languages=languages,
        country=country,
        category=category,
        value_tags=tuple(VALUE_INDEX[t] for t in tags),
        markets=_markets(lang, country, rng),
        ages=_ages(niche),
        female_share=round(female, 2),
    )
