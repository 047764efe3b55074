"""Shared plumbing for the benchmark scripts: results files, machine description, timing.

Every record a bench script writes goes through `Recorder.emit`: printed as one JSON line on
stdout and appended to `bench/results/<name>.jsonl`, stamped with the UTC time, the git commit
and a description of the machine (so `bench/report.py` never needs a hand-typed figure).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@cache
def machine() -> dict[str, Any]:
    """CPU model, cores, memory, OS and Python: enough to read a figure against."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


@cache
def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def load_average() -> float | None:
    """The 1-minute load average when a record is written: timings on a busy machine are noisy."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


@dataclass
class Recorder:
    """Prints each record and appends it to `out` (one JSON object per line)."""

    bench: str
    out: Path | None
    run_id: str = field(
        default_factory=lambda: (
            os.environ.get("MICROTRIBE_BENCH_RUN")
            or dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        )
    )

    def emit(self, record: dict[str, Any]) -> dict[str, Any]:
        stamped = {
            "bench": self.bench,
            **record,
            "run": self.run_id,
            "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": git_commit(),
            "load_1min": load_average(),
            "machine": machine(),
        }
        line = json.dumps(stamped, ensure_ascii=False, default=_plain)
        print(line, flush=True)
        if self.out is not None:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            with self.out.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        return stamped


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def default_out(name: str) -> Path:
    return RESULTS / f"{name}.jsonl"


def timed_ms(run: Callable[[], Any], repeats: int, warmup: int = 2) -> list[float]:
    """Wall-clock milliseconds of `repeats` calls of `run`, after `warmup` untimed calls."""
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def summary_ms(samples: list[float]) -> dict[str, float]:
    """Median and p99 of latency samples, rounded to microseconds."""
    values = np.asarray(samples, dtype=np.float64)
    return {
        "median_ms": round(float(statistics.median(samples)), 3),
        "p99_ms": round(float(np.percentile(values, 99)), 3),
        "samples": len(samples),
    }


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """`with stopwatch() as elapsed:` ... `elapsed()` gives seconds since entry."""
    started = time.perf_counter()
    yield lambda: time.perf_counter() - started


def round_floats(values: dict[str, float], digits: int = 4) -> dict[str, float]:
    return {key: round(float(value), digits) for key, value in values.items()}
