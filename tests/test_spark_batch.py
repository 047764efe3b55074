"""Spark engine on local[2]: the local engine's dataset, row for row and bit for bit; resume."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from matching.batch import SCHEMA, JobSpec, load_pipeline, score_brands
from matching.filters import MatchFilters
from microtribe.settings import Settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="the Spark engine needs Java 17 (apt install openjdk-17-jre-headless)",
    ),
]

COLUMNS = [field.name for field in SCHEMA if field.name != "scored_at"]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from matching.spark_engine import spark_session

    session = spark_session("local[2]", "microtribe-test")
    yield session
    session.stop()


def _frame(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas()
    return frame[COLUMNS].sort_values(["brand_id", "rank"]).reset_index(drop=True)


def test_spark_equals_local_and_resumes(trained_home: Path, spark: Any, tmp_path: Path) -> None:
    from matching.spark_engine import score_brands_spark

    with (trained_home / "world" / "brands.jsonl").open() as lines:
        brands = [json.loads(line) for line in lines][:7]
    filters = MatchFilters(platforms=("instagram", "tiktok"), min_followers=1500)
    spec = JobSpec(k=15, filters=filters, chunk_size=2)
    settings = Settings.from_env(trained_home)
    local = score_brands(
        load_pipeline(settings), brands, tmp_path / "local", 15, filters, chunk_size=2,
        progress=False,
    )
    # a job killed after its second part: the Spark run must keep it and do the other three
    (tmp_path / "spark").mkdir()
    for name in ("_job.json", "part-00001.parquet"):
        shutil.copy(tmp_path / "local" / name, tmp_path / "spark" / name)
    report = score_brands_spark(settings, brands, tmp_path / "spark", spec, spark=spark)
    assert (report.chunks_written, report.chunks_skipped) == (3, 1)
    kept = pq.read_metadata(tmp_path / "spark" / "part-00001.parquet").num_rows
    assert report.rows == local.rows - kept and kept > 0
    table = pq.read_table(tmp_path / "spark")
    assert table.schema.equals(SCHEMA, check_metadata=False)
    pd.testing.assert_frame_equal(_frame(tmp_path / "spark"), _frame(tmp_path / "local"),
                                  check_exact=True)
    again = score_brands_spark(settings, brands, tmp_path / "spark", spec, spark=spark)
    assert (again.chunks_written, again.chunks_skipped, again.rows) == (0, 4, 0)
    assert len(_frame(tmp_path / "spark")) == local.rows
    with pytest.raises(ValueError, match="another job"):
        score_brands_spark(settings, brands, tmp_path / "spark", JobSpec(k=16, filters=filters,
                           chunk_size=2), spark=spark)


def test_registered_model_scores_through_mlflow_spark_udf(trained_home: Path, spark: Any) -> None:
    """The champion in the MLflow registry, as a Spark UDF, scores what the pipeline served."""
    import mlflow
    from pyspark.sql import functions as F

    from features.schema import FEATURE_NAMES

    settings = Settings.from_env(trained_home)
    pipeline = load_pipeline(settings)
    with (trained_home / "world" / "brands.jsonl").open() as lines:
        brand = json.loads(next(lines))
    served = pipeline.run(brand, 40, None, with_reasons=False)
    frame = pd.DataFrame(served.features, columns=list(FEATURE_NAMES))
    mlflow.set_tracking_uri(settings.tracking_uri)
    udf = mlflow.pyfunc.spark_udf(
        spark,
        "models:/microtribe-ranker@champion",
        result_type="score double, advocacy_fit double, expected_engagement_rate double",
        env_manager="local",
    )
    columns = [F.col(name) for name in FEATURE_NAMES]
    scored = spark.createDataFrame(frame).withColumn("out", udf(*columns)).select("out.*")
    result = scored.toPandas()
    assert len(result) == len(served.rows) > 0
    # the served score is the model's after the guardrails: a demoted creator's is lowered to
    # just below its peers' (models/guardrails.py); the UDF scores rows alone, unguarded
    assert served.judgement is not None
    kept = ~served.judgement.demoted
    np.testing.assert_allclose(result["score"][kept], served.ranked.score[kept], rtol=0, atol=1e-9)
    assert (result["score"][~kept] >= served.ranked.score[~kept] - 1e-9).all()
    np.testing.assert_allclose(result["advocacy_fit"], served.ranked.advocacy_fit, atol=1e-9)
