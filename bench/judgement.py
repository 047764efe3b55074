"""Judgement on data the model never trained on: the golden set and the alternative world.

    .venv/bin/python bench/judgement.py --train-home DIR [--alt-creators 1500 --alt-brands 20
        --alt-seed 5] [--rank-by advocacy,engagement,value] [--mixed] [--label TEXT]

The model is the champion of --train-home (for the published recipe: a home where
`microtribe train --worlds 6 --register --promote` ran; it needs no catalog). Each graded set is
built into its own catalog (under a work directory, `microtribe build`'s code and embedder),
every brief is run through `MatchPipeline.run` with every creator ranked, and the served order
is scored next to similarity alone, every single signal and three-term hand rules on the very
same rows (`training.graded`). Sets:

- `golden`: the hand-labelled golden set's development part (tests/data/golden,
  docs/golden-set.md): NDCG@10;
- `golden-test`: its frozen test part (tests/data/golden/test), written before any tuning and
  never used to set anything: NDCG@10, reported beside the development part;
- `alt`: the alternative world (training/world_alt, docs/world-alt.md) at --alt-creators ×
  --alt-brands, seed --alt-seed: NDCG@20 over all creators per brand, gains = its grades.

`--mixed` also serves the golden briefs from --train-home's own catalog with the golden
creators upserted into it (as a new user of the demo would): the served top 10 then competes
with the synthetic creators, which count as grade 0.

One record per (set, rank_by) is printed and appended to --out (default
bench/results/judgement.jsonl). The alternative world's catalog and the embedding cache are
kept in --work (default /tmp/microtribe-judgement) and reused while the world is the same.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, round_floats


def alt_set(creators: int, brands: int, seed: int) -> Any:
    from training.graded import GradedSet
    from training.world_alt import generate_alt_world

    alt = generate_alt_world(n_creators=creators, n_brands=brands, seed=seed)
    grades = {(b, c): g for b, c, g in alt.grades}
    return GradedSet(f"alt-{creators}x{brands}-s{seed}", alt.world.creators, alt.world.brands,
                     grades)  # fmt: skip


def mixed_golden(train_home: Path, work: Path, rank_by: str) -> dict[str, float]:
    """Golden briefs served from the train home's catalog with the golden creators upserted:
    NDCG@10 of the served 10 (creators outside the set are grade 0) against the set's ideal."""
    import numpy as np

    from matching.service import MatchService
    from microtribe.settings import Settings
    from training.graded import golden_set

    home = work / "mixed-home"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(train_home, home, ignore=shutil.ignore_patterns("logs", "world", "mlartifacts"))
    golden = golden_set()
    discount = 1.0 / np.log2(np.arange(2, 12))
    service = MatchService(Settings.from_env(home))
    ndcg, outsiders = [], 0
    members = {c["creator_id"] for c in golden.creators}
    try:
        service.start()
        service.upsert_creators(golden.creators)
        pipe = service.ready()
        for brand in golden.brands:
            result = pipe.run(brand, 10, with_reasons=False, rank_by=rank_by)
            ids = pipe.catalog.creators.creator_id[result.rows].tolist()
            got = np.array([golden.grades.get((brand["brand_id"], c), 0) for c in ids], float)
            outsiders += sum(c not in members for c in ids)
            ideal = np.sort([g for (b, _), g in golden.grades.items() if b == brand["brand_id"]])
            ideal = ideal[::-1][:10].astype(float)
            ndcg.append(float((got * discount[: len(got)]).sum() / (ideal * discount).sum()))
    finally:
        service.close()
    return {"served_ndcg_at_10": float(np.mean(ndcg)), "synthetic_in_top10": float(outsiders)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-home", type=Path, required=True)
    parser.add_argument("--alt-creators", type=int, default=1500)
    parser.add_argument("--alt-brands", type=int, default=20)
    parser.add_argument("--alt-seed", type=int, default=5)
    parser.add_argument("--rank-by", default="advocacy")
    parser.add_argument("--sets", default="golden,golden-test,alt")
    parser.add_argument("--mixed", action="store_true")
    parser.add_argument("--work", type=Path, default=Path("/tmp/microtribe-judgement"))
    parser.add_argument("--label", default=None)
    parser.add_argument("--out", type=Path, default=default_out("judgement"))
    args = parser.parse_args()

    from microtribe.settings import Settings
    from models.bundle import load_bundle
    from training.graded import best_names, golden_set, graded_metrics, graded_pipeline, served_rows
    from training.run import open_embedder

    settings = Settings.from_env(args.train_home)
    # the champion alone: a home trained on the recipe's worlds has no catalog of its own
    champion = (settings.models_dir / "CHAMPION").read_text().strip()
    bundle = load_bundle(settings.models_dir / champion)
    recorder = Recorder("judgement", args.out)
    args.work.mkdir(parents=True, exist_ok=True)
    embedder = open_embedder(Settings.from_env(args.work))  # a cache shared by every set here
    for name in args.sets.split(","):
        graded = (
            golden_set("test")
            if name == "golden-test"
            else golden_set()
            if name == "golden"
            else alt_set(args.alt_creators, args.alt_brands, args.alt_seed)
        )
        home = args.work / graded.name
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        log(f"{graded.name}: {len(graded.creators)} creators, {len(graded.brands)} briefs")
        pipe = graded_pipeline(graded, home, embedder, bundle)
        for rank_by in args.rank_by.split(","):
            metrics = graded_metrics(served_rows(pipe, graded, rank_by))
            recorder.emit({
                "set": graded.name, "rank_by": rank_by, "label": args.label,
                "model_version": bundle.version, "train_home": str(args.train_home),
                **best_names(metrics, 10 if name.startswith("golden") else 20),
                "metrics": round_floats(metrics),
            })  # fmt: skip
    if args.mixed:
        for rank_by in args.rank_by.split(","):
            found = mixed_golden(args.train_home, args.work, rank_by)
            recorder.emit({"set": "golden-in-train-catalog", "rank_by": rank_by,
                           "label": args.label, "metrics": round_floats(found)})  # fmt: skip


if __name__ == "__main__":
    main()
