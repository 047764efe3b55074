"""Immutable catalog versions, stored as memory-mapped columns and switched atomically.

Layout under `MICROTRIBE_HOME/catalog/`: one directory per version and a `CURRENT` file naming
the one in service. A build writes into a hidden temporary directory, renames it into place,
then replaces `CURRENT` (os.replace is atomic): a crash at any point leaves the previous
version serving.

Format 3 (docs/scale.md): every column is one `.npy` file that a load maps (`np.load(...,
mmap_mode="r")`) instead of reading: numbers as float64/int8, identifiers as fixed-width
unicode, country and language as integer codes into names kept in the manifest, categories
and audience countries as flat arrays (`features.row_sets`), brand-mention postings as flat
arrays grouped by token, vectors as float32 and the FAISS index read with `IO_FLAG_MMAP`
(IVF) or `IO_FLAG_MMAP_IFC` (Flat, HNSW). Loading a version makes no Python object per row,
so a million-creator version loads in well under a second and every server process on the
machine shares one page-cache copy of it. Versions of an older format are refused with a
message that says to rebuild.

The manifest records each file's size, BLAKE2b digest and modification time. A load checks
every size, and re-digests any file whose modification time differs from the build's (a file
rewritten since): a truncated or altered file is refused (`CatalogCorrupt`) instead of served,
without reading gigabytes on every reload of an untouched version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from features.creator_table import CreatorColumns
from features.mentions import MentionIndex
from features.row_sets import RowMaps, RowSets
from features.tiers import estimated_post_cost, tier_names
from matching.index import load_index, populate, save_index, stored_vectors, warm_index

# 3: memory-mapped columns (.npy per column); 2: creators.parquet + mentions.parquet
FORMAT_VERSION = 3
NUMBERS = ("followers", "following", "female_share", "authentic_share", "rate_post")
STRINGS = ("creator_id", "handle", "content_hash")
CODED = ("country", "language")  # few distinct values: int16 codes + names in the manifest


class CatalogNotFound(RuntimeError):
    """No catalog version has been built yet."""


class CatalogCorrupt(ValueError):
    """A file of a catalog version is missing, truncated or not what the build wrote."""


class CatalogFormatOld(ValueError):
    """A catalog version written in an older format, which this version cannot map."""


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()


def _seal(staging: Path) -> dict[str, dict[str, Any]]:
    """Size, digest and mtime of every data file, each flushed to disk before it is named."""
    files = {}
    for path in sorted(staging.iterdir()):
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
        stat = path.stat()
        files[path.name] = {
            "bytes": stat.st_size,
            "blake2b": _digest(path),
            "mtime_ns": stat.st_mtime_ns,
        }
    return files


def verify_version(path: Path, manifest: Mapping[str, Any], full: bool = False) -> None:
    """Raise `CatalogCorrupt` naming the file when one differs from what its build wrote.

    Sizes are always checked; digests when `full`, or for a file modified after the build.
    """
    for name, expected in manifest.get("files", {}).items():
        file = path / name
        advice = f"catalog version {path.name}: {name} {{}}; run `microtribe build` to rebuild"
        try:
            stat = file.stat()
        except FileNotFoundError:
            raise CatalogCorrupt(advice.format("is missing")) from None
        if stat.st_size != expected["bytes"]:
            raise CatalogCorrupt(
                advice.format(f"has {stat.st_size} bytes, the build wrote {expected['bytes']}")
            )
        touched = stat.st_mtime_ns != expected.get("mtime_ns")
        if (full or touched) and _digest(file) != expected["blake2b"]:
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
    content_hash: np.ndarray  # str: the store's hash of each row's document
    last_post_at: np.ndarray  # epoch seconds of each row's newest post, NaN if none
    # Rows [0, n_base) are in `index`; rows after are upserts since the build (see delta.py),
    # searched exactly in `delta_vectors`. `live` is False for replaced or deleted rows. After
    # an upsert the row columns above are `features.stacked` columns: the mapped base arrays,
    # never copied, with the upserted rows in a small tail (they read like arrays).
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


def _codes(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    names, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return codes.astype(np.int16), [str(n) for n in names]


class VersionWriter:
    """A catalog version being written: columns go to files in a hidden staging directory as
    they are made (`column` hands out a writable mapped file), `publish` seals the files,
    writes the manifest and makes the version current."""

    def __init__(self, catalog_dir: Path) -> None:
        catalog_dir.mkdir(parents=True, exist_ok=True)
        now = time.time_ns()  # names sort in build order, to the nanosecond
        self.catalog_dir = catalog_dir
        self.version = (
            time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f".{now % 10**9:09d}"
        )
        self.staging = catalog_dir / f".building-{self.version}"
        self.staging.mkdir()
        self.dictionaries: dict[str, list[str]] = {}

    def column(self, name: str, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
        """A new file `<name>.npy` of the given dtype and shape, mapped for writing."""
        return np.lib.format.open_memmap(self.staging / f"{name}.npy", "w+", dtype, shape)

    def save(self, name: str, values: np.ndarray) -> None:
        np.save(self.staging / f"{name}.npy", values)

    def save_coded(self, name: str, values: np.ndarray) -> None:
        codes, names = _codes(values)
        self.save(name, codes)
        self.dictionaries[name] = names

    def save_row_sets(self, name: str, sets: RowSets | RowMaps) -> None:
        self.save(f"{name}.offsets", np.asarray(sets.offsets, dtype=np.int64))
        self.save(f"{name}.codes", np.asarray(sets.codes, dtype=np.int32))
        if isinstance(sets, RowMaps):
            self.save(f"{name}.values", np.asarray(sets.values, dtype=np.float64))
        self.dictionaries[name] = list(sets.names)

    def save_mentions(self, mentions: MentionIndex) -> None:
        names, offsets, rows, counts = mentions.to_csr()
        self.save("mentions.offsets", offsets)
        self.save("mentions.rows", rows)
        self.save("mentions.counts", counts)
        self.dictionaries["mentions"] = names

    def save_creators(self, creators: CreatorColumns) -> None:
        for name in STRINGS[:2]:
            self.save(name, np.asarray(getattr(creators, name), dtype=str))
        self.save("platform", np.asarray(creators.platform, dtype=np.int8))
        for name in NUMBERS:
            self.save(name, np.asarray(getattr(creators, name), dtype=np.float64))
        self.save("audience_ages", np.asarray(creators.audience_ages, dtype=np.float64))
        for name in CODED:
            self.save_coded(name, getattr(creators, name))
        self.save_row_sets("categories", creators.categories)
        self.save_row_sets("audience_countries", creators.audience_countries)

    def save_index(self, index: Any) -> None:
        save_index(index, self.staging / "index.faiss")

    def publish(self, manifest: Mapping[str, Any], keep: int = 3) -> str:
        manifest = {
            **manifest,
            "version": self.version,
            "format_version": FORMAT_VERSION,
            "dictionaries": self.dictionaries,
            "files": _seal(self.staging),
        }
        (self.staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
        with (self.staging / "manifest.json").open("rb") as handle:
            os.fsync(handle.fileno())
        self.staging.rename(self.catalog_dir / self.version)
        pointer = self.catalog_dir / ".CURRENT.tmp"
        with pointer.open("w") as handle:
            handle.write(self.version)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.catalog_dir / "CURRENT")
        prune_versions(self.catalog_dir, keep, self.version)
        return self.version

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


def write_version(
    catalog_dir: Path,
    creators: CreatorColumns,
    hashes: list[str] | np.ndarray,
    features: dict[str, np.ndarray],
    vectors: np.ndarray,
    index: Any,
    mentions: MentionIndex,
    last_post_at: np.ndarray,
    manifest: dict[str, Any],
    keep: int = 3,
) -> str:
    """Write a new version, held in memory whole, beside the old ones; make it current."""
    writer = VersionWriter(catalog_dir)
    try:
        writer.save_creators(creators)
        writer.save("content_hash", np.asarray(hashes, dtype=str))
        writer.save("last_post_at", np.asarray(last_post_at, dtype=np.float64))
        for name, values in features.items():
            writer.save(f"f.{name}", np.asarray(values, dtype=np.float64))
        writer.save("vectors", np.asarray(vectors, dtype=np.float32))
        writer.save_index(index)
        writer.save_mentions(mentions)
        return writer.publish(manifest, keep)
    except BaseException:
        writer.abandon()
        raise


def prune_versions(catalog_dir: Path, keep: int, current: str) -> None:
    """Keep the newest `keep` versions and `current`; remove crashed builds' staging."""
    versions = sorted(p for p in catalog_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[: max(len(versions) - keep, 0)]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
    for stale in [*catalog_dir.glob(".building-*"), *catalog_dir.glob(".parts-*")]:
        if stale.name not in (f".building-{current}", f".parts-{current}"):  # crashed builds
            shutil.rmtree(stale, ignore_errors=True)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise CatalogCorrupt(
            f"catalog version {path.name}: manifest.json is unreadable ({exc}); "
            "run `microtribe build` to rebuild"
        ) from exc
    found = manifest.get("format_version")
    if found != FORMAT_VERSION:
        raise CatalogFormatOld(
            f"catalog version {path.name} is in format {found}, written by an older "
            f"microtribe; this one maps format {FORMAT_VERSION}: run `microtribe build --full` "
            "to rebuild it"
        )
    return manifest


def load_catalog(catalog_dir: Path, version: str | None = None, mapped: bool = True) -> Catalog:
    """Map a catalog version (default: the one `CURRENT` names).

    `mapped=False` reads every file into memory instead (the same values, for comparison).
    """
    version = version or current_version(catalog_dir)
    if version is None:
        raise CatalogNotFound(f"no catalog in {catalog_dir}; run `microtribe build` first")
    path = catalog_dir / version
    manifest = read_manifest(path)
    verify_version(path, manifest)
    names = manifest["dictionaries"]

    def array(name: str) -> np.ndarray:
        return np.asarray(np.load(path / f"{name}.npy", mmap_mode="r" if mapped else None))

    def decoded(name: str) -> np.ndarray:
        return np.asarray(names[name], dtype=str)[array(name)]

    creators = CreatorColumns(
        creator_id=array("creator_id"),
        handle=array("handle"),
        platform=array("platform"),
        followers=array("followers"),
        following=array("following"),
        country=decoded("country"),
        language=decoded("language"),
        categories=RowSets(
            array("categories.offsets"), array("categories.codes"), tuple(names["categories"])
        ),
        bio=_NoText(len(array("creator_id"))),  # not needed once the vectors exist
        audience_countries=RowMaps(
            array("audience_countries.offsets"),
            array("audience_countries.codes"),
            array("audience_countries.values"),
            tuple(names["audience_countries"]),
        ),
        audience_ages=array("audience_ages"),
        female_share=array("female_share"),
        authentic_share=array("authentic_share"),
        rate_post=array("rate_post"),
    )
    features = {name: array(f"f.{name}") for name in manifest["feature_names"]}
    mentions = MentionIndex.from_csr(
        names["mentions"],
        array("mentions.offsets"),
        array("mentions.rows"),
        array("mentions.counts"),
        len(creators),
    )
    index = load_index(path / "index.faiss", mapped=mapped)
    # A Flat or HNSW-Flat index already holds every vector: serve exact re-ranking and narrow
    # filters from that copy. Compressed and IVF indexes keep vectors.npy mapped instead, so
    # only the rows a query touches are read.
    vectors = stored_vectors(index)
    if vectors is None:
        vectors = array("vectors")
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
        content_hash=array("content_hash"),
        last_post_at=array("last_post_at"),
        live=np.ones(len(creators), dtype=bool),
        n_base=len(creators),
        delta_vectors=np.zeros((0, vectors.shape[1]), dtype=np.float32),
    )


def warm_catalog(catalog: Catalog, vectors: bool = False) -> int:
    """Fault in the pages a match touches, before the catalog serves: the index's, every
    column's and feature's, the mention postings (and the vectors when `vectors`: exact scans
    of narrow filters read them, rarely all). Returns the bytes covered. A catalog with upserts
    (`features.stacked` columns) warms its mapped base segments."""
    from features.stacked import Stacked, StackedRows

    def base(column: Any) -> Any:
        return column.base if isinstance(column, Stacked | StackedRows) else column

    creators = catalog.creators
    categories, countries = base(creators.categories), base(creators.audience_countries)
    arrays: list[Any] = [
        creators.creator_id, creators.handle, creators.platform, creators.followers,
        creators.following, creators.audience_ages, creators.female_share,
        creators.authentic_share, creators.rate_post, catalog.content_hash,
        categories.offsets, categories.codes,
        countries.offsets, countries.codes, countries.values, *catalog.features.values(),
    ]  # fmt: skip
    arrays = [base(array) for array in arrays]
    if vectors:
        arrays.append(catalog.vectors)
    covered = warm_index(catalog.index)
    for array in arrays:
        if isinstance(array, np.ndarray) and not array.flags.owndata and array.nbytes:
            populate(array.ctypes.data, array.nbytes)
            covered += array.nbytes
    return covered


class _NoText(Sequence[str]):
    """`n` empty strings without a list of n references (a loaded catalog has no texts)."""

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [""] * len(range(*row.indices(self._n)))
        if not -self._n <= row < self._n:
            raise IndexError(row)
        return ""


def post_cost(creators: CreatorColumns) -> np.ndarray:
    """The rate-card price of a post, or the documented estimate when there is no rate card."""
    rate = creators.rate_post
    return np.where(
        np.isnan(rate), estimated_post_cost(creators.followers, creators.platform), rate
    )
