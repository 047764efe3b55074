"""The served-candidates log on its own: JSON lines, drained on stop, rotated by size."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path
from typing import Any

import numpy as np

from api.schemas import MatchOut, MatchRequest, MatchResponse, ReasonOut
from api.served_log import ServedLog

NAMES = ("similarity", "sponsored_share")
FEATURES = np.array([[0.5, 0.1], [0.4, float("nan")], [0.3, 0.0]])


def _response(request_id: str, matches: int = 3) -> dict[str, Any]:
    reason = ReasonOut(
        feature="brand_mentions", description="mentions", value=2.0, contribution=0.4
    )
    # the answer as sent: the route hands the log the dict it encoded
    return MatchResponse(
        request_id=request_id,
        brand_id="ecoveste",
        model_version="7",
        catalog_version="c1",
        took_ms=4.2,
        rank_by="advocacy",
        currency="EUR",
        matches=[
            MatchOut(rank=i + 1, creator_id=f"ig:c{i}", handle=f"c{i}", platform="instagram",
                     followers=5000, tier="nano", score=0.9 - i / 10, advocacy_fit=0.8,
                     expected_engagement_rate=float("nan"), similarity=0.5, estimated_cost=100.0,
                     reasons=[reason])
            for i in range(matches)
        ],
    ).model_dump()  # fmt: skip


REQUEST = MatchRequest.model_validate(
    {"brand_id": "ecoveste", "k": 3, "filters": {"tiers": ["nano"]}}
)


def test_one_json_line_per_match_written_by_stop(tmp_path: Path) -> None:
    log = ServedLog(tmp_path / "logs" / "served.jsonl")
    log.start()
    for n in range(20):
        log.record(REQUEST, _response(f"r{n}"), FEATURES, NAMES)
    log.stop()  # drains the queue before returning
    lines = [
        json.loads(line) for line in (tmp_path / "logs" / "served.jsonl").read_text().splitlines()
    ]
    assert [line["request_id"] for line in lines] == [f"r{n}" for n in range(20)]
    first = lines[0]
    assert first["model_version"] == "7" and first["catalog_version"] == "c1" and first["k"] == 3
    assert first["brief"] == "stored" and first["filters"]["tiers"] == ["nano"]
    match = first["matches"][0]
    assert match["creator_id"] == "ig:c0" and match["rank"] == 1 and match["score"] == 0.9
    assert match["expected_engagement_rate"] is None  # NaN would not be JSON
    assert match["features"] == {"similarity": 0.5, "sponsored_share": 0.1}


def test_the_log_rotates_by_size_and_keeps_a_bounded_number_of_files(tmp_path: Path) -> None:
    path = tmp_path / "served.jsonl"
    log = ServedLog(path, max_bytes=4_000, backups=2)
    log.start()
    for n in range(60):
        log.record(REQUEST, _response(f"r{n}"), FEATURES, NAMES)
    log.stop()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["served.jsonl", "served.jsonl.1", "served.jsonl.2"]
    assert all(p.stat().st_size <= 4_000 for p in tmp_path.iterdir())
    newest = [json.loads(line)["request_id"] for line in path.read_text().splitlines()]
    assert newest[-1] == "r59"


def test_recording_before_start_or_after_stop_is_a_no_op(tmp_path: Path) -> None:
    log = ServedLog(tmp_path / "served.jsonl")
    log.record(REQUEST, _response("early"), FEATURES, NAMES)
    log.start()
    log.stop()
    log.record(REQUEST, _response("late"), FEATURES, NAMES)
    assert not (tmp_path / "served.jsonl").read_text()


def test_plan_and_lookalike_answers_get_lines_of_their_own(tmp_path: Path) -> None:
    log = ServedLog(tmp_path / "served.jsonl")
    log.start()
    totals = {"cost": 300.0, "expected_advocates": 0.9}
    planned = {"creator_id": "ig:c0", "estimated_cost": 300.0, "advocacy_fit": 0.9,
               "expected_engagements": 120.0, "reasons": []}  # fmt: skip
    plan = {"status": "optimal", "totals": totals, "creators": [planned]}
    empty = {"status": "empty", "totals": totals, "creators": []}
    log.record_answer(
        "plan",
        {"budget": 500},
        {"request_id": "p1", "catalog_version": "c1", "brand_id": "b", "model_version": "7",
         "currency": "EUR", "plan": plan, "side_by_side": {"macro_only": empty, "greedy": plan}},
    )  # fmt: skip
    match = {"creator_id": "ig:c1", "rank": 1, "similarity": 0.8}
    log.record_answer(
        "similar",
        {"k": 1},
        {"request_id": "s1", "catalog_version": "c1", "creator_id": "ig:c0", "matches": [match]},
    )
    log.stop()
    lines = [json.loads(line) for line in (tmp_path / "served.jsonl").read_text().splitlines()]
    assert [line["route"] for line in lines] == ["plan", "similar"]
    assert lines[0]["plan"]["creators"][0]["creator_id"] == "ig:c0"
    assert lines[0]["plan"]["creators"][0]["rank"] == 1
    assert lines[0]["side_by_side"]["macro_only"]["status"] == "empty"
    assert lines[1]["matches"] == [match] and lines[1]["request"] == {"k": 1}


def _write_as_one_process(path: Path, prefix: str, count: int) -> None:
    log = ServedLog(path, max_bytes=6_000, backups=1_000, flush_seconds=0.01)
    log.start()
    for n in range(count):
        log.record(REQUEST, _response(f"{prefix}{n}"), FEATURES, NAMES)
        if n % 50 == 0:
            time.sleep(0.005)  # several flushes per process, racing the other's
    log.stop()


def test_processes_sharing_the_log_neither_tear_nor_lose_lines(tmp_path: Path) -> None:
    """`serve --workers N`: N writers and their rotations on one file, every line whole, once."""
    path = tmp_path / "served.jsonl"
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_as_one_process, args=(path, prefix, 400))
        for prefix in ("a", "b", "c")
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
        assert writer.exitcode == 0
    files = sorted(tmp_path.iterdir())
    assert len(files) > 10  # it rotated many times while the three wrote
    ids = [
        json.loads(line)["request_id"] for file in files for line in file.read_text().splitlines()
    ]
    assert sorted(ids) == sorted(f"{p}{n}" for p in "abc" for n in range(400))
    assert all(file.stat().st_size <= 6_000 for file in files)
