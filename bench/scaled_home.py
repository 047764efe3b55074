"""A large home for serving, batch and build benchmarks, grown from a real built home.

    .venv/bin/python bench/scaled_home.py --base /path/to/5k-home --out /path/to/100k-home \\
        --creators 100000

Embedding 2.6M captions of a real 100k-creator world takes most of an hour of both cores
here, so a large home is grown from a smaller real one (`microtribe generate/ingest/build/
train` with the real stack). `--out` starts as a copy of `--base` (store, brands, outcomes,
MLflow registry, champion bundle), then its store receives replicas of the base creators
until it holds `--creators`: replica j of creator c has id `c~j`, its own handle, a bio that
appends one of many short Italian/English/Spanish phrases (so its bio embedding, hence its
content vector, differs from the source's), followers scaled by a factor in [0.8, 1.25] and
likes/comments of each post by one in [0.7, 1.4] (so features differ), the same captions.
The embedding cache is then removed (unless --keep-cache) and `microtribe build --full` runs:
a full build of the grown home, timed (the manifest's `build_seconds`), cold unless
--keep-cache. It embeds fewer distinct texts than a
real world of that size would (captions repeat across replicas), so it is a lower bound on a
real cold build. One JSON object describing the home is printed and written to
`--out/scaled_home.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.store import CatalogStore
from microtribe.settings import Settings

PHRASES = (
    "Base a Milano", "Vivo a Torino", "Da Napoli con amore", "Roma e dintorni",
    "In giro per la Sicilia", "Bologna nel cuore", "Tra Firenze e il mare",
    "Collaborazioni via DM", "Contatti in bio", "Nuovi video ogni settimana",
    "Mamma di due bimbi", "Studente universitario", "Amo i gatti", "Caffè prima di tutto",
    "Sempre in viaggio", "Based in London", "Dog lover", "New videos every week",
    "Coffee first", "DM for collabs", "Desde Madrid", "Vivo en Barcelona",
    "Nuevos vídeos cada semana", "Amante de los perros", "Sognatrice a tempo pieno",
    "Vita di provincia", "Weekend al lago", "Fotografia amatoriale", "Runner della domenica",
    "Lettrice compulsiva",
)  # fmt: skip


def _replica(doc: dict[str, Any], j: int, rng: np.random.Generator) -> dict[str, Any]:
    copy = json.loads(json.dumps(doc))
    copy["creator_id"] = f"{doc['creator_id']}~{j}"
    copy["handle"] = f"{doc['handle']}_{j}"
    phrases = rng.choice(len(PHRASES), size=2, replace=False)
    copy["bio"] = f"{doc.get('bio') or ''} · {PHRASES[phrases[0]]} · {PHRASES[phrases[1]]} {j}"
    scale = float(rng.uniform(0.8, 1.25))
    copy["followers"] = max(1, round(doc["followers"] * scale))
    for post in copy.get("posts") or []:
        jitter = float(rng.uniform(0.7, 1.4))
        post["post_id"] = f"{post.get('post_id', 'p')}~{j}"
        post["likes"] = round(post["likes"] * jitter)
        post["comments"] = round(post["comments"] * jitter)
        if post.get("creator_replies") is not None:
            post["creator_replies"] = min(post["creator_replies"], post["comments"])
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="a built, trained real home")
    parser.add_argument("--out", type=Path, required=True, help="new home (must not exist)")
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="keep the base's embedding cache: only the replicas' new bios are embedded "
        "(faster; the build is then not cold, and the record says so)",
    )
    args = parser.parse_args()
    if args.out.exists():
        parser.error(f"--out {args.out} exists; choose a new directory")
    shutil.copytree(args.base, args.out, symlinks=True)
    settings = Settings.from_env(args.out)
    store = CatalogStore(settings.store_path)
    base_docs = store.creators()
    rng = np.random.default_rng(args.seed)
    needed = args.creators - len(base_docs)
    with tqdm(total=max(needed, 0), desc="replicas", unit="creator", disable=None) as bar:
        j = 1
        while needed > 0:
            batch = [_replica(doc, j, rng) for doc in base_docs[:needed]]
            store.upsert_creators(batch)
            needed -= len(batch)
            bar.update(len(batch))
            j += 1
    creators = store.counts()["creators"]
    store.close()
    if not args.keep_cache:
        cache = settings.embedding_cache_path
        for path in cache.parent.glob(cache.name + "*"):
            path.unlink()  # a cold build: nothing embedded before
    env = {**os.environ, "MICROTRIBE_HOME": str(args.out), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "microtribe", "build", "--full"],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    build_s = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    record = {
        "bench": "scaled_home",
        "base": str(args.base),
        "home": str(args.out),
        "creators": creators,
        "base_creators": len(base_docs),
        "full_build_s": round(build_s, 2),
        "cold": not args.keep_cache,
        "build": report,
        "recipe": "replicas of the base creators: varied bios, jittered followers and counts",
    }
    (args.out / "scaled_home.json").write_text(json.dumps(record, indent=2))
    print(json.dumps(record))


if __name__ == "__main__":
    main()
