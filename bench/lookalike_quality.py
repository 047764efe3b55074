"""Lookalikes on the hand-written golden creators: do the top 5 share the creator's niche?

    .venv/bin/python bench/lookalike_quality.py [--k 5] [--label TEXT]

The 78 golden creators (tests/data/golden, docs/golden-set.md) are built into a catalog of
their own in a temporary home (`training.graded.graded_pipeline`'s way, with the default
embedder), and `matching.similar.similar_creators` answers the top --k lookalikes of each,
without filters. A creator's niche is its first category (`fashion`, `food`, `gaming`,
`beauty`, `parenting`, `travel`, `pets`, …: what the hand-written profile is about).

Reported: `niche_share`, the share of the top-k lookalikes (over all creators) whose niche is
the creator's own (target ≥ 0.9); the same over creators whose niche has at least k other
members (`niche_share_eligible`: a creator alone in its niche cannot have k lookalikes in
it); `any_category_share` (at least one category in common); per niche. With --sweep, the
same again for other content/audience/size weights of the blend (`weights`; the served ones
are matching/lookalikes.py's), to show what the niche share trades against. One record per
weighting printed and appended to --out (default bench/results/lookalike_quality.jsonl).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from matching.catalog import Catalog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log

# (content, audience, size) weightings tried by --sweep, beside the served one
SWEEP = [(0.7, 0.2, 0.1), (0.8, 0.12, 0.08), (0.9, 0.05, 0.05), (1.0, 0.0, 0.0)]


def golden_catalog(home: Path) -> tuple[Catalog, list[dict[str, Any]]]:
    from matching.build import build_catalog
    from matching.catalog import load_catalog
    from matching.store import CatalogStore
    from microtribe.settings import Settings
    from training.graded import golden_set
    from training.run import open_embedder

    graded = golden_set()
    settings = Settings.from_env(home)
    store = CatalogStore(home / "catalog.db")
    try:
        store.upsert_brands(graded.brands)
        store.upsert_creators(graded.creators)
        build_catalog(store, open_embedder(settings), home / "catalog", progress=False)
    finally:
        store.close()
    return load_catalog(home / "catalog"), graded.creators


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--sweep", action="store_true", help="also other blend weights")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("lookalike_quality"))
    args = parser.parse_args(argv)

    import matching.lookalikes as blend

    served = (blend.CONTENT_WEIGHT, blend.AUDIENCE_WEIGHT, blend.SIZE_WEIGHT)
    weightings = [served, *(SWEEP if args.sweep else [])]
    recorder = Recorder("lookalike_quality", args.out)
    with tempfile.TemporaryDirectory() as tmp:
        log("building the golden creators' catalog")
        catalog, creators = golden_catalog(Path(tmp))
        try:
            for weights in weightings:
                blend.CONTENT_WEIGHT, blend.AUDIENCE_WEIGHT, blend.SIZE_WEIGHT = weights
                record = niche_agreement(catalog, creators, args.k)
                recorder.emit({"label": args.label, "weights": list(weights),
                               "served_weights": weights == served, **record})  # fmt: skip
        finally:
            blend.CONTENT_WEIGHT, blend.AUDIENCE_WEIGHT, blend.SIZE_WEIGHT = served


def niche_agreement(catalog: Catalog, creators: list[dict[str, Any]], k: int) -> dict[str, Any]:
    from matching.similar import similar_creators

    categories = {c["creator_id"]: list(c.get("categories") or ["?"]) for c in creators}
    niche = {cid: cats[0] for cid, cats in categories.items()}
    members = Counter(niche.values())
    same, shared, eligible_same, eligible_total = [], [], [], 0
    by_niche: dict[str, list[bool]] = {}
    for cid in sorted(niche):
        found = similar_creators(catalog, cid, k)
        ids = catalog.creators.creator_id[found.rows].tolist()
        hits = [niche[o] == niche[cid] for o in ids]
        same += hits
        shared += [bool(set(categories[o]) & set(categories[cid])) for o in ids]
        by_niche.setdefault(niche[cid], []).extend(hits)
        if members[niche[cid]] > k:
            eligible_same += hits
            eligible_total += 1
    return {
        "creators": len(niche),
        "k": k,
        "niches": dict(sorted(members.items())),
        "niche_share": round(float(np.mean(same)), 4),
        "niche_share_eligible": round(float(np.mean(eligible_same)), 4),
        "eligible_creators": eligible_total,
        "any_category_share": round(float(np.mean(shared)), 4),
        "niche_share_by_niche": {
            niche: round(float(np.mean(hits)), 3) for niche, hits in sorted(by_niche.items())
        },
        "target": 0.9,
    }


if __name__ == "__main__":
    main()
