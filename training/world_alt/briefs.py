"""Brand briefs written the way agencies write them: values as a sentence, a list or bullets."""

from __future__ import annotations

from training.world_alt.common import Dice
from training.world_alt.values_text import BRIEF

CATEGORY_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "it": {
        "fashion": ("moda", "abbigliamento"),
        "beauty": ("cosmetica", "skincare"),
        "food": ("food", "cucina"),
        "travel": ("viaggi", "turismo lento"),
        "fitness": ("sport", "allenamento"),
        "parenting": ("infanzia", "famiglie"),
        "tech": ("tecnologia", "elettronica di consumo"),
        "gaming": ("videogiochi", "gaming"),
        "sustainability": ("sostenibilità", "ambiente"),
        "home": ("casa", "arredamento"),
        "pets": ("animali domestici", "pet care"),
    },
    "en": {
        "fashion": ("apparel",), "beauty": ("skincare",), "food": ("food",), "travel": ("travel",),
        "fitness": ("sport",), "parenting": ("family",), "tech": ("consumer tech",),
        "gaming": ("gaming",), "sustainability": ("green living",), "home": ("homeware",),
        "pets": ("pet care",),
    },
    "es": {
        "fashion": ("moda",), "beauty": ("cosmética",), "food": ("alimentación",),
        "travel": ("viajes",), "fitness": ("deporte",), "parenting": ("crianza",),
        "tech": ("tecnología",), "gaming": ("videojuegos",), "sustainability": ("sostenibilidad",),
        "home": ("hogar",), "pets": ("mascotas",),
    },
}

PRODUCT_IT: dict[str, tuple[str, ...]] = {
    "fashion": (
        "una capsule di capispalla in lana rigenerata", "la nuova linea denim",
        "una collezione di maglieria",
    ),
    "beauty": (
        "un siero alla niacinamide", "una linea per capelli ricci", "una palette di rossetti",
    ),
    "food": ("una linea di sughi pronti", "un caffè monorigine", "una crema spalmabile"),
    "travel": ("cammini guidati in piccoli gruppi", "soggiorni nei borghi", "zaini da viaggio"),
    "fitness": ("scarpe da trail", "un'app di allenamento", "integratori vegetali"),
    "parenting": ("un passeggino compatto", "giochi in legno", "pannolini lavabili"),
    "tech": ("uno smartphone di fascia media", "un hub per la casa smart", "cuffie wireless"),
    "gaming": ("un gioco indie", "un controller", "un abbonamento di giochi"),
    "sustainability": (
        "contenitori riutilizzabili", "un servizio di riparazione", "detersivi alla spina",
    ),
    "home": ("tessili per la casa", "vernici naturali", "lampade di design"),
    "pets": ("crocchette monoproteiche", "cucce imbottite", "un servizio di dog sitting"),
}
GOAL_IT = ("Lancio di {p} previsto per {m}.", "Obiettivo: far conoscere {p}.",
           "Campagna di awareness su {p}.", "Vogliamo raccontare {p} a chi non ci conosce.")
AREA_IT = ("Nord Italia", "tutta Italia", "grandi città", "Centro-Sud", "Italia e Ticino")
ASK_IT = ("Cerchiamo nano e micro creator con una community vera.",
          "No profili con il feed pieno di sponsorizzate.", "Preferiamo chi risponde ai commenti.",
          "Meglio pochi follower ma coinvolti.",
          "Cerchiamo persone che ne parlino già in modo spontaneo.",
          "Niente celebrity: vogliamo voci credibili nella nicchia.",
          "Tono di voce: ironico, autentico, mai patinato.")
DELIVER_IT = ("Deliverable: 1 reel + 3 storie.", "Deliverable: 2 post e un mese di storie.",
              "Possibile collaborazione continuativa come ambassador.",
              "KPI: engagement e salvataggi.", "KPI: traffico al sito e codici sconto.")
MONTHS_IT = ("marzo", "aprile", "settembre", "ottobre", "novembre")
DESC_EN = ("Launching {p} this autumn; we want real voices, not ads.",
           "Looking for small creators who already live this.",
           "Long-term ambassadors preferred. No follow-for-follow accounts.")
DESC_ES = ("Lanzamos {p} este otoño y buscamos voces auténticas.",
           "Buscamos microcreadores que ya hablen de esto.",
           "Preferimos colaboraciones largas. Nada de cuentas infladas.")


def _join_it(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    conjunction = " ed " if items[-1][:1] in "eè" else " e "
    return ", ".join(items[:-1]) + conjunction + items[-1]


def values_text(
    language: str, themes: list[str], category: str, dice: Dice, *, terse: bool
) -> str:
    """The brief's `values`: sentence, list, bullets or keywords, in the brand's language."""
    phrases = [dice.pick(BRIEF[language][theme]) for theme in themes]
    if terse:
        return ", ".join([dice.pick(CATEGORY_WORDS[language][category]), *phrases])
    if language != "it":
        return ", ".join(phrases) if dice.chance(0.6) else "; ".join(phrases) + "."
    roll = dice.random()
    if roll < 0.18:
        return f"Crediamo in {_join_it(phrases)}."
    if roll < 0.32:
        return f"Per noi contano {_join_it(phrases)}."
    if roll < 0.42:
        first = phrases[0][:1].upper() + phrases[0][1:]
        return f"{first} prima di tutto, ma anche {_join_it(phrases[1:])}."
    if roll < 0.72:
        return ", ".join(phrases)
    if roll < 0.9:
        return "\n".join(f"- {phrase}" for phrase in phrases)
    english = [dice.pick(BRIEF["en"][theme]) for theme in themes]
    return " / ".join(english)  # Italian agencies often brief in English keywords


def description_text(language: str, category: str, dice: Dice) -> str:
    product = dice.pick(PRODUCT_IT[category])
    if language == "en":
        return " ".join(dice.some(DESC_EN, dice.between(1, 2))).format(p="a new line")
    if language == "es":
        return " ".join(dice.some(DESC_ES, dice.between(1, 2))).format(p="una nueva línea")
    parts = [dice.pick(GOAL_IT).format(p=product, m=dice.pick(MONTHS_IT))]
    if dice.chance(0.5):
        parts.append(f"Target: {dice.pick(('25-44', '18-34', '30-55'))} anni, "
                     f"{dice.pick(AREA_IT)}.")  # fmt: skip
    parts += dice.some(ASK_IT, dice.between(0, 2))
    if dice.chance(0.5):
        parts.append(dice.pick(DELIVER_IT))
    return " ".join(parts)
