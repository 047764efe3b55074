"""Offline settings for every test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
