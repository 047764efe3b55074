"""The serving state behind the API: catalog + champion bundle + embedder, swapped atomically.

Requests read `self.pipeline` once and use that object throughout, so an upsert or a reload
that swaps in a new pipeline never changes a request half-way. Writers serialise on a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from features.schema import FEATURE_NAMES
from matching.catalog import Catalog, current_version, load_catalog
from matching.creator_snapshot import known_brand_keys
from matching.delta import apply_delta
from matching.pipeline import BriefCache, MatchPipeline
from matching.store import CatalogStore
from microtribe.settings import Settings
from models.bundle import Bundle, load_bundle
from models.embedder import load_embedder
from models.embedding_cache import CachedEmbedder

log = logging.getLogger("microtribe.service")


class NotReady(RuntimeError):
    """No catalog or no champion model yet."""


class MatchService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = CatalogStore(settings.store_path)
        self.pipeline: MatchPipeline | None = None
        self._embedder: CachedEmbedder | None = None
        self._lock = threading.Lock()

    # ---- loading -------------------------------------------------------------------------

    def _champion_path(self) -> Any:
        pointer = self.settings.models_dir / "CHAMPION"
        if not pointer.exists():
            raise NotReady("no champion model yet: run `microtribe train --register --promote`")
        return self.settings.models_dir / pointer.read_text().strip()

    def _load(self) -> MatchPipeline:
        if current_version(self.settings.catalog_dir) is None:
            raise NotReady("no catalog yet: run `microtribe build`")
        catalog = load_catalog(self.settings.catalog_dir)
        bundle = load_bundle(self._champion_path())
        bundle.check_compatible(
            catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES)
        )
        embedder = self._embedder
        if embedder is None or embedder.model_id != catalog.manifest["embedder"]:
            # one BLAS thread per server worker: two would fight over the 2 cores under load
            raw = load_embedder(catalog.manifest["embedder"], threads=1)
            embedder = CachedEmbedder(raw, self.settings.embedding_cache_path)
        self._embedder = embedder
        catalog = self._catch_up(catalog, embedder)
        return MatchPipeline(catalog=catalog, bundle=bundle, briefs=BriefCache(embedder.embedder))

    def _catch_up(self, catalog: Catalog, embedder: CachedEmbedder) -> Catalog:
        """Apply what the store acknowledged after the catalog was built (crash-safe upserts)."""
        stored = self.store.creator_hashes()
        built = dict(zip(catalog.creators.creator_id.tolist(), catalog.content_hash, strict=True))
        changed = sorted(cid for cid, digest in stored.items() if built.get(cid) != digest)
        deleted = sorted(cid for cid in built if cid not in stored)
        if not changed and not deleted:
            return catalog
        log.info(
            "catalog catch-up: %d upserted, %d deleted since build", len(changed), len(deleted)
        )
        docs, hashes = self.store.creators_by_id(changed)
        return apply_delta(
            catalog,
            docs,
            hashes,
            deleted,
            embedder,
            known_brand_keys(self.store.brands()),
        )

    def start(self) -> None:
        """Load at start-up; stay up but not ready when the catalog or model is missing."""
        # One BLAS thread per server worker: small exact scans ran ~30x slower with two
        # threads fighting over the cores under load (bench/retrieval.py notes).
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
        try:
            self.pipeline = self._load()
        except NotReady as exc:
            log.warning("not ready: %s", exc)
            return
        self.pipeline.briefs.vector("warm-up")  # the first real request should not pay for it

    def reload(self) -> MatchPipeline:
        """Load the current champion and catalog beside the old ones; swap only if they work."""
        with self._lock:
            fresh = self._load()  # raises, leaving the old pipeline serving, if anything is off
            self.pipeline = fresh
            return fresh

    def ready(self) -> MatchPipeline:
        if self.pipeline is None:
            raise NotReady("no catalog or model loaded yet")
        return self.pipeline

    @property
    def bundle(self) -> Bundle:
        return self.ready().bundle

    # ---- writes --------------------------------------------------------------------------

    def upsert_creators(self, docs: Sequence[Mapping[str, Any]]) -> str | None:
        """Store (one transaction, durable) then make searchable; returns the catalog version."""
        with self._lock:
            self.store.upsert_creators(docs)
            return self._refresh([doc["creator_id"] for doc in docs], [])

    def delete_creator(self, creator_id: str) -> bool:
        with self._lock:
            found = self.store.delete_creator(creator_id)
            if found:
                self._refresh([], [creator_id])
            return found

    def _refresh(self, changed: list[str], deleted: list[str]) -> str | None:
        pipeline = self.pipeline
        if pipeline is None or self._embedder is None:
            return None  # nothing served yet: the next build picks the store up
        # only the touched rows are read: an upsert must not scan the whole store
        docs, hashes = self.store.creators_by_id(changed)
        catalog = apply_delta(
            pipeline.catalog,
            docs,
            hashes,
            deleted,
            self._embedder,
            known_brand_keys(self.store.brands()),
        )
        self.pipeline = replace(pipeline, catalog=catalog)
        return catalog.version

    def live_row(self, creator_id: str) -> int | None:
        catalog = self.ready().catalog
        rows = np.flatnonzero((catalog.creators.creator_id == creator_id) & catalog.live)
        return int(rows[-1]) if len(rows) else None

    def close(self) -> None:
        self.store.close()
