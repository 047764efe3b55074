"""One chunk of a batch job: brands in, Parquet part out. Shared by the local and Spark engines.

A chunk is scored with `MatchPipeline.run_many` (the `/v1/match` pipeline, brand for brand
bit-identical to `run`) and written to `part-<chunk>.parquet` through a temporary name and a
rename, so a part is either whole or absent: that is what makes a job resumable.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from features.flags import FLAG_NAMES
from matching.filters import MatchFilters
from matching.pipeline import MatchPipeline
from models.guardrails import Judgement
from models.ranker import DEFAULT_RANK_BY, RANK_BY

SCHEMA = pa.schema(
    [
        ("brand_id", pa.string()),
        ("rank", pa.int32()),
        ("creator_id", pa.string()),
        ("score", pa.float64()),
        ("advocacy_fit", pa.float64()),
        ("expected_engagement_rate", pa.float64()),
        ("similarity", pa.float64()),
        # red flags raised (features/flags.py); demoted under the default guardrails
        ("flags", pa.list_(pa.string())),
        ("model_version", pa.string()),
        ("catalog_version", pa.string()),
        ("scored_at", pa.timestamp("ms", tz="UTC")),  # Parquet has no seconds unit
    ]
)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """What every brand of a job shares. Part of the job identity: changing it is a new job."""

    k: int
    filters: MatchFilters = field(default_factory=MatchFilters)
    all_pairs: bool = False  # rank every eligible creator, without retrieval cut-off (audits)
    chunk_size: int = 32  # brands per Parquet part (and per Spark task)
    rank_by: str = DEFAULT_RANK_BY  # the objective of `score` and `rank` (models/ranker.py)

    def __post_init__(self) -> None:
        if self.rank_by not in RANK_BY:
            raise ValueError(f"unknown rank_by {self.rank_by!r}; expected one of {list(RANK_BY)}")
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        if self.chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, got {self.chunk_size}")

    def identity(self) -> dict[str, Any]:
        identity: dict[str, Any] = {
            "k": self.k,
            "all_pairs": self.all_pairs,
            "filters": repr(self.filters),
            "chunk_size": self.chunk_size,
        }
        if self.rank_by != DEFAULT_RANK_BY:  # jobs claimed before rank_by existed still resume
            identity["rank_by"] = self.rank_by
        identity["output"] = "flags"  # parts of jobs claimed before flags have fewer columns
        return identity


def part_path(out: Path, chunk: int) -> Path:
    return out / f"part-{chunk:05d}.parquet"


def score_chunk(
    pipeline: MatchPipeline,
    brands: Sequence[Mapping[str, Any]],
    spec: JobSpec,
    timings: dict[str, float] | None = None,
) -> pa.Table:
    """The output rows of `brands`, best first within each brand, in `SCHEMA`."""
    catalog = pipeline.catalog
    everyone = len(catalog)
    results = pipeline.run_many(
        brands,
        everyone if spec.all_pairs else spec.k,
        spec.filters,
        depth=everyone if spec.all_pairs else None,
        timings=timings,
        rank_by=spec.rank_by,
    )
    sizes = np.array([len(result.rows) for result in results], dtype=np.int64)
    n = int(sizes.sum())

    def joined(values: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(values) if values else np.zeros(0)

    rows = joined([result.rows for result in results]).astype(np.int64)
    # rank restarts at 1 for each brand: position in the flat array minus the brand's start
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    columns = {
        "brand_id": np.repeat(np.array([r.brand_id for r in results], dtype=object), sizes),
        "rank": (np.arange(n) - starts + 1).astype(np.int32),
        "creator_id": catalog.creators.creator_id[rows],
        "score": joined([r.ranked.score for r in results]).astype(np.float64),
        "advocacy_fit": joined([r.ranked.advocacy_fit for r in results]).astype(np.float64),
        "expected_engagement_rate": joined(
            [r.ranked.expected_engagement_rate for r in results]
        ).astype(np.float64),
        "similarity": joined([r.similarity for r in results]).astype(np.float64),
        "flags": _flag_lists([r.judgement for r in results if r.judgement is not None], n),
        "model_version": np.full(n, pipeline.bundle.version, dtype=object),
        "catalog_version": np.full(n, catalog.version, dtype=object),
        "scored_at": pa.array(np.full(n, int(time.time() * 1000), dtype=np.int64)).cast(
            SCHEMA.field("scored_at").type
        ),
    }
    return pa.table(columns, schema=SCHEMA)


def _flag_lists(judgements: Sequence[Judgement], n: int) -> pa.Array:
    """The names of the flags each output row raised, as one Arrow list column."""
    up = (
        np.vstack([j.raised for j in judgements])
        if judgements
        else np.zeros((n, len(FLAG_NAMES)), bool)
    )
    row, flag = np.nonzero(up)  # row-major: grouped by row, in FLAG_NAMES order
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(row, minlength=n), out=offsets[1:])
    names = pa.array(np.asarray(FLAG_NAMES, dtype=object)[flag].tolist(), pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), names)


def write_part(out: Path, chunk: int, table: pa.Table) -> Path:
    """Write a part atomically; a retried or speculative task rewrites the same name."""
    final = part_path(out, chunk)
    tmp = out / f".{final.name}.{uuid.uuid4().hex}.tmp"  # unique per attempt
    pq.write_table(table, tmp)
    os.replace(tmp, final)
    return final


def check_versions(pipeline: MatchPipeline, model_version: str, catalog_version: str) -> None:
    """Refuse to mix outputs: the champion or catalog moved after the job was pinned."""
    if (pipeline.bundle.version, pipeline.catalog.version) != (model_version, catalog_version):
        raise ValueError(
            f"the job was started with model {model_version} and catalog {catalog_version}, "
            f"but model {pipeline.bundle.version} and catalog {pipeline.catalog.version} are "
            "current now; score into a new --out"
        )
