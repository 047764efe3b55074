"""`microtribe drift`: PSI per feature against a bundle's reference profile, read back from the
served log; a shifted feature is flagged, the others are not, and the command exits 1 then."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from api.schemas import MatchRequest
from api.served_log import ServedLog
from microtribe.settings import Settings
from models.drift_profile import (
    ReferenceProfile,
    build_profile,
    feature_psi,
    load_profile,
    save_profile,
)
from training.drift import DriftError, measure

NAMES = ("similarity", "authenticity", "log_followers", "platform", "brand_mentions")
K = 20
REQUEST = MatchRequest.model_validate({"brand_id": "ecoveste", "k": K})
BRAND = {"brand_id": "ecoveste", "name": "EcoVeste", "values": "riuso", "languages": ["it"],
         "category": "fashion"}  # fmt: skip


def _rows(n: int, seed: int) -> np.ndarray:
    """Feature rows shaped like served ones: continuous, bounded, discrete, mostly-zero, NaN."""
    rng = np.random.default_rng(seed)
    rows = np.column_stack(
        [
            rng.normal(0.45, 0.08, n),
            rng.beta(8, 2, n),
            rng.normal(4.2, 0.5, n),
            rng.integers(0, 3, n).astype(float),
            np.where(rng.random(n) < 0.8, 0.0, np.log1p(rng.integers(1, 6, n))),
        ]
    )
    rows[rng.random(n) < 0.05, 1] = np.nan  # authenticity unknown for a few
    return rows


def test_a_30_percent_authenticity_shift_is_flagged_and_nothing_else() -> None:
    profile = build_profile(_rows(20_000, 1), NAMES)
    served = _rows(2_000 * K, 2)
    unshifted = {
        name: feature_psi(profile.features[name], served[:, i]) for i, name in enumerate(NAMES)
    }
    assert max(unshifted.values()) < 0.1, unshifted
    served[:, 1] *= 0.7
    shifted = {
        name: feature_psi(profile.features[name], served[:, i]) for i, name in enumerate(NAMES)
    }
    assert shifted["authenticity"] > 0.2, shifted
    assert all(shifted[name] < 0.1 for name in NAMES if name != "authenticity"), shifted


def test_the_profile_round_trips_through_its_file(tmp_path: Path) -> None:
    profile = build_profile(_rows(1_000, 3), NAMES, ["it"] * 600 + ["en"] * 400, ["food"] * 1000)
    save_profile(tmp_path, profile)
    loaded = load_profile(tmp_path)
    assert loaded == ReferenceProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    assert loaded is not None and loaded.mixes["brief_language"] == {"en": 0.4, "it": 0.6}
    assert load_profile(tmp_path / "missing") is None


def _home(tmp_path: Path) -> Path:
    """A home whose champion's bundle holds a profile (no model files: drift needs none)."""
    home = tmp_path / "home"
    bundle = home / "models" / "1"
    bundle.mkdir(parents=True)
    (bundle / "manifest.json").write_text(json.dumps({"feature_names": list(NAMES)}))
    languages, categories = ["it"] * 1000, ["fashion"] * 1000
    save_profile(bundle, build_profile(_rows(20_000, 1)[:1000], NAMES, languages, categories))
    (home / "models" / "CHAMPION").write_text("1")
    return home


def _serve(home: Path, requests: int, seed: int, authenticity: float = 1.0) -> None:
    """`requests` answers of model 1 into the served log, as the match route records them."""
    rows = _rows(requests * K, seed)
    rows[:, 1] *= authenticity
    log = ServedLog(home / "logs" / "served.jsonl")
    log.start()
    for n in range(requests):
        matches = [
            {"creator_id": f"ig:c{i}", "rank": i + 1, "score": 0.5, "advocacy_fit": 0.5,
             "expected_engagement_rate": 0.02, "similarity": 0.4, "estimated_cost": 100.0}
            for i in range(K)
        ]  # fmt: skip
        answer = {"request_id": f"r{seed}-{n}", "brand_id": "ecoveste", "model_version": "1",
                  "catalog_version": "c1", "matches": matches}  # fmt: skip
        log.record(REQUEST, answer, rows[n * K : (n + 1) * K], NAMES, BRAND)
    log.stop()


def _drift(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MICROTRIBE_HOME": str(home)}
    command = [sys.executable, "-m", "microtribe", "drift", "--no-mlflow", "--json", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def test_drift_reads_the_served_log_and_exits_1_on_the_shifted_feature(tmp_path: Path) -> None:
    home = _home(tmp_path)
    _serve(home, 100, seed=5)
    settings = Settings.from_env(home)
    report = measure(settings, window_days=1, threshold=0.2)
    assert report.requests == 100 and report.served_rows == 100 * K
    assert max(report.psi.values()) < 0.1 and report.drifted == []
    # the mix: these briefs are all Italian, which the profile saw 100% of
    assert report.mix_psi["brief_language"] < 0.01
    _serve(home, 400, seed=6, authenticity=0.7)
    done = _drift(home, "--window", "1")
    assert done.returncode == 1, done.stderr
    shifted = json.loads(done.stdout)
    assert shifted["drifted"] == ["authenticity"], shifted["psi"]
    gauges = json.loads((home / "monitor" / "drift.json").read_text())
    assert gauges["psi"]["authenticity"] > 0.2


def test_too_few_rows_and_a_missing_profile_say_what_to_do(tmp_path: Path) -> None:
    home = _home(tmp_path)
    _serve(home, 3, seed=7)
    done = _drift(home)
    assert done.returncode == 2
    assert "too few served rows: 60 served creators (3 requests)" in done.stderr
    (home / "models" / "1" / "drift_profile.json").unlink()
    try:
        measure(Settings.from_env(home), 7, 0.2, min_rows=1)
    except DriftError as exc:
        assert "--rebuild-profile" in str(exc)
    else:
        raise AssertionError("a bundle without a profile must be refused")


def test_a_baseline_saved_from_served_traffic_is_the_reference(tmp_path: Path) -> None:
    home = _home(tmp_path)
    _serve(home, 100, seed=8)
    done = _drift(home, "--save-baseline", "--window", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["reference"] == "baseline" and max(report["psi"].values()) < 1e-9
    assert (home / "models" / "1" / "drift_baseline.json").exists()
