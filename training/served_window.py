"""The served log over a time window, read back for `microtribe drift` and `compare`.

Reads `MICROTRIBE_HOME/logs/served.jsonl` and its rotated files (`.1` … the oldest), keeps the
lines of the last `window_days`, and turns the `/v1/match` lines' feature values into columns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("microtribe.served_window")


@dataclass(frozen=True, slots=True)
class ServedWindow:
    matches: list[dict[str, Any]]  # `route: "match"` lines, oldest first
    challenger: list[dict[str, Any]]  # `route: "challenger"` lines, oldest first
    since: datetime

    def feature_columns(self, names: Sequence[str]) -> dict[str, np.ndarray]:
        """Every served creator's value of each of `names` (NaN where absent or null)."""
        rows = [m.get("features") or {} for line in self.matches for m in line["matches"]]
        return {
            name: np.array(
                [np.nan if row.get(name) is None else row[name] for row in rows], dtype=np.float64
            )
            for name in names
        }

    @property
    def served_rows(self) -> int:
        return sum(len(line["matches"]) for line in self.matches)


def log_files(home: Path) -> list[Path]:
    """The served log and its rotations, oldest first."""
    path = home / "logs" / "served.jsonl"
    rotated = sorted(
        (p for p in path.parent.glob("served.jsonl.*") if p.suffix[1:].isdigit()),
        key=lambda p: -int(p.suffix[1:]),
    )
    return [*rotated, path] if path.exists() else rotated


def _lines(files: Sequence[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                try:
                    yield json.loads(text)
                except ValueError:  # a line cut by a crash: skip it, say where
                    log.warning("%s:%d is not a JSON line; skipped", path, number)


def read_window(home: Path, window_days: float, now: datetime | None = None) -> ServedWindow:
    """The match and challenger lines served in the last `window_days` days."""
    since = (now or datetime.now(UTC)) - timedelta(days=window_days)
    matches: list[dict[str, Any]] = []
    challenger: list[dict[str, Any]] = []
    for line in _lines(log_files(home)):
        route = line.get("route")
        if route not in ("match", "challenger"):
            continue
        if datetime.fromisoformat(line["time"]) < since:
            continue
        (matches if route == "match" else challenger).append(line)
    return ServedWindow(matches, challenger, since)
