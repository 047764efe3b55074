"""Default plans stay inside the brief's languages and markets (issue 25, item 4).

    .venv/bin/python bench/plan_scope.py HOME [BRANDS]

For each stored brand with markets or languages (smartcircuito first), a 5,000 EUR plan with
the default policy (`scope: brief`) and with `scope: any`: how many hired creators speak
none of the brief's languages or have less than 0.2 of their audience in its markets. One
JSON line per brand, then a summary; read-only on HOME.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ranking_speed import load_pipeline, stored_brands


def _outside(pipe: Any, brand: dict[str, Any], scope: str) -> dict[str, Any] | str:
    from features.brand_profile import brand_profile
    from matching.campaign import plan_for_brief
    from matching.plan_scope import DEFAULT_MIN_MARKET_SHARE, PlanPolicy, market_share
    from matching.planning import PlanConstraints, PlanError

    profile, catalog = brand_profile(brand), pipe.catalog
    try:
        campaign = plan_for_brief(pipe, brand, PlanConstraints(budget=5000), currency="EUR",
                                  policy=PlanPolicy(scope=scope))  # type: ignore[arg-type]  # fmt: skip
    except PlanError as exc:
        return str(exc)
    plan = campaign.result.plan
    rows = campaign.rows[plan.rows]
    languages, markets = sorted(profile.languages), profile.markets
    bad = np.zeros(len(rows), dtype=bool)
    if languages:
        bad |= ~np.isin(catalog.creators.language[rows], languages)
    if markets:
        bad |= market_share(catalog, rows, markets) < DEFAULT_MIN_MARKET_SHARE
    return {"creators": len(rows), "outside": int(bad.sum()), "status": plan.status,
            "cost": round(plan.totals.cost),
            "examples_outside": catalog.creators.creator_id[rows[bad]][:3].tolist()}  # fmt: skip


def main(argv: list[str]) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    home, limit = Path(argv[0]), int(argv[1]) if len(argv) > 1 else 30
    pipe = load_pipeline(home)
    brands = [b for b in stored_brands(home, 1000) if b.get("markets") or b.get("languages")]
    brands.sort(key=lambda b: b["brand_id"] != "smartcircuito")
    outside = 0
    for brand in brands[:limit]:
        row = {"brand_id": brand["brand_id"], "markets": brand.get("markets"),
               "languages": brand.get("languages")}  # fmt: skip
        row |= {scope: _outside(pipe, brand, scope) for scope in ("brief", "any")}
        default = row["brief"]
        outside += isinstance(default, dict) and default["outside"] > 0
        print(json.dumps(row), flush=True)
    print(json.dumps({"home": str(home), "brands": min(limit, len(brands)),
                      "brands_with_creators_outside_by_default": outside}))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
