"""Catalogue brands (the briefs) and the background brands creators also talk about."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from training.world_alt.audience import FEMALE, brand_ages
from training.world_alt.briefs import description_text, values_text
from training.world_alt.common import (
    COUNTRIES,
    CURRENCY,
    LANGUAGES,
    NICHES,
    THEMES,
    Dice,
    theme_matrix,
)

HEAD_IT: dict[str, tuple[str, ...]] = {
    "fashion": ("Filanda", "Lanificio", "Telaio", "Sartoria"),
    "beauty": ("Erbario", "Rugiada", "Alchimia", "Velluto"),
    "food": ("Mulino", "Dispensa", "Torrefazione", "Frantoio"),
    "travel": ("Sentiero", "Bussola", "Rotta", "Meridiana"),
    "fitness": ("Passo", "Fiato", "Slancio", "Falcata"),
    "parenting": ("Culla", "Girotondo", "Nido", "Cucù"),
    "tech": ("Circuito", "Nodo", "Segnale", "Impulso"),
    "gaming": ("Pixel", "Livello", "Dado", "Respawn"),
    "sustainability": ("Radice", "Seme", "Germoglio", "Ciclo"),
    "home": ("Soglia", "Dimora", "Cortile", "Focolare"),
    "pets": ("Coda", "Zampa", "Cuccia", "Fiuto"),
}
TAIL_IT = ("Corsini", "Aurelia", "Valtorta", "Brenta", "Aventino", "Serra", "Dolomia", "Lario",
           "Sabina", "Marconi", "Ofanto", "Ortigia", "Sile", "Ventura")  # fmt: skip
SYLLABLES = ("mi", "ve", "lu", "bre", "no", "ta", "ri", "sa", "fio", "gra", "ci", "lo", "ma")
ENDINGS = ("ra", "na", "lì", "tò", "zza", "vo", "ssa", "lé")
WORD_EN: dict[str, str] = {
    "fashion": "Thread", "beauty": "Glow", "food": "Pantry", "travel": "Trail",
    "fitness": "Stride", "parenting": "Cradle", "tech": "Circuit", "gaming": "Quest",
    "sustainability": "Seedling", "home": "Hearth", "pets": "Paws",
}  # fmt: skip
LEAD_EN = ("Oak", "Moss", "Tiny", "Bright", "North", "Field", "Kind", "Honest", "Wild", "River")
HEAD_ES = ("Raíz", "Luna", "Brisa", "Tierra", "Huerta", "Semilla", "Senda", "Lana", "Ola")
TAIL_ES = ("Clara", "Viva", "Libre", "Buena", "Nueva", "Serena", "Dulce", "Brava")
HANDLE_TAIL = {"it": ("", "", ".it", "_italia", ".official"), "en": ("", "", "hq", "_co"),
               "es": ("", "", ".es", "_oficial")}  # fmt: skip
LANGUAGE_P = (0.65, 0.17, 0.18)


@dataclass(frozen=True, slots=True)
class BrandRef:
    """Any brand a caption can name: the catalogue ones and the background ones."""

    name: str
    handle: str  # with the "@"
    niche: int
    language: str
    catalogue: int  # index in the catalogue, -1 for a background brand


@dataclass(frozen=True, slots=True)
class BrandSpec:
    ref: BrandRef
    brand_id: str
    category: int
    languages: tuple[str, ...]
    markets: tuple[str, ...]
    themes: tuple[int, ...]


def slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def invent_name(language: str, niche: str, dice: Dice) -> str:
    if language == "en":
        word = WORD_EN[niche]
        return dice.pick((f"{dice.pick(LEAD_EN)}{word.lower()}", f"{dice.pick(LEAD_EN)} {word}",
                          f"{dice.pick(LEAD_EN)} & {dice.pick(LEAD_EN)}"))  # fmt: skip
    if language == "es":
        return f"{dice.pick(HEAD_ES)} {dice.pick(TAIL_ES)}"
    if dice.chance(0.35):
        made = "".join(dice.some(SYLLABLES, dice.between(1, 2))) + dice.pick(ENDINGS)
        return made.capitalize() + dice.pick(("", "", " Lab", " Studio", " & Co."))
    return f"{dice.pick(HEAD_IT[niche])} {dice.pick(TAIL_IT)}"


def make_ref(
    language: str, niche: int, catalogue: int, taken: set[str], dice: Dice
) -> tuple[BrandRef, str]:
    while True:
        name = invent_name(language, NICHES[niche], dice)
        brand_id = slug(name)
        if brand_id and brand_id not in taken:
            taken.add(brand_id)
            handle = "@" + brand_id.replace("-", "") + dice.pick(HANDLE_TAIL[language])
            return BrandRef(name, handle, niche, language, catalogue), brand_id


def background_brands(taken: set[str], dice: Dice, per_cell: int = 4) -> list[BrandRef]:
    """Brands outside the catalogue, per niche and language: sponsors and everyday favourites."""
    return [make_ref(lang, k, -1, taken, dice)[0]
            for lang in LANGUAGES for k in range(len(NICHES)) for _ in range(per_cell)]  # fmt: skip


def generate_brands(
    n: int, rng: np.random.Generator, dice: Dice, taken: set[str]
) -> list[BrandSpec]:
    order = rng.permutation(len(NICHES)).tolist()
    weights = np.array([0.13, 0.12, 0.14, 0.09, 0.09, 0.08, 0.08, 0.06, 0.08, 0.07, 0.06])
    extra = rng.choice(len(NICHES), max(0, n - len(NICHES)), p=weights / weights.sum()).tolist()
    prob = theme_matrix()
    specs: list[BrandSpec] = []
    for b, category in enumerate((order + extra)[:n]):
        language = LANGUAGES[int(rng.choice(3, p=LANGUAGE_P))]
        ref, brand_id = make_ref(language, category, b, taken, dice)
        codes, probs = COUNTRIES[language]
        home = codes[int(rng.choice(len(codes), p=probs))]
        markets = [home, *[c for c in codes if c != home and rng.random() < 0.3]]
        languages = [language, *(["en"] if language != "en" and rng.random() < 0.2 else [])]
        size = int(rng.choice((2, 3, 4), p=(0.4, 0.45, 0.15)))
        w = prob[category] + 0.01
        themes = rng.choice(len(THEMES), size, replace=False, p=w / w.sum())
        specs.append(BrandSpec(ref, brand_id, category, tuple(languages), tuple(markets),
                               tuple(sorted(int(t) for t in themes))))  # fmt: skip
    return specs


def _budget(country: str, rng: np.random.Generator) -> dict[str, Any]:
    currency, per_euro = CURRENCY[country]
    euros = np.exp(rng.uniform(np.log(2e3), np.log(8e4)))
    return {"amount": float(round(euros * per_euro, -3)), "currency": currency}


def brand_record(
    spec: BrandSpec, rivals: list[BrandRef], rng: np.random.Generator, dice: Dice
) -> dict[str, Any]:
    """The brief as an agency would send it; a terse one carries name and values only."""
    niche = NICHES[spec.category]
    language = spec.ref.language
    terse = dice.chance(0.15)
    themes = [THEMES[t] for t in spec.themes]
    record: dict[str, Any] = {
        "brand_id": spec.brand_id,
        "name": spec.ref.name,
        "values": values_text(language, themes, niche, dice, terse=terse),
    }
    if terse:
        return record
    female = round(float(np.clip(FEMALE[spec.category] + rng.normal(0, 0.07), 0.05, 0.95)), 2)
    plain = spec.brand_id.replace("-", "")
    aliases = dict.fromkeys([spec.ref.handle, spec.ref.name.lower(), plain])
    record |= {
        "category": niche,
        "description": description_text(language, niche, dice),
        "markets": list(spec.markets),
        "languages": list(spec.languages),
        "audience": {"ages": brand_ages(niche), "female_share": female},
        "aliases": [a for a in aliases if a != spec.ref.name],
        "competitors": [r.name for r in dice.some(rivals, dice.between(1, 3))],
        "budget": _budget(spec.markets[0], rng),
    }
    return record
