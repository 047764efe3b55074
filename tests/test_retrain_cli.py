"""`microtribe retrain` on the command line: its options, and bad input named before any work."""

from __future__ import annotations

from pathlib import Path

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
