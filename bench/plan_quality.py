"""Campaign plans judged by the world's own truth: true advocates and advocated engagements.

    .venv/bin/python bench/plan_quality.py [--root /work/scratch/truth/homes]
        [--budgets 2000 10000 50000] [--seeds 5] [--label TEXT]

Homes: one per world family (A `training.world`, B `training.world_alt`), prepared by
`bench/truth_homes.py` (2,000 creators each; generate → ingest → build → train --register
--promote), each with its world's `truth.npz` (training/world/truth.py) beside the records.
Brands judged: the held-out brands of that `train` (`training.fit.split_by_brand`, seed 42
over the brands with labelled outcomes): the model never trained on their outcomes.

For each family, budget (EUR) and held-out brand, plans over the same candidates of the brief
(`/v1/plan`'s engine in process, `matching.campaign.plan_for_brief`, budget the only
constraint, default guardrails):

- `milp`: the plan `/v1/plan` answers (default objective, expected advocated engagements);
- `greedy`, `macro_only`: its side-by-side plans under the same budget;
- `top_k_budget`: the candidates in the served order (`rank_by=advocacy`, cost ignored),
  each hired while it still fits the budget: a shortlist bought from the top down until the
  budget is spent. **This is the "top-k" of the targets** (same budget as the plan). Like
  `random`, it pays what the plan pays for each creator hired: the fee and the coordination
  cost (`PlanPolicy`'s default, 150 EUR, as `/v1/plan` charges it; before 2026-12-07 11:00 the
  filled baselines paid the fee only, so they hired more creators on the same budget);
- `top_k_size`: the top k by score with k = the MILP plan's size, whatever it costs (it
  may overspend; its `cost` is recorded);
- `random`: candidates in a random order, each hired while it still fits the budget;
  `--seeds` orders, the record keeps the median over seeds of each summed measure.

Each plan is judged by the truth, never by the model: `true_advocates` = Σ P(advocate) of
its creators for the brand, `true_advocated_engagements` = Σ P(advocate) × expected
engagement rate × followers (the planner's objective, with the world's quantities). Both
are the generator's latent expectations, so every chosen creator counts, labelled or not.
`model_advocates` (Σ the model's calibrated P(advocate)) is recorded beside them.

One record per family and budget (sums over held-out brands, and `milp_over_<plan>`
ratios for both measures), one per budget pooling both families, and one `summary`; printed
and appended to --out (default bench/results/plan_quality.jsonl).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log

PLANS = ("milp", "greedy", "macro_only", "top_k_budget", "top_k_size", "random")
MEASURES = ("true_advocates", "true_advocated_engagements")
DEFAULT_ROOT = Path("/work/scratch/truth/homes")


@dataclass(frozen=True, slots=True)
class _Brands:
    """What `split_by_brand` reads of a training set: the brand of each labelled row."""

    brand_id: np.ndarray

    def __len__(self) -> int:
        return len(self.brand_id)


def held_out_brands(outcomes: list[dict[str, Any]], split_seed: int) -> list[str]:
    from training.dataset import labelled_outcomes
    from training.fit import FitConfig, split_by_brand

    labelled = [o["brand_id"] for o in labelled_outcomes(outcomes)]
    brands = _Brands(np.array(labelled, dtype=object))
    split = split_by_brand(brands, FitConfig(seed=split_seed))  # type: ignore[arg-type]
    return split.test_brands


def fill_budget(order: np.ndarray, cost: np.ndarray, budget: float) -> np.ndarray:
    """Candidates taken in `order`, each hired while it still fits the budget."""
    ordered = cost[order]
    chosen = np.zeros(len(order), dtype=bool)
    spent = 0.0
    # a sequential fill: whether one fits depends on every earlier choice
    for j, price in enumerate(ordered.tolist()):
        if spent + price <= budget:
            chosen[j] = True
            spent += price
    return np.asarray(order[chosen], dtype=np.int64)


def top_by_score(campaign: Any, advocacy_score: np.ndarray, budget: float) -> np.ndarray:
    """Candidate indices bought in score order while each still fits the budget."""
    order = np.argsort(-advocacy_score, kind="stable")
    return fill_budget(order, campaign.candidates.cost, budget)


@dataclass(frozen=True, slots=True)
class BrandTruth:
    """The truth of one brand, aligned with a campaign's candidates."""

    advocacy: np.ndarray  # per candidate
    advocated_engagements: np.ndarray  # per candidate: P(adv) × E[rate] × followers


def brand_truth(truth: Any, campaign: Any, followers: np.ndarray) -> BrandTruth:
    row = truth.brand_row(campaign.brand_id)
    columns = truth.columns(campaign.candidates.creator_id)
    advocacy = truth.advocacy[row, columns].astype(np.float64)
    rate = truth.engagement_rate[row, columns].astype(np.float64)
    return BrandTruth(advocacy, advocacy * rate * followers)


def judged(rows: np.ndarray, campaign: Any, known: BrandTruth) -> dict[str, float]:
    c = campaign.candidates
    return {
        "creators": float(len(rows)),
        "cost": float(c.cost[rows].sum()),
        "true_advocates": float(known.advocacy[rows].sum()),
        "true_advocated_engagements": float(known.advocated_engagements[rows].sum()),
        "model_advocates": float(c.advocacy[rows].sum()),
    }


def plan_rows(campaign: Any, budget: float, seeds: int, coordination: float) -> dict[str, Any]:
    """Candidate indices of every compared plan; `random` holds one array per seed. The filled
    baselines pay what the plan pays per creator hired: its fee and the coordination cost."""
    result = campaign.result
    cost = campaign.candidates.cost + coordination
    milp = np.asarray(result.plan.rows, dtype=np.int64)
    by_score = np.argsort(-campaign.score, kind="stable")
    randoms = [
        fill_budget(np.random.default_rng(seed).permutation(len(cost)), cost, budget)
        for seed in range(seeds)
    ]
    return {
        "milp": milp,
        "greedy": np.asarray(result.greedy.rows, dtype=np.int64),
        "macro_only": np.asarray(result.macro_only.rows, dtype=np.int64),
        "top_k_budget": fill_budget(by_score, cost, budget),
        "top_k_size": by_score[: len(milp)],
        "random": randoms,
    }


def judge_brand(pipe: Any, truth: Any, brand: dict[str, Any], budget: float,
                seeds: int) -> dict[str, Any]:  # fmt: skip
    from matching.campaign import plan_for_brief
    from matching.plan_scope import PlanPolicy
    from matching.planning import PlanConstraints

    campaign = plan_for_brief(pipe, brand, PlanConstraints(budget=budget), currency="EUR")
    followers = pipe.catalog.creators.followers[campaign.rows].astype(np.float64)
    known = brand_truth(truth, campaign, followers)
    rows = plan_rows(campaign, budget, seeds, PlanPolicy().coordination_in("EUR"))
    out: dict[str, Any] = {name: judged(rows[name], campaign, known) for name in PLANS[:-1]}
    out["random"] = [judged(r, campaign, known) for r in rows["random"]]
    return out


def summed(per_brand: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Each plan's measures summed over brands; `random`: the median over seeds of the sums."""
    totals: dict[str, dict[str, float]] = {}
    for name in PLANS[:-1]:
        keys = per_brand[0][name].keys()
        totals[name] = {k: round(sum(b[name][k] for b in per_brand), 3) for k in keys}
    seeds = len(per_brand[0]["random"])
    keys = per_brand[0]["random"][0].keys()
    totals["random"] = {
        k: round(statistics.median(sum(b["random"][s][k] for b in per_brand)
                                   for s in range(seeds)), 3)
        for k in keys
    }  # fmt: skip
    return totals


def ratios(totals: dict[str, dict[str, float]]) -> dict[str, float | None]:
    """milp ÷ each other plan, on each truth measure; None when the other plan got nothing."""
    out: dict[str, float | None] = {}
    for other in PLANS[1:]:
        for measure in MEASURES:
            below = totals[other][measure]
            out[f"{measure}_milp_over_{other}"] = (
                round(totals["milp"][measure] / below, 3) if below > 0 else None
            )
    return out


def family_pipeline(home: Path) -> tuple[Any, Any, dict[str, dict[str, Any]], list[str]]:
    from bench.ranking_speed import load_pipeline
    from matching.store import CatalogStore
    from microtribe.settings import Settings
    from training.world.truth import read_truth

    settings = Settings.from_env(home)
    store = CatalogStore(settings.store_path)
    try:
        brands = {b["brand_id"]: dict(b) for b in store.brands()}
        outcomes = [dict(o) for o in store.outcomes()]
    finally:
        store.close()
    truth = read_truth(home / "world")
    return load_pipeline(home), truth, brands, held_out_brands(outcomes, 42)


def run(root: Path, families: list[str], budgets: list[float], seeds: int,
        recorder: Recorder, label: str) -> dict[str, Any]:  # fmt: skip
    by_budget: dict[float, list[dict[str, Any]]] = {budget: [] for budget in budgets}
    summary: dict[str, Any] = {}
    for family in families:
        pipe, truth, brands, test = family_pipeline(root / family)
        log(f"family {family}: {len(test)} held-out brands")
        for budget in budgets:
            per_brand = [judge_brand(pipe, truth, brands[b], budget, seeds) for b in test]
            by_budget[budget].extend(per_brand)
            totals = summed(per_brand)
            recorder.emit({"record": "family_budget", "label": label, "family": family,
                           "home": str(root / family), "budget_eur": budget,
                           "brands": len(test), "held_out_brands": test, **totals,
                           **ratios(totals)})  # fmt: skip
            summary[f"{family} {budget:g}"] = ratios(totals)
    for budget in budgets:
        totals = summed(by_budget[budget])
        recorder.emit({"record": "budget", "label": label, "families": families,
                       "budget_eur": budget, "brands": len(by_budget[budget]), **totals,
                       **ratios(totals)})  # fmt: skip
        summary[f"both {budget:g}"] = ratios(totals)
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                        help="holds one home per family (bench/truth_homes.py)")  # fmt: skip
    parser.add_argument("--families", nargs="+", default=["A", "B"])
    parser.add_argument("--budgets", type=float, nargs="+", default=[2000, 10000, 50000])
    parser.add_argument("--seeds", type=int, default=5, help="random affordable plans")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("plan_quality"))
    args = parser.parse_args(argv)

    recorder = Recorder("plan_quality", args.out)
    summary = run(args.root, args.families, args.budgets, args.seeds, recorder, args.label)
    recorder.emit({"record": "summary", "label": args.label, "root": str(args.root),
                   "split_seed": 42, "random_seeds": args.seeds, "judged_by": "truth.npz",
                   "ratios": summary})  # fmt: skip


if __name__ == "__main__":
    main()
