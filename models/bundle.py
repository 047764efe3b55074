"""The self-describing model bundle: LightGBM text models, calibration knots, manifest.json.

The serving path loads these files directly (no MLflow import); MLflow stores the same
directory as the artifact of a pyfunc model (see models/pyfunc.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.prior import Prior
from models.ranker import Ranker

BUNDLE_FORMAT = 1


class BundleError(ValueError):
    """A bundle that cannot be used with this code or this catalog."""


@dataclass(frozen=True, slots=True)
class Bundle:
    ranker: Ranker
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.manifest.get("model_version", "unregistered"))

    def check_compatible(self, embedder: str, dimension: int, feature_names: list[str]) -> None:
        """Refuse a catalog built with another embedder, or lacking a feature the model uses:
        mismatches are silent garbage otherwise."""
        problems = []
        if self.manifest["embedder"] != embedder:
            problems.append(f"embedder {self.manifest['embedder']!r} vs catalog {embedder!r}")
        if int(self.manifest["dimension"]) != dimension:
            problems.append(f"dimension {self.manifest['dimension']} vs catalog {dimension}")
        # a model trained before a feature was added still scores: the ranker takes its own
        # columns by name (`Ranker`); a model needing a feature the code lacks cannot
        missing = [name for name in self.manifest["feature_names"] if name not in feature_names]
        if missing:
            problems.append(f"feature names differ: the model needs {missing}")
        if problems:
            raise BundleError("model bundle does not fit the catalog: " + "; ".join(problems))


def save_bundle(ranker: Ranker, path: Path, manifest: dict[str, Any]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    # a prior-only ranker (no outcomes yet) has no boosters: their files are absent
    for booster, name in (
        (ranker.advocacy_booster_, "advocacy"),
        (ranker.engagement_booster_, "engagement"),
    ):
        if booster is not None:
            booster.save_model(str(path / f"{name}.txt"))
        else:
            (path / f"{name}.txt").unlink(missing_ok=True)
    calibration = {"x": ranker.calibration_x_.tolist(), "y": ranker.calibration_y_.tolist()}
    (path / "calibration.json").write_text(json.dumps(calibration))
    full = {**manifest, "format_version": BUNDLE_FORMAT, "feature_names": ranker.feature_names_in_}
    full.pop("prior", None)
    if ranker.prior_ is not None:
        full["prior"] = ranker.prior_.to_dict()
    (path / "manifest.json").write_text(json.dumps(full, indent=2, sort_keys=True))


def load_bundle(path: Path, native: bool = False) -> Bundle:
    """The bundle in `path`. `native`: its boosters are `NativeBooster`s (predictions only,
    the same bit for bit, without importing the lightgbm package: what a server loads)."""
    manifest_path = path / "manifest.json"
    if not manifest_path.exists():
        raise BundleError(f"{path} is not a model bundle (no manifest.json)")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format_version") != BUNDLE_FORMAT:
        raise BundleError(
            f"bundle format {manifest.get('format_version')!r} is not supported "
            f"(this code reads format {BUNDLE_FORMAT})"
        )
    calibration = json.loads((path / "calibration.json").read_text())

    def booster(name: str) -> Any:
        file = path / f"{name}.txt"
        if not file.exists():
            return None
        if native:
            from models.native_booster import NativeBooster

            return NativeBooster(file)
        import lightgbm

        return lightgbm.Booster(model_file=str(file))

    ranker = Ranker(
        advocacy=booster("advocacy"),
        engagement=booster("engagement"),
        calibration_x=np.asarray(calibration["x"]),
        calibration_y=np.asarray(calibration["y"]),
        feature_names=manifest["feature_names"],
        prior=Prior.from_dict(manifest["prior"]) if "prior" in manifest else None,
    )
    return Bundle(ranker=ranker, manifest=manifest)
