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

Programmes (`--programme-months H`, with `--posts-per-month K` and `--monthly-budget B`, default
6 months × 1 post at 10,000 EUR a month): `--plans` always-on programme plans of the home's
brands in turn, the request's budget H × B for the whole horizon (60,000 EUR by default) and
no other constraint than the defaults (scope, minimum advocacy, coordination), then the same
first request `--repeats` times. Brands are read from the home's store opened read-only, so
the bench never writes to the home. Target: a 6-month programme at 10k EUR a month answers
in ≤ 500 ms. Lookalikes are skipped in this mode.

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
    parser.add_argument("--programme-months", type=int, default=0,
                        help="plan always-on programmes of this many months instead")
    parser.add_argument("--posts-per-month", type=int, default=1)
    parser.add_argument("--monthly-budget", type=float, default=10000.0)
    args = parser.parse_args(argv)
    if args.programme_months:
        _programmes(args)
        return

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


def _read_only_brands(home: Path) -> list[dict[str, Any]]:
    """The home's stored brands, by id, from its SQLite store opened read-only and immutable
    (no lock or WAL files appear in the home either)."""
    import json
    import sqlite3

    from microtribe.settings import Settings

    path = Settings.from_env(home).store_path
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as db:
        docs = [row[0] for row in db.execute("SELECT doc FROM brands ORDER BY brand_id")]
    if not docs:
        raise SystemExit(f"{home} has no stored brands to use as briefs")
    return [json.loads(doc) for doc in docs]


def _timed(samples: list[float], cpu: list[float], call: Any) -> Any:
    started, cpu_started = time.perf_counter(), time.process_time()
    value = call()
    samples.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - cpu_started) * 1000)
    return value


def _programmes(args: argparse.Namespace) -> None:
    """Always-on programme plans: latency over the brands, then one request repeated."""
    from threadpoolctl import threadpool_limits

    from features.brand_profile import brand_profile
    from matching.campaign import plan_for_brief
    from matching.planning import PlanConstraints, PlanInfeasible, Programme
    from microtribe.settings import Settings

    threadpool_limits(limits=1)  # as the server runs a request
    home = Settings.from_env(args.home).home
    pipe = load_pipeline(home)
    brands = _read_only_brands(home)
    for brand in brands:
        pipe.briefs.vector(brand_profile(brand).text)
    programme = Programme(args.programme_months, args.posts_per_month)
    budget = args.programme_months * args.monthly_budget
    constraints = PlanConstraints(budget=budget)
    size = {"home": str(home), "catalog_creators": int(pipe.catalog.live.sum()),
            "label": args.label, "horizon_months": programme.horizon_months,
            "posts_per_month": programme.posts_per_month, "budget_eur": budget}  # fmt: skip
    recorder = Recorder("plan_latency", args.out)

    def plan(brand: dict[str, Any]) -> Any:
        try:
            return plan_for_brief(pipe, brand, constraints, currency="EUR", programme=programme)
        except PlanInfeasible:
            return None

    for brand in brands[:2]:
        plan(brand)
    samples: list[float] = []
    cpu: list[float] = []
    statuses: Counter[str] = Counter()
    hired: list[int] = []
    for i in range(args.plans):
        campaign = _timed(samples, cpu, lambda i=i: plan(brands[i % len(brands)]))
        statuses["infeasible" if campaign is None else campaign.result.plan.status] += 1
        if campaign is not None:
            hired.append(len(campaign.result.plan.creator_ids))
        log(f"programme {i}: {samples[-1]:.0f} ms")
    if args.plans:
        recorder.emit({"measure": "programme", **size, "candidates": 500,
                       "latency": summary_ms(samples), "cpu": summary_ms(cpu),
                       "max_ms": round(max(samples), 1),
                       "within_500ms": round(float(np.mean(np.asarray(samples) <= 500)), 3),
                       "median_creators": float(np.median(hired)) if hired else 0.0,
                       "status": dict(statuses)})  # fmt: skip
    if not args.repeats:
        return
    plans: set[tuple[str, ...]] = set()
    samples, cpu = [], []
    for _ in range(args.repeats):
        campaign = _timed(samples, cpu, lambda: plan(brands[0]))
        plans.add(() if campaign is None else campaign.result.plan.creator_ids)
    recorder.emit({"measure": "programme_repeats", **size, "brand_id": brands[0].get("brand_id"),
                   "repeats": args.repeats, "latency": summary_ms(samples),
                   "cpu": summary_ms(cpu), "max_ms": round(max(samples), 1),
                   "within_500ms": round(float(np.mean(np.asarray(samples) <= 500)), 3),
                   "identical": len(plans) == 1, "distinct_plans": len(plans)})  # fmt: skip


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
