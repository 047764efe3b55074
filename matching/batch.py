"""Batch scoring: many brands against the whole roster, with the very pipeline `/v1/match` uses.

Output is a Parquet dataset (a directory of part files, `SCHEMA`). Brands are cut into fixed
chunks in input order; each chunk becomes `part-<n>.parquet`, written to a temporary name
and renamed into place, so a re-run after a kill skips the finished chunks and redoes only
those in flight: no duplicates, no gaps. `_job.json` pins the inputs: re-running into the
same directory with other brands, `k`, filters, chunk size, model or catalog is refused.

The local engine scores chunks on `workers` threads, each with its own brief cache, and
caps BLAS/OpenMP at one thread per worker: the heavy calls (brief embedding, FAISS,
LightGBM) release the GIL, so two workers keep two cores busy, and every result equals the
server's single-threaded `run` bit for bit. The Spark engine (`matching/spark_engine.py`)
scores the same chunks with the same `score_chunk` on executors.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from matching.batch_chunk import SCHEMA, JobSpec, part_path, score_chunk, write_part
from matching.filters import MatchFilters
from matching.pipeline import BriefCache, MatchPipeline
from models.ranker import DEFAULT_RANK_BY

if TYPE_CHECKING:
    from microtribe.settings import Settings

__all__ = [
    "SCHEMA",
    "JobSpec",
    "ScoreReport",
    "claim_job",
    "load_pipeline",
    "score_brands",
    "score_chunk",
]


@dataclass(frozen=True, slots=True)
class ScoreReport:
    brands: int
    chunks_written: int
    chunks_skipped: int
    rows: int
    seconds: float

    @classmethod
    def of(cls, brands: int, written: int, chunks: int, rows: int, started: float) -> ScoreReport:
        """The report of a job over `chunks` chunks, `written` of them by this run."""
        return cls(brands, written, chunks - written, rows, round(time.perf_counter() - started, 3))


def load_pipeline(settings: Settings) -> MatchPipeline:
    """The server's pipeline: champion bundle, current catalog and the upserts acknowledged
    since it was built (so a pair scores here exactly as `/v1/match` scores it)."""
    from matching.service import MatchService

    service = MatchService(settings)
    try:
        return service.reload()
    finally:
        service.close()


def chunked(
    brands: Sequence[Mapping[str, Any]], size: int
) -> list[tuple[int, Sequence[Mapping[str, Any]]]]:
    return [(n, brands[i : i + size]) for n, i in enumerate(range(0, len(brands), size))]


def claim_job(
    out: Path,
    brands: Sequence[Mapping[str, Any]],
    spec: JobSpec,
    model_version: str,
    catalog_version: str,
) -> dict[str, Any]:
    """Create `out` and pin this job in `_job.json`, or check that `out` holds this same job."""
    identity = {
        "brands": [b.get("brand_id") for b in brands],
        "briefs": hashlib.blake2b(
            json.dumps(list(brands), sort_keys=True).encode(), digest_size=16
        ).hexdigest(),
        "model": model_version,
        "catalog": catalog_version,
        **spec.identity(),
    }
    job_id = hashlib.blake2b(
        json.dumps(identity, sort_keys=True).encode(), digest_size=16
    ).hexdigest()
    job = {
        "job_id": job_id,
        **spec.identity(),
        "brands": len(brands),
        "model_version": model_version,
        "catalog_version": catalog_version,
    }
    out.mkdir(parents=True, exist_ok=True)
    marker = out / "_job.json"
    if marker.exists():
        if json.loads(marker.read_text()).get("job_id") != job_id:
            raise ValueError(
                f"{out} holds the output of another job (other brands, k, filters, chunk size, "
                "model or catalog); choose a new --out or delete it"
            )
        return job
    tmp = out / "._job.json.tmp"
    tmp.write_text(json.dumps(job, indent=2))
    os.replace(tmp, marker)
    return job


@contextmanager
def one_thread_per_worker() -> Iterator[None]:
    """BLAS and OpenMP at one thread: parallelism comes from the workers, and results then
    match the server, which runs the same way (thread counts change float rounding)."""
    import faiss
    from threadpoolctl import threadpool_limits

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        faiss.omp_set_num_threads(before)


def score_brands(
    pipeline: MatchPipeline,
    brands: Sequence[Mapping[str, Any]],
    out: Path,
    k: int,
    filters: MatchFilters | None = None,
    all_pairs: bool = False,
    chunk_size: int = 32,
    progress: bool = True,
    workers: int | None = None,
    rank_by: str = DEFAULT_RANK_BY,
) -> ScoreReport:
    """Score every brand into `out` (local engine) by `rank_by`; `all_pairs` ranks every
    eligible creator.

    `workers` threads score chunks side by side (default: the number of CPUs).
    """
    started = time.perf_counter()
    spec = JobSpec(k, filters or MatchFilters(), all_pairs, chunk_size, rank_by)
    claim_job(out, brands, spec, pipeline.bundle.version, pipeline.catalog.version)
    chunks = chunked(brands, chunk_size)
    todo = [(n, chunk) for n, chunk in chunks if not part_path(out, n).exists()]
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    # one brief cache per worker: BriefCache is not thread-safe, the embedder itself is
    views = [replace(pipeline, briefs=BriefCache(pipeline.briefs.embedder)) for _ in range(workers)]

    def task(view: MatchPipeline, number: int, chunk: Sequence[Mapping[str, Any]]) -> int:
        table = score_chunk(view, chunk, spec)
        write_part(out, number, table)
        return int(table.num_rows)

    with tqdm(
        total=len(brands), unit="brand", desc="score", disable=None if progress else True
    ) as bar:
        bar.update(len(brands) - sum(len(chunk) for _, chunk in todo))
        rows = 0
        if todo:
            with one_thread_per_worker():
                views[0].briefs.vector("warm-up")  # lazy weights load once, not in two threads
                rows = _in_threads(views, todo, task, bar)
    return ScoreReport.of(len(brands), len(todo), len(chunks), rows, started)


def _in_threads(
    views: list[MatchPipeline],
    todo: list[tuple[int, Sequence[Mapping[str, Any]]]],
    task: Callable[[MatchPipeline, int, Sequence[Mapping[str, Any]]], int],
    bar: Any,
) -> int:
    """Run `task` over the chunks, one pipeline view per thread; the rows written in total.

    A worker's error (or a Ctrl-C) cancels the chunks not started; those running finish and
    write their parts, which a re-run then keeps."""
    idle = list(views)
    pending: dict[Future[int], tuple[MatchPipeline, int]] = {}
    queue = iter(todo)
    rows = 0
    with ThreadPoolExecutor(len(views), "score") as pool:
        try:
            while True:
                while idle and (item := next(queue, None)) is not None:
                    view = idle.pop()
                    pending[pool.submit(task, view, *item)] = (view, len(item[1]))
                if not pending:
                    return rows
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    view, size = pending.pop(future)
                    rows += future.result()  # re-raises a worker's error here
                    idle.append(view)
                    bar.update(size)
        finally:
            for future in pending:
                future.cancel()
