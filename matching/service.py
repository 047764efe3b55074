"""The serving state behind the API: catalog + champion bundle + embedder, swapped atomically.

Requests read `self.pipeline` once and use that object throughout, so an upsert or a reload
that swaps in a new pipeline never changes a request half-way. Catalog writers (upserts,
deletes, reloads) serialise on a lock; the store serialises its own transactions
(matching/store.py).

A reload is asked for by `/v1/admin/reload` or by the poller (`start_polling`), which every
`Settings.poll_seconds` compares `models/CHAMPION` (the server's mirror of the MLflow alias
`champion`) and `catalog/CURRENT` with what is loaded and reloads through the same safe path
when either moved. A pair that failed to load is not retried until one of them moves again.

With several server processes on one home (`microtribe serve --workers N`) the poller also
watches the serving generation (matching/generation.py): an admin reload, an upsert or a
delete done by one process bumps it, and the others reload (catching up from the store).

Replicas on other homes share the store (`MICROTRIBE_STORE_URL`) and see each other's writes
through its change log: every `Settings.store_poll_seconds` (`start_store_polling`) a server
compares the store's last change number with the one its pipeline includes (`applied_seq`)
and, when behind, applies exactly the creators changed since (`catch_up_store`). A replica
started with `--catalog-from DIR` also follows a published directory (matching/follow.py):
each poll brings a newly published version home before comparing the pointers.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from features.schema import FEATURE_NAMES
from features.vectors import l2_normalise
from matching.catalog import Catalog, current_version, load_catalog, read_manifest, warm_catalog
from matching.creator_snapshot import known_brand_keys
from matching.delta import apply_delta, base_rows, segments
from matching.follow import CatalogFollower
from matching.generation import bump_generation, read_generation
from matching.pipeline import BriefCache, MatchPipeline
from matching.store import PreparedCreators, open_store, prepare_creators
from microtribe.settings import Settings
from models.bundle import Bundle, BundleError, load_bundle
from models.embedder import load_embedder
from models.embedding_cache import CachedEmbedder
from models.guardrails import Guardrails, Judgement

log = logging.getLogger("microtribe.service")


_THREAD = threading.local()


# While a reload loads beside the catalog in service, a thread serving requests gives up the
# GIL at every numpy call and then waits for the loading thread to give it back, up to the
# switch interval (5 ms by default) each time: at 1M creators matches slowed to seconds.
RELOAD_SWITCH_INTERVAL = 0.0005
# A start or a reload serves a newly mapped catalog before faulting in its pages
# (`warm_catalog`, then in a thread, without the GIL): at 1M creators that is about 0.16 s
# less to ready and from request to swap, paid instead by the matches that touch a page first
# in the next fraction of a second (one unwarmed match measured +10 ms).
WARM_AFTER_SWAP = True


def _warm_in_background(catalog: Catalog) -> None:
    threading.Thread(
        target=warm_catalog, args=(catalog,), name="microtribe-warm", daemon=True
    ).start()


def built_hashes(catalog: Catalog, ids: np.ndarray) -> np.ndarray:
    """The catalog's content hash of each of `ids` ("" when it has no live row for one).

    Base rows are found by bisection (a build lays its rows out in creator_id order), rows
    added since the build (few) by a scan of those rows only; a later added row wins.
    """
    out = np.full(len(ids), "", dtype=object)
    base_hashes, added_hashes = segments(catalog.content_hash)
    at = base_rows(catalog, ids)
    found = at >= 0
    found[found] = catalog.live[at[found]]
    out[found] = base_hashes[at[found]]
    added = segments(catalog.creators.creator_id)[1]
    if len(added):
        added_live = catalog.live[catalog.n_base :]
        for i in np.flatnonzero(~found).tolist():
            rows = np.flatnonzero((added == ids[i]) & added_live)
            if len(rows):
                out[i] = added_hashes[rows[-1]]
    return np.asarray(out, dtype=str)


def one_thread() -> None:
    """Cap BLAS and OpenMP (FAISS, LightGBM) at one thread in the calling thread, once per thread.

    OpenMP's thread count is per thread: a limit set in the main thread at start-up does not
    reach the worker threads that run requests (they would use every core, and two requests
    would fight over the 2 cores). The server calls this in each request thread; it costs a
    few microseconds after the first call in a thread.
    """
    if getattr(_THREAD, "limited", False):
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    _THREAD.limited = True


def _pointer(path: Path) -> str | None:
    """The version a pointer file (`models/CHAMPION`, `models/CHALLENGER`) names, or None."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


class NotReady(RuntimeError):
    """No catalog or no champion model yet."""


@dataclass(frozen=True, slots=True)
class Sources:
    """What a pipeline is loaded from: the champion model version and the catalog version,
    and the serving generation it was loaded under (matching/generation.py)."""

    champion: str | None
    catalog: str | None
    generation: str | None = None
    challenger: str | None = None  # `models/CHALLENGER`: scored off the request path


# A store poll that finds more changes than this behind leaves them to the next catalog version
# (a build after a bulk `microtribe ingest`): embedding them would take the server's cores and
# its writers' lock for minutes. `/readyz` shows how far behind it is meanwhile.
STORE_CATCH_UP_LIMIT = 5_000

# What a failed reload may raise; the old pipeline keeps serving.
RELOAD_ERRORS = (NotReady, BundleError, OSError, ValueError, KeyError)


class MatchService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = open_store(settings)
        self.pipeline: MatchPipeline | None = None
        self.loaded: Sources | None = None  # what `pipeline` was loaded from
        self.reloads = 0  # successful swaps after the first load
        self._refused: Sources | None = None  # the last pair the poller failed to load
        self._embedder: CachedEmbedder | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        # At most this many match pipelines at once in request threads: past that, threads
        # fighting over the GIL slowed every request (100k creators, 64 in flight: 8 → 28 ms
        # each, and the queue never drained); the others wait here, off the GIL, in arrival
        # order. Two when the server runs matches on its event loop: it hands them to threads
        # only while a reload runs (api/routes/match.py).
        self.match_slots = threading.BoundedSemaphore(max(2, settings.match_concurrency))
        self.reloading = False  # a reload is loading beside the pipeline in service
        self.not_ready_reason: str | None = None  # why `pipeline` is None, when known
        self._brand_keys: tuple[tuple[int, float, float], frozenset[str]] | None = None
        # The store's change log as this server has seen and applied it (`catch_up_store`):
        # `applied_seq` is the last change the pipeline in service includes, `store_seq` the
        # store's last change at the latest look, `caught_up_at` (epoch seconds) when the
        # pipeline last included every change the store held.
        self.applied_seq: int | None = None
        self.store_seq: int | None = None
        self.caught_up_at: float | None = None
        self._store_stop = threading.Event()
        self._store_poller: threading.Thread | None = None
        self._store_error: str | None = None
        self.follower = (
            None
            if settings.catalog_from is None
            else CatalogFollower(
                settings.catalog_from, settings.catalog_dir, settings.keep_catalog_versions
            )
        )

    def flags(
        self,
        creator_ids: Sequence[str],
        judgement: Judgement | None,
        guardrails: Guardrails | None,
        topics: frozenset[str] = frozenset(),
    ) -> list[list[dict[str, Any]]]:
        """The returned creators' raised flags with the posts behind them (matching/evidence)."""
        from matching.evidence import flags_with_evidence

        if judgement is None:
            return [[] for _ in creator_ids]
        embedder = self._embedder

        def encode(texts: list[str]) -> np.ndarray:
            assert embedder is not None  # a pipeline in service has loaded it
            return l2_normalise(embedder.encode(texts))

        return flags_with_evidence(
            creator_ids,
            judgement,
            guardrails or Guardrails.default(),
            lambda ids: self.store.creators_by_id(ids)[0],
            topics,
            encode,
            embedder.model_id if embedder is not None else "",
        )

    # ---- loading -------------------------------------------------------------------------

    def sources(self) -> Sources:
        """The champion, challenger and catalog versions on disk now (small pointer files)."""
        home = self.settings.home
        return Sources(
            _pointer(self.settings.models_dir / "CHAMPION"),
            current_version(self.settings.catalog_dir),
            read_generation(home),
            _pointer(self.settings.models_dir / "CHALLENGER"),
        )

    def _load(self, sources: Sources) -> tuple[MatchPipeline, int | None]:
        """A pipeline for `sources`, reusing what the pipeline in service already holds of it,
        and the last store change it includes.

        The same catalog version is not mapped again: the served catalog (with the upserts
        applied since) is caught up from the store instead. The same champion's bundle is kept;
        the embedder and the brief cache (cached briefs, the topic vectors) too while the
        catalog's embedder is the same. A newly mapped catalog's pages are faulted in here
        unless `WARM_AFTER_SWAP`.
        """
        if sources.catalog is None:
            raise NotReady("no catalog yet: run `microtribe build`")
        if sources.champion is None:
            raise NotReady("no champion model yet: run `microtribe train --register --promote`")
        old, loaded = self.pipeline, self.loaded
        if old is not None and loaded is not None and loaded.catalog == sources.catalog:
            catalog = old.catalog
            briefs = self._briefs(catalog.manifest["embedder"])
        else:
            # one after the other: `np.load` parses each header with `ast`, and two threads
            # parsing at once fail on this Python (3.11.7: "AST constructor recursion depth
            # mismatch", seen loading a catalog beside the embedder's snapshot)
            manifest = read_manifest(self.settings.catalog_dir / sources.catalog)
            briefs = self._briefs(manifest["embedder"])
            catalog = load_catalog(self.settings.catalog_dir, sources.catalog)
            if not WARM_AFTER_SWAP:  # the pages a match touches faulted in now
                warm_catalog(catalog)
        if old is not None and loaded is not None and loaded.champion == sources.champion:
            bundle = old.bundle
        else:
            bundle = load_bundle(self.settings.models_dir / sources.champion, native=True)
        bundle.check_compatible(
            catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES)
        )
        embedder = self._embedder
        assert embedder is not None  # `_briefs` has set it
        since = catalog.manifest.get("store_seq")
        catalog, seq = self._catch_up(catalog, embedder, None if since is None else int(since))
        challenger = self._challenger(sources, catalog)
        pipeline = MatchPipeline(
            catalog=catalog, bundle=bundle, briefs=briefs, challenger=challenger
        )
        return pipeline, seq

    def _challenger(self, sources: Sources, catalog: Catalog) -> Bundle | None:
        """The challenger's bundle (the one in service when unchanged), or None. One that does
        not load or fit the catalog is logged and left out: it never stops the champion."""
        version = sources.challenger
        if version is None or version == sources.champion:
            return None
        old, loaded = self.pipeline, self.loaded
        if old is not None and loaded is not None and loaded.challenger == version:
            return old.challenger
        try:
            bundle = load_bundle(self.settings.models_dir / version, native=True)
            bundle.check_compatible(
                catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES)
            )
        except RELOAD_ERRORS as exc:
            log.warning("challenger %s not loaded (%s): no challenger scoring", version, exc)
            return None
        return bundle

    def _briefs(self, model_id: str) -> BriefCache:
        """The brief cache of embedder `model_id`, its topic vectors embedded: the one in
        service when its embedder is that one (cached briefs stay warm), else a new one over
        the same embedder or a newly loaded one (`self._embedder`)."""
        embedder = self._embedder
        if embedder is None or embedder.model_id != model_id:
            # one BLAS thread per server worker: two would fight over the 2 cores under load
            raw = load_embedder(model_id, threads=1)
            embedder = CachedEmbedder(raw, self.settings.embedding_cache_path)
        self._embedder = embedder
        old = self.pipeline
        # the same embedder gives the same brief vectors: a reload keeps cached briefs warm
        same = old is not None and old.briefs.embedder is embedder.embedder
        briefs = old.briefs if old is not None and same else BriefCache(embedder.embedder)
        briefs.topic_vectors()
        return briefs

    def _catch_up(
        self, catalog: Catalog, embedder: CachedEmbedder, since: int | None
    ) -> tuple[Catalog, int]:
        """Apply what the store acknowledged after change `since` (the catalog's build, for
        crash-safe upserts; the last change applied, for other replicas' writes), and return
        the number of the store's last change the result includes.

        Only the creators the store's change log names after `since` are compared (no pass
        over every row: at 1M that took seconds of every reload). The changes and their number
        are read in one snapshot: a write committed later has a higher number and is caught
        up next time. A creator the catalog already holds with the same content hash (this
        server's own upserts) is left as it is.
        """
        if since is None:  # a grown or hand-made version: compare every row
            stored, seq = self.store.creator_hashes_and_seq()
            touched: dict[str, str | None] = {
                **dict.fromkeys(catalog.creators.creator_id.tolist()),
                **stored,
            }
        else:
            touched, seq = self.store.creators_changed_since(since)
        if not touched:
            return catalog, seq
        ids = np.asarray(list(touched), dtype=str)
        built = built_hashes(catalog, ids)
        now = np.asarray([touched[cid] or "" for cid in ids.tolist()], dtype=str)
        changed = sorted(ids[(now != "") & (now != built)].tolist())
        deleted = sorted(ids[(now == "") & (built != "")].tolist())
        if not changed and not deleted:
            return catalog, seq
        log.info(
            "catalog catch-up: %d upserted, %d deleted since change %s",
            len(changed),
            len(deleted),
            since,
        )
        docs, hashes = self.store.creators_by_id(changed)
        caught_up = apply_delta(
            catalog,
            docs,
            hashes,
            deleted,
            embedder,
            self.known_brand_keys(),
        )
        return caught_up, seq

    def known_brand_keys(self) -> frozenset[str]:
        """The stored brands' mention keys, recomputed only when a brand was written since."""
        stamp = self.store.brands_stamp()
        held = self._brand_keys
        if held is None or held[0] != stamp:
            held = (stamp, known_brand_keys(self.store.brands()))
            self._brand_keys = held
        return held[1]

    @contextmanager
    def _reloading(self) -> Iterator[None]:
        """`reloading` is set, and the GIL switch interval short, while a reload loads."""
        before = sys.getswitchinterval()
        sys.setswitchinterval(min(before, RELOAD_SWITCH_INTERVAL))
        self.reloading = True
        try:
            yield
        finally:
            self.reloading = False
            sys.setswitchinterval(before)

    def start(self) -> None:
        """Load at start-up; stay up but not ready when the catalog or model is missing."""
        # One BLAS thread per server worker: small exact scans ran ~30x slower with two
        # threads fighting over the cores under load (bench/retrieval.py notes).
        one_thread()
        if self.follower is not None:
            self.follower.sync()
        sources = self.sources()
        try:
            self.pipeline, seq = self._load(sources)
        except RELOAD_ERRORS as exc:
            # up but not ready (`/readyz` says why); the poller tries again when a pointer moves
            self.not_ready_reason = self._follow_reason(str(exc))
            self._refused = sources
            log.warning("not ready: %s", self.not_ready_reason)
            return
        self.not_ready_reason = None
        self.loaded = sources
        self._applied(seq)
        self.pipeline.briefs.vector("warm-up")  # the first real request should not pay for it
        if WARM_AFTER_SWAP:
            _warm_in_background(self.pipeline.catalog)

    def reload(self, announce: bool = False) -> MatchPipeline:
        """Load the current champion and catalog beside the old ones; swap only if they work.

        `announce` (an admin's reload): bump the serving generation, so that the other server
        processes on this home reload too; a replica following a published directory brings
        its current version home first.
        """
        one_thread()
        if announce and self.follower is not None:
            self.follower.sync()
        with self._lock, self._reloading():
            sources = self.sources()
            mapped = self.loaded is None or self.loaded.catalog != sources.catalog
            # raises, leaving the old pipeline serving, if off
            fresh, seq = self._load(sources)
            fresh.briefs.vector("warm-up")  # a new embedder is warmed before it serves
            if self.pipeline is not None:
                self.reloads += 1
            self.pipeline, self.loaded = fresh, sources
            self._applied(seq)
            self.not_ready_reason = None
            if announce:
                self._announce()
        if mapped and WARM_AFTER_SWAP:
            _warm_in_background(fresh.catalog)
        return fresh

    def _announce(self) -> None:
        """Tell the other processes serving this home that what they serve is out of date."""
        if self.loaded is None:
            return
        token, up_to_date = bump_generation(self.settings.home, self.loaded.generation)
        if up_to_date:  # nothing else changed since this process loaded: no reload of its own
            self.loaded = replace(self.loaded, generation=token)

    # ---- polling -------------------------------------------------------------------------

    def poll_once(self) -> bool:
        """Reload when the champion or the catalog on disk moved; True when a swap happened.

        A failed load is logged and remembered: the old pipeline keeps serving and the same
        pair is not tried again (and the log not flooded) until a pointer moves again. A
        replica following a published directory first brings its current version home.
        """
        if self.follower is not None:
            self.follower.sync()
        sources = self.sources()
        if sources == self.loaded or sources == self._refused:
            return False
        try:
            pipe = self.reload()
        except RELOAD_ERRORS as exc:
            self._refused = sources
            if self.pipeline is None:
                self.not_ready_reason = self._follow_reason(str(exc))
            if isinstance(exc, NotReady):
                log.warning("poll: not ready: %s", exc)
                return False
            log.exception(
                "poll: champion %s / catalog %s failed to load (%s); the old ones keep serving",
                sources.champion,
                sources.catalog,
                exc,
            )
            return False
        self._refused = None
        log.info("poll: now serving model %s, catalog %s", pipe.bundle.version, sources.catalog)
        return True

    def start_polling(self, seconds: float) -> None:
        """Poll every `seconds` in a daemon thread (0 = never); `close` stops it."""
        if seconds <= 0 or self._poller is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    self.poll_once()
                except Exception:  # the poller must outlive any surprise; the server serves on
                    log.exception("poll failed")

        self._poller = threading.Thread(target=loop, name="microtribe-poll", daemon=True)
        self._poller.start()

    def stop_polling(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
            self._poller = None

    def _follow_reason(self, reason: str) -> str:
        """`reason`, and why the published version was not taken when that is known."""
        refused = None if self.follower is None else self.follower.refused
        if refused is None:
            return reason
        return f"{reason}; published catalog {refused.version} refused: {refused.reason}"

    # ---- the store's change log (other replicas' writes) -----------------------------------

    def _applied(self, seq: int | None) -> None:
        """The pipeline now includes every store change up to `seq` (caller holds the lock or
        is starting)."""
        self.applied_seq = seq
        if seq is not None and (self.store_seq is None or seq >= self.store_seq):
            self.store_seq = seq
            self.caught_up_at = time.time()

    def catch_up_store(self) -> bool:
        """Apply the creators the store changed after `applied_seq`; True when a swap happened.

        Cheap when nothing changed (one read of the store's last change number). The writes
        of this server itself are found already applied (same content hash) and only move
        `applied_seq`.
        """
        last = self.store.last_change_seq()
        self.store_seq = last
        applied = self.applied_seq
        if self.pipeline is None or applied is None:
            return False
        if last <= applied:
            self.caught_up_at = time.time()
            return False
        if last - applied > STORE_CATCH_UP_LIMIT:
            self._store_failed(
                f"{last - applied} store changes behind (over {STORE_CATCH_UP_LIMIT}): "
                "left to the next catalog version (`microtribe build`)"
            )
            return False
        one_thread()
        with self._lock:
            pipeline, embedder, since = self.pipeline, self._embedder, self.applied_seq
            if pipeline is None or embedder is None or since is None:
                return False
            catalog, seq = self._catch_up(pipeline.catalog, embedder, since)
            swapped = catalog is not pipeline.catalog
            if swapped:
                self.pipeline = replace(pipeline, catalog=catalog)
            self._applied(seq)
        self._store_error = None
        return swapped

    def _store_failed(self, reason: str) -> None:
        if reason != self._store_error:  # once per reason, not once a second
            log.warning("store catch-up: %s", reason)
        self._store_error = reason

    def start_store_polling(self, seconds: float) -> None:
        """`catch_up_store` every `seconds` in a daemon thread (0 = never); `close` stops it."""
        if seconds <= 0 or self._store_poller is not None:
            return
        self._store_stop.clear()

        def loop() -> None:
            while not self._store_stop.wait(seconds):
                if self.reloading:  # a reload catches up as it loads
                    continue
                try:
                    self.catch_up_store()
                except Exception as exc:  # a store that is down: the server serves on
                    self._store_failed(f"{type(exc).__name__}: {exc}")

        self._store_poller = threading.Thread(
            target=loop, name="microtribe-store-poll", daemon=True
        )
        self._store_poller.start()

    def stop_store_polling(self) -> None:
        self._store_stop.set()
        if self._store_poller is not None:
            self._store_poller.join()
            self._store_poller = None

    def replica_status(self) -> dict[str, Any]:
        """What this replica serves and how far behind the store and the published directory
        it is (`/readyz`, `/metrics`)."""
        pipeline, applied, last = self.pipeline, self.applied_seq, self.store_seq
        caught_up_at = self.caught_up_at
        status: dict[str, Any] = {
            "model_version": None if pipeline is None else pipeline.bundle.version,
            "catalog_version": None if pipeline is None else pipeline.catalog.version,
            "store": {
                "last_seq": last,
                "applied_seq": applied,
                "changes_behind": None
                if last is None or applied is None
                else max(last - applied, 0),
                "caught_up_at": caught_up_at,  # epoch seconds
                "seconds_since_caught_up": None
                if caught_up_at is None
                else round(max(time.time() - caught_up_at, 0.0), 3),
                "poll_seconds": self.settings.store_poll_seconds,
                "error": self._store_error,
            },
        }
        if self.follower is not None:
            status["catalog_from"] = self.follower.status()
        return status

    def ready(self) -> MatchPipeline:
        if self.pipeline is None:
            raise NotReady(self.not_ready_reason or "no catalog or model loaded yet")
        return self.pipeline

    @property
    def bundle(self) -> Bundle:
        return self.ready().bundle

    # ---- writes --------------------------------------------------------------------------

    def upsert_creators(self, docs: Sequence[Mapping[str, Any]]) -> str | None:
        """Store and make searchable, all or none; returns the catalog version that serves them.

        The new catalog is made first (features, embeddings), then the batch is committed,
        then the catalog swapped in: a failure before the commit stores nothing, and nothing
        after it can fail. A crash between commit and swap loses nothing: a restarted server
        catches up from the store (`_catch_up`).
        """
        one_thread()
        prepared = prepare_creators(docs)
        with self._lock:
            catalog = self._with_delta(docs, prepared, [])
            self.store.write_creators(prepared)
            version = self._swap(catalog)
            self._announce()
            return version

    def delete_creator(self, creator_id: str) -> bool:
        """Delete from the store and from search; False when the store does not hold it."""
        with self._lock:
            catalog = self._with_delta([], None, [creator_id])
            found = self.store.delete_creator(creator_id)
            if found:
                self._swap(catalog)
                self._announce()
            return found

    def _with_delta(
        self,
        docs: Sequence[Mapping[str, Any]],
        prepared: PreparedCreators | None,
        deleted: list[str],
    ) -> Catalog | None:
        """The served catalog with these upserts and deletes applied (None: nothing served)."""
        pipeline = self.pipeline
        if pipeline is None or self._embedder is None:
            return None  # nothing served yet: the next build or start picks the store up
        return apply_delta(
            pipeline.catalog,
            docs,
            prepared.hashes if prepared is not None else [],
            deleted,
            self._embedder,
            self.known_brand_keys(),
        )

    def _swap(self, catalog: Catalog | None) -> str | None:
        pipeline = self.pipeline
        if catalog is None or pipeline is None:
            return None
        self.pipeline = replace(pipeline, catalog=catalog)
        return catalog.version

    def live_row(self, creator_id: str) -> int | None:
        catalog = self.ready().catalog
        rows = np.flatnonzero((catalog.creators.creator_id == creator_id) & catalog.live)
        return int(rows[-1]) if len(rows) else None

    def close(self) -> None:
        self.stop_store_polling()
        self.stop_polling()
        self.store.close()
