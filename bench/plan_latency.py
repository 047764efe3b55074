"""Latency of `/v1/plan`'s engine and of lookalikes on a built home, in process.

    MICROTRIBE_HOME=DIR .venv/bin/python bench/plan_latency.py [--plans 60 --lookalikes 500]

Plans: `matching.campaign.plan_for_brief` (embed, retrieve 500 candidates, features, ranker,
the MILP with greedy and macro-only, reasons) for the home's stored brands in turn, each with
the constraints of bench/plan_problems.py (`bench_constraints`: a budget of 2k-50k EUR, at
most 15-40 creators, a minimum of nano creators, at most 2 macro, mega at most 30% of the
budget, at least one TikTok creator, YouTube at most 3 creators and 40% of the budget, an
overlap cap of 1-10%). Briefs are embedded once before timing (the server's brief cache),
so the figure is the planning, not the encoder. Requests the constraints make infeasible
(a 422) are timed too and counted. Lookalikes: `matching.similar.similar_creators` (k=10, no
filters) for random live creators. Both after 2 untimed warm-up calls, one thread. Wall
time and the process's CPU time per call are both recorded: on a shared machine the wall
time includes waiting for a core, and the planner's 1 s time limit is wall time.

Repeats (`--repeats N`, default 100): one fixed request (the first brand, the first bench
constraints) planned N times; the record says whether every plan's creators were identical
and how often the wall-clock safety net fired.

One record per measure, printed and appended to --out (default
bench/results/plan_latency.jsonl), with the catalog's size: the targets (plan p99 ≤ 200 ms
over 500 candidates, lookalikes p99 ≤ 20 ms) are stated at 100k creators.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, summary_ms
from bench.plan_problems import bench_constraints
from bench.ranking_speed import load_pipeline, stored_brands


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="default: $MICROTRIBE_HOME")
    parser.add_argument("--plans", type=int, default=60)
    parser.add_argument("--lookalikes", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("plan_latency"))
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from features.brand_profile import brand_profile
    from matching.campaign import plan_for_brief
    from matching.planning import PlanInfeasible
    from matching.similar import similar_creators
    from microtribe.settings import Settings

    threadpool_limits(limits=1)  # as the server runs a request
    home = Settings.from_env(args.home).home
    pipe = load_pipeline(home)
    brands = stored_brands(home, 1000)
    for brand in brands:
        pipe.briefs.vector(brand_profile(brand).text)
    rng = np.random.default_rng(args.seed)
    live_creators = int(pipe.catalog.live.sum())
    size = {"home": str(home), "catalog_creators": live_creators, "label": args.label}
    recorder = Recorder("plan_latency", args.out)

    def plan(i: int) -> str:
        constraints = bench_constraints(rng)
        try:
            result = plan_for_brief(pipe, brands[i % len(brands)], constraints, currency="EUR")
        except PlanInfeasible:
            return "infeasible"
        return result.result.plan.status

    for i in range(2 if args.plans else 0):
        plan(i)
    samples: list[float] = []
    cpu: list[float] = []
    statuses: Counter[str] = Counter()
    for i in range(args.plans):
        started, cpu_started = time.perf_counter(), time.process_time()
        statuses[plan(i)] += 1
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        log(f"plan {i}: {samples[-1]:.0f} ms")
    if args.plans:
        recorder.emit({"measure": "plan", **size, "candidates": 500,
                       "latency": summary_ms(samples), "cpu": summary_ms(cpu),
                       "max_ms": round(max(samples), 1),
                       "within_200ms": round(float(np.mean(np.asarray(samples) <= 200)), 3),
                       "status": dict(statuses)})  # fmt: skip

    if args.repeats:
        recorder.emit({"measure": "plan_repeats", **size, **_repeats(pipe, brands[0], args)})
    if not args.lookalikes:
        return
    live = np.flatnonzero(pipe.catalog.live)
    ids = pipe.catalog.creators.creator_id[rng.choice(live, args.lookalikes + 2)].tolist()
    for cid in ids[:2]:
        similar_creators(pipe.catalog, cid, 10)
    samples, cpu = [], []
    for cid in ids[2:]:
        started, cpu_started = time.perf_counter(), time.process_time()
        similar_creators(pipe.catalog, cid, 10)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    recorder.emit({"measure": "lookalikes", **size, "k": 10, "latency": summary_ms(samples),
                   "cpu": summary_ms(cpu),
                   "max_ms": round(max(samples), 1),
                   "within_20ms": round(float(np.mean(np.asarray(samples) <= 20)), 3)})  # fmt: skip


def _repeats(pipe: Any, brand: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The same request `args.repeats` times: latency, and whether the plans were identical."""
    from matching.campaign import plan_for_brief

    constraints = bench_constraints(np.random.default_rng(args.seed))
    plans: set[tuple[str, ...]] = set()
    samples: list[float] = []
    cpu: list[float] = []
    reasons: Counter[str] = Counter()
    for _ in range(args.repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        plan = plan_for_brief(pipe, brand, constraints, currency="EUR").result.plan
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        plans.add(plan.creator_ids)
        reasons[f"{plan.status}: {plan.reason}"] += 1
        digest = hashlib.sha256("\n".join(plan.creator_ids).encode()).hexdigest()[:12]
        log(f"repeat {len(samples)}: {samples[-1]:.0f} ms, {len(plan.creator_ids)} plan {digest}")
    return {"brand_id": brand.get("brand_id"), "repeats": args.repeats,
            "latency": summary_ms(samples), "cpu": summary_ms(cpu),
            "identical": len(plans) == 1, "distinct_plans": len(plans),
            "creators": len(next(iter(plans))), "status": dict(reasons)}  # fmt: skip


if __name__ == "__main__":
    main()
