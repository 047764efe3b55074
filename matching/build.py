"""`microtribe build`: the store's creators → features, embeddings, FAISS index, new version.

Builds are incremental. A creator whose stored document has the content hash it had in the
previous version keeps that version's features, content vector and mentions; only new and
changed creators are read from the store, re-featured and embedded (and the embedding cache
skips any text embedded before). The one feature that depends on the whole catalog,
`days_since_last_post`, is measured from the catalog's newest post, so reused rows get it
recomputed from their stored `last_post_at`. Everything is redone from scratch when the
previous version cannot be trusted to match: another embedding model, another feature list,
another catalog format, or a changed set of known brand names (plain-text brand mentions
depend on it). Either way the result equals a full build, row for row.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from tqdm import tqdm

import features as features_package
import matching.creator_snapshot as creator_snapshot_module
from features.creator_features import RECENT_POSTS
from features.creator_table import (
    CreatorColumns,
    concat_creator_columns,
    creator_columns,
    post_columns,
    take_creator_columns,
)
from features.mentions import MentionIndex
from matching.catalog import (
    FORMAT_VERSION,
    Catalog,
    CatalogNotFound,
    current_version,
    load_catalog,
    write_version,
)
from matching.creator_snapshot import CreatorSnapshot, known_brand_keys, snapshot
from matching.index import IndexConfig, build_index
from matching.store import CatalogStore
from models.embedding_cache import CachedEmbedder

DAY = 86400.0


@dataclass(frozen=True, slots=True)
class BuildReport:
    version: str
    creators: int
    creators_reused: int  # taken unchanged from the previous version
    creators_featured: int  # new or changed: re-featured and (cache permitting) re-embedded
    texts_embedded: int
    texts_cached: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Rows:
    """Creators with everything a catalog version stores about them."""

    creators: CreatorColumns
    hashes: list[str]
    features: dict[str, np.ndarray]
    vectors: np.ndarray
    mentions: MentionIndex
    last_post_at: np.ndarray

    def take(self, rows: np.ndarray) -> _Rows:
        return _Rows(
            creators=take_creator_columns(self.creators, rows),
            hashes=[self.hashes[r] for r in rows.tolist()],
            features={name: values[rows] for name, values in self.features.items()},
            vectors=self.vectors[rows],
            mentions=self.mentions.take(rows),
            last_post_at=self.last_post_at[rows],
        )


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


def build_catalog(
    store: CatalogStore,
    embedder: CachedEmbedder,
    catalog_dir: Path,
    keep_versions: int = 3,
    progress: bool = True,
    index_config: IndexConfig | None = None,
    full: bool = False,
) -> BuildReport:
    """Build a new catalog version; unchanged creators are reused unless `full`."""
    started = time.perf_counter()
    index_config = index_config or IndexConfig()
    stored = store.creator_hashes()
    if not stored:
        raise ValueError("the store holds no creators; run `microtribe ingest --creators F` first")
    brand_keys = known_brand_keys(store.brands())
    digest = brand_keys_digest(brand_keys)
    previous = None if full else _reusable_rows(catalog_dir, embedder, digest, stored)
    reused_ids = set() if previous is None else set(previous.creators.creator_id.tolist())
    changed = sorted(set(stored) - reused_ids)
    docs, hashes = store.creators_by_id(changed)
    creators = creator_columns(docs)
    posts = post_columns(docs, brand_keys)
    newest = [posts.posted_at.max(initial=-np.inf)]
    if previous is not None:
        newest.append(np.nanmax(previous.last_post_at, initial=-np.inf))
    reference_time = float(max(max(newest), 0.0))
    hits, misses = embedder.hits, embedder.misses
    per_creator = np.bincount(posts.creator_row, minlength=len(creators))
    total_texts = len(creators) + int(np.minimum(per_creator, RECENT_POSTS).sum())
    # disable=None: a bar on a terminal, silence in logs and CI
    with tqdm(
        total=total_texts, desc="embed", unit="text", disable=None if progress else True
    ) as bar:
        snap = snapshot(
            creators,
            posts,
            np.arange(len(creators)),
            np.full(len(creators), np.inf),
            embedder,
            on_embedded=bar.update,
            reference_time=reference_time,
        )
    rows = _rows_of(creators, hashes, snap)
    if previous is not None:
        rows = _merge(_refreshed(previous, reference_time), rows)
    factory = index_config.factory_for(len(rows.creators))
    index = build_index(rows.vectors, factory, index_config)
    seconds = time.perf_counter() - started
    manifest = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "creators": len(rows.creators),
        "posts_read": len(posts),  # posts of the creators featured by this build
        "embedder": embedder.model_id,
        "dimension": embedder.dimension,
        "index_factory": factory,
        "feature_names": sorted(rows.features),
        "reference_time": reference_time,
        "brand_keys_digest": digest,
        "features_fingerprint": features_fingerprint(),
        "creators_reused": len(reused_ids),
        "creators_featured": len(creators),
        "build_seconds": round(seconds, 3),
    }
    version = write_version(
        catalog_dir,
        rows.creators,
        rows.hashes,
        rows.features,
        rows.vectors,
        index,
        rows.mentions,
        rows.last_post_at,
        manifest,
        keep=keep_versions,
    )
    return BuildReport(
        version=version,
        creators=len(rows.creators),
        creators_reused=len(reused_ids),
        creators_featured=len(creators),
        texts_embedded=embedder.misses - misses,
        texts_cached=embedder.hits - hits,
        seconds=round(time.perf_counter() - started, 3),
    )


def _reusable_rows(
    catalog_dir: Path, embedder: CachedEmbedder, digest: str, stored: dict[str, str]
) -> _Rows | None:
    """The previous version's rows whose stored document is unchanged, or None to rebuild all."""
    version = current_version(catalog_dir)
    if version is None:
        return None
    try:
        catalog = load_catalog(catalog_dir, version)
    except (CatalogNotFound, OSError, ValueError, KeyError):
        return None  # unreadable: a full build replaces it
    manifest = catalog.manifest
    if (
        manifest.get("format_version") != FORMAT_VERSION
        or manifest.get("embedder") != embedder.model_id
        or manifest.get("dimension") != embedder.dimension
        or manifest.get("brand_keys_digest") != digest
        or manifest.get("features_fingerprint") != features_fingerprint()
    ):
        return None
    last_post_at = (
        pq.read_table(catalog_dir / version / "creators.parquet", columns=["last_post_at"])
        .column("last_post_at")
        .to_numpy(zero_copy_only=False)
        .astype(np.float64)
    )
    pairs = zip(catalog.creators.creator_id.tolist(), catalog.content_hash.tolist(), strict=True)
    unchanged = np.flatnonzero([stored.get(cid) == content for cid, content in pairs])
    return _rows_of_catalog(catalog, last_post_at).take(unchanged)


def _rows_of_catalog(catalog: Catalog, last_post_at: np.ndarray) -> _Rows:
    return _Rows(
        creators=catalog.creators,
        hashes=catalog.content_hash.tolist(),
        features=catalog.features,
        vectors=np.asarray(catalog.vectors),
        mentions=catalog.mentions,
        last_post_at=last_post_at,
    )


def _rows_of(creators: CreatorColumns, hashes: list[str], snap: CreatorSnapshot) -> _Rows:
    return _Rows(creators, hashes, snap.features, snap.vectors, snap.mentions, snap.last_post_at)


def _refreshed(previous: _Rows, reference_time: float) -> _Rows:
    """Reused rows with freshness measured from the new catalog's newest post."""
    features = dict(previous.features)
    features["days_since_last_post"] = np.maximum(reference_time - previous.last_post_at, 0.0) / DAY
    return _Rows(
        previous.creators,
        previous.hashes,
        features,
        previous.vectors,
        previous.mentions,
        previous.last_post_at,
    )


def _merge(first: _Rows, second: _Rows) -> _Rows:
    """Both sets of rows in creator_id order, as a full build lays them out."""
    if set(first.features) != set(second.features) and len(second.creators):
        raise ValueError("reused and new rows have different feature columns")
    features = {
        name: np.concatenate([values, second.features.get(name, values[:0])])
        for name, values in first.features.items()
    }
    joined = _Rows(
        concat_creator_columns(first.creators, second.creators),
        first.hashes + second.hashes,
        features,
        np.concatenate([first.vectors, second.vectors.astype(first.vectors.dtype)]),
        first.mentions.concat(second.mentions),
        np.concatenate([first.last_post_at, second.last_post_at]),
    )
    order = np.argsort(joined.creators.creator_id.astype(str), kind="stable")
    return joined.take(order)
