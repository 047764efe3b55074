"""`microtribe build`: the store's creators → features, embeddings, FAISS index, new version."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from features.creator_features import RECENT_POSTS
from features.creator_table import creator_columns, post_columns
from matching.catalog import write_version
from matching.creator_snapshot import known_brand_keys, snapshot
from matching.index import IndexConfig, build_index
from matching.store import CatalogStore
from models.embedding_cache import CachedEmbedder


@dataclass(frozen=True, slots=True)
class BuildReport:
    version: str
    creators: int
    texts_embedded: int
    texts_cached: int
    seconds: float


def build_catalog(
    store: CatalogStore,
    embedder: CachedEmbedder,
    catalog_dir: Path,
    keep_versions: int = 3,
    progress: bool = True,
    index_config: IndexConfig | None = None,
) -> BuildReport:
    """Build a new catalog version from every stored creator; unchanged text is not re-embedded."""
    started = time.perf_counter()
    index_config = index_config or IndexConfig()
    docs, hashes = store.creators_with_hashes()
    if not docs:
        raise ValueError("the store holds no creators; run `microtribe ingest --creators F` first")
    creators = creator_columns(docs)
    posts = post_columns(docs, known_brand_keys(store.brands()))
    rows = np.arange(len(creators))
    as_of = np.full(len(creators), np.inf)
    hits, misses = embedder.hits, embedder.misses
    per_creator = np.bincount(posts.creator_row, minlength=len(creators))
    total_texts = len(creators) + int(np.minimum(per_creator, RECENT_POSTS).sum())
    # disable=None: a bar on a terminal, silence in logs and CI
    with tqdm(
        total=total_texts, desc="embed", unit="text", disable=None if progress else True
    ) as bar:
        snap = snapshot(creators, posts, rows, as_of, embedder, on_embedded=bar.update)
    factory = index_config.factory_for(len(creators))
    index = build_index(snap.vectors, factory, index_config)
    seconds = time.perf_counter() - started
    manifest = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "creators": len(creators),
        "posts": len(posts),
        "embedder": embedder.model_id,
        "dimension": embedder.dimension,
        "index_factory": factory,
        "feature_names": sorted(snap.features),
        "reference_time": float(posts.posted_at.max(initial=0.0)),
        "build_seconds": round(seconds, 3),
    }
    version = write_version(
        catalog_dir,
        creators,
        hashes,
        snap.features,
        snap.vectors,
        index,
        snap.mentions,
        manifest,
        keep=keep_versions,
    )
    return BuildReport(
        version=version,
        creators=len(creators),
        texts_embedded=embedder.misses - misses,
        texts_cached=embedder.hits - hits,
        seconds=round(time.perf_counter() - started, 3),
    )
