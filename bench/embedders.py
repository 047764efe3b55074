"""Embedding models compared on this machine: speed and bilingual (Italian/English) retrieval.

    .venv/bin/python bench/embedders.py [--creators 1500] [--models NAME,NAME]

Prints one JSON object per model. Retrieval: for each niche, a brief written by hand (not from
the generator's vocabulary) in Italian and in English searches the creators of one language
(content vector = bio + first 5 captions, as in the catalog); precision@20 counts creators
whose listed categories include the niche.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from features.categories import canonical_category
from models.embedder import l2_normalise, load_embedder
from tests.bilingual_pairs import PAIRS
from training.world import generate_world

BRIEFS = {
    "fashion": (
        "abiti e accessori di stile, outfit per ogni giorno",
        "clothing and accessories, everyday outfits and style",
    ),
    "beauty": (
        "trucco, cura della pelle e prodotti di bellezza",
        "makeup, skin care and beauty products",
    ),
    "food": ("ricette di cucina casalinga e buon cibo", "home cooking recipes and good food"),
    "travel": ("viaggi, vacanze e mete da scoprire", "trips, holidays and places to discover"),
    "fitness": ("allenamento, sport e vita sana", "workouts, sport and healthy living"),
    "parenting": (
        "famiglia, figli piccoli e vita da genitori",
        "family life, young children and being a parent",
    ),
    "tech": ("smartphone, gadget e tecnologia", "smartphones, gadgets and technology"),
    "gaming": (
        "videogiochi, console e dirette streaming",
        "video games, consoles and live streams",
    ),
    "sustainability": (
        "ambiente, riciclo e vita sostenibile",
        "environment, recycling and sustainable living",
    ),
    "home": (
        "arredamento, decorazione e casa accogliente",
        "furniture, decoration and a cosy home",
    ),
    "pets": ("cani, gatti e animali domestici", "dogs, cats and pets"),
}


def _off_diagonal_mean(matrix: np.ndarray) -> float:
    n = len(matrix)
    return float((matrix.sum() - np.trace(matrix)) / (n * n - n))


def measure(name: str, creators: list[dict], captions: list[str]) -> dict[str, object]:
    started = time.perf_counter()
    model = load_embedder(name, threads=2)
    model.encode(["warm up"])
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    model.encode(captions, batch_size=64)
    per_second = len(captions) / (time.perf_counter() - started)
    single = load_embedder(name, threads=1)
    single.encode(["warm up"])
    query_ms = []
    for i in range(30):
        t = time.perf_counter()
        single.encode([f"cerchiamo creator per la nostra linea {i}"])
        query_ms.append((time.perf_counter() - t) * 1000)
    italian = model.encode([it for it, _ in PAIRS])
    english = model.encode([en for _, en in PAIRS])
    result: dict[str, object] = {
        "model": name,
        "dimension": model.dimension,
        "load_s": round(load_s, 2),
        "captions_per_s_batch64_2threads": round(per_second, 1),
        "one_query_ms_median": round(statistics.median(query_ms), 2),
        "cos_it_vs_translation": round(float(np.mean(np.sum(italian * english, axis=1))), 3),
        "cos_it_vs_unrelated_en": round(_off_diagonal_mean(italian @ english.T), 3),
        "it_to_en_top1_of_10": int(((italian @ english.T).argmax(1) == np.arange(10)).sum()),
    }
    vectors = {}
    for creator in creators:
        texts = [creator.get("bio", "")] + [p["caption"] for p in creator["posts"][:5]]
        vectors[creator["creator_id"]] = model.encode(texts).mean(axis=0)
    for creator_lang in ("it", "en"):
        pool = [c for c in creators if c.get("language") == creator_lang]
        matrix = l2_normalise(np.stack([vectors[c["creator_id"]] for c in pool]))
        niches = [{canonical_category(x) for x in c.get("categories", [])} for c in pool]
        for brief_lang, slot in (("it", 0), ("en", 1)):
            hits = []
            for niche, briefs in BRIEFS.items():
                query = model.encode([briefs[slot]])[0]
                top = np.argsort(-(matrix @ query))[:20]
                hits.append(np.mean([niche in niches[i] for i in top]))
            result[f"p_at_20_{brief_lang}_brief_to_{creator_lang}_creators"] = round(
                float(np.mean(hits)), 3
            )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creators", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--models", default="use-multilingual-v3,all-MiniLM-L6-v2")
    args = parser.parse_args()
    world = generate_world(args.creators, 20, args.seed)
    captions = [p["caption"] for c in world.creators for p in c["posts"]][:2000]
    for name in args.models.split(","):
        print(json.dumps(measure(name, world.creators, captions)), flush=True)


if __name__ == "__main__":
    main()
