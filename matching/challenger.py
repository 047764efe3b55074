"""The challenger on live traffic: the version aliased `challenger` scores the same candidates as
the champion, off the request path, and its ranking goes to the served log, never the answer.

The request thread only offers a job (references to arrays the match already made) to a bounded
queue, without blocking: when the queue is full the job is dropped and counted. One daemon
thread scores the jobs with the challenger bundle the request's pipeline held, under the same
guardrails, and hands a `route: "challenger"` line, keyed by the request's `request_id`, to the
served log's writer. `microtribe compare` reads those lines.

The challenger gets a CPU budget, not a share of whatever is free: on 2 cores, scoring 500
candidates again (≈ the ranking stage) on every request doubled the work per request and
took the server past saturation (bench/serve_load.py, challenger phase: p99 ×49 under load).
The thread runs at the lowest CPU priority with one OpenMP thread, and after each job it
sleeps so that its CPU time stays under `BUDGET` of one core; and it starts a job only when
no match is in flight (`yield_to`): a request never waits for the challenger's Python to let go
of the GIL, except one that arrives during a job. Jobs that arrive meanwhile wait in the
queue, and past `QUEUE_SIZE` are dropped (counted on `/metrics`). Under load the challenger
therefore scores a sample of the traffic, which is what `compare` needs.

The line holds, for each creator in either model's top k, both ranks among the candidates
(1-based; null when the guardrails excluded it) and both models' advocacy_fit and score.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from features.schema import FEATURE_NAMES
from matching.catalog import Catalog
from matching.pipeline import Candidates
from models.bundle import Bundle
from models.guardrails import Guardrails, guarded

log = logging.getLogger("microtribe.challenger")
QUEUE_SIZE = 64  # jobs waiting: past this the challenger is behind, and jobs are dropped
BUDGET = 0.05  # the share of one core the challenger may use, whatever the load
QUIET_POLL_SECONDS = 0.002  # how often a waiting job looks for a moment with no match running


@dataclass(frozen=True, slots=True)
class ChallengerJob:
    request_id: str
    brand_id: str
    champion_version: str
    challenger: Bundle
    catalog: Catalog
    candidates: Candidates
    k: int
    rank_by: str
    guardrails: Guardrails | None
    time: datetime


def _ranks(score: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """1-based rank of every candidate by `score` (stable, as the pipeline sorts); 0 when
    excluded."""
    order = np.argsort(-score, kind="stable")
    order = order[kept[order]]
    ranks = np.zeros(len(score), dtype=np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def challenger_line(job: ChallengerJob) -> dict[str, Any]:
    """Score `job`'s candidates with the challenger; the line for the served log."""
    cand = job.candidates
    ranked = job.challenger.ranker.predict(cand.features, job.rank_by)
    score, judgement = guarded(ranked.score, cand.features, FEATURE_NAMES, job.guardrails)
    champion_rank = _ranks(cand.score, cand.kept)
    challenger_rank = _ranks(score, judgement.kept)
    top = np.flatnonzero(
        ((champion_rank > 0) & (champion_rank <= job.k))
        | ((challenger_rank > 0) & (challenger_rank <= job.k))
    )
    ids = job.catalog.creators.creator_id[cand.rows[top]].tolist()

    def plain(values: np.ndarray) -> list[float | None]:
        return [float(v) if np.isfinite(v) else None for v in values[top].tolist()]

    def ranks(values: np.ndarray) -> list[int | None]:
        return [int(r) or None for r in values[top].tolist()]

    columns = {
        "creator_id": ids,
        "champion_rank": ranks(champion_rank),
        "challenger_rank": ranks(challenger_rank),
        "champion_advocacy_fit": plain(cand.advocacy_fit),
        "challenger_advocacy_fit": plain(ranked.advocacy_fit),
        "champion_score": plain(cand.score),
        "challenger_score": plain(score),
    }
    return {
        "route": "challenger",
        "request_id": job.request_id,
        "time": job.time.isoformat(timespec="milliseconds"),
        "brand_id": job.brand_id,
        "model_version": job.challenger.version,
        "champion_version": job.champion_version,
        "k": job.k,
        "rank_by": job.rank_by,
        "candidates": len(cand.rows),
        "matches": [
            dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)
        ],
    }


class ChallengerScorer:
    """`start` in the app's lifespan, `offer` per match, `stop` at shutdown (drains the queue)."""

    def __init__(
        self,
        sink: Callable[[Mapping[str, Any]], None],
        queue_size: int = QUEUE_SIZE,
        on_drop: Callable[[], None] | None = None,
        on_scored: Callable[[], None] | None = None,
        budget: float = BUDGET,
    ) -> None:
        self._sink = sink
        self.budget = budget
        self._jobs: queue.Queue[ChallengerJob | None] = queue.Queue(maxsize=queue_size)
        self._on_drop = on_drop
        self._on_scored = on_scored
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()  # at shutdown the queue drains without pauses
        self._busy: Callable[[], bool] = lambda: False
        self.scored = 0
        self.dropped = 0
        self.failed = 0

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="challenger", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stopping.set()
            self._jobs.put(None)  # after every job already queued
            self._thread.join()
            self._thread = None

    def yield_to(self, busy: Callable[[], bool]) -> None:
        """Start a job only when `busy()` is false (the server: no match in flight), so the
        challenger's Python never holds the GIL a request is waiting for; jobs wait meanwhile,
        and past the queue's size are dropped."""
        self._busy = busy

    def _wait_for_quiet(self) -> None:
        while self._busy() and not self._stopping.is_set():
            self._stopping.wait(QUIET_POLL_SECONDS)

    def offer(self, job: ChallengerJob) -> bool:
        """Queue `job` unless the queue is full (then it is dropped and counted); never waits."""
        if self._thread is None:
            return False
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            self.dropped += 1
            if self._on_drop is not None:
                self._on_drop()
            return False
        return True

    def drain(self) -> None:
        """Wait until every job queued so far is scored and handed to the sink (tests, bench)."""
        self._jobs.join()

    def _run(self) -> None:
        _lowest_priority()
        while (job := self._jobs.get()) is not None:
            self._wait_for_quiet()
            used = time.thread_time()
            try:
                self._sink(challenger_line(job))
                self.scored += 1
                if self._on_scored is not None:
                    self._on_scored()
            except Exception:  # a challenger that fails must never touch serving
                self.failed += 1
                log.exception("challenger: request %s not scored", job.request_id)
            finally:
                self._jobs.task_done()
            # off the GIL and off the cores until the job's CPU time fits the budget
            self._stopping.wait((time.thread_time() - used) * (1 / self.budget - 1))
        self._jobs.task_done()


def _lowest_priority() -> None:
    """This thread at nice 19 (Linux threads have their own) and one OpenMP thread."""
    from matching.service import one_thread

    one_thread()
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the budget still holds
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
