"""Disclosure detection and mention tokens on real-looking captions."""

from __future__ import annotations

import pytest

from features.text import brand_keys, compact, is_disclosed, mention_tokens


@pytest.mark.parametrize(
    "caption",
    [
        "Nuova crema viso da provare 💆‍♀️ #adv @lumina.skin",
        "Il mio outfit per la settimana della moda, in collaborazione con @ecoveste",
        "Weekend in Toscana #ad #travel",
        "Paid partnership with @trailco — loving these boots",
        "Unboxing the new keyboard #gifted by @clickly",
        "Colazione vegana super facile 🥞 #sponsored",
        "Prodotto offerto da @pastafresca, ma la ricetta è mia!",
        "Mi nueva rutina de cuidado #publi @bellezaviva",
        "Receta rápida en colaboración con @sabores",
        "Questo post è un contenuto sponsorizzato #ricettefacili",
        "Grazie @brand #Pubblicità",
    ],
)
def test_disclosures_are_detected(caption: str) -> None:
    assert is_disclosed(caption)


@pytest.mark.parametrize(
    "caption",
    [
        "Il mio cappotto vintage ha 30 anni ♻️ #secondhand",
        "Adoro questa crema, la compro da anni @lumina.skin",
        "Morning run by the river #fitness #running",
        "Ad astra! Stasera stelle cadenti sul lago",  # "Ad" as a word, not a disclosure tag
        "Gaming marathon with @friend, adventure games all night #gaming",
        "Paddling in the harbour, no advert just vibes",
    ],
)
def test_organic_captions_are_not_flagged(caption: str) -> None:
    assert not is_disclosed(caption)


def test_accents_and_case_are_folded() -> None:
    assert is_disclosed("Receta nueva #Colaboración")
    assert compact("@Eco_Veste") == compact("eco veste") == "ecoveste"


def test_mention_tokens_cover_handles_hashtags_and_known_names() -> None:
    caption = "Oggi provo la pasta di Pasta Fresca con @nonna.rosa #ricettafacile"
    tokens = mention_tokens(caption, None, frozenset({"pastafresca"}))
    assert {"nonnarosa", "ricettafacile", "pastafresca"} <= tokens
    assert "oggi" not in tokens  # plain words only count when they are a known brand
    assert mention_tokens(caption, ["@other"]) >= {"other"}
    assert "nonnarosa" not in mention_tokens(caption, ["@other"])


def test_brand_keys() -> None:
    assert brand_keys("EcoVeste", ["@ecoveste", "eco veste"], "ecoveste") == {"ecoveste"}
    assert brand_keys("Lumina Skin", ["@lumina.skin"]) == {"luminaskin"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Moda", "fashion"),
        ("sostenibilità", "sustainability"),
        ("Cocina", "food"),
        ("videogiochi", "gaming"),
        ("Fashion", "fashion"),
        ("artigianato", "artigianato"),
    ],
)
def test_categories_fold_across_languages(given: str, expected: str) -> None:
    from features.categories import canonical_category

    assert canonical_category(given) == expected
