"""How good can any ranker be on a synthetic world? The generator's own latent model as an oracle.

    .venv/bin/python bench/quality_ceiling.py [--creators 5000 --brands 60 --seed 7]

Regenerates the world while recording each shortlisted pair's noiseless advocacy logit (the
generator adds noise, then draws the label), and ranks each brand's labelled outcomes by it.
This is a ceiling for a model that sees only observable fields, to read the NDCG targets
against; nothing here is available to, or used by, the system itself. Prints JSON.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creators", type=int, default=5000)
    parser.add_argument("--brands", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from sklearn.metrics import roc_auc_score

    import training.world.outcomes as outcomes
    from training.evaluate import ranking_metrics
    from training.world import generate_world

    recorded: list[tuple[np.ndarray, np.ndarray]] = []
    original = outcomes.advocacy_logit

    def recording(signals: Any, latents: Any, rows: np.ndarray, rng: Any, coef: Any) -> Any:
        # a copy of the generator keeps the world identical to an unrecorded run
        noiseless = original(signals, latents, rows, copy.deepcopy(rng), replace(coef, noise_sd=0))
        recorded.append((rows.copy(), noiseless))
        return original(signals, latents, rows, rng, coef)

    outcomes.advocacy_logit = recording
    world = generate_world(args.creators, args.brands, args.seed)
    creator_ids = [c["creator_id"] for c in world.creators]
    probability = {}
    for brand, (rows, logits) in zip(world.brands, recorded, strict=True):
        for row, logit in zip(rows.tolist(), logits.tolist(), strict=True):
            probability[(brand["brand_id"], creator_ids[row])] = 1 / (1 + np.exp(-logit))
    labelled = [o for o in world.outcomes if o.get("advocate") is not None]
    score = np.array([probability[(o["brand_id"], o["creator_id"])] for o in labelled])
    label = np.array([float(o["advocate"]) for o in labelled])
    brands = np.array([o["brand_id"] for o in labelled], dtype=object)
    result = {
        "world": vars(args),
        "labelled_rows": len(labelled),
        "oracle": ranking_metrics(score, label, brands),
        "oracle_auc": float(roc_auc_score(label, score)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
