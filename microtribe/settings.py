"""Run-time configuration: one frozen object built from the environment at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = ".microtribe"
DEFAULT_EMBEDDER = "use-multilingual-v3"
REGISTERED_MODEL_NAME = "microtribe-ranker"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where microtribe keeps its data and which models it uses.

    Every field has an environment variable: `MICROTRIBE_HOME`, `MICROTRIBE_EMBEDDER`,
    `MICROTRIBE_EMBED_THREADS`, `MICROTRIBE_KEEP_CATALOG_VERSIONS`, and the standard
    `MLFLOW_TRACKING_URI`.
    """

    home: Path
    embedder: str = DEFAULT_EMBEDDER
    embed_threads: int = 2
    keep_catalog_versions: int = 3
    tracking_uri: str = ""

    @classmethod
    def from_env(cls, home: Path | None = None) -> Settings:
        root = (home or Path(os.environ.get("MICROTRIBE_HOME", DEFAULT_HOME))).resolve()
        # An unset MLflow URI means "sqlite in the current directory": always pin it to HOME.
        tracking = os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{root / 'mlflow.db'}"
        return cls(
            home=root,
            embedder=os.environ.get("MICROTRIBE_EMBEDDER", DEFAULT_EMBEDDER),
            embed_threads=int(os.environ.get("MICROTRIBE_EMBED_THREADS", "2")),
            keep_catalog_versions=int(os.environ.get("MICROTRIBE_KEEP_CATALOG_VERSIONS", "3")),
            tracking_uri=tracking,
        )

    @property
    def store_path(self) -> Path:
        return self.home / "catalog.db"

    @property
    def catalog_dir(self) -> Path:
        return self.home / "catalog"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def embedding_cache_path(self) -> Path:
        return self.home / "embeddings.db"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "mlartifacts"

    def ensure_home(self) -> None:
        for path in (self.home, self.catalog_dir, self.models_dir, self.artifacts_dir):
            path.mkdir(parents=True, exist_ok=True)
