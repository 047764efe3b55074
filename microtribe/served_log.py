"""The served-candidates log: one JSON line per `/v1/match`, so outcomes reported later can be
joined to exactly what was shown (model, catalog, rank, scores, feature values).

Written to `MICROTRIBE_HOME/logs/served.jsonl`, append-only, rotated by size. The request
thread only queues references to the request, the response and the feature rows (all left
unchanged afterwards); a listener thread builds the line, serialises and writes it, so neither
the line's 20 × 40 feature values nor a slow disk show in the response time. When the queue
is full (the disk has stalled) lines are dropped and counted rather than blocking requests.
"""

from __future__ import annotations

import json
import logging
import math
import queue
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener, RotatingFileHandler
from pathlib import Path
from typing import Any

import numpy as np

from microtribe.api_models import MatchRequest, MatchResponse

log = logging.getLogger("microtribe.served_log")
MAX_BYTES = 50 * 1024 * 1024
BACKUPS = 5
QUEUE_SIZE = 10_000


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = record.msg
        line = msg.line() if isinstance(msg, _Served) else msg
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class _DictQueueHandler(QueueHandler):
    """Queues the record as it is: the base class would `str()` the dict in the request thread."""

    def __init__(self, sink: queue.Queue[Any], on_full: Callable[[], None]) -> None:
        super().__init__(sink)
        self._on_full = on_full

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self._on_full()


class _Listener(QueueListener):
    def enqueue_sentinel(self) -> None:
        self.queue.put(self._sentinel)  # type: ignore[attr-defined]  # wait for room: drain all


class ServedLog:
    """Start in the app's lifespan, `record` per match, `stop` at shutdown (drains the queue)."""

    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self.dropped = 0
        self._handler: _DictQueueHandler | None = None
        self._listener: _Listener | None = None

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sink: queue.Queue[Any] = queue.Queue(QUEUE_SIZE)
        writer = RotatingFileHandler(
            self.path, maxBytes=self.max_bytes, backupCount=self.backups, encoding="utf-8"
        )
        writer.setFormatter(_JsonLines())
        self._handler = _DictQueueHandler(sink, self._count_drop)
        self._listener = _Listener(sink, writer)
        self._listener.start()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
            for handler in self._listener.handlers:
                handler.close()
        self._handler = self._listener = None

    def record(
        self,
        request: MatchRequest,
        response: MatchResponse,
        features: np.ndarray,
        feature_names: Sequence[str],
    ) -> None:
        """One line per answer; `features` holds the returned rows in `feature_names` order."""
        if self._handler is None:
            return
        served = _Served(request, response, features, feature_names, datetime.now(UTC))
        self._handler.handle(logging.makeLogRecord({"msg": served, "levelno": logging.INFO}))

    def _count_drop(self) -> None:
        self.dropped += 1
        if self.dropped == 1 or self.dropped % 1000 == 0:
            log.warning("served log queue full: %d lines dropped so far", self.dropped)


@dataclass(frozen=True, slots=True)
class _Served:
    """One answer, turned into its log line on the listener thread."""

    request: MatchRequest
    response: MatchResponse
    features: np.ndarray
    feature_names: Sequence[str]
    time: datetime

    def line(self) -> dict[str, Any]:
        request, response, feature_names = self.request, self.response, self.feature_names
        return {
            "request_id": response.request_id,
            "time": self.time.isoformat(timespec="milliseconds"),
            "brand_id": response.brand_id,
            "brief": "inline" if request.brand is not None else "stored",
            "model_version": response.model_version,
            "catalog_version": response.catalog_version,
            "k": request.k,
            "explain": request.explain,
            "diversify": request.diversify,
            "filters": request.filters.model_dump(mode="json"),
            "matches": [
                {
                    "creator_id": m.creator_id,
                    "rank": m.rank,
                    "score": _finite(m.score),
                    "advocacy_fit": _finite(m.advocacy_fit),
                    "expected_engagement_rate": _finite(m.expected_engagement_rate),
                    "similarity": _finite(m.similarity),
                    "estimated_cost": _finite(m.estimated_cost),
                    # every feature the ranker saw, to join later outcomes to what was served
                    "features": {
                        name: _finite(float(value))
                        for name, value in zip(feature_names, row.tolist(), strict=True)
                    },
                }
                for m, row in zip(response.matches, self.features, strict=True)
            ],
        }


def _finite(value: float | None) -> float | None:
    # a NaN would make the line invalid JSON; None keeps it readable by any parser
    return value if value is not None and math.isfinite(value) else None
