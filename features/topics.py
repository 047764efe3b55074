# ruff: noqa: E501  (the topic texts read best one to a line)
"""The worlds a brief and a post can be about, finer than the eleven categories.

`critical_stance` asks whether a creator speaks against *the brief's* world: a former cyclist
who mocks cyclists is no critic of trail running, a runner who swore off marathons is. The
categories are too coarse for that (both are `fitness`), so posts and briefs are placed on
this list of topics by the embedder (multilingual: a caption in Italian meets a brief in
English), and a critical post counts against a brief when they share a topic. Each topic is
one short text in the three languages the product serves, embedded once per embedder.

The stance tokens live in the catalog's mention index with a `~` prefix (brand tokens are
`[0-9a-z]` only, so the two never collide).
"""

from __future__ import annotations

import numpy as np

TOPICS: tuple[tuple[str, str], ...] = (
    ("fastfashion", "fast fashion hauls, shopping, new clothes every week; haul di vestiti, shopping compulsivo"),
    ("secondhand", "second hand, vintage, thrift shops, swap parties, mending clothes; usato, rammendo; ropa de segunda mano"),
    ("slowfashion", "sustainable slow fashion, capsule wardrobe, ethical clothing; moda sostenibile; moda sostenible"),
    ("luxuryfashion", "luxury fashion, designer brands, haute couture; moda di lusso; moda de lujo"),
    ("streetwear", "streetwear, sneakers, hype drops; scarpe da ginnastica; zapatillas"),
    ("makeup", "makeup, lipstick, foundation, palettes; trucco; maquillaje"),
    ("skincare", "skincare routine, serums, creams, acne; cura della pelle; cuidado de la piel"),
    ("cleanbeauty", "natural organic clean cosmetics, no chemicals; cosmetici naturali; cosmética natural"),
    ("hair", "hair care, hairstyles, hairdresser; capelli; pelo"),
    ("vegan", "vegan plant-based food, legumes, tofu, no animal products; cucina vegana; comida vegana"),
    ("meat", "meat, barbecue, grill, steak, burgers; carne alla griglia; carne asada, parrilla"),
    ("baking", "baking, cakes, bread, pastry; dolci, pane; repostería"),
    ("wine", "wine tasting, vineyards, sommelier; vino, cantine; vino"),
    ("coffee", "coffee, espresso, cafes, baristas; caffè; café"),
    ("restaurants", "restaurants, street food, eating out; ristoranti; restaurantes"),
    ("diet", "diet, weight loss, calories, healthy eating; dieta; dieta saludable"),
    ("organicfarm", "organic local farm produce, seasonal vegetables, short supply chain; km zero; productos de temporada"),
    ("luxurytravel", "luxury hotels, resorts, spas, five-star travel; hotel di lusso; hoteles de lujo"),
    ("hiking", "hiking, trekking, mountain trails, mountain huts; escursionismo, rifugi; senderismo"),
    ("backpacking", "backpacking, budget travel, hostels; viaggi low cost; mochilero"),
    ("camping", "camping, vanlife, tents, road trips; campeggio; acampada"),
    ("beach", "beach holidays, sea, sunbathing; mare, spiaggia; playa"),
    ("citybreak", "city breaks, museums, sightseeing; città d'arte; escapadas urbanas"),
    ("running", "running, marathons, jogging, road races; corsa; correr, maratón"),
    ("trailrunning", "trail running, ultra trail, mountain running; corsa in montagna; trail"),
    ("cycling", "cycling, road bikes, cyclists, bike rides; ciclismo, bici; ciclismo"),
    ("gym", "gym, bodybuilding, weightlifting, protein; palestra; gimnasio"),
    ("crossfit", "crossfit, WODs, functional training; allenamento funzionale; crossfit"),
    ("yoga", "yoga, pilates, meditation, mindfulness; yoga; yoga"),
    ("swimming", "swimming, pools, open water; nuoto; natación"),
    ("football", "football, soccer, matches, teams; calcio; fútbol"),
    ("climbing", "climbing, bouldering, crags; arrampicata; escalada"),
    ("skiing", "skiing, snowboarding, ski slopes; sci; esquí"),
    ("babies", "babies, newborns, breastfeeding, diapers; neonati; bebés"),
    ("kids", "children, school, family activities; bambini; niños"),
    ("pregnancy", "pregnancy, expecting a baby; gravidanza; embarazo"),
    ("smartphones", "smartphones, gadgets, unboxing, reviews; telefoni; móviles"),
    ("computers", "computers, PC builds, laptops, software; computer; ordenadores"),
    ("smarthome", "smart home devices, home automation; domotica; domótica"),
    ("photography", "photography, cameras, lenses; fotografia; fotografía"),
    ("electriccars", "electric cars, EV charging; auto elettriche; coches eléctricos"),
    ("cars", "cars, motors, engines, racing; motori; coches"),
    ("videogames", "video games, consoles, streaming gameplay; videogiochi; videojuegos"),
    ("boardgames", "board games, tabletop, card games; giochi da tavolo; juegos de mesa"),
    ("zerowaste", "zero waste, plastic free, refills; zero rifiuti; residuo cero"),
    ("climate", "climate activism, environment, pollution; clima, ambiente; cambio climático"),
    ("interiors", "interior design, furniture, home decor; arredamento; decoración"),
    ("diy", "DIY, crafts, handmade, knitting; fai da te, uncinetto; manualidades"),
    ("gardening", "gardening, plants, vegetable garden; giardinaggio, orto; jardinería"),
    ("cleaning", "cleaning, organizing, decluttering; pulizie; limpieza"),
    ("dogs", "dogs, puppies, dog walks; cani; perros"),
    ("cats", "cats, kittens; gatti; gatos"),
    ("alcohol", "cocktails, beer, nightlife, parties; birra, aperitivo; cerveza, fiesta"),
    ("influencers", "influencers, sponsored content, social media; influencer; influencers"),
)  # fmt: skip
TOPIC_NAMES: tuple[str, ...] = tuple(name for name, _ in TOPICS)
TOPIC_TEXTS: tuple[str, ...] = tuple(text for _, text in TOPICS)
STANCE_PREFIX = "~"
# A post is about its nearest topic when close enough; a brief is about every topic within
# BRIEF_SPAN of its nearest (briefs name several: "trail, rifugi, montagna").
POST_FLOOR = 0.2
BRIEF_FLOOR = 0.2
BRIEF_SPAN = 0.08
BRIEF_TOPICS = 4


def post_topics(vectors: np.ndarray, topic_vectors: np.ndarray) -> np.ndarray:
    """Each post's nearest topic (index into TOPICS), -1 when none is close enough."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.int64)
    cosine = vectors @ topic_vectors.T
    best = cosine.argmax(axis=1)
    return np.where(cosine[np.arange(len(vectors)), best] >= POST_FLOOR, best, -1)


def brief_topics(vector: np.ndarray, topic_vectors: np.ndarray) -> frozenset[str]:
    """The stance tokens of the topics a brief is about."""
    cosine = topic_vectors @ vector
    order = np.argsort(-cosine)[:BRIEF_TOPICS]
    top = float(cosine[order[0]])
    chosen = [i for i in order if cosine[i] >= max(BRIEF_FLOOR, top - BRIEF_SPAN)]
    return frozenset(stance_token(TOPIC_NAMES[i]) for i in chosen)


def stance_token(topic: str) -> str:
    return STANCE_PREFIX + topic
