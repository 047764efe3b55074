"""The replica gauges of `/metrics`, one process and several (api/metrics.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest

from api.metrics import ServingCollector, ServingPublisher, WorkersServingCollector

STATUS: dict[str, Any] = {
    "model_version": "3",
    "catalog_version": "v2",
    "store": {
        "last_seq": 12,
        "applied_seq": 9,
        "changes_behind": 3,
        "caught_up_at": time.time() - 5,
        "seconds_since_caught_up": 5.0,
    },
    "catalog_from": {
        "dir": "/mnt/catalogs",
        "published_version": "v3",
        "refused": {"version": "v3", "reason": "vectors.npy is corrupt"},
        "error": None,
    },
}


def _lines(registry: CollectorRegistry) -> list[str]:
    return generate_latest(registry).decode().splitlines()


def _value(lines: list[str], prefix: str) -> float:
    (line,) = [line for line in lines if line.startswith(prefix)]
    return float(line.rsplit(" ", 1)[1])


def test_one_process_exports_how_far_behind_it_is() -> None:
    registry = CollectorRegistry()
    registry.register(ServingCollector(lambda: None, lambda: STATUS))
    lines = _lines(registry)
    assert _value(lines, "microtribe_store_changes_behind ") == 3
    assert _value(lines, "microtribe_store_applied_seq ") == 9
    assert _value(lines, "microtribe_store_last_seq ") == 12
    assert _value(lines, "microtribe_store_seconds_since_caught_up ") >= 5
    assert _value(lines, "microtribe_catalog_refused ") == 1
    assert any('published_version="v3"' in line for line in lines)


def test_each_worker_reports_its_own_lag(tmp_path: Path) -> None:
    publisher = ServingPublisher(tmp_path, lambda: None, lambda: STATUS)
    publisher.publish()
    registry = CollectorRegistry()
    registry.register(WorkersServingCollector(tmp_path, publisher.publish))
    lines = _lines(registry)
    assert _value(lines, "microtribe_store_changes_behind{worker=") == 3
    assert _value(lines, "microtribe_store_seconds_since_caught_up{worker=") >= 5
    assert _value(lines, "microtribe_catalog_refused{worker=") == 1


def test_a_server_without_a_published_directory_has_no_follow_metrics() -> None:
    status = {**STATUS}
    del status["catalog_from"]
    registry = CollectorRegistry()
    registry.register(ServingCollector(lambda: None, lambda: status))
    lines = _lines(registry)
    assert not [line for line in lines if line.startswith("microtribe_catalog_refused")]
    assert "microtribe_store_changes_behind 3.0" in lines
