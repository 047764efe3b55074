"""Prometheus metrics of the API, kept in a registry of their own per app.

A per-app `CollectorRegistry` (not the process-global one) lets several apps live in one
process, as they do in the tests, without their metrics colliding.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
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


class ServingCollector(Collector):
    """Model and catalog in service, read at scrape time so reloads and upserts need no hook."""

    def __init__(self, pipeline: Callable[[], MatchPipeline | None]) -> None:
        self._pipeline = pipeline

    def describe(self) -> list[Metric]:
        return []  # nothing to pre-register: names are fixed and unique in this registry

    def collect(self) -> Iterator[Metric]:
        pipe = self._pipeline()
        yield GaugeMetricFamily(
            "microtribe_ready", "1 when a catalog and a model are loaded", value=int(bool(pipe))
        )
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


class HttpMetrics:
    """The API's metrics and their exposition."""

    def __init__(self, pipeline: Callable[[], MatchPipeline | None]) -> None:
        self.registry = CollectorRegistry()
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
        # the labelled series by label values (dict reads and writes are atomic under the GIL)
        self._request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._stage_series: dict[str, Histogram] = {}
        self.registry.register(ServingCollector(pipeline))
        ProcessCollector(registry=self.registry)

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
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class HttpMetricsMiddleware:
    """Pure ASGI (no per-request task or body buffering) so it costs microseconds."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

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
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")  # set by the router on the scope it was given
            template = getattr(route, "path", None) or UNMATCHED_ROUTE
            self.metrics.observe_request(
                scope["method"], template, status, time.perf_counter() - started
            )
