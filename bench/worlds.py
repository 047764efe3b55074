"""Benchmark homes: a generated world ingested, built (and trained), reused while it matches.

    .venv/bin/python bench/worlds.py --home DIR --seed S --creators N --brands M [--train]
        [--cutoff 2026-06-01]

`prepare_home` runs the real commands (`microtribe generate`, `ingest`, `build`, and with
`train=True` `train --register --promote`) against DIR, and writes `DIR/bench-world.json`
with the arguments; a later call with the same arguments reuses the home as it is.

`cutoff` makes the home a snapshot of the world *as of* that instant: every post published
after it is dropped before ingest, so the catalog cannot see campaign posts or the unpaid
"afterglow" mentions that advocates publish after a campaign (the generator writes both into
the creators' feeds). Outcomes are all ingested; `campaign_started_after` tells which of them
belong to campaigns the snapshot knows nothing about.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import log

# The generator observes a posted/completed outcome at most 60 days after its campaign
# started (training/world/outcomes.py STAGE_LAG_DAYS): observed - 60 days bounds the start.
MAX_CAMPAIGN_DAYS = 60


def _cli(home: Path, *args: str) -> None:
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "microtribe", *args], env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"`microtribe {' '.join(args)}` failed for {home} ({done.returncode})")


def parse_time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def cut_creators(source: Path, target: Path, cutoff: dt.datetime) -> int:
    """Copy creators.jsonl keeping only posts published at or before `cutoff`."""
    dropped = 0
    with source.open(encoding="utf-8") as reader, target.open("w", encoding="utf-8") as writer:
        for line in reader:
            creator = json.loads(line)
            posts = creator.get("posts") or []
            kept = [p for p in posts if parse_time(p["posted_at"]) <= cutoff]
            dropped += len(posts) - len(kept)
            creator["posts"] = kept
            writer.write(json.dumps(creator, ensure_ascii=False) + "\n")
    return dropped


def holds_world(home: Path, spec: dict[str, Any]) -> bool:
    """True when `home` was prepared with `spec` (`bench-world.json`); an empty or absent home
    is False; a home that holds another world stops the bench."""
    stamp = home / "bench-world.json"
    if stamp.exists() and json.loads(stamp.read_text()) == spec:
        log(f"reusing {home} ({spec})")
        return True
    if home.exists() and any(home.iterdir()):
        raise SystemExit(f"{home} exists and holds another world: remove it or pick another")
    return False


def prepare_home(
    home: Path, seed: int, creators: int, brands: int, train: bool, cutoff: str | None = None
) -> dict[str, Any]:
    """Generate, ingest, build (and train) `home` unless it already holds this world."""
    spec = {"seed": seed, "creators": creators, "brands": brands, "train": train,
            "cutoff": cutoff}  # fmt: skip
    if holds_world(home, spec):
        return spec
    home.mkdir(parents=True, exist_ok=True)
    world = home / "world"
    log(f"preparing {home}: {spec}")
    _cli(home, "generate", "--out", str(world), "--creators", str(creators),
         "--brands", str(brands), "--seed", str(seed))  # fmt: skip
    creators_file = world / "creators.jsonl"
    if cutoff is not None:
        as_of = world / "creators-as-of.jsonl"
        dropped = cut_creators(creators_file, as_of, parse_time(cutoff))
        log(f"dropped {dropped} posts published after {cutoff}")
        creators_file = as_of
    _cli(home, "ingest", "--creators", str(creators_file), "--brands",
         str(world / "brands.jsonl"), "--outcomes", str(world / "outcomes.jsonl"))  # fmt: skip
    _cli(home, "build")
    if train:
        _cli(home, "train", "--register", "--promote")
    (home / "bench-world.json").write_text(json.dumps(spec))
    return spec


def world_spec(home: Path) -> dict[str, Any] | None:
    stamp = home / "bench-world.json"
    return json.loads(stamp.read_text()) if stamp.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--creators", type=int, default=1500)
    parser.add_argument("--brands", type=int, default=60)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--cutoff", default=None, help="drop posts after this RFC 3339 time")
    args = parser.parse_args()
    prepare_home(args.home, args.seed, args.creators, args.brands, args.train, args.cutoff)


if __name__ == "__main__":
    main()
