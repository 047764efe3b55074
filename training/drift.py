"""`microtribe drift`: PSI of the served features (from the served log) against the champion's
training set, as profiled in its bundle (models/drift_profile.py).

The result goes three ways: printed, logged to MLflow (metrics and a bar plot), and written to
`MICROTRIBE_HOME/monitor/drift.json`, which the server exposes on `/metrics` as gauges (it
reads the file, never this module). A feature, or the brief-language or category mix, past the
threshold makes the command exit non-zero, so a scheduler can alert.

Two references. `training` (the default, DESIGN.md): the training set's profile, written with
the bundle. The served top k is a selected population (the most similar, most authentic
creators of each brief), unlike the outcomes a model is trained on, so against `training` many
features read as shifted from the first request on: that is training/serving skew, worth
knowing once. `baseline`: a profile of the champion's own served traffic, saved once the
traffic is known good (`--save-baseline`); against it PSI measures change over time, which is
what a scheduled alert should watch.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matching.store import open_store
from microtribe.settings import Settings
from models.drift_profile import (
    BASELINE_FILE,
    PROFILE_FILE,
    UNKNOWN,
    ReferenceProfile,
    brief_keys,
    build_profile,
    feature_psi,
    load_profile,
    mix,
    mix_psi,
    save_profile,
)
from training.dataset import TrainingSet
from training.served_window import ServedWindow, read_window

DRIFT_FILE = "drift.json"  # under MICROTRIBE_HOME/monitor/
DEFAULT_MIN_ROWS = 500  # served creators: fewer make decile shares too noisy to read
REFERENCES = {"training": PROFILE_FILE, "baseline": BASELINE_FILE}


class DriftError(ValueError):
    """Drift cannot be measured (no champion, no profile, too little traffic)."""


@dataclass(frozen=True, slots=True)
class DriftReport:
    model_version: str
    reference: str  # "training" | "baseline"
    window_days: float
    threshold: float
    requests: int
    served_rows: int
    psi: dict[str, float]  # by feature, largest first
    mix_psi: dict[str, float]  # "brief_language", "category" (when both sides know them)
    computed_at: str

    @property
    def drifted(self) -> list[str]:
        over = {**self.psi, **{f"mix:{k}": v for k, v in self.mix_psi.items()}}
        return [name for name, value in over.items() if value > self.threshold]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "drifted": self.drifted}


# ---- the reference, written with every bundle ---------------------------------------------


def training_profile(
    data: TrainingSet, brands: Mapping[str, Mapping[str, Any]]
) -> ReferenceProfile:
    """The profile of a training set's full-brief rows (the terse-brief copies are an
    augmentation, not traffic); their briefs are looked up in `brands` (a brand not found, such
    as a synthetic world's, counts as unknown)."""
    full = ~data.sparse_brief
    keys = [
        brief_keys(brands[brand_id]) if brand_id in brands else (UNKNOWN, UNKNOWN)
        for brand_id in data.brand_id[full].tolist()
    ]
    languages = [language for language, _ in keys]
    categories = [category for _, category in keys]
    return build_profile(data.features[full], data.feature_names, languages, categories)


def write_drift_profile(bundle_dir: Path, data: TrainingSet, settings: Settings) -> Path:
    """Training's hook: store the training set's profile in the bundle (`drift_profile.json`)."""
    store = open_store(settings)
    try:
        brands = {doc["brand_id"]: doc for doc in store.brands()}
    finally:
        store.close()
    return save_profile(bundle_dir, training_profile(data, brands))


def rebuild_profile(settings: Settings, version: str) -> Path:
    """For a bundle written before profiles: profile the home's own training set now (the
    stored outcomes and brands; a model trained on synthetic worlds saw more than this)."""
    from training.run import open_embedder, training_data

    data = training_data(settings, open_embedder(settings))
    return write_drift_profile(settings.models_dir / version, data, settings)


# ---- the measurement ------------------------------------------------------------------------


def champion(settings: Settings) -> str:
    pointer = settings.models_dir / "CHAMPION"
    version = pointer.read_text().strip() if pointer.exists() else ""
    if not version:
        raise DriftError("no champion yet: run `microtribe train --register --promote`")
    return version


def champion_profile(settings: Settings, reference: str = "training") -> ReferenceProfile:
    version = champion(settings)
    profile = load_profile(settings.models_dir / version, REFERENCES[reference])
    if profile is None and reference == "baseline":
        raise DriftError(
            f"model version {version} has no served baseline yet: save one from known-good "
            "traffic with `microtribe drift --save-baseline --window DAYS`"
        )
    if profile is None:
        raise DriftError(
            f"model version {version} has no drift profile (trained before profiles were "
            "stored): retrain (`microtribe train --register`), or profile the home's training "
            "data now with `microtribe drift --rebuild-profile`"
        )
    return profile


def served_lines(
    settings: Settings, version: str, window_days: float, min_rows: int
) -> list[dict[str, Any]]:
    """The champion's match lines of the window; DriftError when they hold too few creators."""
    window = read_window(settings.home, window_days)
    lines = [line for line in window.matches if line.get("model_version") == version]
    served = sum(len(line["matches"]) for line in lines)
    if served < min_rows:
        others = window.served_rows - served
        raise DriftError(
            f"too few served rows: {served} served creators ({len(lines)} requests) by model "
            f"{version} in the last {window_days:g} days"
            + (f" (and {others} by other versions)" if others else "")
            + f"; PSI needs at least {min_rows}: widen --window, lower --min-rows, or wait "
            "for traffic"
        )
    return lines


def save_baseline(settings: Settings, window_days: float, min_rows: int) -> Path:
    """The champion's served traffic of the window as its `baseline` reference."""
    version = champion(settings)
    lines = served_lines(settings, version, window_days, min_rows)
    names = load_bundle_feature_names(settings, version)
    columns = ServedWindow(lines, [], datetime.now(UTC)).feature_columns(names)
    features = np.column_stack([columns[name] for name in names])
    keys = [(line.get("brief_language"), line.get("category")) for line in lines]
    profile = build_profile(
        features,
        names,
        [language for language, _ in keys if language],
        [category for _, category in keys if category],
    )
    return save_profile(settings.models_dir / version, profile, BASELINE_FILE)


def load_bundle_feature_names(settings: Settings, version: str) -> list[str]:
    manifest = json.loads((settings.models_dir / version / "manifest.json").read_text())
    return list(manifest["feature_names"])


def measure(
    settings: Settings,
    window_days: float,
    threshold: float,
    min_rows: int = DEFAULT_MIN_ROWS,
    reference: str = "training",
) -> DriftReport:
    """PSI of what the champion served in the last `window_days` against its `reference`."""
    version = champion(settings)
    profile = champion_profile(settings, reference)
    lines = served_lines(settings, version, window_days, min_rows)
    served = sum(len(line["matches"]) for line in lines)
    window = ServedWindow(lines, [], datetime.now(UTC))
    columns = window.feature_columns(list(profile.features))
    psi = {name: feature_psi(p, columns[name]) for name, p in profile.features.items()}
    return DriftReport(
        model_version=version,
        reference=reference,
        window_days=window_days,
        threshold=threshold,
        requests=len(lines),
        served_rows=served,
        psi=dict(sorted(psi.items(), key=lambda item: -item[1])),
        mix_psi=_mix_psi(profile, lines),
        computed_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )


def _mix_psi(profile: ReferenceProfile, lines: list[dict[str, Any]]) -> dict[str, float]:
    """Brief language and category mix, per request; lines logged before the log carried the
    brief's keys are left out of it."""
    out = {}
    for name, field in (("brief_language", "brief_language"), ("category", "category")):
        served = [line[field] for line in lines if field in line]
        if name in profile.mixes and served:
            out[name] = mix_psi(profile.mixes[name], mix(served))
    return out


def write_report(settings: Settings, report: DriftReport) -> Path:
    """`monitor/drift.json`, replaced atomically: the server reads it at every scrape."""
    folder = settings.home / "monitor"
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{DRIFT_FILE}.tmp"
    staging.write_text(json.dumps(report.to_dict(), indent=1))
    os.replace(staging, folder / DRIFT_FILE)
    return folder / DRIFT_FILE


def log_report(settings: Settings, report: DriftReport) -> str:
    """An MLflow run `drift-<version>`: PSI metrics, the report and a bar plot; its run id."""
    from training.registry import _mlflow

    mlflow = _mlflow(settings)
    metrics = {f"drift_psi_{name}": value for name, value in report.psi.items()}
    metrics.update({f"drift_mix_psi_{name}": value for name, value in report.mix_psi.items()})
    metrics["drift_max_psi"] = max(report.psi.values(), default=0.0)
    metrics["drift_served_rows"] = float(report.served_rows)
    tags = {
        "microtribe.kind": "drift",
        "model_version": report.model_version,
        "reference": report.reference,
    }
    with mlflow.start_run(run_name=f"drift-{report.model_version}", tags=tags) as run:
        params = {"window_days": report.window_days, "threshold": report.threshold}
        mlflow.log_params({**params, "reference": report.reference})
        mlflow.log_metrics(metrics)
        mlflow.log_dict(report.to_dict(), "drift/report.json")
        with tempfile.TemporaryDirectory() as tmp:
            plot = Path(tmp) / "psi.png"
            psi_plot(report, plot)
            mlflow.log_artifact(str(plot), "drift")
    return str(run.info.run_id)


def psi_plot(report: DriftReport, path: Path) -> None:
    from training.plots import _pyplot

    plt = _pyplot()
    named = {**report.psi, **{f"mix: {k}": v for k, v in report.mix_psi.items()}}
    names = list(named)[::-1]
    values = np.array([named[n] for n in names])
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(names) + 1.2))
    ax.barh(names, values, color=np.where(values > report.threshold, "#c0392b", "#4a7fb5"))
    ax.axvline(report.threshold, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel(f"PSI, served (last {report.window_days:g} days) vs {report.reference}")
    ax.set_title(f"model {report.model_version}: {report.served_rows} served creators")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
