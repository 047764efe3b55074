"""Batch scoring: schema, resume after a kill, refusal to mix jobs, online/offline agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from matching import batch
from matching.batch import SCHEMA, score_brands
from matching.filters import MatchFilters
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


@pytest.mark.parametrize("workers", [1, 2])
def test_resume_after_a_kill(pipeline, brands: list[dict], tmp_path: Path,  # type: ignore[no-untyped-def]
                             monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    real = batch.score_chunk
    calls = {"n": 0}

    def dies_on_third(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "score_chunk", dies_on_third)
    with pytest.raises(KeyboardInterrupt):
        score_brands(pipeline, brands, tmp_path / "out", k=5, chunk_size=2, progress=False,
                     workers=workers)
    survivors = sorted(p.name for p in (tmp_path / "out").glob("part-*.parquet"))
    assert 2 <= len(survivors) <= 3 and not list((tmp_path / "out").glob(".*.tmp"))
    monkeypatch.setattr(batch, "score_chunk", real)
    report = score_brands(pipeline, brands, tmp_path / "out", k=5, chunk_size=2, progress=False,
                          workers=workers)
    assert report.chunks_skipped == len(survivors)
    assert report.chunks_written == 4 - len(survivors)
    frame = pq.read_table(tmp_path / "out").to_pandas()
    assert len(frame) == 35 and not frame.duplicated(["brand_id", "rank"]).any()
    assert sorted(frame["brand_id"].unique()) == sorted(b["brand_id"] for b in brands)
    with pytest.raises(ValueError, match="another job"):
        score_brands(pipeline, brands, tmp_path / "out", k=6, chunk_size=2, progress=False)
    with pytest.raises(ValueError, match="another job"):  # other chunk bounds: other parts
        score_brands(pipeline, brands, tmp_path / "out", k=5, chunk_size=3, progress=False)


def test_threads_and_chunks_do_not_change_results(pipeline, brands: list[dict],  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    one = score_brands(pipeline, brands, tmp_path / "one", k=30, chunk_size=7, progress=False,
                       workers=1)
    two = score_brands(pipeline, brands, tmp_path / "two", k=30, chunk_size=2, progress=False,
                       workers=2)
    assert one.rows == two.rows == 7 * 30
    columns = [f.name for f in SCHEMA if f.name != "scored_at"]
    a = pq.read_table(tmp_path / "one").to_pandas()[columns].sort_values(["brand_id", "rank"])
    b = pq.read_table(tmp_path / "two").to_pandas()[columns].sort_values(["brand_id", "rank"])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_exact=True)


def test_run_many_equals_run(pipeline, brands: list[dict]) -> None:  # type: ignore[no-untyped-def]
    filters = MatchFilters(platforms=("instagram",), min_followers=2000)
    many = pipeline.run_many(brands, 25, filters)
    for brand, got in zip(brands, many, strict=True):
        one = pipeline.run(brand, 25, filters, with_reasons=False)
        assert got.brand_id == one.brand_id
        np.testing.assert_array_equal(got.rows, one.rows)
        np.testing.assert_array_equal(got.ranked.score, one.ranked.score)
        np.testing.assert_array_equal(got.similarity, one.similarity)
        np.testing.assert_array_equal(got.features, one.features)


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
    live = int(pipeline.catalog.live.sum())
    assert (frame.groupby("brand_id").size() == live).all()
    assert not frame.duplicated(["brand_id", "creator_id"]).any()
    # no retrieval cut-off: the head is run() ranking the whole roster, bit for bit
    everyone = pipeline.run(brands[0], 10, with_reasons=False, depth=len(pipeline.catalog))
    head = frame[frame.brand_id == brands[0]["brand_id"]].sort_values("rank").head(10)
    assert head.creator_id.tolist() == pipeline.catalog.creators.creator_id[everyone.rows].tolist()
    np.testing.assert_array_equal(head.score.to_numpy(), everyone.ranked.score)
    filtered = score_brands(pipeline, brands[:2], tmp_path / "ig", k=1, all_pairs=True,
                            filters=MatchFilters(platforms=("instagram",)), progress=False)
    eligible = int((pipeline.catalog.live & (pipeline.catalog.creators.platform == 0)).sum())
    assert filtered.rows == 2 * eligible
