"""Immutable catalog versions: features, vectors, FAISS index and manifest, switched atomically.

Layout under `MICROTRIBE_HOME/catalog/`: one directory per version and a `CURRENT` file naming
the one in service. A build writes into a hidden temporary directory, renames it into place,
then replaces `CURRENT` (os.replace is atomic): a crash at any point leaves the previous
version serving. The manifest records each file's size and BLAKE2b digest; loading a version
checks them, so a truncated or altered file is refused (`CatalogCorrupt`) instead of served.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from features.creator_table import AGE_BRACKETS, CreatorColumns
from features.mentions import MentionIndex
from features.tiers import PLATFORMS, estimated_post_cost, tier_names
from matching.index import load_index, save_index, stored_vectors

FORMAT_VERSION = 2  # 2: creators.parquet holds last_post_at (incremental builds)


class CatalogNotFound(RuntimeError):
    """No catalog version has been built yet."""


class CatalogCorrupt(ValueError):
    """A file of a catalog version is missing, truncated or not what the build wrote."""


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()


def _seal(staging: Path) -> dict[str, dict[str, Any]]:
    """Size and digest of every data file, each flushed to disk before the version is named."""
    files = {}
    for path in sorted(staging.iterdir()):
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
        files[path.name] = {"bytes": path.stat().st_size, "blake2b": _digest(path)}
    return files


def verify_version(path: Path, manifest: dict[str, Any]) -> None:
    """Raise `CatalogCorrupt` naming the file when one differs from what its build wrote.

    Versions written before the manifest recorded files are not checked.
    """
    for name, expected in manifest.get("files", {}).items():
        file = path / name
        advice = f"catalog version {path.name}: {name} {{}}; run `microtribe build` to rebuild"
        if not file.is_file():
            raise CatalogCorrupt(advice.format("is missing"))
        size = file.stat().st_size
        if size != expected["bytes"]:
            raise CatalogCorrupt(
                advice.format(f"has {size} bytes, the build wrote {expected['bytes']}")
            )
        if _digest(file) != expected["blake2b"]:
            raise CatalogCorrupt(advice.format("is corrupt (its digest differs from the build's)"))


@dataclass(frozen=True, slots=True)
class Catalog:
    version: str
    manifest: dict[str, Any]
    creators: CreatorColumns
    features: dict[str, np.ndarray]
    vectors: np.ndarray
    index: Any
    mentions: MentionIndex
    tier: np.ndarray  # object, tier name per creator
    estimated_cost: np.ndarray
    content_hash: np.ndarray  # object: the store's hash of each row's document
    # Rows [0, n_base) are in `index`; rows after are upserts since the build (see delta.py),
    # searched exactly in `delta_vectors`. `live` is False for replaced or deleted rows.
    live: np.ndarray
    n_base: int
    delta_vectors: np.ndarray

    def __len__(self) -> int:
        return len(self.creators)

    @property
    def dimension(self) -> int:
        return int(self.vectors.shape[1])


def current_version(catalog_dir: Path) -> str | None:
    pointer = catalog_dir / "CURRENT"
    return pointer.read_text().strip() if pointer.exists() else None


def _creator_table(
    creators: CreatorColumns,
    features: dict[str, np.ndarray],
    hashes: list[str],
    last_post_at: np.ndarray,
) -> pa.Table:
    columns: dict[str, Any] = {
        "creator_id": creators.creator_id.tolist(),
        "content_hash": hashes,
        # lets the next incremental build move `days_since_last_post` to a new reference time
        "last_post_at": last_post_at,
        "handle": creators.handle.tolist(),
        "platform": np.asarray(PLATFORMS, dtype=object)[creators.platform].tolist(),
        "followers": creators.followers,
        "following": creators.following,
        "country": creators.country.tolist(),
        "language": creators.language.tolist(),
        "categories": [sorted(c) for c in creators.categories],
        "audience_countries": [json.dumps(dict(c)) for c in creators.audience_countries],
        "female_share": creators.female_share,
        "authentic_share": creators.authentic_share,
        "rate_post": creators.rate_post,
    }
    for i, bracket in enumerate(AGE_BRACKETS):
        columns[f"age_{bracket}"] = creators.audience_ages[:, i]
    columns.update({f"f_{name}": values for name, values in features.items()})
    return pa.table(columns)


def write_version(
    catalog_dir: Path,
    creators: CreatorColumns,
    hashes: list[str],
    features: dict[str, np.ndarray],
    vectors: np.ndarray,
    index: Any,
    mentions: MentionIndex,
    last_post_at: np.ndarray,
    manifest: dict[str, Any],
    keep: int = 3,
) -> str:
    """Write a new version beside the old ones, then point `CURRENT` at it."""
    catalog_dir.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()  # names sort in build order, to the nanosecond
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f".{now % 10**9:09d}"
    staging = catalog_dir / f".building-{version}"
    staging.mkdir()
    pq.write_table(
        _creator_table(creators, features, hashes, last_post_at), staging / "creators.parquet"
    )
    np.save(staging / "vectors.npy", vectors.astype(np.float32))
    save_index(index, staging / "index.faiss")
    pq.write_table(pa.table(mentions.to_table()), staging / "mentions.parquet")
    manifest = {
        **manifest, "version": version, "format_version": FORMAT_VERSION, "files": _seal(staging)
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    with (staging / "manifest.json").open("rb") as handle:
        os.fsync(handle.fileno())
    staging.rename(catalog_dir / version)
    pointer = catalog_dir / ".CURRENT.tmp"
    with pointer.open("w") as handle:
        handle.write(version)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer, catalog_dir / "CURRENT")
    _prune(catalog_dir, keep, version)
    return version


def _prune(catalog_dir: Path, keep: int, current: str) -> None:
    versions = sorted(p for p in catalog_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[: max(len(versions) - keep, 0)]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in catalog_dir.glob(".building-*"):  # left by a crashed build
        if stale.name != f".building-{current}":
            shutil.rmtree(stale, ignore_errors=True)


def load_catalog(catalog_dir: Path, version: str | None = None) -> Catalog:
    """Load a catalog version (default: the one `CURRENT` names)."""
    version = version or current_version(catalog_dir)
    if version is None:
        raise CatalogNotFound(f"no catalog in {catalog_dir}; run `microtribe build` first")
    path = catalog_dir / version
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise CatalogCorrupt(
            f"catalog version {version}: manifest.json is unreadable ({exc}); "
            "run `microtribe build` to rebuild"
        ) from exc
    verify_version(path, manifest)
    table = pq.read_table(path / "creators.parquet")
    col = table.column

    def array(name: str) -> np.ndarray:
        return col(name).to_numpy(zero_copy_only=False)

    def objects(name: str) -> np.ndarray:
        return np.asarray(_pylist(col(name)), dtype=object)

    creators = CreatorColumns(
        creator_id=objects("creator_id"),
        handle=objects("handle"),
        platform=pc.index_in(col("platform"), value_set=pa.array(PLATFORMS))
        .to_numpy()
        .astype(np.int64),
        followers=array("followers").astype(np.float64),
        following=array("following").astype(np.float64),
        country=objects("country"),
        language=objects("language"),
        categories=_category_sets(_pylist(col("categories"))),
        bio=[""] * table.num_rows,  # not needed once the vectors exist
        audience_countries=_json_rows(col("audience_countries")),
        audience_ages=np.column_stack([array(f"age_{b}") for b in AGE_BRACKETS]).astype(float),
        female_share=array("female_share").astype(np.float64),
        authentic_share=array("authentic_share").astype(np.float64),
        rate_post=array("rate_post").astype(np.float64),
    )
    features = {
        name[2:]: array(name).astype(np.float64) for name in table.column_names if name[:2] == "f_"
    }
    mention_table = pq.read_table(path / "mentions.parquet")
    tokens = mention_table.column("token").combine_chunks().dictionary_encode()
    mentions = MentionIndex.from_codes(
        tokens.indices.to_numpy(zero_copy_only=False),
        tokens.dictionary.to_pylist(),
        mention_table.column("row").to_numpy(),
        mention_table.column("count").to_numpy(),
        len(creators),
    )
    index = load_index(path / "index.faiss")
    # A Flat or HNSW-Flat index already holds every vector: serve exact re-ranking and narrow
    # filters from that copy. Compressed indexes keep vectors.npy memory-mapped instead, so
    # only the rows a query touches are read.
    vectors = stored_vectors(index)
    if vectors is None:
        vectors = np.load(path / "vectors.npy", mmap_mode="r")
    return Catalog(
        version=version,
        manifest=manifest,
        creators=creators,
        features=features,
        vectors=vectors,
        index=index,
        mentions=mentions,
        tier=tier_names(creators.followers),
        estimated_cost=post_cost(creators),
        content_hash=objects("content_hash"),
        live=np.ones(len(creators), dtype=bool),
        n_base=len(creators),
        delta_vectors=np.zeros((0, vectors.shape[1]), dtype=np.float32),
    )


# A reload loads the next catalog while requests are served from the current one. Python
# objects are made a slice at a time, the GIL offered to request threads between slices: one
# conversion of a whole 1M-row column held it for a second or more and stalled every answer.
SLICE_ROWS = 32_768


def _slices(column: pa.ChunkedArray) -> Iterator[pa.ChunkedArray]:
    for start in range(0, len(column), SLICE_ROWS):
        yield column.slice(start, SLICE_ROWS)
        time.sleep(0)  # let waiting request threads take the GIL


def _pylist(column: pa.ChunkedArray) -> list[Any]:
    return [value for part in _slices(column) for value in part.to_pylist()]


def _json_rows(column: pa.ChunkedArray) -> list[Any]:
    """One parse per slice of JSON texts: a json.loads call per row took 2.5x as long at 100k."""
    rows: list[Any] = []
    for part in _slices(column):
        rows.extend(json.loads("[" + ",".join(part.to_pylist()) + "]"))
    return rows


def _category_sets(rows: list[list[str]]) -> list[frozenset[str]]:
    """One frozenset per distinct category list (creators share a few hundred), not per row."""
    made: dict[tuple[str, ...], frozenset[str]] = {}
    return [made.get(key) or made.setdefault(key, frozenset(key)) for key in map(tuple, rows)]


def post_cost(creators: CreatorColumns) -> np.ndarray:
    """The rate-card price of a post, or the documented estimate when there is no rate card."""
    rate = creators.rate_post
    return np.where(
        np.isnan(rate), estimated_post_cost(creators.followers, creators.platform), rate
    )
