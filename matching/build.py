"""`microtribe build`: the store's creators → features, embeddings, FAISS index, new version.

The build streams. Creators are read from the store, featured and embedded a chunk at a time
(`chunk_size`, default 2,000), each chunk written as a part (matching/build_parts.py) to a
scratch directory beside the catalog; the finishing step (matching/build_finish.py) lays the
parts and the reused rows out in creator_id order straight into the new version's mapped
files, trains the index on a sample and fills it chunk by chunk. Peak memory is bounded by a
chunk plus the index, not by the catalog. `--engine spark` makes the same parts on Spark
(matching/spark_build.py); the finishing step is the same.

Builds are incremental. A creator whose stored document has the content hash it had in the
previous version keeps that version's features, content vector and mentions; only new and
changed creators are read from the store, re-featured and embedded (and the embedding cache
skips any text embedded before). The one feature that depends on the whole catalog,
`days_since_last_post`, is measured from the catalog's newest post, so every row gets it
recomputed from its stored `last_post_at`. Everything is redone from scratch when the
previous version cannot be trusted to match: another embedding model, another feature list,
another catalog format, or a changed set of known brand names (plain-text brand mentions
depend on it). Either way the result equals a full build, row for row, whatever the chunk
size.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from tqdm import tqdm

import features as features_package
import matching.creator_snapshot as creator_snapshot_module
from matching.build_finish import Reused, finish_version
from matching.build_parts import featurize_chunk
from matching.catalog import (
    FORMAT_VERSION,
    CatalogCorrupt,
    CatalogNotFound,
    VersionWriter,
    current_version,
    load_catalog,
)
from matching.creator_snapshot import known_brand_keys
from matching.index import IndexConfig
from matching.store import Store
from models.embedding_cache import CachedEmbedder

CHUNK_SIZE = 2_000  # creators featured and embedded at a time


@dataclass(frozen=True, slots=True)
class BuildReport:
    version: str
    creators: int
    creators_reused: int  # taken unchanged from the previous version
    creators_featured: int  # new or changed: re-featured and (cache permitting) re-embedded
    texts_embedded: int
    texts_cached: int
    seconds: float
    engine: str = "local"


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """What a build will do: the rows it keeps and the creators it features."""

    brand_keys: frozenset[str]
    brand_keys_digest: str
    reused: Reused | None
    changed: list[str]  # creator ids to feature, sorted
    store_seq: int  # the store's last creator change the plan saw (server catch-up)


def features_fingerprint() -> str:
    """A digest of the code that computes stored creator features and vectors.

    Reusing rows of a version built by other feature code would mix two definitions of a
    feature in one catalog; a changed fingerprint makes the next build a full one.
    """
    digest = hashlib.blake2b(digest_size=12)
    sources = sorted(Path(features_package.__file__ or "").parent.glob("*.py"))
    for path in [*sources, Path(creator_snapshot_module.__file__ or "")]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def brand_keys_digest(keys: frozenset[str]) -> str:
    return hashlib.blake2b(json.dumps(sorted(keys)).encode(), digest_size=12).hexdigest()


def plan_build(
    store: Store, catalog_dir: Path, embedder: CachedEmbedder, full: bool
) -> BuildPlan:
    """What to keep from the previous version and which creators to feature."""
    stored, seq = store.creator_hashes_and_seq()
    if not stored:
        raise ValueError("the store holds no creators; run `microtribe ingest --creators F` first")
    brand_keys = known_brand_keys(store.brands())
    digest = brand_keys_digest(brand_keys)
    reused = None if full else _reusable_rows(catalog_dir, embedder, digest, stored)
    kept = set() if reused is None else set(reused.catalog.creators.creator_id[reused.rows])
    return BuildPlan(brand_keys, digest, reused, sorted(set(stored) - kept), seq)


def build_catalog(
    store: Store,
    embedder: CachedEmbedder,
    catalog_dir: Path,
    keep_versions: int = 3,
    progress: bool = True,
    index_config: IndexConfig | None = None,
    full: bool = False,
    chunk_size: int = CHUNK_SIZE,
    on_chunk: Callable[[int], None] | None = None,
) -> BuildReport:
    """Build a new catalog version; unchanged creators are reused unless `full`.

    `on_chunk(creators_done)` is called after each chunk is written (memory curves).
    """
    started = time.perf_counter()
    plan = plan_build(store, catalog_dir, embedder, full)
    hits, misses = embedder.hits, embedder.misses
    with staged_version(catalog_dir) as (writer, scratch):
        parts = list(_local_parts(store, embedder, plan, scratch, chunk_size, progress, on_chunk))
        return finish_build(
            writer, plan, parts, embedder, index_config, keep_versions, progress, started,
            texts=(embedder.misses - misses, embedder.hits - hits),
        )  # fmt: skip


@contextmanager
def staged_version(catalog_dir: Path) -> Iterator[tuple[VersionWriter, Path]]:
    """A version being written and the scratch directory its parts go to (removed at the
    end); the staged version is abandoned if the build fails (both engines)."""
    writer = VersionWriter(catalog_dir)
    scratch = catalog_dir / f".parts-{writer.version}"
    try:
        scratch.mkdir()
        yield writer, scratch
    except BaseException:
        writer.abandon()
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _chunks(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), max(size, 1)):
        yield ids[start : start + size]


def _local_parts(
    store: Store,
    embedder: CachedEmbedder,
    plan: BuildPlan,
    scratch: Path,
    chunk_size: int,
    progress: bool,
    on_chunk: Callable[[int], None] | None,
) -> Iterator[Path]:
    """Feature and embed the changed creators a chunk at a time, one part file per chunk."""
    # disable=None: a bar on a terminal, silence in logs and CI
    with tqdm(
        total=len(plan.changed), desc="embed", unit="creator", disable=None if progress else True
    ) as bar:
        done = 0
        for number, ids in enumerate(_chunks(plan.changed, chunk_size)):
            docs, hashes = store.creators_by_id(ids)
            table = featurize_chunk(docs, hashes, plan.brand_keys, embedder)
            path = scratch / f"part-{number:06d}.parquet"
            pq.write_table(table, path)
            done += len(ids)
            bar.update(len(ids))
            if on_chunk is not None:
                on_chunk(done)
            yield path


def finish_build(
    writer: VersionWriter,
    plan: BuildPlan,
    parts: Sequence[Path],
    embedder: CachedEmbedder,
    index_config: IndexConfig | None,
    keep_versions: int,
    progress: bool,
    started: float,
    texts: tuple[int, int],
    engine: str = "local",
) -> BuildReport:
    """Parts + reused rows → the new version, published (shared by both engines)."""
    finished = finish_version(
        writer, plan.reused, parts, embedder.dimension, index_config or IndexConfig(), progress
    )
    reused = 0 if plan.reused is None else len(plan.reused.rows)
    seconds = time.perf_counter() - started
    manifest = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "creators": finished.creators,
        "embedder": embedder.model_id,
        "dimension": embedder.dimension,
        "index_factory": finished.index_factory,
        "feature_names": finished.feature_names,
        "reference_time": finished.reference_time,
        "brand_keys_digest": plan.brand_keys_digest,
        "features_fingerprint": features_fingerprint(),
        "creators_reused": reused,
        "creators_featured": len(plan.changed),
        "store_seq": plan.store_seq,
        "engine": engine,
        "build_seconds": round(seconds, 3),
    }
    version = writer.publish(manifest, keep=keep_versions)
    return BuildReport(
        version=version,
        creators=finished.creators,
        creators_reused=reused,
        creators_featured=len(plan.changed),
        texts_embedded=texts[0],
        texts_cached=texts[1],
        seconds=round(time.perf_counter() - started, 3),
        engine=engine,
    )


def _reusable_rows(
    catalog_dir: Path, embedder: CachedEmbedder, digest: str, stored: dict[str, str]
) -> Reused | None:
    """The previous version's rows whose stored document is unchanged, or None to rebuild all."""
    version = current_version(catalog_dir)
    if version is None:
        return None
    try:
        catalog = load_catalog(catalog_dir, version)
    except (CatalogNotFound, CatalogCorrupt, OSError, ValueError, KeyError):
        return None  # unreadable or of an older format: a full build replaces it
    manifest = catalog.manifest
    if (
        manifest.get("format_version") != FORMAT_VERSION
        or manifest.get("embedder") != embedder.model_id
        or manifest.get("dimension") != embedder.dimension
        or manifest.get("brand_keys_digest") != digest
        or manifest.get("features_fingerprint") != features_fingerprint()
    ):
        return None
    ids = catalog.creators.creator_id.tolist()
    now = np.array([stored.get(cid, "") for cid in ids], dtype=str)
    unchanged = np.flatnonzero(now == np.asarray(catalog.content_hash, dtype=str))
    return Reused(catalog, unchanged.astype(np.int64))
