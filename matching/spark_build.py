"""`microtribe build --engine spark`: the build's chunks featured and embedded on Spark.

The driver plans the build as the local engine does (which rows of the previous version to
keep, which creators to feature) and exports the creators to feature, chunk by chunk, as
Parquet input files (creator_id, content_hash, the stored document as JSON) into a scratch
directory beside the catalog. `mapInPandas` over the chunk numbers runs `featurize_partition`
on the executors: each Python worker opens the embedder once (one BLAS thread per task slot)
with the home's embedding cache, consulted and filled, and turns each chunk into a part with
the local engine's `featurize_chunk`, written atomically next to the inputs. Only (chunk,
creators, texts, seconds) travel back. The driver's finishing step (matching/build_finish.py)
makes the version from the parts, exactly as after a local build, so both engines give the
same catalog.

The scratch directory and the home must be paths every executor sees (a shared filesystem
on a cluster; docs/scale.md). pyspark is imported only here, and only when the engine is used.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from matching.build import (
    CHUNK_SIZE,
    BuildPlan,
    BuildReport,
    finish_build,
    plan_build,
    staged_version,
)
from matching.build_parts import featurize_chunk
from matching.index import IndexConfig
from matching.spark_engine import spark_session
from matching.store import Store
from microtribe.settings import Settings
from models.embedding_cache import CachedEmbedder

RESULT_SCHEMA = "chunk int, creators long, embedded long, cached long, seconds double"


@dataclass(frozen=True, slots=True)
class BuildTask:
    """What an executor needs (small and picklable): where the inputs and parts are, and
    how to open the embedder and its cache."""

    scratch: str
    embedder: str
    cache_path: str
    brand_keys: frozenset[str]


_EMBEDDERS: dict[tuple[str, str], CachedEmbedder] = {}


def executor_embedder(task: BuildTask) -> CachedEmbedder:
    """One embedder per Python worker process, reused by every task it runs."""
    key = (task.embedder, task.cache_path)
    if key not in _EMBEDDERS:
        from threadpoolctl import threadpool_limits

        from models.embedder import load_embedder

        threadpool_limits(limits=1)  # one task slot is one core
        _EMBEDDERS[key] = CachedEmbedder(load_embedder(task.embedder, threads=1),
                                         Path(task.cache_path))  # fmt: skip
    return _EMBEDDERS[key]


def input_path(scratch: Path, chunk: int) -> Path:
    return scratch / "input" / f"chunk-{chunk:06d}.parquet"


def part_path(scratch: Path, chunk: int) -> Path:
    return scratch / f"part-{chunk:06d}.parquet"


def featurize_partition(task: BuildTask, frames: Iterator[Any]) -> Iterator[Any]:
    """mapInPandas body: chunk numbers in, one (chunk, creators, texts, seconds) row out per
    chunk, whose part is written next to its input."""
    import pandas as pd

    embedder = executor_embedder(task)
    scratch = Path(task.scratch)
    for frame in frames:
        for chunk in frame["id"].tolist():
            started = time.perf_counter()
            hits, misses = embedder.hits, embedder.misses
            done = part_path(scratch, chunk)
            if done.exists():  # written by an earlier attempt of this task
                creators = pq.read_metadata(done).num_rows
            else:
                table = pq.read_table(input_path(scratch, chunk))
                docs = [json.loads(doc) for doc in table.column("doc").to_pylist()]
                hashes = table.column("content_hash").to_pylist()
                part = featurize_chunk(docs, hashes, task.brand_keys, embedder)
                temporary = done.with_name(f".{done.name}.{os.getpid()}.tmp")
                pq.write_table(part, temporary)
                os.replace(temporary, done)
                creators = part.num_rows
            yield pd.DataFrame(
                {
                    "chunk": [chunk],
                    "creators": [creators],
                    "embedded": [embedder.misses - misses],
                    "cached": [embedder.hits - hits],
                    "seconds": [time.perf_counter() - started],
                }
            )


class _PartWatch:
    """Progress while the executors work: counts the parts written (a bar on a terminal,
    and `on_chunk(creators done)` for memory curves)."""

    def __init__(
        self,
        scratch: Path,
        chunks: int,
        chunk_size: int,
        creators: int,
        on_chunk: Callable[[int], None] | None,
        progress: bool,
    ) -> None:
        self._parts = [part_path(scratch, chunk) for chunk in range(chunks)]
        self._chunk_size = chunk_size
        self._creators = creators
        self._on_chunk = on_chunk
        self._done = threading.Event()
        self._bar = tqdm(total=creators, desc="embed (spark)", unit="creator",
                         disable=None if progress else True)  # fmt: skip
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        seen = 0
        while not self._done.wait(1.0):
            written = sum(part.exists() for part in self._parts)
            if written > seen:
                seen = written
                done = min(written * self._chunk_size, self._creators)
                self._bar.update(done - self._bar.n)
                if self._on_chunk is not None:
                    self._on_chunk(done)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()
        self._bar.close()


def export_inputs(
    store: Store, plan: BuildPlan, scratch: Path, chunk_size: int, progress: bool
) -> int:
    """The documents of the creators to feature, one Parquet file per chunk; returns chunks."""
    (scratch / "input").mkdir(parents=True, exist_ok=True)
    ids = plan.changed
    chunks = 0
    with tqdm(total=len(ids), desc="export", unit="creator",
              disable=None if progress else True) as bar:  # fmt: skip
        for start in range(0, len(ids), chunk_size):
            found, texts, hashes = store.creator_texts_by_id(ids[start : start + chunk_size])
            pq.write_table(
                pa.table({"creator_id": found, "content_hash": hashes, "doc": texts}),
                input_path(scratch, chunks),
            )
            chunks += 1
            bar.update(len(found))
    return chunks


def build_catalog_on_spark(
    store: Store,
    embedder: CachedEmbedder,
    settings: Settings,
    master: str | None = "local[*]",
    full: bool = False,
    progress: bool = True,
    index_config: IndexConfig | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[int], None] | None = None,
    spark: Any = None,
    tasks_per_core: int = 2,
) -> BuildReport:
    """A catalog version built with Spark; pass `spark` to reuse a running session.

    `embedder` is the driver's (its model id, dimension); executors open their own.
    """
    started = time.perf_counter()
    catalog_dir = settings.catalog_dir
    plan = plan_build(store, catalog_dir, embedder, full)
    embedded = cached = 0
    with staged_version(catalog_dir) as (writer, scratch):
        chunks = export_inputs(store, plan, scratch, chunk_size, progress)
        if chunks:
            task = BuildTask(
                str(scratch.resolve()),
                embedder.model_id,
                str(settings.embedding_cache_path.resolve()),
                plan.brand_keys,
            )
            session = spark if spark is not None else spark_session(master, "microtribe-build")
            watch = _PartWatch(scratch, chunks, chunk_size, len(plan.changed), on_chunk, progress)
            try:
                slots = max(1, int(session.sparkContext.defaultParallelism))
                ids = session.range(chunks, numPartitions=min(chunks, slots * tasks_per_core))
                rows = ids.mapInPandas(partial(featurize_partition, task), RESULT_SCHEMA)
                # collect: every partition at once (toLocalIterator would run them one by one)
                for row in rows.collect():
                    embedded += int(row["embedded"])
                    cached += int(row["cached"])
            finally:
                watch.stop()
                if spark is None:
                    session.stop()  # ours to stop; a session passed in stays up
        parts = [part_path(scratch, chunk) for chunk in range(chunks)]
        return finish_build(
            writer, plan, parts, embedder, index_config, settings.keep_catalog_versions,
            progress, started, texts=(embedded, cached), engine="spark",
        )  # fmt: skip
