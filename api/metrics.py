"""Prometheus metrics of the API, kept in a registry of their own per app.

A per-app `CollectorRegistry` (not the process-global one) lets several apps live in one
process, as they do in the tests, without their metrics colliding.

Several server processes (`microtribe serve --workers N`): the command sets
`PROMETHEUS_MULTIPROC_DIR` to a fresh directory for the run, before the workers start. Every
worker's counters and histograms then live in memory-mapped files there, and `/metrics`,
whichever worker answers it, sums them over all workers (prometheus_client's
`MultiProcessCollector`; a worker that died and was restarted keeps its counts). What each
worker serves is not a sum: every worker writes `serving_<pid>.json` there when its pipeline
changes (checked every `PUBLISH_SECONDS`, and by the worker answering a scrape), and
`/metrics` reports `microtribe_ready`, `microtribe_serving_info` and
`microtribe_catalog_live_creators` once per live worker, with a `worker` label (its pid), plus
`microtribe_workers`; the replica gauges below likewise. The `process_*` metrics of a single
process are left out there (they would describe whichever worker answered).

Replica gauges (`MatchService.replica_status`, also in `/readyz`): `microtribe_store_last_seq`,
`microtribe_store_applied_seq`, `microtribe_store_changes_behind`,
`microtribe_store_seconds_since_caught_up`, and with `serve --catalog-from DIR`
`microtribe_catalog_from_info` (the published directory and its current version) and
`microtribe_catalog_refused` (1 while the published version was refused).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from matching.pipeline import MatchPipeline

# Whole requests: /v1/match is targeted at p50 20 ms, p99 60 ms, so resolution sits there.
REQUEST_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 10)
STAGE_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.15, 0.3, 1)
# a plan's solve is targeted at p99 200 ms over 500 candidates
PLAN_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 10)
# Labels must stay few: anything a client can invent (paths, methods) is folded.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"
PUBLISH_SECONDS = 1.0  # how often a worker checks whether what it serves changed
WORKER_HEADER = b"x-microtribe-worker"  # with several workers: the pid that answered
ReplicaStatus = Callable[[], "dict[str, Any] | None"]
_STORE_GAUGES = (
    ("last_seq", "microtribe_store_last_seq", "The store's last creator change at the last look"),
    ("applied_seq", "microtribe_store_applied_seq", "The last store change the catalog includes"),
    ("changes_behind", "microtribe_store_changes_behind", "Store changes not yet applied"),
)


def multiprocess_dir() -> Path | None:
    """The shared metrics directory when the server runs as several processes, else None."""
    raw = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(raw) if raw else None


def _serving_state(pipe: MatchPipeline | None) -> dict[str, object]:
    if pipe is None:
        return {"ready": False}
    return {
        "ready": True,
        "model_version": pipe.bundle.version,
        "catalog_version": pipe.catalog.version,
        "embedder": str(pipe.bundle.manifest.get("embedder", "")),
        "live_creators": int(pipe.catalog.live.sum()),
    }


class ReplicaFamilies:
    """The replica gauges of one scrape; `add` once per worker (`labels` is [] or [pid])."""

    def __init__(self, labels: list[str]) -> None:
        self.store = {
            key: GaugeMetricFamily(name, text, labels=labels) for key, name, text in _STORE_GAUGES
        }
        self.lag = GaugeMetricFamily(
            "microtribe_store_seconds_since_caught_up",
            "Seconds since the catalog in service last included every store change",
            labels=labels,
        )
        self.followed = InfoMetricFamily(
            "microtribe_catalog_from",
            "The published directory followed (serve --catalog-from) and its current version",
            labels=labels,
        )
        self.refused = GaugeMetricFamily(
            "microtribe_catalog_refused",
            "1 while the published catalog version was refused (digests differ from its seal)",
            labels=labels,
        )

    def add(self, labels: list[str], status: Mapping[str, Any], now: float) -> None:
        store = status.get("store") or {}
        for key, family in self.store.items():
            if store.get(key) is not None:
                family.add_metric(labels, float(store[key]))
        if store.get("caught_up_at") is not None:
            self.lag.add_metric(labels, max(now - float(store["caught_up_at"]), 0.0))
        followed = status.get("catalog_from")
        if followed:
            published = followed.get("published_version") or ""
            self.followed.add_metric(
                labels, {"dir": str(followed["dir"]), "published_version": str(published)}
            )
            self.refused.add_metric(labels, int(followed.get("refused") is not None))

    def families(self) -> Iterator[Metric]:
        yield from self.store.values()
        yield self.lag
        yield self.followed
        yield self.refused


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ServingCollector(Collector):
    """Model and catalog in service, read at scrape time so reloads and upserts need no hook."""

    def __init__(
        self, pipeline: Callable[[], MatchPipeline | None], replica: ReplicaStatus | None = None
    ) -> None:
        self._pipeline = pipeline
        self._replica = replica

    def describe(self) -> list[Metric]:
        return []  # nothing to pre-register: names are fixed and unique in this registry

    def collect(self) -> Iterator[Metric]:
        pipe = self._pipeline()
        yield GaugeMetricFamily(
            "microtribe_ready", "1 when a catalog and a model are loaded", value=int(bool(pipe))
        )
        status = None if self._replica is None else self._replica()
        if status is not None:
            replica = ReplicaFamilies([])
            replica.add([], status, time.time())
            yield from replica.families()
        if pipe is None:
            return
        yield InfoMetricFamily(
            "microtribe_serving",
            "Model and catalog versions in service",
            value={
                "model_version": pipe.bundle.version,
                "catalog_version": pipe.catalog.version,
                "embedder": str(pipe.bundle.manifest.get("embedder", "")),
            },
        )
        yield GaugeMetricFamily(
            "microtribe_catalog_live_creators",
            "Creators searchable in the catalog in service",
            value=int(pipe.catalog.live.sum()),
        )


class WorkersServingCollector(Collector):
    """With several workers: what each live worker serves, from its `serving_<pid>.json`."""

    def __init__(self, directory: Path, publish: Callable[[], None]) -> None:
        self.directory = directory
        self._publish = publish  # the answering worker's own state is never stale

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        self._publish()
        states: list[tuple[str, dict[str, object]]] = []
        for path in sorted(self.directory.glob("serving_*.json")):
            pid = path.stem.removeprefix("serving_")
            if not pid.isdigit() or not _alive(int(pid)):
                path.unlink(missing_ok=True)  # a worker that died: its restart has a new pid
                continue
            try:
                states.append((pid, json.loads(path.read_text())))
            except (OSError, ValueError):
                continue  # replaced while read: the next scrape sees it
        yield GaugeMetricFamily(
            "microtribe_workers", "Server processes that report what they serve", len(states)
        )
        ready = GaugeMetricFamily(
            "microtribe_ready", "1 when a catalog and a model are loaded", labels=["worker"]
        )
        info = InfoMetricFamily(
            "microtribe_serving", "Model and catalog versions in service", labels=["worker"]
        )
        live = GaugeMetricFamily(
            "microtribe_catalog_live_creators",
            "Creators searchable in the catalog in service",
            labels=["worker"],
        )
        replica, now = ReplicaFamilies(["worker"]), time.time()
        for pid, state in states:
            ready.add_metric([pid], int(bool(state.get("ready"))))
            if state.get("ready"):
                names = ("model_version", "catalog_version", "embedder")
                info.add_metric([pid], {name: str(state[name]) for name in names})
                live.add_metric([pid], float(str(state["live_creators"])))
            status = state.get("replica")
            if isinstance(status, dict):
                replica.add([pid], status, now)
        yield ready
        yield info
        yield live
        yield from replica.families()


class ServingPublisher:
    """A worker's `serving_<pid>.json`, rewritten when the pipeline it serves changes."""

    def __init__(
        self,
        directory: Path,
        pipeline: Callable[[], MatchPipeline | None],
        replica: ReplicaStatus | None = None,
    ) -> None:
        self.path = directory / f"serving_{os.getpid()}.json"
        self._pipeline = pipeline
        self._replica = replica
        self._published: object = self  # never a pipeline: the first check writes
        self._published_replica = ""  # the replica state written last, as JSON
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self) -> None:
        pipe = self._pipeline()
        replica = None if self._replica is None else self._replica()
        if replica is not None:  # the age is computed at scrape time from `caught_up_at`
            replica = {**replica, "store": {**replica.get("store", {})}}
            replica["store"].pop("seconds_since_caught_up", None)
        key = json.dumps(replica, sort_keys=True, default=str)
        if pipe is self._published and key == self._published_replica:
            return
        with self._lock:
            state = _serving_state(pipe)
            if replica is not None:
                state["replica"] = replica
            staging = self.path.with_name(f".{self.path.name}.tmp")
            staging.write_text(json.dumps(state, default=str))
            os.replace(staging, self.path)
            self._published, self._published_replica = pipe, key

    def start(self) -> None:
        self.publish()

        def loop() -> None:
            while not self._stop.wait(PUBLISH_SECONDS):
                # a full disk must not stop the worker; the next pass retries
                with contextlib.suppress(OSError):
                    self.publish()

        self._thread = threading.Thread(target=loop, name="serving-publisher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.path.unlink(missing_ok=True)


class DriftCollector(Collector):
    """The last `microtribe drift` report (`monitor/drift.json`), read when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._held: tuple[float, dict[str, Any]] | None = None

    def describe(self) -> list[Metric]:
        return []

    def _report(self) -> dict[str, Any] | None:
        try:
            stamp = self.path.stat().st_mtime
            if self._held is None or self._held[0] != stamp:
                self._held = (stamp, json.loads(self.path.read_text()))
        except (OSError, ValueError):
            return None  # none yet, or replaced while read: the next scrape sees it
        return self._held[1]

    def collect(self) -> Iterator[Metric]:
        report = self._report()
        if report is None:
            return
        psi = GaugeMetricFamily(
            "microtribe_drift_psi",
            "PSI of a served feature vs the champion's training set (last `microtribe drift`)",
            labels=["feature", "model_version"],
        )
        for name, value in report.get("psi", {}).items():
            psi.add_metric([name, str(report.get("model_version", ""))], float(value))
        mix = GaugeMetricFamily(
            "microtribe_drift_mix_psi",
            "PSI of the brief-language or category mix vs training (last `microtribe drift`)",
            labels=["mix", "model_version"],
        )
        for name, value in report.get("mix_psi", {}).items():
            mix.add_metric([name, str(report.get("model_version", ""))], float(value))
        yield psi
        yield mix
        yield GaugeMetricFamily(
            "microtribe_drift_threshold", "PSI past which drift alerts", report.get("threshold", 0)
        )
        yield GaugeMetricFamily(
            "microtribe_drift_served_rows",
            "Served creators the last drift report measured",
            report.get("served_rows", 0),
        )


class HttpMetrics:
    """The API's metrics and their exposition."""

    def __init__(
        self,
        pipeline: Callable[[], MatchPipeline | None],
        drift_path: Path | None = None,
        replica: ReplicaStatus | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        # several workers: the metrics below write to the shared directory; `exposed` reads it
        self.shared_dir = multiprocess_dir()
        self.publisher: ServingPublisher | None = None
        self.exposed = self.registry
        self.requests = Counter(
            "microtribe_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "microtribe_http_request_duration_seconds",
            "HTTP request latency by method, route template and status",
            ["method", "route", "status"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.match_stages = Histogram(
            "microtribe_match_stage_duration_seconds",
            "Time of each /v1/match pipeline stage",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=self.registry,
        )
        self.plan_stages = Histogram(
            "microtribe_plan_stage_duration_seconds",
            "Time of each /v1/plan stage (embed, retrieve, candidates, solve, explain)",
            ["stage"],
            buckets=PLAN_BUCKETS,
            registry=self.registry,
        )
        self.plans = Counter(
            "microtribe_plans",
            "Campaign plans answered, by the plan's status (optimal, feasible, empty)",
            ["status"],
            registry=self.registry,
        )
        self.challenger_scored = Counter(
            "microtribe_challenger_scored",
            "Matches the challenger scored off the request path",
            registry=self.registry,
        )
        self.challenger_dropped = Counter(
            "microtribe_challenger_dropped",
            "Matches the challenger did not score: its queue was full (load)",
            registry=self.registry,
        )
        # the labelled series by label values (dict reads and writes are atomic under the GIL)
        self._request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._stage_series: dict[str, Histogram] = {}
        if self.shared_dir is None:
            self.registry.register(ServingCollector(pipeline, replica))
            ProcessCollector(registry=self.registry)
        else:
            self.publisher = ServingPublisher(self.shared_dir, pipeline, replica)
            self.exposed = CollectorRegistry()
            MultiProcessCollector(self.exposed, path=str(self.shared_dir))
            self.exposed.register(WorkersServingCollector(self.shared_dir, self.publisher.publish))
        if drift_path is not None:
            self.exposed.register(DriftCollector(drift_path))

    def start(self) -> None:
        """At server start: with several workers, start publishing what this one serves."""
        if self.publisher is not None:
            self.publisher.start()

    def stop(self) -> None:
        if self.publisher is not None:
            self.publisher.stop()

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in KNOWN_METHODS else "OTHER", route, status)
        series = self._request_series.get(key)
        if series is None:  # `labels` takes a lock and builds a key: once per label set
            labels = (key[0], route, str(status))
            series = self.requests.labels(*labels), self.latency.labels(*labels)
            self._request_series[key] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_match_stages(self, timings_ms: Mapping[str, float]) -> None:
        for stage, milliseconds in timings_ms.items():
            series = self._stage_series.get(stage)
            if series is None:
                series = self._stage_series[stage] = self.match_stages.labels(stage)
            series.observe(milliseconds / 1000)

    def observe_plan(self, status: str, timings_ms: Mapping[str, float]) -> None:
        # plans are rarer and slower than matches: `labels` per call costs nothing here
        self.plans.labels(status).inc()
        for stage, milliseconds in timings_ms.items():
            self.plan_stages.labels(stage).observe(milliseconds / 1000)

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.exposed), CONTENT_TYPE_LATEST


class HttpMetricsMiddleware:
    """Pure ASGI (no per-request task or body buffering) so it costs microseconds."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics
        # several workers: every answer names the process that gave it (tests, debugging)
        self.worker = None if metrics.shared_dir is None else str(os.getpid()).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server error middleware sends when the app raises first

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if self.worker is not None:
                    message["headers"] = [*message.get("headers", ()), (WORKER_HEADER, self.worker)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")  # set by the router on the scope it was given
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            self.metrics.observe_request(
                scope["method"], template, status, time.perf_counter() - started
            )
