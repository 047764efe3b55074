"""`microtribe ingest`: a file is validated whole and stored whole, or not at all."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matching.store import CatalogStore
from microtribe.cli import app
from tests.factories import make_creator, make_post

runner = CliRunner()


def _write(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    return path


def _good(n: int) -> list[dict]:
    return [
        make_creator(f"ig:c{i}", posts=[make_post("p1", "2026-10-01T10:00:00Z", "ciao", 10, 1)])
        for i in range(n)
    ]


def test_good_file_is_stored(tmp_path: Path) -> None:
    path = _write(tmp_path / "creators.jsonl", _good(3))
    result = runner.invoke(app, ["ingest", "--creators", str(path), "--home", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert CatalogStore(tmp_path / "catalog.db").counts()["creators"] == 3


def test_bad_lines_are_named_and_nothing_is_stored(tmp_path: Path) -> None:
    docs = _good(5)
    del docs[1]["followers"]
    docs[2]["posts"][0]["likes"] = -4
    docs[3]["platform"] = "myspace"
    path = _write(tmp_path / "creators.jsonl", docs)
    result = runner.invoke(app, ["ingest", "--creators", str(path), "--home", str(tmp_path)])
    assert result.exit_code == 2
    assert "creators.jsonl:2: followers" in result.output
    assert "creators.jsonl:3: posts.0.likes" in result.output
    assert "creators.jsonl:4: platform" in result.output
    assert "myspace" in result.output
    assert CatalogStore(tmp_path / "catalog.db").counts()["creators"] == 0


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    path = _write(tmp_path / "creators.jsonl", _good(2))
    outcome = {
        "brand_id": "b",
        "creator_id": "ig:c0",
        "stage": "completed",
        "observed_at": "2026-11-01T00:00:00Z",
        "advocate": True,
    }
    outcomes = _write(tmp_path / "outcomes.jsonl", [outcome])
    for _ in range(2):
        result = runner.invoke(
            app,
            [
                "ingest",
                "--creators",
                str(path),
                "--outcomes",
                str(outcomes),
                "--home",
                str(tmp_path),
            ],
        )
        assert result.exit_code == 0, result.output
    counts = CatalogStore(tmp_path / "catalog.db").counts()
    assert counts["creators"] == 2 and counts["outcomes"] == 1


def test_failed_write_rolls_back(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "catalog.db")
    docs = _good(3)
    docs[2]["creator_id"] = ["not", "bindable"]  # SQLite refuses this row mid-batch
    with pytest.raises(sqlite3.Error):
        store.upsert_creators(docs)
    assert store.counts()["creators"] == 0
    assert store.upsert_creators(_good(2)) == 2  # the store is usable afterwards
