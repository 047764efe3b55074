"""`microtribe retrain` on the command line: its options, and bad input named before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from microtribe.cli import app

runner = CliRunner()


def test_retrain_is_documented_with_the_design_options() -> None:
    result = runner.invoke(app, ["retrain", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--since", "--until", "--promote", "--margin", "--worlds"):
        assert option in result.output


def test_a_bad_date_is_named_and_nothing_runs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["retrain", "--since", "yesterday", "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "--since 'yesterday'" in result.output
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_the_tracking_uri_is_the_homes_unless_microtribe_mlflow_uri_names_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mlflow.set_tracking_uri` writes MLFLOW_TRACKING_URI: a home must not follow it."""
    from microtribe.settings import Settings

    monkeypatch.delenv("MICROTRIBE_MLFLOW_URI", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/mlflow.db")
    home = tmp_path / "home"
    assert Settings.from_env(home).tracking_uri == f"sqlite:///{home.resolve() / 'mlflow.db'}"
    monkeypatch.setenv("MICROTRIBE_MLFLOW_URI", "http://mlflow.internal:5000")
    assert Settings.from_env(home).tracking_uri == "http://mlflow.internal:5000"
