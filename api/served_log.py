"""The served-candidates log: one JSON line per `/v1/match`, so outcomes reported later can be
joined to exactly what was shown (model, catalog, rank, scores, feature values); and one per
`/v1/plan` (the creators of the plan and of its side-by-side, with their costs and scores)
and per `/v1/creators/{id}/similar` (the lookalikes). `route` tells the three apart.

Written to `MICROTRIBE_HOME/logs/served.jsonl`, append-only, rotated by size. The request
thread only appends references to the request, the answer and the feature rows (all left
unchanged afterwards) to a bounded buffer. A writer thread wakes every `FLUSH_SECONDS`, turns
what accumulated into lines and writes them in one go, so neither the line's 20 × 40 feature
values nor a slow disk show in the response time, and requests do not wake a thread each.
When the buffer is full (the disk has stalled) lines are dropped and counted rather than
blocking requests; `stop` writes everything still buffered.

Several server processes (`microtribe serve --workers N`) share the one file. Each pass of a
writer takes an exclusive `flock` on the log's directory, reopens the file if another process
rotated it, rotates when the file on disk (whoever wrote it) would grow past `max_bytes`, and
writes its lines with `O_APPEND` before letting go: lines are never interleaved, torn or
lost across processes, and the file is rotated once, not once per process.
"""

from __future__ import annotations

import fcntl
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel
from pydantic_core import to_json

from api.schemas import MatchRequest
from models.drift_profile import brief_keys

log = logging.getLogger("microtribe.served_log")
MAX_BYTES = 50 * 1024 * 1024
BACKUPS = 5
QUEUE_SIZE = 10_000
FLUSH_SECONDS = 0.25
SCORES = ("score", "advocacy_fit", "expected_engagement_rate", "similarity", "estimated_cost")
PLANNED = ("creator_id", "estimated_cost", "advocacy_fit", "expected_engagements")


class _Entry(Protocol):
    @property
    def answer(self) -> Mapping[str, Any]: ...

    def line(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class _Served:
    """One answer, turned into its log line on the writer thread."""

    request: MatchRequest
    answer: Mapping[str, Any]  # the response body as sent
    features: np.ndarray  # the returned rows, `feature_names` order
    feature_names: Sequence[str]
    time: datetime
    brand: Mapping[str, Any] | None = None  # the brief as matched (its language and category)

    def line(self) -> dict[str, Any]:
        request, answer = self.request, self.answer
        values = self.features.astype(object)  # None, not NaN: a NaN is not JSON
        values[~np.isfinite(self.features)] = None
        # the brief's language and category: `microtribe drift` compares their mix to training's
        language, category = brief_keys(self.brand) if self.brand is not None else (None, None)
        return {
            "route": "match",
            "request_id": answer["request_id"],
            "time": self.time.isoformat(timespec="milliseconds"),
            "brand_id": answer["brand_id"],
            "brief": "inline" if request.brand is not None else "stored",
            "model_version": answer["model_version"],
            "catalog_version": answer["catalog_version"],
            "k": request.k,
            "explain": request.explain,
            "diversify": request.diversify,
            "filters": request.filters.model_dump(mode="json"),
            **({"brief_language": language, "category": category} if language else {}),
            "matches": [
                {
                    "creator_id": match["creator_id"],
                    "rank": match["rank"],
                    **{name: _finite(match[name]) for name in SCORES},
                    # every feature the ranker saw, to join later outcomes to what was served
                    "features": dict(zip(self.feature_names, row, strict=True)),
                }
                for match, row in zip(answer["matches"], values.tolist(), strict=True)
            ],
        }


def _planned(plan: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "status": plan["status"],
        "totals": plan["totals"],
        "creators": [
            {"rank": rank, **{name: creator[name] for name in PLANNED}}
            for rank, creator in enumerate(plan["creators"], start=1)
        ],
    }


@dataclass(frozen=True, slots=True)
class _Answered:
    """A plan or lookalike answer: the request as sent, and what was chosen."""

    route: str  # "plan" | "similar"
    request: BaseModel | Mapping[str, Any]
    answer: Mapping[str, Any]
    time: datetime

    def line(self) -> dict[str, Any]:
        answer, request = self.answer, self.request
        line = {
            "route": self.route,
            "request_id": answer["request_id"],
            "time": self.time.isoformat(timespec="milliseconds"),
            "catalog_version": answer["catalog_version"],
            "request": request.model_dump(mode="json", exclude_none=True)
            if isinstance(request, BaseModel)
            else dict(request),
        }
        if self.route == "plan":
            line["brand_id"] = answer["brand_id"]
            line["model_version"] = answer["model_version"]
            line["currency"] = answer["currency"]
            line["plan"] = _planned(answer["plan"])
            line["side_by_side"] = {
                name: _planned(plan) for name, plan in answer["side_by_side"].items()
            }
        else:
            line["creator_id"] = answer["creator_id"]
            line["matches"] = [
                {"creator_id": m["creator_id"], "rank": m["rank"], "similarity": m["similarity"]}
                for m in answer["matches"]
            ]
        return line


@dataclass(frozen=True, slots=True)
class _Made:
    """A line made elsewhere off the request path (the challenger's, matching/challenger.py)."""

    made: Mapping[str, Any]

    @property
    def answer(self) -> Mapping[str, Any]:
        return self.made

    def line(self) -> dict[str, Any]:
        return dict(self.made)


class ServedLog:
    """Start in the app's lifespan, `record` per match, `stop` at shutdown (writes the rest)."""

    def __init__(
        self,
        path: Path,
        max_bytes: int = MAX_BYTES,
        backups: int = BACKUPS,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self.flush_seconds = flush_seconds
        self.dropped = 0
        self._pending: deque[_Entry] = deque()
        self._accepting = False
        self._stopping = threading.Event()
        self._writer: threading.Thread | None = None
        self._fd: int | None = None  # the log, opened O_APPEND
        self._dir_fd: int | None = None  # the log's directory: the lock the processes share

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._dir_fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
        self._fd = self._open()
        self._stopping.clear()
        self._writer = threading.Thread(target=self._run, name="served-log", daemon=True)
        self._writer.start()
        self._accepting = True

    def stop(self) -> None:
        self._accepting = False
        if self._writer is not None:
            self._stopping.set()
            self._writer.join()  # its last pass writes whatever is still pending
            self._writer = None
        for fd in (self._fd, self._dir_fd):
            if fd is not None:
                os.close(fd)
        self._fd = self._dir_fd = None

    def record(
        self,
        request: MatchRequest,
        answer: Mapping[str, Any],
        features: np.ndarray,
        feature_names: Sequence[str],
        brand: Mapping[str, Any] | None = None,
    ) -> None:
        """One line per answer; `features` holds the returned rows in `feature_names` order;
        `brand` is the brief as matched (left unchanged afterwards)."""
        if self._accepting:  # else the line is not even made
            now = datetime.now(UTC)
            self._append(_Served(request, answer, features, feature_names, now, brand))

    def record_line(self, line: Mapping[str, Any]) -> None:
        """A line made off the request path (a `route: "challenger"` line), written as is."""
        if self._accepting:
            self._append(_Made(line))

    def record_answer(
        self, route: str, request: BaseModel | Mapping[str, Any], answer: Mapping[str, Any]
    ) -> None:
        """One line per `/v1/plan` (`route="plan"`) or lookalike (`"similar"`) answer."""
        if self._accepting:
            self._append(_Answered(route, request, answer, datetime.now(UTC)))

    def _append(self, entry: _Entry) -> None:
        if len(self._pending) >= QUEUE_SIZE:
            self._count_drop()
            return
        # deque.append is atomic: no lock, no wake-up on the request path
        self._pending.append(entry)

    def _run(self) -> None:
        while not self._stopping.wait(self.flush_seconds):
            self._write_pending()
        self._write_pending()

    def _write_pending(self) -> None:
        lines = []
        while self._pending:
            time.sleep(0)  # let request threads take the GIL between lines
            served = self._pending.popleft()
            try:
                lines.append(to_json(served.line(), inf_nan_mode="null").decode())
            except Exception:  # one bad line must not stop the log
                request_id = served.answer.get("request_id")
                log.exception("served log: the line of request %s not written", request_id)
        if lines:
            try:
                self._write(lines)
            except OSError:
                log.exception("served log: %d lines not written", len(lines))

    def _open(self) -> int:
        return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _write(self, lines: list[str]) -> None:
        assert self._fd is not None and self._dir_fd is not None
        fcntl.flock(self._dir_fd, fcntl.LOCK_EX)  # other processes' writers wait here
        try:
            self._follow_rotation()
            size = os.fstat(self._fd).st_size  # everyone's lines, not only this process's
            chunk: list[bytes] = []
            for line in lines:
                encoded = (line + "\n").encode("utf-8")
                if size and size + len(encoded) > self.max_bytes:
                    self._write_all(b"".join(chunk))
                    chunk = []
                    self._rotate()
                    size = 0
                chunk.append(encoded)
                size += len(encoded)
            self._write_all(b"".join(chunk))
        finally:
            fcntl.flock(self._dir_fd, fcntl.LOCK_UN)

    def _follow_rotation(self) -> None:
        """Reopen `path` when another process rotated it away from under this one's descriptor."""
        assert self._fd is not None
        try:
            same = os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            os.close(self._fd)
            self._fd = self._open()

    def _write_all(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]

    def _rotate(self) -> None:
        """served.jsonl → .1 → .2 …; the oldest beyond `backups` is removed (under the lock)."""
        assert self._fd is not None
        os.close(self._fd)
        for n in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                older.replace(self.path.with_name(f"{self.path.name}.{n + 1}"))
        if self.backups > 0:
            self.path.replace(self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink()
        self._fd = self._open()

    def _count_drop(self) -> None:
        self.dropped += 1
        if self.dropped == 1 or self.dropped % 1000 == 0:
            log.warning("served log buffer full: %d lines dropped so far", self.dropped)


def _finite(value: float | None) -> float | None:
    # a NaN would make the line invalid JSON; None keeps it readable by any parser
    return value if value is not None and math.isfinite(value) else None
