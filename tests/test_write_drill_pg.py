"""The crash drill on PostgreSQL: `microtribe serve` with MICROTRIBE_STORE_URL, killed -9 while
eight clients write, restarted, and every acknowledged write checked (tests/write_drill.py).

The home's creators, brands and outcomes are copied into a database of the session's throw-away
cluster and the catalog is rebuilt against it with `microtribe build`, so the catalog's
`store_seq` numbers PostgreSQL's change log (a server catches up from it at start).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bench.serve_load import Server
from bench.write_load import onto_postgres
from tests.write_drill import Client, Ledger, run_clients, verify

pytestmark = pytest.mark.slow
CLIENTS = 8
ROUNDS = 2  # serve, write, kill -9; twice; then serve again and verify
ACKED_CREATORS = 1_000  # at least this many acknowledged over the rounds
# Mostly upserts of bigger batches (1,000 creators in a few hundred requests). No match during
# the load: with more than k=200 live drill creators it cannot check completeness (`verify`
# searches followers windows instead).
WEIGHTS = {"upsert": 50, "bad_batch": 4, "update": 8, "delete": 6,
           "brand": 8, "feedback": 10, "match": 0, "get": 14}  # fmt: skip
BATCH = (4, 12)


def _acked_creators(ledger: Ledger) -> int:
    with ledger.lock:
        return sum(len(b.ids) for b in ledger.batches.values() if b.state == "acked")


def _round(home: Path, workdir: Path, env: dict[str, str], ledger: Ledger, number: int) -> None:
    """Serve, write with eight clients until the round's share of creators is acked, kill -9."""
    workdir.mkdir()
    server = Server(home, poll=0, workdir=workdir, env=env)
    try:
        server.wait_ready(timeout=180)
        goal = ACKED_CREATORS * (number + 1) // ROUNDS
        stop, reached = threading.Event(), threading.Event()

        def count() -> None:
            if _acked_creators(ledger) >= goal:
                reached.set()

        clients = [
            Client(CLIENTS * number + n, server.url, server.admin(), server.read(), ledger,
                   operations=100_000, stop=stop, after_each=count, weights=WEIGHTS,
                   batch_size=BATCH)
            for n in range(CLIENTS)
        ]  # fmt: skip
        runner = threading.Thread(target=run_clients, args=(clients,))
        runner.start()
        assert reached.wait(timeout=900), server.tail()
        server.process.kill()  # SIGKILL while the clients write: no shutdown, no flush
        server.process.wait()
        stop.set()
        runner.join()
    finally:
        server.stop()


def test_kill_9_on_postgres_loses_nothing_acknowledged(
    home: Path, tmp_path: Path, pg_url: str
) -> None:
    env = onto_postgres(home, pg_url)
    ledger = Ledger()
    for number in range(ROUNDS):
        _round(home, tmp_path / f"round{number}", env, ledger, number)
    (tmp_path / "after").mkdir()
    last = Server(home, poll=0, workdir=tmp_path / "after", env=env)
    try:
        last.wait_ready(timeout=180)
        counts = verify(ledger, last.url, last.read(), pg_url)
    finally:
        last.stop()
    assert not ledger.problems, ledger.problems[:10]
    assert not [s for s in ledger.statuses if s.startswith("5")], ledger.statuses
    assert _acked_creators(ledger) >= ACKED_CREATORS
    assert counts["searchable"] >= len(ledger.live_acked()) > ACKED_CREATORS // 2, counts
    assert counts.get("batches_refused", 0) >= 1 and counts.get("outcomes_acked", 0) >= 20
    acked = _acked_creators(ledger)
    print(f"\ndrill on PostgreSQL: {acked} creators acknowledged, lost 0, {counts}")
