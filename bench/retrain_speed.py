"""`microtribe retrain` on 10,000 new outcomes on top of the demo world, twice.

    .venv/bin/python bench/retrain_speed.py [--home /work/scratch/retrain-bench] [--runs 2]

Set-up (once per home, stamped in `bench-retrain.json`; not timed): the demo world
(`microtribe demo`'s defaults: 2,000 creators, 40 brands, seed 7, max-posts 10) generated,
ingested and built, and the published recipe trained and promoted as the demo does (`train
--register --promote --seed 42 --worlds 6`). Then the agency's next season: a shortlist per
brand served through the API (`/v1/match`, k=50, written to the served log by the server
itself), and `--new` new outcomes drawn by the world's own generator
(`training.world.outcomes.simulate_outcomes`) on the same creators and brands, in new
campaigns that start after the serve; ingested through `microtribe ingest`.

Timed: `microtribe retrain --since <first new outcome> --promote`, `--runs` times, as a
subprocess (imports included); one record per run with the stages' seconds from its summary,
then one with the hash check. The target: ≤ 180 s per run, the same dataset hash every run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, load_average, log
from bench.worlds import _cli

DEMO = {"creators": 2000, "brands": 40, "seed": 7, "max_posts": 10}
TARGET_S = 180.0


def new_season(world: dict[str, Any], want: int, start: datetime) -> list[dict[str, Any]]:
    """`want` outcomes of new campaigns by the demo world's brands on its creators: the
    generator's own campaign model, redrawn (fresh randomness) and moved to start at `start`."""
    from training.world.brands import generate_brands
    from training.world.creators import sample_creator_latents
    from training.world.effects import DEFAULT
    from training.world.fandom import draw_fan_mentions
    from training.world.outcomes import CAMPAIGN_STARTS, simulate_outcomes
    from training.world.profiles import assign_identities

    # the first draws of `generate_world` with the demo's seed: the same brands and creators
    rng = np.random.default_rng(world["seed"])
    text_rng = random.Random(int(rng.integers(2**62)))
    brands, _ = generate_brands(world["brands"], rng, text_rng)
    latents = sample_creator_latents(rng, world["creators"], DEFAULT)
    identities = assign_identities(latents, text_rng)
    fans = draw_fan_mentions(latents, brands, rng, DEFAULT)
    ids = [identity.creator_id for identity in identities]
    shift = start.timestamp() - CAMPAIGN_STARTS[0]
    season: list[dict[str, Any]] = []
    for draw in range(1, 100):
        if len(season) >= want:
            break
        drawn = simulate_outcomes(latents, ids, fans, brands, np.random.default_rng([draw, 2026]))
        for row in drawn.rows:
            season.append({**row, "campaign_id": f"s{draw}-{row['campaign_id']}",
                           "started_at": _shifted(row["started_at"], shift),
                           "observed_at": _shifted(row["observed_at"], shift)})  # fmt: skip
    return season[:want]


def _shifted(text: str, seconds: float) -> str:
    at = datetime.fromisoformat(text.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def serve_shortlists(home: Path, brand_ids: list[str], k: int) -> int:
    """One `/v1/match` per brand through the real app: the server writes the served log."""
    from fastapi.testclient import TestClient

    from microtribe.settings import Settings
    from serve import create_app

    with TestClient(create_app(Settings.from_env(home), None)) as client:
        for brand_id in brand_ids:
            answer = client.post("/v1/match", json={"brand_id": brand_id, "k": k})
            answer.raise_for_status()
    return len(brand_ids)


def prepare(home: Path, new: int) -> dict[str, Any]:
    spec = {**DEMO, "new_outcomes": new}
    stamp = home / "bench-retrain.json"
    if stamp.exists() and json.loads(stamp.read_text())["spec"] == spec:
        log(f"reusing {home}")
        return dict(json.loads(stamp.read_text()))
    home.mkdir(parents=True, exist_ok=True)
    world = home / "world"
    _cli(home, "generate", "--out", str(world), "--creators", str(DEMO["creators"]),
         "--brands", str(DEMO["brands"]), "--seed", str(DEMO["seed"]),
         "--max-posts", str(DEMO["max_posts"]))  # fmt: skip
    _cli(home, "ingest", "--creators", str(world / "creators.jsonl"), "--brands",
         str(world / "brands.jsonl"), "--outcomes", str(world / "outcomes.jsonl"))  # fmt: skip
    _cli(home, "build")
    _cli(home, "train", "--register", "--promote", "--seed", "42", "--worlds", "6")
    brand_ids = [json.loads(line)["brand_id"] for line in (world / "brands.jsonl").open()]
    serve_shortlists(home, brand_ids, k=50)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)  # after the serve
    season = new_season(DEMO, new, start)
    stored = {json.loads(line)["creator_id"] for line in (world / "creators.jsonl").open()}
    if not {row["creator_id"] for row in season} <= stored:
        raise SystemExit("the redrawn season names creators the demo world does not hold")
    path = home / "new-season.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in season))
    _cli(home, "ingest", "--outcomes", str(path))
    since = min(row["observed_at"] for row in season)
    done = {"spec": spec, "since": since, "new_outcomes": len(season)}
    stamp.write_text(json.dumps(done))
    return done


def timed_retrain(home: Path, since: str) -> dict[str, Any]:
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "microtribe", "retrain", "--since", since, "--promote"]
    load_before = load_average()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"retrain failed ({done.returncode}):\n{done.stderr}")
    sys.stderr.write(done.stderr)
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    return {**summary, "wall_s": round(wall, 2), "load_1min_before": load_before}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, default=Path("/work/scratch/retrain-bench"))
    parser.add_argument("--new", type=int, default=10_000, help="new outcomes")
    parser.add_argument("--runs", type=int, default=2, help="timed runs (0: set up only)")
    parser.add_argument("--out", type=Path, default=default_out("retrain"))
    args = parser.parse_args()
    prepared = prepare(args.home, args.new)
    recorder = Recorder("retrain_speed", args.out)
    hashes = []
    for run in range(1, args.runs + 1):
        log(f"retrain run {run}/{args.runs} --since {prepared['since']}")
        result = timed_retrain(args.home, prepared["since"])
        hashes.append(result["dataset_hash"])
        recorder.emit({"run_index": run, "new_outcomes": prepared["new_outcomes"],
                       "since": prepared["since"], "world": DEMO, "target_s": TARGET_S,
                       "within_target": result["wall_s"] <= TARGET_S, **result})  # fmt: skip
    if not hashes:  # --runs 0: set-up only
        return
    recorder.emit({"check": "dataset_hash_stable", "hash_stable": len(set(hashes)) == 1,
                   "hashes": hashes, "runs": args.runs})  # fmt: skip


if __name__ == "__main__":
    main()
