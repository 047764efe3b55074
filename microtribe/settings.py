"""Run-time configuration: one frozen object built from the environment at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = ".microtribe"
DEFAULT_POLL_SECONDS = 30.0
DEFAULT_STORE_POLL_SECONDS = 1.0
DEFAULT_MATCH_CONCURRENCY = 1
DEFAULT_STORE_POOL = 4
DEFAULT_EMBEDDER = "use-multilingual-v3"
REGISTERED_MODEL_NAME = "microtribe-ranker"


@dataclass(frozen=True, slots=True)
class Settings:
    """Where microtribe keeps its data and which models it uses.

    Every field has an environment variable: `MICROTRIBE_HOME`, `MICROTRIBE_EMBEDDER`,
    `MICROTRIBE_EMBED_THREADS`, `MICROTRIBE_KEEP_CATALOG_VERSIONS`,
    `MICROTRIBE_POLL_SECONDS` (how often the server checks for a new champion or catalog
    version; 0 turns the poll off), `MICROTRIBE_MATCH_CONCURRENCY` (match pipelines run at
    once per server process in worker threads; 1, the default, runs a match that is alone on
    the event loop; further requests wait their turn), and `MICROTRIBE_MLFLOW_URI` (any MLflow
    tracking server, e.g. `http://mlflow.internal:5000` started with `--serve-artifacts`;
    default: sqlite under the home). MLflow's own `MLFLOW_TRACKING_URI` is not read:
    `mlflow.set_tracking_uri` writes it, so after one training in a process every other home
    would have followed the last store used. `MICROTRIBE_STORE_URL` picks the store of
    creators, brands and outcomes: unset, the SQLite file `catalog.db` under the home;
    `sqlite:///abs/path.db` another SQLite file (replicas on one host sharing one store);
    `postgresql://user@host:port/db` a PostgreSQL database shared by replicas on many hosts;
    `MICROTRIBE_STORE_POOL` is the most connections one process opens to it (default 4).
    `MICROTRIBE_STORE_POLL_SECONDS` (default 1; 0 = off): how often the server compares the
    store's change log with what it has applied, and catches up on the creators other
    replicas wrote. `MICROTRIBE_CATALOG_FROM` (set by `serve --catalog-from DIR`): a published
    directory (matching/publish.py) whose current catalog version the server follows.
    """

    home: Path
    embedder: str = DEFAULT_EMBEDDER
    embed_threads: int = 2
    keep_catalog_versions: int = 3
    tracking_uri: str = ""
    poll_seconds: float = DEFAULT_POLL_SECONDS
    match_concurrency: int = DEFAULT_MATCH_CONCURRENCY
    store_url: str = ""  # "" = the SQLite file under the home
    store_pool: int = DEFAULT_STORE_POOL  # PostgreSQL connections per process
    store_poll_seconds: float = DEFAULT_STORE_POLL_SECONDS
    catalog_from: Path | None = None  # a published directory to follow (matching/follow.py)

    @classmethod
    def from_env(cls, home: Path | None = None) -> Settings:
        root = (home or Path(os.environ.get("MICROTRIBE_HOME", DEFAULT_HOME))).resolve()
        # An unset MLflow URI means "sqlite in the current directory": always pin it to HOME.
        tracking = os.environ.get("MICROTRIBE_MLFLOW_URI") or f"sqlite:///{root / 'mlflow.db'}"
        return cls(
            home=root,
            embedder=os.environ.get("MICROTRIBE_EMBEDDER", DEFAULT_EMBEDDER),
            embed_threads=int(os.environ.get("MICROTRIBE_EMBED_THREADS", "2")),
            keep_catalog_versions=int(os.environ.get("MICROTRIBE_KEEP_CATALOG_VERSIONS", "3")),
            tracking_uri=tracking,
            poll_seconds=_poll_seconds(os.environ.get("MICROTRIBE_POLL_SECONDS")),
            match_concurrency=_concurrency(os.environ.get("MICROTRIBE_MATCH_CONCURRENCY")),
            store_url=_store_url(os.environ.get("MICROTRIBE_STORE_URL", "")),
            store_pool=_store_pool(os.environ.get("MICROTRIBE_STORE_POOL")),
            store_poll_seconds=_poll_seconds(
                os.environ.get("MICROTRIBE_STORE_POLL_SECONDS"),
                "MICROTRIBE_STORE_POLL_SECONDS",
                DEFAULT_STORE_POLL_SECONDS,
            ),
            catalog_from=_catalog_from(os.environ.get("MICROTRIBE_CATALOG_FROM", "")),
        )

    @property
    def store_path(self) -> Path:
        """The SQLite store's file (the home's own unless the URL names another file)."""
        if self.store_url.startswith("sqlite:///"):
            # sqlite:///abs/path and SQLAlchemy's sqlite:////abs/path name the same file
            return Path("/" + self.store_url.removeprefix("sqlite:///").lstrip("/"))
        return self.home / "catalog.db"

    @property
    def store_is_postgres(self) -> bool:
        return self.store_url.startswith(("postgresql://", "postgres://"))

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

    @property
    def remote_tracking(self) -> bool:
        """A tracking server (http/https): it keeps the artifacts, not this home."""
        return self.tracking_uri.startswith(("http://", "https://"))

    @property
    def served_log_path(self) -> Path:
        return self.home / "logs" / "served.jsonl"

    def ensure_home(self) -> None:
        for path in (self.home, self.catalog_dir, self.models_dir, self.artifacts_dir):
            path.mkdir(parents=True, exist_ok=True)


def _poll_seconds(
    raw: str | None, name: str = "MICROTRIBE_POLL_SECONDS", default: float = DEFAULT_POLL_SECONDS
) -> float:
    if raw is None or not raw.strip():
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not (seconds == 0 or 0.1 <= seconds <= 86_400):
        raise ValueError(f"{name}={raw!r}: give 0 (off) or a number of seconds in [0.1, 86400]")
    return seconds


def _concurrency(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_MATCH_CONCURRENCY
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 64:
        raise ValueError(f"MICROTRIBE_MATCH_CONCURRENCY={raw!r}: give a whole number in [1, 64]")
    return int(raw)


def _store_pool(raw: str | None) -> int:
    if raw is None or not raw.strip():
        return DEFAULT_STORE_POOL
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 256:
        raise ValueError(f"MICROTRIBE_STORE_POOL={raw!r}: give a whole number in [1, 256]")
    return int(raw)


def _store_url(raw: str) -> str:
    url = raw.strip()
    if not url or url.startswith(("postgresql://", "postgres://")):
        return url
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    raise ValueError(
        f"MICROTRIBE_STORE_URL={raw!r}: give sqlite:///absolute/path.db or "
        "postgresql://user[:password]@host[:port]/database (unset: SQLite under the home)"
    )


def _catalog_from(raw: str) -> Path | None:
    return Path(raw.strip()).resolve() if raw.strip() else None
