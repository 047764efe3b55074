"""Campaign-plan speed and quality over random realistic problems (bench/plan_problems.py).

    .venv/bin/python bench/plan_speed.py [--problems 60 --candidates 500 --seed 0] [--label T]

Each problem: --candidates creators (tier, platform, cost, advocacy, engagement and audience
distributions of bench/plan_problems.py) and the bench request: a budget of 2k-50k, at most
15-40 creators, a minimum of nano creators, at most 2 macro, mega at most 30% of the budget,
at least one TikTok creator, YouTube at most 3 creators and 40% of the budget, and an
overlap cap of 1-10%. Timed: the whole `plan_campaign` call (the MILP, the greedy baseline,
the macro-only plan and the totals), after 2 untimed warm-up problems. The planner works on
the candidates only, so its time does not depend on the catalog's size.

One JSON record is printed and appended to --out (default bench/results/plan_speed.jsonl).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log, summary_ms
from bench.plan_problems import bench_constraints, random_candidates
from matching.planning import PlanInfeasible, SolverSettings, plan_campaign


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=60)
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=SolverSettings().time_limit_s)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("plan_speed"))
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    settings = SolverSettings(time_limit_s=args.time_limit)
    for _ in range(2):  # warm-up: imports, HiGHS's first call
        plan_campaign(random_candidates(rng, args.candidates), bench_constraints(rng))
    samples, gaps, greedy, macro, statuses, rounds = [], [], [], [], Counter(), []
    binding, infeasible = 0, 0
    for i in range(args.problems):
        candidates, constraints = random_candidates(rng, args.candidates), bench_constraints(rng)
        started = time.perf_counter()
        try:
            result = plan_campaign(candidates, constraints, settings)
        except PlanInfeasible:
            infeasible += 1
            continue
        samples.append((time.perf_counter() - started) * 1000.0)
        plan = result.plan
        statuses[plan.status] += 1
        gaps += [plan.gap] if plan.gap is not None else []
        greedy += [result.greedy_ratio] if result.greedy_ratio is not None else []
        macro += [1 / result.macro_ratio] if result.macro_ratio else []
        rounds.append(result.cut_rounds)
        binding += plan.totals.overlap >= 0.9 * (constraints.max_overlap or 1.0)
        log(f"problem {i}: {samples[-1]:.0f} ms, {plan.status}, gap {plan.gap}")
    record = {
        "label": args.label,
        "problems": args.problems,
        "candidates": args.candidates,
        "seed": args.seed,
        "time_limit_s": args.time_limit,
        "solve": summary_ms(samples),
        "max_ms": round(max(samples), 1),
        "within_200ms": round(float(np.mean(np.asarray(samples) <= 200.0)), 3),
        "status": dict(statuses),
        "infeasible": infeasible,
        "gap_median": round(float(np.median(gaps)), 5),
        "gap_max": round(float(np.max(gaps)), 5),
        "greedy_over_optimum_median": round(float(np.median(greedy)), 4),
        "greedy_over_optimum_min": round(float(np.min(greedy)), 4),
        "greedy_over_optimum_max": round(float(np.max(greedy)), 4),
        "plan_over_macro_only_median": round(float(np.median(macro)), 3) if macro else None,
        "overlap_cap_binding": int(binding),
        "cut_rounds_max": int(max(rounds)),
    }
    Recorder("plan_speed", args.out).emit(record)


if __name__ == "__main__":
    main()
