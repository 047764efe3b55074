"""Benchmark homes of both world families, each with its world's truth file beside it.

    .venv/bin/python bench/truth_homes.py --root DIR [--creators 2000] [--posts 20]

`prepare_family_home(home, family, ...)` generates a world of family A (`training.world`)
or B (`training.world_alt`) into `home/world` (creators, brands, outcomes and `truth.npz`),
thins each feed to its `posts` newest-per-bin posts (`training.worlds.thin_posts`, leak-free,
so a 2,000-creator build stays small), and runs the real commands against the home:
`microtribe ingest`, `build`, `train --register --promote`. `train` holds out 20% of the
labelled brands (`training.fit.split_by_brand`, seed 42): those are the brands a bench
judges. A home whose `bench-world.json` matches the arguments is reused as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import log
from bench.worlds import _cli, holds_world

# Family B shortlists ~creators/40 per brand, A ~creators/10 (training/worlds.py): B gets
# twice the brands so both hold out a few dozen labelled brands.
BRANDS = {"A": 60, "B": 120}
SEEDS = {"A": 11, "B": 12}


def _world(family: str, creators: int, brands: int, seed: int) -> Any:
    if family == "A":
        from training.world import generate_world

        return generate_world(creators, brands, seed)
    from training.world_alt import generate_alt_world

    return generate_alt_world(creators, brands, seed=seed).world


def write_family_world(out: Path, family: str, creators: int, brands: int, seed: int,
                       posts: int) -> dict[str, int]:  # fmt: skip
    from dataclasses import replace

    from training.world import write_world
    from training.worlds import thin_posts

    world = _world(family, creators, brands, seed)
    thinned = [{**c, "posts": thin_posts(c.get("posts") or [], posts)} for c in world.creators]
    return write_world(replace(world, creators=thinned), out)


def prepare_family_home(home: Path, family: str, creators: int, brands: int, seed: int,
                        posts: int) -> dict[str, Any]:  # fmt: skip
    """Generate, ingest, build and train `home` unless it already holds this world."""
    spec = {"family": family, "seed": seed, "creators": creators, "brands": brands,
            "posts": posts, "train": True}  # fmt: skip
    if holds_world(home, spec):
        return spec
    world = home / "world"
    log(f"preparing {home}: {spec}")
    log(f"wrote {write_family_world(world, family, creators, brands, seed, posts)}")
    _cli(home, "ingest", "--creators", str(world / "creators.jsonl"), "--brands",
         str(world / "brands.jsonl"), "--outcomes", str(world / "outcomes.jsonl"))  # fmt: skip
    _cli(home, "build")
    _cli(home, "train", "--register", "--promote")
    (home / "bench-world.json").write_text(json.dumps(spec))
    return spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--families", nargs="+", default=["A", "B"])
    parser.add_argument("--creators", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20)
    args = parser.parse_args()
    for family in args.families:
        prepare_family_home(args.root / family, family, args.creators, BRANDS[family],
                            SEEDS[family], args.posts)  # fmt: skip


if __name__ == "__main__":
    main()
