"""Batch scoring: schema, resume after a kill, refusal to mix jobs, online/offline agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from matching import batch
from matching.batch import SCHEMA, score_brands
from matching.service import MatchService
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def brands(trained_home: Path) -> list[dict]:
    with (trained_home / "world" / "brands.jsonl").open() as lines:
        return [json.loads(line) for line in lines][:7]


@pytest.fixture(scope="module")
def pipeline(trained_home: Path):  # type: ignore[no-untyped-def]
    service = MatchService(Settings.from_env(trained_home))
    yield service.reload()
    service.close()


def test_schema_and_counts(pipeline, brands: list[dict], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = score_brands(pipeline, brands, tmp_path / "out", k=10, chunk_size=3, progress=False)
    table = pq.read_table(tmp_path / "out")
    assert table.schema.equals(SCHEMA, check_metadata=False)
    assert report.rows == table.num_rows == 70 and report.chunks_written == 3
    frame = table.to_pandas()
    ranks = frame.groupby("brand_id")["rank"].apply(list)
    assert len(ranks) == 7 and all(r == list(range(1, 11)) for r in ranks)
    assert not frame.duplicated(["brand_id", "creator_id"]).any()


def test_resume_after_a_kill(pipeline, brands: list[dict], tmp_path: Path,  # type: ignore[no-untyped-def]
                             monkeypatch: pytest.MonkeyPatch) -> None:
    real = batch._score_chunk
    calls = {"n": 0}

    def dies_on_third(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "_score_chunk", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        score_brands(pipeline, brands, tmp_path / "out", k=5, chunk_size=2, progress=False)
    monkeypatch.setattr(batch, "_score_chunk", real)
    report = score_brands(pipeline, brands, tmp_path / "out", k=5, chunk_size=2, progress=False)
    assert report.chunks_skipped == 2 and report.chunks_written == 2
    frame = pq.read_table(tmp_path / "out").to_pandas()
    assert len(frame) == 35 and not frame.duplicated(["brand_id", "rank"]).any()
    assert sorted(frame["brand_id"].unique()) == sorted(b["brand_id"] for b in brands)
    with pytest.raises(ValueError, match="another job"):
        score_brands(pipeline, brands, tmp_path / "out", k=6, chunk_size=2, progress=False)


def test_online_and_batch_scores_agree(trained_home: Path, brands: list[dict],
                                       tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(trained_home, home)
    brand_file = tmp_path / "brands.jsonl"
    brand_file.write_text("".join(json.dumps(b) + "\n" for b in brands[:3]))
    run_cli(home, "score", "--brands", str(brand_file), "--out", str(tmp_path / "scores"),
            "--k", "20", "--filters", '{"platforms": ["instagram", "tiktok"]}')
    offline = pq.read_table(tmp_path / "scores").to_pandas()
    keys = KeyRing.parse("read:r")
    with TestClient(create_app(Settings.from_env(home), keys)) as client:
        for brand in brands[:3]:
            body = {"brand_id": brand["brand_id"], "k": 20, "explain": False,
                    "filters": {"platforms": ["instagram", "tiktok"]}}
            online = client.post("/v1/match", json=body, headers={"X-API-Key": "r"}).json()
            batch_rows = offline[offline.brand_id == brand["brand_id"]].sort_values("rank")
            assert [m["creator_id"] for m in online["matches"]] == batch_rows.creator_id.tolist()
            np.testing.assert_allclose([m["score"] for m in online["matches"]],
                                       batch_rows.score.to_numpy(), atol=1e-6)


def test_all_pairs_scores_every_eligible_creator(pipeline, brands: list[dict],  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    score_brands(pipeline, brands[:2], tmp_path / "all", k=1, all_pairs=True, progress=False)
    frame = pq.read_table(tmp_path / "all").to_pandas()
    assert (frame.groupby("brand_id").size() == int(pipeline.catalog.live.sum())).all()
