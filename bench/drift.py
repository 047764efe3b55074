"""Drift benchmark: PSI on served traffic, unshifted and with audiences 30% less authentic.

    .venv/bin/python bench/drift.py --home DIR [--requests 2000] [--brands 200]
        [--out bench/results/drift.jsonl]

The home (a trained one; it is WRITTEN to: use a copy) serves three phases of --requests
`/v1/match`-like requests in process (`MatchPipeline.run`, k=20, explained), each logged with
the served log exactly as the route logs it:

1. `baseline`: briefs drawn from a synthetic world (seed 101, --brands brands, inline);
2. `unshifted`: other briefs of the same distribution (seed 202);
3. `shifted`: the briefs of 2, served from the same catalog with every creator's
   `authenticity` feature × 0.7 (audiences 30% less authentic: the ranker and the guardrails
   see the shift, and the served top k changes with it).

Phase 1 becomes the champion's `baseline` reference (`microtribe drift --save-baseline`);
phases 2 and 3 are measured against it and against the `training` reference (the training
set's profile in the bundle). Targets (issue 24): unshifted < 0.1 on every feature, shifted
authenticity > 0.2. One JSON record per phase × reference, appended to --out.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Recorder, default_out, log  # noqa: E402

SHIFT = 0.7


def briefs(brands: int, seed: int) -> list[dict[str, Any]]:
    from training.world import generate_world

    return list(generate_world(40, brands, seed).brands)


def serve_phase(home: Path, docs: list[dict[str, Any]], requests: int, shift: float) -> Path:
    """`requests` matches into a fresh served log; the log moved to `bench-logs/`."""
    from api.schemas import MatchRequest
    from api.served_log import ServedLog
    from features.schema import FEATURE_NAMES
    from matching.service import MatchService
    from microtribe.settings import Settings

    service = MatchService(Settings.from_env(home))
    service.start()
    pipe = service.ready()
    if shift != 1.0:
        features = {**pipe.catalog.features}
        features["authenticity"] = features["authenticity"] * shift
        pipe = replace(pipe, catalog=replace(pipe.catalog, features=features))
    served = ServedLog(home / "logs" / "served.jsonl")
    served.start()
    for n in range(requests):
        doc = docs[n % len(docs)]
        body = MatchRequest.model_validate({"brand": doc, "k": 20})
        result = pipe.run(doc, 20)
        ids = pipe.catalog.creators.creator_id[result.rows].tolist()
        answer = {
            "request_id": f"bench-{n}",
            "brand_id": result.brand_id,
            "model_version": pipe.bundle.version,
            "catalog_version": pipe.catalog.version,
            "matches": [
                {"creator_id": cid, "rank": i + 1, "score": 0.0, "advocacy_fit": 0.0,
                 "expected_engagement_rate": 0.0, "similarity": 0.0, "estimated_cost": 0.0}
                for i, cid in enumerate(ids)
            ],
        }  # fmt: skip
        served.record(body, answer, result.features, FEATURE_NAMES, doc)
    served.stop()
    service.close()
    kept = home / "bench-logs" / f"{time.monotonic_ns()}.jsonl"
    kept.parent.mkdir(exist_ok=True)
    shutil.move(home / "logs" / "served.jsonl", kept)
    return kept


def measured(home: Path, phase_log: Path, reference: str) -> dict[str, Any]:
    from microtribe.settings import Settings
    from training.drift import measure

    shutil.copy(phase_log, home / "logs" / "served.jsonl")
    try:
        report = measure(Settings.from_env(home), 1.0, 0.2, reference=reference)
    finally:
        (home / "logs" / "served.jsonl").unlink()
    return report.to_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--brands", type=int, default=200)
    parser.add_argument("--out", type=Path, default=default_out("drift"))
    args = parser.parse_args()
    from microtribe.settings import Settings
    from training.drift import save_baseline

    home = args.home.resolve()
    recorder = Recorder("drift", args.out)
    phases = {"baseline": (briefs(args.brands, 101), 1.0)}
    unshifted = briefs(args.brands, 202)
    phases.update(unshifted=(unshifted, 1.0), shifted=(unshifted, SHIFT))
    logs = {}
    for name, (docs, shift) in phases.items():
        log(f"{name}: {args.requests} requests")
        started = time.perf_counter()
        logs[name] = serve_phase(home, docs, args.requests, shift)
        log(f"{name}: {time.perf_counter() - started:.1f} s")
    shutil.copy(logs["baseline"], home / "logs" / "served.jsonl")
    save_baseline(Settings.from_env(home), 1.0, 500)
    (home / "logs" / "served.jsonl").unlink()
    for name in ("unshifted", "shifted"):
        for reference in ("baseline", "training"):
            report = measured(home, logs[name], reference)
            psi = report["psi"]
            others = max(v for k, v in psi.items() if k != "authenticity")
            met = (
                {"every_feature_below_0.1": max(psi.values()) < 0.1}
                if name == "unshifted"
                else {"authenticity_above_0.2": psi["authenticity"] > 0.2}
            )
            recorder.emit(
                {"measure": f"{name}_vs_{reference}", "home": str(home),
                 "requests": args.requests, "brands": args.brands, "shift": phases[name][1],
                 "authenticity_psi": psi["authenticity"], "max_other_psi": others,
                 "met": met, "report": report}
            )  # fmt: skip


if __name__ == "__main__":
    main()
