"""Always-on programmes judged by the world's truth, against one-off macro placements.

    .venv/bin/python bench/programme_quality.py --home /work/homes/dev \
        --world /work/scratch/programme-truth/world [--months 6] [--posts 1] \
        [--monthly-budgets 2000 10000] [--label TEXT]

`--home` is a built and trained home, only read (brands from `--world`'s brands.jsonl, the
held-out brands from its outcomes.jsonl as `bench/plan_quality.py` splits them); `--world`
holds that home's world with its `truth.npz` (for /work/homes/dev: `microtribe generate
--creators 1500 --brands 40 --seed 7` regenerates it byte for byte, truth included).

For each held-out brand and monthly budget B, one programme request (`/v1/plan`'s engine in
process: budget H · B for the horizon, `horizon_months` H, `posts_per_month` k, default
constraints otherwise) gives the programme plan, its greedy plan and its side-by-side: the same
budget on one-off macro and mega placements. Each is judged by the truth, never by the model,
with the programme model's own renewal applied to the world's probabilities
(docs/planning.md, "Always-on programmes"): creator i with true P(advocate) q_i renews with
r_i = 0.5 + 0.5 q_i, so over the horizon it posts k · Σ_m r_i^(m−1) times, each post earning
its true expected engagement rate × followers. Measures: `true_advocated_engagements` =
Σ_i q_i · ER_i · followers_i · posts_i over the horizon (macro placements: one post each),
`true_advocates` = Σ_i q_i. One record per monthly budget (sums over held-out brands, with
`programme_over_macro_only` and `programme_over_greedy` ratios), appended to --out (default
bench/results/programme_quality.jsonl, `record: "programme"`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log
from bench.plan_quality import held_out_brands

SIDES = ("programme", "greedy", "macro_only")
MEASURES = ("true_advocates", "true_advocated_engagements")


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def judge(pipe: Any, truth: Any, brand: dict[str, Any], args: argparse.Namespace,
          monthly: float) -> dict[str, dict[str, float]]:  # fmt: skip
    from matching.campaign import plan_for_brief
    from matching.planning import PlanConstraints, Programme
    from matching.planning.programme import retention

    programme = Programme(args.months, args.posts)
    campaign = plan_for_brief(pipe, brand, PlanConstraints(budget=args.months * monthly),
                              currency="EUR", programme=programme)  # fmt: skip
    followers = pipe.catalog.creators.followers[campaign.rows].astype(np.float64)
    row = truth.brand_row(campaign.brand_id)
    columns = truth.columns(campaign.candidates.creator_id)
    advocacy = truth.advocacy[row, columns].astype(np.float64)
    per_post = advocacy * truth.engagement_rate[row, columns].astype(np.float64) * followers
    months = np.arange(args.months, dtype=np.float64)
    posts = args.posts * (retention(advocacy)[:, None] ** months[None, :]).sum(axis=1)
    result = campaign.result
    out: dict[str, dict[str, float]] = {}
    for side, plan, posted in (("programme", result.plan, posts), ("greedy", result.greedy, posts),
                               ("macro_only", result.macro_only, np.ones(len(posts)))):  # fmt: skip
        rows = np.asarray(plan.rows, dtype=np.int64)
        out[side] = {
            "creators": float(len(rows)),
            "cost": float(plan.totals.cost),
            "true_advocates": float(advocacy[rows].sum()),
            "true_advocated_engagements": float((per_post[rows] * posted[rows]).sum()),
            "model_advocated_engagements": float(plan.totals.advocated_engagements),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--world", type=Path, required=True)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--posts", type=int, default=1)
    parser.add_argument("--monthly-budgets", type=float, nargs="+", default=[2000, 10000])
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("programme_quality"))
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from bench.ranking_speed import load_pipeline
    from training.world.truth import read_truth

    threadpool_limits(limits=1)
    pipe = load_pipeline(args.home)
    truth = read_truth(args.world)
    brands = {b["brand_id"]: b for b in _records(args.world / "brands.jsonl")}
    test = held_out_brands(_records(args.world / "outcomes.jsonl"), 42)
    log(f"{len(test)} held-out brands")
    recorder = Recorder("programme_quality", args.out)
    for monthly in args.monthly_budgets:
        judged = [judge(pipe, truth, brands[b], args, monthly) for b in test]
        totals = {side: {key: round(sum(j[side][key] for j in judged), 3)
                         for key in judged[0][side]} for side in SIDES}  # fmt: skip
        ratios = {
            f"{measure}_programme_over_{other}": (
                round(totals["programme"][measure] / totals[other][measure], 3)
                if totals[other][measure] > 0 else None
            )
            for other in ("macro_only", "greedy")
            for measure in MEASURES
        }  # fmt: skip
        recorder.emit({"record": "programme", "label": args.label, "home": str(args.home),
                       "horizon_months": args.months, "posts_per_month": args.posts,
                       "monthly_budget_eur": monthly, "budget_eur": args.months * monthly,
                       "brands": len(test), "held_out_brands": test, **totals,
                       **ratios})  # fmt: skip


if __name__ == "__main__":
    main()
