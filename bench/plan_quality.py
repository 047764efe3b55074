"""Campaign plans against what the generator knows: realised advocates per unit of budget.

    MICROTRIBE_HOME=/work/homes/h7 .venv/bin/python bench/plan_quality.py \\
        [--budgets 2000 10000 50000] [--split-seed 42] [--label TEXT]

On the held-out brands of `microtribe train` (`training.fit.split_by_brand` with the CLI's seed
42 over the brands with labelled outcomes; the model never trained on their outcomes), for
each budget in EUR, three plans over the same 500 candidates of the brief (`/v1/plan`'s
engine, `matching.campaign.plan_for_brief`, budget the only constraint):

- `plan`: the optimal plan under the default objective (expected advocated engagements,
  reach secondary);
- `plan_advocates`: the optimal plan under `objective: advocates` (expected advocates, the
  quantity measured here);
- `macro_only`: the same budget on macro and mega creators only (its side-by-side);
- `top_by_score`: the candidates in the served order (`rank_by=advocacy`, cost ignored),
  each hired while it still fits the budget: a shortlist bought from the top down.

Realised advocates of a plan = its creators whose outcome with the brand (the world's
`outcomes.jsonl`, any campaign) says `advocate: true`. **A chosen creator without an
outcome for the brand counts as not an advocate**, for every plan alike: the world only
labels the pairs it shortlisted (~120 per brand), so realised counts are lower bounds and
`observed_share` (chosen creators with a label) says how much of each plan was labelled.
`expected_advocates` (Σ the model's calibrated P(advocate)) is reported beside them.

Caveat: the catalog is built from the whole world, posts after the campaigns included, so
features such as unpaid brand mentions can reflect the labelled outcomes; all three plans
see the same features, so the ratios compare choices, not leak-free ranking quality (for
that see bench/quality.py's post-snapshot evaluation).

One record per budget (sums over held-out brands, then the ratios) and one `summary`,
printed and appended to --out (default bench/results/plan_quality.jsonl). The home is read
(its store, catalog and champion); run it on a copy when the home must stay untouched.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log

SYSTEMS = ("plan", "plan_advocates", "macro_only", "top_by_score")


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


def advocate_labels(outcomes: list[dict[str, Any]]) -> dict[tuple[str, str], bool]:
    """(brand, creator) → advocate, true when any labelled outcome of the pair says so."""
    labels: dict[tuple[str, str], bool] = {}
    for outcome in outcomes:
        if outcome.get("advocate") is not None:
            key = (outcome["brand_id"], outcome["creator_id"])
            labels[key] = labels.get(key, False) or bool(outcome["advocate"])
    return labels


def top_by_score(campaign: Any, advocacy_score: np.ndarray, budget: float) -> np.ndarray:
    """Candidate indices bought in score order while each still fits the budget."""
    cost = campaign.candidates.cost
    chosen, spent = [], 0.0
    for i in np.argsort(-advocacy_score, kind="stable").tolist():
        if spent + cost[i] <= budget:
            chosen.append(i)
            spent += float(cost[i])
    return np.asarray(chosen, dtype=np.int64)


def tally(
    brand_id: str, ids: np.ndarray, advocacy: np.ndarray, cost: np.ndarray, labels: Mapping
) -> dict[str, float]:
    known = [labels.get((brand_id, cid)) for cid in ids.tolist()]
    return {
        "creators": len(ids),
        "cost": float(cost.sum()),
        "expected_advocates": float(advocacy.sum()),
        "realised_advocates": float(sum(1 for k in known if k)),
        "observed": float(sum(1 for k in known if k is not None)),
    }


def plans_of(pipe: Any, brand: dict[str, Any], budget: float, labels: Mapping) -> dict[str, Any]:
    from matching.campaign import plan_for_brief
    from matching.planning import PlanConstraints

    campaign = plan_for_brief(pipe, brand, PlanConstraints(budget=budget), currency="EUR")
    c, result = campaign.candidates, campaign.result
    advocates = PlanConstraints(budget=budget, objective="advocates")
    by_advocates = plan_for_brief(pipe, brand, advocates, currency="EUR").result.plan
    rows = {
        "plan": np.asarray(result.plan.rows, dtype=np.int64),
        # the same candidates in the same order: its rows index the same arrays
        "plan_advocates": np.asarray(by_advocates.rows, dtype=np.int64),
        "macro_only": np.asarray(result.macro_only.rows, dtype=np.int64),
        "top_by_score": top_by_score(campaign, campaign.score, budget),
    }
    brand_id = campaign.brand_id
    return {
        name: tally(brand_id, c.creator_id[r], c.advocacy[r], c.cost[r], labels)
        for name, r in rows.items()
    }


def summed(per_brand: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SYSTEMS:
        keys = per_brand[0][name].keys()
        total = {key: float(sum(b[name][key] for b in per_brand)) for key in keys}
        spent_k = total["cost"] / 1000
        out[name] = {
            **{k: round(v, 3) for k, v in total.items()},
            "realised_advocates_per_1k_budget": round(
                total["realised_advocates"] / (budget * len(per_brand) / 1000), 4
            ),
            "realised_advocates_per_1k_spent": round(total["realised_advocates"] / spent_k, 4)
            if spent_k
            else None,
            "expected_advocates_per_1k_budget": round(
                total["expected_advocates"] / (budget * len(per_brand) / 1000), 4
            ),
            "observed_share": round(total["observed"] / total["creators"], 4)
            if total["creators"]
            else None,
            # among the chosen creators the world labelled: how many became advocates
            "advocate_rate_observed": round(total["realised_advocates"] / total["observed"], 4)
            if total["observed"]
            else None,
        }
    return out


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def ratios(totals: dict[str, Any]) -> dict[str, float | None]:
    return {
        f"{measure}_{plan}_over_{other}": _ratio(totals[plan][measure], totals[other][measure])
        for plan in ("plan", "plan_advocates")
        for measure in ("realised_advocates", "expected_advocates")
        for other in ("macro_only", "top_by_score")
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="default: $MICROTRIBE_HOME")
    parser.add_argument("--budgets", type=float, nargs="+", default=[2000, 10000, 50000])
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("plan_quality"))
    args = parser.parse_args(argv)

    from bench.ranking_speed import load_pipeline
    from matching.store import CatalogStore
    from microtribe.settings import Settings

    settings = Settings.from_env(args.home)
    pipe = load_pipeline(settings.home)
    store = CatalogStore(settings.store_path)
    try:
        brands = {b["brand_id"]: dict(b) for b in store.brands()}
        outcomes = [dict(o) for o in store.outcomes()]
    finally:
        store.close()
    test = held_out_brands(outcomes, args.split_seed)
    labels = advocate_labels(outcomes)
    log(f"{len(test)} held-out brands: {test}")
    recorder = Recorder("plan_quality", args.out)
    summary = {}
    for budget in args.budgets:
        per_brand = []
        for brand_id in test:
            per_brand.append(plans_of(pipe, brands[brand_id], budget, labels))
            log(f"{budget:g} EUR {brand_id}: {json.dumps(per_brand[-1]['plan'])}")
        totals = summed(per_brand, budget)
        record = {"record": "budget", "label": args.label, "home": str(settings.home),
                  "budget_eur": budget, "brands": len(test), **totals,
                  **ratios(totals)}  # fmt: skip
        recorder.emit(record)
        summary[f"{budget:g}"] = ratios(totals)
    recorder.emit({"record": "summary", "label": args.label, "home": str(settings.home),
                   "split_seed": args.split_seed, "held_out_brands": test,
                   "ratios_by_budget_eur": summary})  # fmt: skip


if __name__ == "__main__":
    main()
