"""The serving generation: how one server process tells the others sharing a home to reload.

`microtribe serve --workers N` runs N processes, and a request lands on one of them: an
`/v1/admin/reload` or an upsert or delete changes what that process serves, not what the
others serve. The process that made the change then writes a new token to
`MICROTRIBE_HOME/serving/GENERATION` (write beside, then rename: readers see the old token or
the new one, never half of one). Every process's poller (`MatchService.poll_once`) reads the
token with `models/CHAMPION` and `catalog/CURRENT`, and reloads, through the same safe path,
when it differs from the one its pipeline was loaded under; a reload loads the current
champion and catalog and catches up from the store, so it also picks up the other processes'
upserts and deletes. A process that bumps the token while another's change is still unseen
(the token it replaces is not the one it loaded under) does not mark itself up to date: its
poller reloads as well.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path


def generation_path(home: Path) -> Path:
    return home / "serving" / "GENERATION"


def read_generation(home: Path) -> str | None:
    """The current token, or None when no process has announced a change yet."""
    try:
        return generation_path(home).read_text().strip() or None
    except FileNotFoundError:
        return None


def bump_generation(home: Path, seen: str | None) -> tuple[str, bool]:
    """Write a new token (unique across processes and restarts); return it, and whether the
    token it replaced was `seen` (the one the caller's pipeline was loaded under).

    When it was not, another process changed something since: the caller must reload too. The
    read and the write happen under an `flock`, so no other process's token slips between.
    """
    path = generation_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    token = f"{time.time_ns()}-{os.getpid()}"
    lock = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_generation(home)
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        staging.write_text(token)
        os.replace(staging, path)
    finally:
        os.close(lock)  # closing the descriptor releases the lock
    return token, current == seen
