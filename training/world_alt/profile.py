"""Handles and bios: how a creator presents itself."""

from __future__ import annotations

from training.world_alt.common import NICHES, SUBNICHES, Dice

NAMES: dict[str, tuple[str, ...]] = {
    "it": (
        "giulia", "marta", "chiara", "fede", "ale", "vale", "sara", "luca", "matte", "gio",
        "franci", "elisa", "nico", "simo", "bea", "anna", "tommy", "lore", "irene", "dario",
        "paola", "ste", "cami", "rocco", "nina",
    ),
    "en": (
        "amy", "josh", "ellie", "sam", "maya", "tom", "lucy", "ben", "zoe", "jack", "nora", "liam",
        "hannah", "ollie",
    ),
    "es": (
        "lucia", "pablo", "carla", "dani", "sofi", "mateo", "valen", "nacho", "paula", "alba",
        "diego", "majo", "iker", "cami",
    ),
}
WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "it": {
        "fashion": ("stile", "armadio", "vintage", "sartina"),
        "beauty": ("pelle", "ricci", "trucco"),
        "food": ("cucina", "forno", "tazzina", "brace"),
        "travel": ("zaino", "valigia", "strada"),
        "fitness": ("corre", "sbarra", "pedala"),
        "parenting": ("mamma", "papa", "bimbi"),
        "tech": ("bit", "tech", "smanetta"),
        "gaming": ("player", "pad", "gioca"),
        "sustainability": ("verde", "sfuso", "orto"),
        "home": ("casa", "nido", "cantiere"),
        "pets": ("coda", "zampe", "micio", "bau"),
    },
    "en": {
        "fashion": ("threads", "thrift"), "beauty": ("glow", "curls"), "food": ("bakes", "eats"),
        "travel": ("wanders", "roams"), "fitness": ("runs", "lifts"), "parenting": ("mum", "dad"),
        "tech": ("bytes", "setup"), "gaming": ("plays", "gg"), "sustainability": ("green", "grows"),
        "home": ("nest", "diy"), "pets": ("paws", "woof"),
    },
    "es": {
        "fashion": ("estilo", "armario"), "beauty": ("piel", "rizos"),
        "food": ("cocina", "recetas"), "travel": ("viaja", "ruta"), "fitness": ("corre", "entrena"),
        "parenting": ("mama", "papa"), "tech": ("tecno", "bits"), "gaming": ("juega", "gamer"),
        "sustainability": ("verde", "granel"), "home": ("casa", "hogar"),
        "pets": ("patitas", "guau"),
    },
}
LINK = {"it": "di", "en": "with", "es": "de"}
LABEL_IT: dict[str, str] = {
    "thrift": "vintage e mercatini", "tailoring": "sartoria e misura",
    "streetwear": "sneakers e street", "curvy": "moda curvy senza scuse",
    "capsule": "armadio essenziale", "skincare": "skincare e INCI",
    "makeup": "trucco per tutti i giorni", "curls": "ricci naturali", "nails": "unghie e nail art",
    "fragrance": "profumi di nicchia", "vegan": "cucina vegetale",
    "barbecue": "brace e affumicatura", "pastry": "dolci e lievitati", "coffee": "caffè specialty",
    "regional": "ricette di casa", "vanlife": "vita in furgone", "trails": "cammini a piedi",
    "villages": "borghi e paesi", "budget": "viaggi low cost", "backpacking": "zaino in spalla",
    "running": "corsa e gare", "calisthenics": "corpo libero", "yoga": "yoga e respiro",
    "lifting": "pesi e forza", "cycling": "bici da strada e gravel",
    "newborn": "mamma alle prime armi", "montessori": "montessori a casa",
    "bigfamily": "famiglia numerosa", "dads": "papà presente", "pregnancy": "diario di gravidanza",
    "phones": "recensioni smartphone", "smarthome": "domotica", "pcbuild": "PC e setup",
    "photo": "fotografia", "productivity": "app e produttività", "retro": "retrogaming",
    "esports": "competitivo", "cozy": "giochi tranquilli", "boardgames": "giochi da tavolo",
    "streaming": "live ogni sera", "zerowaste": "meno rifiuti", "garden": "orto sul balcone",
    "mobility": "bici e treni", "repair": "riparare e riusare", "climate": "clima e attivismo",
    "interior": "casa e arredo", "diy": "fai da te", "plants": "piante in casa",
    "declutter": "ordine e decluttering", "renovation": "casa in ristrutturazione",
    "dogs": "vita con il cane", "cats": "gatti di casa", "rescue": "adozioni e stalli",
    "training": "educazione cinofila", "small": "conigli e acquari",
}
LABEL_OTHER: dict[str, tuple[str, ...]] = {
    "en": (
        "style", "skincare", "home cooking", "slow travel", "training", "parenting", "tech",
        "gaming", "low waste", "home", "pets",
    ),
    "es": (
        "moda", "belleza", "cocina", "viajes", "entreno", "crianza", "tecnología", "videojuegos",
        "residuo cero", "hogar", "mascotas",
    ),
}
CITIES: dict[str, tuple[str, ...]] = {
    "roma": ("Roma",),
    "napoli": ("Napoli", "Salerno"),
    "milano": ("Milano", "Monza", "Bergamo"),
    "veneto": ("Padova", "Treviso", "Verona", "Venezia"),
    "sicilia": ("Palermo", "Catania"),
    "torino": ("Torino",),
    "bologna": ("Bologna", "Modena"),
    "puglia": ("Bari", "Lecce"),
    "toscana": ("Firenze", "Pisa", "Livorno"),
    "ticino": ("Lugano", "Bellinzona"),
    "GB": ("London", "Manchester", "Leeds"),
    "US": ("NYC", "Austin", "Chicago"),
    "IE": ("Dublin", "Cork"),
    "AU": ("Sydney", "Melbourne"),
    "ES": ("Madrid", "Barcelona", "Sevilla"),
    "MX": ("CDMX", "Guadalajara"),
    "AR": ("Buenos Aires", "Rosario"),
    "CO": ("Bogotá", "Medellín"),
}
EXTRA: dict[str, tuple[str, ...]] = {
    "it": (
        "mamma di due", "ingegnera di giorno", "studente fuorisede", "ex avvocata", "qui dal 2019",
        "☕ dipendente", "insegnante",
    ),
    "en": ("mum of two", "nurse by day", "here since 2019", "☕ addict"),
    "es": ("mamá de dos", "profe", "aquí desde 2019", "☕ adicta"),
}
BUSINESS = {"it": "📩 collab e adv: mail in bio", "en": "📩 brand deals: link below",
            "es": "📩 colaboraciones por DM"}
REPLIES = {"it": "rispondo a tutti 💬", "en": "I answer every DM 💬", "es": "respondo a todo 💬"}


def make_handle(language: str, main: int, taken: set[str], dice: Dice) -> str:
    name = dice.pick(NAMES[language])
    word = dice.pick(WORDS[language][NICHES[main]])
    last = f"the.{word}.{name}" if language == "en" else f"{word}_{name}"
    handle = dice.pick((f"{name}.{word}", f"{name}_{word}", f"{word}.{LINK[language]}.{name}",
                        f"{name}{word}", last))  # fmt: skip
    while handle in taken:
        handle = f"{handle}{dice.between(0, 9)}"
    taken.add(handle)
    return handle


def make_bio(language: str, country: str, region: str, main: int, sub: int,
             saturation: float, reply_rate: float, dice: Dice) -> str:  # fmt: skip
    city = dice.pick(CITIES[region or country])
    niche = NICHES[main]
    label = LABEL_IT[SUBNICHES[niche][sub]] if language == "it" else LABEL_OTHER[language][main]
    parts = [f"📍{city}", label]
    if dice.chance(0.4):
        parts.append(dice.pick(EXTRA[language]))
    if saturation > 0.3 and dice.chance(0.6):
        parts.append(BUSINESS[language])
    if reply_rate > 0.35 and dice.chance(0.3):
        parts.append(REPLIES[language])
    return dice.pick((" · ", " | ", "\n")).join(parts)
