"""The Spark engine of batch scoring: chunks of brands as Spark tasks, scored on executors.

The driver pins the job (`_job.json`, as the local engine does), lists the chunks whose part
is missing, broadcasts them and spreads them over a few tasks per core. `mapInPandas` runs
`score_partition` on the executors: each Python worker loads the pipeline (catalog, champion
bundle, embedder) once from `home` and keeps it for every later task, scores its chunks with
the local engine's `score_chunk`, and writes `part-<n>.parquet` atomically into `out`. Only
(chunk, rows, seconds) travel back to the driver.

So the output is the local engine's dataset, file for file, and resume works the same way:
a re-run skips every chunk whose part exists. `home` and `out` must be paths every executor
sees (see docs/batch.md). pyspark is imported only here, and only when the engine is used.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from matching.batch import ScoreReport, chunked, claim_job
from matching.batch_chunk import JobSpec, check_versions, part_path, score_chunk, write_part
from matching.pipeline import BriefCache, MatchPipeline
from microtribe.settings import Settings

RESULT_SCHEMA = "chunk int, rows long, seconds double"


@dataclass(frozen=True, slots=True)
class SparkTask:
    """Everything an executor needs, shipped with the task (small and picklable)."""

    home: str
    out: str
    spec: JobSpec
    model_version: str
    catalog_version: str


# One pipeline per Python worker process and job source, reused by every task it runs
# (spark.python.worker.reuse is on by default).
_PIPELINES: dict[tuple[str, str, str], MatchPipeline] = {}


def executor_pipeline(task: SparkTask) -> MatchPipeline:
    key = (task.home, task.model_version, task.catalog_version)
    if key not in _PIPELINES:
        import faiss
        from threadpoolctl import threadpool_limits

        from matching.batch import load_pipeline

        # one task slot is one core: same single-threaded numerics as the server
        threadpool_limits(limits=1)
        faiss.omp_set_num_threads(1)
        pipeline = load_pipeline(Settings.from_env(Path(task.home)))
        check_versions(pipeline, task.model_version, task.catalog_version)
        _PIPELINES[key] = pipeline
    return _PIPELINES[key]


def score_partition(task: SparkTask, chunks: Any, frames: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas body: row ids in (indices into the broadcast list of (chunk, brands JSON)),
    one (chunk, rows, seconds) row out per chunk scored."""
    import pandas as pd
    import pyarrow.parquet as pq

    loaded = executor_pipeline(task)
    # a fresh brief cache per task, as each local job starts with one: briefs are embedded
    # once per chunk they appear in, whichever worker ran an earlier job
    pipeline = replace(loaded, briefs=BriefCache(loaded.briefs.embedder))
    for frame in frames:
        for index in frame["id"].tolist():
            number, brands_json = chunks.value[index]
            started = time.perf_counter()
            done = part_path(Path(task.out), number)
            if done.exists():  # written by an earlier attempt of this task
                rows = pq.read_metadata(done).num_rows
            else:
                table = score_chunk(pipeline, json.loads(brands_json), task.spec)
                write_part(Path(task.out), number, table)
                rows = table.num_rows
            yield pd.DataFrame(
                {"chunk": [number], "rows": [rows], "seconds": [time.perf_counter() - started]}
            )


def spark_session(master: str | None, app_name: str = "microtribe-score") -> Any:
    """A session on `master` (None: whatever spark-submit or the environment configured)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    if (master or "").startswith("local"):
        # local workers must run this interpreter (the one with microtribe installed), not
        # whatever `python3` is on PATH; on a cluster set PYSPARK_PYTHON yourself.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.ui.enabled", "false")
    return builder.getOrCreate()


def pinned_versions(settings: Settings) -> tuple[str, str]:
    """(model, catalog) versions the job will use, read from the two pointer files."""
    from matching.catalog import current_version
    from models.bundle import load_bundle

    pointer = settings.models_dir / "CHAMPION"
    catalog = current_version(settings.catalog_dir)
    if not pointer.exists() or catalog is None:
        raise ValueError(
            "no catalog or champion model: run `microtribe build` and "
            "`microtribe train --register --promote` first"
        )
    return load_bundle(settings.models_dir / pointer.read_text().strip()).version, catalog


def score_brands_spark(
    settings: Settings,
    brands: Sequence[Mapping[str, Any]],
    out: Path,
    spec: JobSpec,
    master: str | None = "local[*]",
    spark: Any = None,
    tasks_per_core: int = 2,
) -> ScoreReport:
    """Score every brand into `out` on Spark; pass `spark` to reuse a running session.

    Missing chunks are spread over `tasks_per_core` × default parallelism tasks; a retried
    task skips the chunks whose part its failed attempt already wrote.
    """
    started = time.perf_counter()
    model_version, catalog_version = pinned_versions(settings)
    claim_job(out, brands, spec, model_version, catalog_version)
    chunks = chunked(brands, spec.chunk_size)
    todo = [(n, json.dumps(list(chunk))) for n, chunk in chunks if not part_path(out, n).exists()]
    rows = 0
    if todo:
        session = spark if spark is not None else spark_session(master)
        task = SparkTask(
            str(settings.home.resolve()), str(out.resolve()), spec, model_version, catalog_version
        )
        # The briefs travel once per executor as a broadcast; the DataFrame holds only row
        # ids (spark.range splits them evenly and needs no Python to build). A few tasks
        # per core: each task is a handoff between JVM and Python worker, so fewer, larger
        # tasks cost less, while more than one per core keeps the cores balanced.
        chunks_by_id = session.sparkContext.broadcast(todo)
        try:
            slots = max(1, int(session.sparkContext.defaultParallelism))
            tasks = min(len(todo), slots * tasks_per_core)
            ids = session.range(len(todo), numPartitions=tasks)
            scored = ids.mapInPandas(partial(score_partition, task, chunks_by_id), RESULT_SCHEMA)
            rows = sum(int(row["rows"]) for row in scored.collect())
        finally:
            chunks_by_id.unpersist()
            if spark is None:
                session.stop()  # ours to stop; a session passed in stays up for its owner
    return ScoreReport.of(len(brands), len(todo), len(chunks), rows, started)
