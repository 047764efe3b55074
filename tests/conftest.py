"""Offline settings for every test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_cluster import PgCluster, find_pg_bin

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")


def run_cli(home: Path, *args: str) -> str:
    """Run `microtribe ARGS` in a subprocess against `home`; fail the test on a non-zero exit."""
    env = {**os.environ, "MICROTRIBE_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "microtribe", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,  # a loaded machine builds the small world slowly
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a small world ingested, a catalog built, and a champion model (real stack)."""
    home = tmp_path_factory.mktemp("home")
    world = home / "world"
    run_cli(
        home, "generate", "--out", str(world), "--creators", "800", "--brands", "24", "--seed", "11"
    )
    run_cli(
        home,
        "ingest",
        "--brands",
        str(world / "brands.jsonl"),
        "--creators",
        str(world / "creators.jsonl"),
        "--outcomes",
        str(world / "outcomes.jsonl"),
    )
    run_cli(home, "build")
    out = run_cli(home, "train", "--register", "--promote")
    assert '"promoted": true' in out, out
    return home


@pytest.fixture
def home(trained_home: Path, tmp_path: Path) -> Path:
    """A private copy of `trained_home`, for tests that write (upserts, reloads, promotions).

    Without the served log other tests' servers left in `trained_home/logs`: a fresh home
    has served nothing, whatever ran before.
    """
    return copy_home(trained_home, tmp_path)


def copy_home(trained_home: Path, parent: Path) -> Path:
    """`parent/home`: a copy of `trained_home` without its served log."""
    copy = parent / "home"
    shutil.copytree(trained_home, copy, ignore=shutil.ignore_patterns("logs"))
    return copy


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One throw-away PostgreSQL cluster for the session (tests/pg_cluster.py). Skipped when
    the binaries are missing, unless MICROTRIBE_REQUIRE_POSTGRES=1 (CI): then it fails."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found: `make postgres` installs them"
        if os.environ.get("MICROTRIBE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (MICROTRIBE_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    cluster = PgCluster.start(bin_dir)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """The URL of a new, empty database of the session's cluster, for this test alone."""
    return pg_cluster.create_database()
