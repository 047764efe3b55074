"""Batch scoring: many brands against the whole roster, with the very pipeline `/v1/match` uses.

Output is a Parquet dataset (a directory of part files). Brands are processed in fixed
chunks in input order; each chunk is written to a temporary file and renamed into place, so
a re-run after a kill skips the finished chunks and redoes only the one in flight: no
duplicates, no gaps. A `_job.json` file pins the inputs: re-running into the same directory
with other brands, `k`, filters, model or catalog is refused rather than mixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from matching.filters import MatchFilters
from matching.pipeline import MatchPipeline

SCHEMA = pa.schema(
    [
        ("brand_id", pa.string()),
        ("rank", pa.int32()),
        ("creator_id", pa.string()),
        ("score", pa.float64()),
        ("advocacy_fit", pa.float64()),
        ("expected_engagement_rate", pa.float64()),
        ("similarity", pa.float64()),
        ("model_version", pa.string()),
        ("catalog_version", pa.string()),
        ("scored_at", pa.timestamp("ms", tz="UTC")),  # Parquet has no seconds unit
    ]
)


@dataclass(frozen=True, slots=True)
class ScoreReport:
    brands: int
    chunks_written: int
    chunks_skipped: int
    rows: int
    seconds: float


def _job_id(
    brands: Sequence[Mapping[str, Any]], pipeline: MatchPipeline, spec: dict[str, Any]
) -> str:
    payload = json.dumps(
        {
            "brands": [b.get("brand_id") for b in brands],
            "briefs": hashlib.blake2b(
                json.dumps(list(brands), sort_keys=True).encode(), digest_size=16
            ).hexdigest(),
            "model": pipeline.bundle.version,
            "catalog": pipeline.catalog.version,
            **spec,
        },
        sort_keys=True,
    )
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def _claim(out: Path, job: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    marker = out / "_job.json"
    if marker.exists():
        previous = json.loads(marker.read_text())
        if previous.get("job_id") != job["job_id"]:
            raise ValueError(
                f"{out} holds the output of another job (other brands, k, filters, model or "
                "catalog); choose a new --out or delete it"
            )
        return
    tmp = out / "._job.json.tmp"
    tmp.write_text(json.dumps(job, indent=2))
    os.replace(tmp, marker)


def score_brands(
    pipeline: MatchPipeline,
    brands: Sequence[Mapping[str, Any]],
    out: Path,
    k: int,
    filters: MatchFilters | None = None,
    all_pairs: bool = False,
    chunk_size: int = 32,
    progress: bool = True,
) -> ScoreReport:
    """Score every brand; `all_pairs` ranks every eligible creator (audits), not just top-k."""
    started = time.perf_counter()
    spec = {"k": k, "all_pairs": all_pairs, "filters": repr(filters)}
    job = {
        "job_id": _job_id(brands, pipeline, spec),
        **spec,
        "model_version": pipeline.bundle.version,
        "catalog_version": pipeline.catalog.version,
    }
    _claim(out, job)
    depth = len(pipeline.catalog) if all_pairs else None
    chunks = [brands[i : i + chunk_size] for i in range(0, len(brands), chunk_size)]
    written = skipped = rows = 0
    with tqdm(
        total=len(brands), unit="brand", desc="score", disable=None if progress else True
    ) as bar:
        for number, chunk in enumerate(chunks):
            part = out / f"part-{number:05d}.parquet"
            if part.exists():
                skipped += 1
                bar.update(len(chunk))
                continue
            table = _score_chunk(
                pipeline, chunk, len(pipeline.catalog) if all_pairs else k, filters, depth
            )
            tmp = out / f".{part.name}.tmp"
            pq.write_table(table, tmp)
            os.replace(tmp, part)
            written += 1
            rows += table.num_rows
            bar.update(len(chunk))
    return ScoreReport(len(brands), written, skipped, rows, round(time.perf_counter() - started, 3))


def _score_chunk(
    pipeline: MatchPipeline,
    brands: Sequence[Mapping[str, Any]],
    k: int,
    filters: MatchFilters | None,
    depth: int | None,
) -> pa.Table:
    columns: dict[str, list[Any]] = {field.name: [] for field in SCHEMA}
    scored_at = int(time.time()) * 1000
    catalog = pipeline.catalog
    for brand in brands:
        result = pipeline.run(brand, k, filters, with_reasons=False, depth=depth)
        n = len(result.rows)
        columns["brand_id"] += [result.brand_id] * n
        columns["rank"] += list(range(1, n + 1))
        columns["creator_id"] += catalog.creators.creator_id[result.rows].tolist()
        columns["score"] += result.ranked.score.tolist()
        columns["advocacy_fit"] += result.ranked.advocacy_fit.tolist()
        columns["expected_engagement_rate"] += result.ranked.expected_engagement_rate.tolist()
        columns["similarity"] += np.asarray(result.similarity, dtype=np.float64).tolist()
        columns["model_version"] += [pipeline.bundle.version] * n
        columns["catalog_version"] += [catalog.version] * n
        columns["scored_at"] += [scored_at] * n
    return pa.table(columns, schema=SCHEMA)
