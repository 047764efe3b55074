"""Category names in Italian, English and Spanish folded onto one canonical niche name.

Agencies and creators label the same niche differently ("moda", "Fashion", "ropa"); without
this, `category_match` would silently read 0 for a brief written in another language.
Unknown names pass through folded (lower case, no accents), so exact matches still work.
"""

from __future__ import annotations

from features.text import fold

_SYNONYMS = {
    "fashion": ("moda", "fashion", "abbigliamento", "style", "stile", "ropa", "outfit", "ootd"),
    "beauty": (
        "beauty",
        "bellezza",
        "belleza",
        "makeup",
        "trucco",
        "maquillaje",
        "skincare",
        "cosmetica",
        "cosmetics",
        "cosmetici",
    ),
    "food": (
        "food",
        "cibo",
        "cucina",
        "cooking",
        "cocina",
        "comida",
        "ricette",
        "recipes",
        "recetas",
        "gastronomia",
        "foodie",
    ),
    "travel": ("travel", "viaggi", "viaggio", "viajes", "viaje", "turismo", "tourism"),
    "fitness": (
        "fitness",
        "sport",
        "sports",
        "deporte",
        "deportes",
        "allenamento",
        "workout",
        "wellness",
        "benessere",
        "bienestar",
        "palestra",
        "gym",
    ),
    "parenting": (
        "parenting",
        "genitorialita",
        "famiglia",
        "family",
        "familia",
        "mamma",
        "mom",
        "mum",
        "maternidad",
        "maternita",
        "bambini",
        "kids",
        "ninos",
    ),
    "tech": ("tech", "tecnologia", "technology", "gadget", "gadgets", "tecnologico"),
    "gaming": (
        "gaming",
        "videogiochi",
        "videogames",
        "videojuegos",
        "games",
        "giochi",
        "esports",
        "gamer",
    ),
    "sustainability": (
        "sustainability",
        "sostenibilita",
        "sostenibilidad",
        "eco",
        "green",
        "ecologia",
        "ecology",
        "zerowaste",
        "ambiente",
        "environment",
    ),
    "home": (
        "home",
        "casa",
        "hogar",
        "arredamento",
        "interior",
        "interiors",
        "decor",
        "design",
        "homedecor",
        "decoracion",
        "arredo",
    ),
    "pets": (
        "pets",
        "pet",
        "animali",
        "animals",
        "mascotas",
        "cani",
        "gatti",
        "dogs",
        "cats",
        "perros",
        "gatos",
    ),
}
_CANONICAL = {fold(alias): niche for niche, aliases in _SYNONYMS.items() for alias in aliases}
NICHES: tuple[str, ...] = tuple(_SYNONYMS)


def canonical_category(name: str) -> str:
    """`"Moda"` → `"fashion"`; `"Sostenibilità"` → `"sustainability"`; unknown → folded."""
    folded = fold(name).strip()
    return _CANONICAL.get(folded, _CANONICAL.get(folded.replace(" ", ""), folded))
