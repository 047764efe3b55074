"""MLflow: log a training run, register the bundle, and move alias `champion` behind a gate.

Besides the MLflow registry, every registered bundle is copied to
`MICROTRIBE_HOME/models/<version>/` and the champion is named in `models/CHAMPION`, which is
what the server reads: serving never imports mlflow.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from microtribe.settings import REGISTERED_MODEL_NAME, Settings
from models.bundle import Bundle, load_bundle
from training.evaluate import Evaluation

# Mean NDCG@20 over held-out brands, full briefs and their terse (name + values) forms alike.
PRIMARY_METRIC = "blended_ndcg_at_20"
EXPERIMENT = "microtribe"


@dataclass(frozen=True, slots=True)
class GateDecision:
    promote: bool
    reason: str
    candidate: float
    champion: float | None


def _mlflow(settings: Settings) -> Any:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import mlflow

    mlflow.set_tracking_uri(settings.tracking_uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        # A tracking server keeps artifacts in its own root (`--serve-artifacts`): a path of
        # this home would be written by the client, out of the server's reach.
        location = None if settings.remote_tracking else settings.artifacts_dir.as_uri()
        mlflow.create_experiment(EXPERIMENT, artifact_location=location)
    mlflow.set_experiment(EXPERIMENT)
    return mlflow


def log_run(
    settings: Settings,
    bundle_dir: Path,
    params: dict[str, Any],
    evaluation: Evaluation,
    input_example: Any,
    register: bool,
    plots: Path | None = None,
) -> tuple[str, str | None]:
    """Log params, metrics and the pyfunc model; returns (run id, registered version)."""
    mlflow = _mlflow(settings)
    from mlflow.models import infer_signature

    from models.pyfunc import MicrotribeModel

    bundle = load_bundle(bundle_dir)
    output = bundle.ranker.predict(input_example.to_numpy(dtype=np.float32))
    signature = infer_signature(
        input_example,
        {
            "advocacy_fit": output.advocacy_fit,
            "expected_engagement_rate": output.expected_engagement_rate,
            "score": output.score,
        },
        params={"rank_by": "advocacy"},  # `predict(..., params={"rank_by": "value"})`
    )
    with mlflow.start_run() as run:
        mlflow.log_params(params)
        mlflow.log_metrics(evaluation.metrics)
        mlflow.log_dict({"calibration": evaluation.calibration}, "evaluation/calibration.json")
        mlflow.log_dict(evaluation.by_group, "evaluation/by_group.json")
        if plots is not None:
            mlflow.log_artifacts(str(plots), "plots")
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=MicrotribeModel(),
            artifacts={"bundle": str(bundle_dir)},
            signature=signature,
            input_example=input_example,
            pip_requirements=["lightgbm==4.7.0", "numpy==2.4.6", "pandas==2.3.3"],
            registered_model_name=REGISTERED_MODEL_NAME if register else None,
        )
    version = str(info.registered_model_version) if register else None
    return run.info.run_id, version


def install_bundle(settings: Settings, bundle_dir: Path, version: str, run_id: str) -> Path:
    """Copy a registered bundle to `models/<version>/`, stamped with its version and run."""
    target = settings.models_dir / version
    staging = Path(tempfile.mkdtemp(dir=settings.models_dir, prefix=".install-"))
    shutil.copytree(bundle_dir, staging, dirs_exist_ok=True)
    manifest = json.loads((staging / "manifest.json").read_text())
    manifest.update({"model_version": version, "mlflow_run_id": run_id})
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def champion_version(settings: Settings) -> str | None:
    pointer = settings.models_dir / "CHAMPION"
    return pointer.read_text().strip() if pointer.exists() else None


def latest_version(settings: Settings) -> str | None:
    """The newest registered version installed under `models/`."""
    versions = [p.name for p in settings.models_dir.iterdir() if p.is_dir() and p.name.isdigit()]
    return max(versions, key=int) if versions else None


def load_champion(settings: Settings) -> Bundle | None:
    version = champion_version(settings)
    return load_bundle(settings.models_dir / version) if version else None


def gate(candidate: float, champion: float | None, margin: float) -> GateDecision:
    """Promote only when the candidate beats the champion on the same evaluation set."""
    if champion is None:
        return GateDecision(True, "no champion yet", candidate, None)
    if candidate >= champion + margin:
        return GateDecision(
            True,
            f"{PRIMARY_METRIC} {candidate:.4f} ≥ champion {champion:.4f} + margin {margin}",
            candidate,
            champion,
        )
    return GateDecision(
        False,
        f"{PRIMARY_METRIC} {candidate:.4f} < champion {champion:.4f} + margin {margin}",
        candidate,
        champion,
    )


def set_champion(settings: Settings, version: str) -> None:
    """Point alias `champion` (MLflow) and `models/CHAMPION` (the server) at `version`."""
    mlflow = _mlflow(settings)
    mlflow.MlflowClient().set_registered_model_alias(REGISTERED_MODEL_NAME, "champion", version)
    pointer = settings.models_dir / ".CHAMPION.tmp"
    pointer.write_text(version)
    os.replace(pointer, settings.models_dir / "CHAMPION")
