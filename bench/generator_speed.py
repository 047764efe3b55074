"""How long the two world generators take: the speed the tests used to assert, measured here.

    .venv/bin/python bench/generator_speed.py [--repeats 3]

Family A (`training.world.generate_world`) at 10,000 creators × 60 brands (target 60 s) and
family B (`training.world_alt.generate_alt_world`) at 2,000 creators × 20 brands (target
20 s), each in this process, medians over --repeats, truth matrices included. One record per
family to bench/results/generator_speed.jsonl.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log


def families() -> dict[str, tuple[Callable[[], Any], int, int, float]]:
    from training.world import generate_world
    from training.world_alt import generate_alt_world

    return {
        "A": (lambda: generate_world(10_000, 60, seed=2), 10_000, 60, 60.0),
        "B": (lambda: generate_alt_world(2_000, 20, seed=0), 2_000, 20, 20.0),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=default_out("generator_speed"))
    args = parser.parse_args(argv)
    recorder = Recorder("generator_speed", args.out)
    for family, (generate, creators, brands, target) in families().items():
        seconds = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            generate()
            seconds.append(time.perf_counter() - started)
            log(f"family {family}: {seconds[-1]:.1f} s")
        median = statistics.median(seconds)
        recorder.emit({"family": family, "creators": creators, "brands": brands,
                       "seconds_median": round(median, 2), "seconds_runs": seconds,
                       "target_s": target, "met": median <= target})  # fmt: skip


if __name__ == "__main__":
    main()
