"""The store under concurrent writers: threads of one process, and another process's writer."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import matching.store_sqlite as store_module
from matching.store import CatalogStore, StoreBusy
from tests.factories import make_creator


def _outcome(brand: str, creator: str, campaign: str) -> dict[str, str]:
    return {"brand_id": brand, "creator_id": creator, "campaign_id": campaign,
            "stage": "proposed", "observed_at": "2026-11-20T00:00:00Z"}  # fmt: skip


def test_threads_writing_and_reading_every_table_lose_nothing(tmp_path: Path) -> None:
    # One connection shared by threads let one thread's COMMIT or ROLLBACK end another's
    # transaction ("cannot start a transaction within a transaction"): each thread here
    # interleaves batches, single rows, deletes and reads of all three tables.
    store = CatalogStore(tmp_path / "catalog.db")
    errors: list[BaseException] = []
    threads, rounds = 8, 40
    start = threading.Barrier(threads)

    def writer(t: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                batch = [make_creator(f"ig:t{t}.r{i}.{j}", bio="x" * 200) for j in range(3)]
                store.upsert_creators(batch)
                store.upsert_brands([{"brand_id": f"b{t}.{i}", "name": "B", "values": "v"}])
                store.add_outcomes([_outcome(f"b{t}.{i}", f"ig:t{t}.r{i}.0", f"c{i}")])
                assert store.delete_creator(f"ig:t{t}.r{i}.2")
                docs, hashes = store.creators_by_id([f"ig:t{t}.r{i}.{j}" for j in range(3)])
                assert [d["creator_id"] for d in docs] == [f"ig:t{t}.r{i}.0", f"ig:t{t}.r{i}.1"]
                assert len(hashes) == 2
                assert store.brand(f"b{t}.{i}") is not None
                assert len(store.creator_hashes()) >= 2
        except BaseException as exc:  # reported below, with the thread that raised it
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors[:3]
    assert store.counts() == {
        "creators": threads * rounds * 2,
        "brands": threads * rounds,
        "outcomes": threads * rounds,
    }
    store.close()


def test_a_failed_batch_leaves_nothing_while_other_threads_write(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "catalog.db")
    stop = threading.Event()
    errors: list[BaseException] = []

    def steady() -> None:
        n = 0
        try:
            while not stop.is_set():
                store.upsert_brands([{"brand_id": f"steady{n}", "name": "S", "values": "v"}])
                n += 1
        except BaseException as exc:
            errors.append(exc)

    background = threading.Thread(target=steady)
    background.start()
    try:
        for i in range(30):
            batch = [make_creator(f"ig:ok{i}"), make_creator(f"ig:ok{i}.b")]
            batch[1]["creator_id"] = ["not", "bindable"]  # SQLite refuses this row mid-batch
            with pytest.raises(sqlite3.Error):
                store.upsert_creators(batch)
    finally:
        stop.set()
        background.join()
    assert not errors, errors[:3]
    assert store.counts()["creators"] == 0  # no half batch
    assert store.counts()["brands"] > 0
    store.close()


_HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO brands VALUES ('other', '{}', 0)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_write_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that takes the store's write lock for `seconds` (as an ingest does)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def test_a_write_waits_for_another_process_then_commits(tmp_path: Path) -> None:
    store = CatalogStore(tmp_path / "catalog.db")
    holder = _hold_write_lock(store.path, 1.5)
    started = time.perf_counter()
    store.upsert_creators([make_creator("ig:patient")])  # waits instead of failing
    waited = time.perf_counter() - started
    assert holder.wait(timeout=30) == 0
    assert waited > 1.0
    assert store.creator("ig:patient") is not None and store.brand("other") is not None
    store.close()


def test_a_write_locked_out_too_long_raises_store_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.3)
    store = CatalogStore(tmp_path / "catalog.db")
    holder = _hold_write_lock(store.path, 3)
    with pytest.raises(StoreBusy, match="locked"):
        store.upsert_creators([make_creator("ig:late")])
    assert holder.wait(timeout=30) == 0
    assert store.creator("ig:late") is None
    store.upsert_creators([make_creator("ig:late")])  # the lock is free again: it commits
    assert store.creator("ig:late") is not None
    store.close()
