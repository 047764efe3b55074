"""How good can any ranker be on a synthetic world? The generator's own latent model as an oracle.

    .venv/bin/python bench/quality_ceiling.py [--creators 5000 --brands 60 --seed 7]
    .venv/bin/python bench/quality_ceiling.py --creators 5000 --brands 60 --seed 101 \\
        --home DIR [--split-seed 42]

Regenerates the world while recording each shortlisted pair's noiseless advocacy logit (the
generator adds noise, then draws the label), and ranks each brand's labelled outcomes by it.
This is a ceiling for a model that sees only observable fields, to read the NDCG targets
against; nothing here is available to, or used by, the system itself.

Record `all_outcomes`: the oracle's NDCG@10/@20, recall@50, MRR and AUC over every labelled
outcome of the world.

Record `held_out` (with `--home`, a home built from this very world: same seed, creators and
brands): the held-out brands of `microtribe train` (`training.fit.split_by_brand` with
`--split-seed`, default the CLI's 42), full briefs, labelled rows of the point-in-time training
set. On exactly those rows, side by side: the oracle, every single-signal baseline of
`training.evaluate` (similarity, engagement-rate sort, follower sort, random), and the home's
`champion` model when there is one. Prints NDCG@20 of each and the ratios the issue's target is
stated in: `oracle_vs_best_baseline` (the ceiling of "× best baseline" on this world) and
`model_vs_best_baseline`, plus `model_vs_oracle`.

One JSON object per record, printed and appended to --out (default
bench/results/quality_ceiling.jsonl).
"""

from __future__ import annotations

import argparse
import copy
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Recorder, default_out, log


def rounded(value: Any, digits: int = 4) -> Any:
    """Floats rounded, inside dicts too; everything else as it is."""
    if isinstance(value, dict):
        return {key: rounded(inner, digits) for key, inner in value.items()}
    return round(value, digits) if isinstance(value, float) else value


def oracle_probabilities(creators: int, brands: int, seed: int) -> tuple[Any, dict]:
    """The generated world and each shortlisted (brand_id, creator_id)'s noiseless P(advocate)."""
    import training.world.outcomes as outcomes
    from training.world import generate_world

    recorded: list[tuple[np.ndarray, np.ndarray]] = []
    original = outcomes.advocacy_logit

    def recording(signals: Any, latents: Any, rows: np.ndarray, rng: Any, coef: Any) -> Any:
        # a copy of the generator keeps the world identical to an unrecorded run
        noiseless = original(signals, latents, rows, copy.deepcopy(rng), replace(coef, noise_sd=0))
        recorded.append((rows.copy(), noiseless))
        return original(signals, latents, rows, rng, coef)

    outcomes.advocacy_logit = recording
    try:
        world = generate_world(creators, brands, seed)
    finally:
        outcomes.advocacy_logit = original
    creator_ids = [c["creator_id"] for c in world.creators]
    probability = {}
    for brand, (rows, logits) in zip(world.brands, recorded, strict=True):
        for row, logit in zip(rows.tolist(), logits.tolist(), strict=True):
            probability[(brand["brand_id"], creator_ids[row])] = 1 / (1 + np.exp(-logit))
    return world, probability


def all_outcomes(world: Any, probability: dict) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    from training.evaluate import ranking_metrics

    labelled = [o for o in world.outcomes if o.get("advocate") is not None]
    score = np.array([probability[(o["brand_id"], o["creator_id"])] for o in labelled])
    label = np.array([float(o["advocate"]) for o in labelled])
    brands = np.array([o["brand_id"] for o in labelled], dtype=object)
    return {
        "labelled_rows": len(labelled),
        "oracle": ranking_metrics(score, label, brands),
        "oracle_auc": float(roc_auc_score(label, score)),
    }


def held_out(home: Path, world: Any, probability: dict, split_seed: int) -> dict[str, Any]:
    """Oracle, baselines and the champion on the same held-out brands' labelled full briefs."""
    from sklearn.metrics import roc_auc_score

    from microtribe.settings import Settings
    from models.bundle import load_bundle
    from training.evaluate import BASELINES, ranking_metrics
    from training.fit import FitConfig, split_by_brand
    from training.run import _subset, open_embedder, training_data

    settings = Settings.from_env(home)
    data = training_data(settings, open_embedder(settings))
    generated = {b["brand_id"] for b in world.brands}
    if set(np.unique(data.brand_id).tolist()) - generated:
        raise SystemExit(f"{home} holds brands this world does not: pass its seed and sizes")
    split = split_by_brand(data, FitConfig(seed=split_seed))
    rows = split.test[~data.sparse_brief[split.test] & ~np.isnan(data.advocate[split.test])]
    test = _subset(data, rows)
    missing = [
        (b, c)
        for b, c in zip(test.brand_id, test.creator_id, strict=True)
        if (b, c) not in probability
    ]
    if missing:
        raise SystemExit(f"{len(missing)} held-out pairs are not in this world, e.g. {missing[0]}")
    oracle = np.array(
        [probability[(b, c)] for b, c in zip(test.brand_id, test.creator_id, strict=True)]
    )
    label, brands = test.advocate, test.brand_id
    signals = {name: test.column(column) for name, column in BASELINES.items()}
    signals["random"] = np.random.default_rng(0).random(len(test))
    ndcg = {name: ranking_metrics(s, label, brands)["ndcg_at_20"] for name, s in signals.items()}
    best = max(ndcg, key=lambda name: ndcg[name])
    oracle_ndcg = ranking_metrics(oracle, label, brands)["ndcg_at_20"]
    record: dict[str, Any] = {
        "home": str(home),
        "split_seed": split_seed,
        "held_out_brands": int(ranking_metrics(oracle, label, brands)["brands"]),
        "rows": len(test),
        "oracle_ndcg_at_20": oracle_ndcg,
        "oracle_auc": float(roc_auc_score(label, oracle)),
        **{f"baseline_{name}_ndcg_at_20": value for name, value in ndcg.items()},
        "best_baseline": best,
        "oracle_vs_best_baseline": oracle_ndcg / ndcg[best],
    }
    pointer = settings.models_dir / "CHAMPION"
    if pointer.exists():
        version = pointer.read_text().strip()
        bundle = load_bundle(settings.models_dir / version)
        if list(bundle.ranker.feature_names_in_) == list(data.feature_names):
            out = bundle.ranker.predict(test.features)
            model_ndcg = ranking_metrics(out.score, label, brands)["ndcg_at_20"]
            record.update(
                {
                    "model_version": version,
                    "model_ndcg_at_20": model_ndcg,
                    "model_auc": float(roc_auc_score(label, out.advocacy_fit)),
                    "model_vs_best_baseline": model_ndcg / ndcg[best],
                    "model_vs_oracle": model_ndcg / oracle_ndcg,
                }
            )
        else:
            log(f"champion {version} of {home} was trained on other features: model skipped")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--creators", type=int, default=5000)
    parser.add_argument("--brands", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="a home built from this world (held_out)")
    parser.add_argument("--split-seed", type=int, default=42)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, default=default_out("quality_ceiling"))
    args = parser.parse_args()

    recorder = Recorder("quality_ceiling", args.out)
    world_args = {"creators": args.creators, "brands": args.brands, "seed": args.seed}
    world, probability = oracle_probabilities(args.creators, args.brands, args.seed)
    recorder.emit({"record": "all_outcomes", "world": world_args, "label": args.label,
                   **rounded(all_outcomes(world, probability))})  # fmt: skip
    if args.home is not None:
        record = held_out(args.home, world, probability, args.split_seed)
        recorder.emit({"record": "held_out", "world": world_args, "label": args.label,
                       **rounded(record)})  # fmt: skip


if __name__ == "__main__":
    main()
