"""The MLflow alias `challenger`, mirrored into `models/CHALLENGER` for the server.

As with `champion` (training/registry.py), the server never asks MLflow: it polls the pointer
file, and a challenger named there is scored off the request path (matching/challenger.py).
"""

from __future__ import annotations

import os

from microtribe.settings import REGISTERED_MODEL_NAME, Settings

ALIAS = "challenger"
POINTER = "CHALLENGER"


def _point(settings: Settings, version: str | None) -> None:
    path = settings.models_dir / POINTER
    if version is None:
        path.unlink(missing_ok=True)
        return
    staging = settings.models_dir / f".{POINTER}.tmp"
    staging.write_text(version)
    os.replace(staging, path)  # the poller reads the old name or the new one, never half


def _absent(exc: Exception) -> bool:
    """MLflow's answer for an alias (or model) it does not hold."""
    code = str(getattr(exc, "error_code", ""))
    return code == "RESOURCE_DOES_NOT_EXIST" or "not found" in str(exc)


def challenger_version(settings: Settings) -> str | None:
    path = settings.models_dir / POINTER
    return (path.read_text().strip() or None) if path.exists() else None


def set_challenger(settings: Settings, version: str) -> None:
    """Point alias `challenger` (MLflow) and `models/CHALLENGER` (the server) at `version`."""
    from training.registry import _mlflow

    if not (settings.models_dir / version / "manifest.json").exists():
        raise ValueError(f"model version {version!r} is not installed under {settings.models_dir}")
    client = _mlflow(settings).MlflowClient()
    client.set_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS, version)
    _point(settings, version)


def clear_challenger(settings: Settings) -> None:
    """No challenger any more: the alias and the pointer are removed."""
    from training.registry import _mlflow

    client = _mlflow(settings).MlflowClient()
    try:
        client.delete_registered_model_alias(REGISTERED_MODEL_NAME, ALIAS)
    except Exception as exc:  # no such alias (or model): nothing to remove there
        if not _absent(exc):
            raise
    _point(settings, None)


def mirror_challenger(settings: Settings) -> str | None:
    """Copy MLflow's alias `challenger` (set in its UI or API) into the pointer; the version."""
    from training.registry import _mlflow

    client = _mlflow(settings).MlflowClient()
    try:
        version: str | None = str(
            client.get_model_version_by_alias(REGISTERED_MODEL_NAME, ALIAS).version
        )
    except Exception as exc:
        if not _absent(exc):
            raise
        version = None
    if version is not None and not (settings.models_dir / version).is_dir():
        raise ValueError(f"alias challenger names version {version}, not installed here")
    _point(settings, version)
    return version
