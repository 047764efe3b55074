"""Outcomes joined to the served log: what a shortlist showed, its features and its rank.

Each `/v1/match` line of `logs/served.jsonl` (api/served_log.py) records, per creator shown,
its rank and every ranker feature as served. An outcome for that brand and creator whose
decision time (`started_at`, else `observed_at`) comes at or after such a serve was, as far as
the log can tell, decided from that shortlist: the latest serve before the decision is its
decision time, its logged feature values are the row's, and its rank is kept beside the row
(`JoinedOutcome.served`), never as a feature: a new brief has no rank, and learning from the
rank would teach the ranker its own past order (position bias).

The log is read at a file boundary: a line that is not valid is an error naming the file, the
line and the field, never a silent skip. Lines of other routes (`plan`, `similar`) are skipped.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, ValidationError


class ServedLogError(ValueError):
    """A served-log line that cannot be joined (names the file, line and field)."""


class _ShownIn(BaseModel):
    creator_id: str = Field(min_length=1)
    rank: int = Field(ge=1)
    features: dict[str, float | None]


class _MatchLineIn(BaseModel):
    request_id: str
    time: AwareDatetime
    brand_id: str = Field(min_length=1)
    model_version: str
    matches: list[_ShownIn]


@dataclass(frozen=True, slots=True)
class Served:
    """One creator on one served shortlist."""

    request_id: str
    time: float  # epoch seconds
    rank: int
    model_version: str
    features: Mapping[str, float | None]


ServedIndex = Mapping[tuple[str, str], Sequence[Served]]  # (brand, creator) → by time


def log_files(path: Path) -> list[Path]:
    """The log and its rotations, oldest first (`served.jsonl.5` … `.1`, then the live file)."""
    rotated = sorted(
        (p for p in path.parent.glob(f"{path.name}.*") if p.suffix[1:].isdigit()),
        key=lambda p: -int(p.suffix[1:]),
    )
    return [*rotated, *([path] if path.exists() else [])]


def _lines(files: Sequence[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    for file in files:
        with file.open(encoding="utf-8") as handle:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                where = f"{file}:{number}"
                try:
                    line = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise ServedLogError(f"{where}: not a JSON line ({exc.msg})") from None
                if not isinstance(line, dict):
                    raise ServedLogError(f"{where}: a JSON object was expected")
                yield where, line


def _parse(where: str, line: dict[str, Any]) -> _MatchLineIn:
    try:
        return _MatchLineIn.model_validate(line)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ServedLogError(f"{where}: field {field!r}: {first['msg']}") from None


def read_served(path: Path) -> dict[tuple[str, str], list[Served]]:
    """Every creator shown by `/v1/match` in the log at `path` (and its rotations)."""
    index: dict[tuple[str, str], list[Served]] = {}
    for where, line in _lines(log_files(path)):
        if line.get("route", "match") != "match":
            continue
        parsed = _parse(where, line)
        at = parsed.time.timestamp()
        for shown in parsed.matches:
            served = Served(parsed.request_id, at, shown.rank, parsed.model_version, shown.features)
            index.setdefault((parsed.brand_id, shown.creator_id), []).append(served)
    for shown_list in index.values():
        shown_list.sort(key=lambda s: (s.time, s.request_id))
    return index


def latest_served(index: ServedIndex, brand_id: str, creator_id: str, at: float) -> Served | None:
    """The latest serve of `creator_id` for `brand_id` at or before `at` (epoch seconds)."""
    shown = index.get((brand_id, creator_id))
    if not shown:
        return None
    position = bisect.bisect_right([s.time for s in shown], at)
    return shown[position - 1] if position else None
