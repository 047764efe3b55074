"""The store contract, run on both back ends: SQLite and PostgreSQL (a throw-away cluster).

Every test opens its store through `open_store(settings)`, as production code does; the
PostgreSQL tests get a database of their own (tests/conftest.py `pg_url`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import matching.store_postgres as store_postgres
import matching.store_schema as store_schema
from matching.store import (
    CHUNK,
    Store,
    StoreBusy,
    StoreSchemaTooNew,
    _dump,
    open_store,
    prepare_creators,
    redacted_store_url,
)
from microtribe.settings import Settings
from tests.factories import make_creator, make_post

Opener = Callable[[], Store]


def _outcome(brand: str, creator: str, campaign: str, **extra: Any) -> dict[str, Any]:
    return {"brand_id": brand, "creator_id": creator, "campaign_id": campaign,
            "stage": "proposed", "observed_at": "2026-11-20T00:00:00Z", **extra}  # fmt: skip


def _rich(creator_id: str) -> dict[str, Any]:
    post = make_post("p1", "2026-10-01T10:00:00Z", "Il mio cappotto vintage ♻️ #secondhand",
                     1200, 85, mentions=["@ecoveste"], views=None)  # fmt: skip
    return make_creator(creator_id, bio="Torino · moda sostenibile 🌱 \\ \"quoted\"",
                        categories=["fashion"], posts=[post],
                        audience={"countries": {"IT": 0.78}, "authentic_share": 0.91})  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(home=tmp_path)
    return Settings(home=tmp_path, store_url=request.getfixturevalue("pg_url"))


@pytest.fixture
def opener(settings: Settings) -> Iterator[Opener]:
    """Opens stores on the test's one location; closes them all at the end."""
    opened: list[Store] = []

    def open_() -> Store:
        opened.append(open_store(settings))
        return opened[-1]

    yield open_
    for store in opened:
        store.close()


@pytest.fixture
def store(opener: Opener) -> Store:
    return opener()


def test_round_trip_keeps_documents_and_hashes(store: Store) -> None:
    docs = [_rich("ig:giulia.green"), make_creator("tt:nano", followers=1500)]
    assert store.upsert_creators(docs) == 2
    expected = prepare_creators(sorted(docs, key=lambda d: d["creator_id"]))
    assert store.creators() == sorted(docs, key=lambda d: d["creator_id"])
    read, hashes = store.creators_with_hashes()
    assert read == store.creators() and hashes == expected.hashes
    assert store.creator_hashes() == dict(zip(expected.creator_ids, expected.hashes, strict=True))
    ids, texts, text_hashes = store.creator_texts_by_id(["tt:nano", "ig:nope", "ig:giulia.green"])
    assert (ids, texts, text_hashes) == (expected.creator_ids, expected.texts, expected.hashes)
    assert texts == [_dump(doc) for doc in sorted(docs, key=lambda d: d["creator_id"])]
    assert store.creator("ig:giulia.green") == docs[0] and store.creator("ig:nope") is None
    store.upsert_brands([{"brand_id": "eco", "name": "Eco", "values": "riuso ♻️"}])
    assert store.brand("eco") == {"brand_id": "eco", "name": "Eco", "values": "riuso ♻️"}


def test_both_back_ends_store_identical_text_and_hashes(tmp_path: Path, pg_url: str) -> None:
    docs = [_rich(f"ig:c{i}") for i in range(5)] + [make_creator("ig:Z", followers=1)]
    outcomes = [_outcome("eco", "ig:c1", "fw26", advocate=True, engagement_rate=0.043)]
    views = []
    for settings in (Settings(home=tmp_path), Settings(home=tmp_path, store_url=pg_url)):
        store = open_store(settings)
        store.upsert_creators(docs)
        store.add_outcomes(outcomes)
        views.append((store.creator_texts_by_id([d["creator_id"] for d in docs]),
                      store.creators_with_hashes(), store.outcomes()))  # fmt: skip
        store.close()
    assert views[0] == views[1]


def _execute(settings: Settings, *statements: str) -> None:
    """Statements run on the store's database from outside the store."""
    if settings.store_is_postgres:
        import psycopg

        with psycopg.connect(settings.store_url, autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]
    else:
        with sqlite3.connect(settings.store_path) as conn:
            for statement in statements:
                conn.execute(statement)


_REFUSE_B = {  # the change log refuses ig:b: the batch fails after its creators were written
    "sqlite": ("CREATE TRIGGER refuse_b BEFORE INSERT ON creator_changes "
               "WHEN NEW.creator_id = 'ig:b' BEGIN SELECT RAISE(ABORT, 'refused'); END",
               "DROP TRIGGER refuse_b"),
    "postgres": ("ALTER TABLE creator_changes ADD CONSTRAINT refuse_b CHECK (creator_id <> 'ig:b')",
                 "ALTER TABLE creator_changes DROP CONSTRAINT refuse_b"),
}  # fmt: skip


def test_a_batch_failing_mid_way_stores_nothing(settings: Settings, store: Store) -> None:
    refuse, allow = _REFUSE_B["postgres" if settings.store_is_postgres else "sqlite"]
    _execute(settings, refuse)
    with pytest.raises(Exception) as refused:  # sqlite3's or psycopg's own error
        store.upsert_creators([make_creator("ig:a"), make_creator("ig:b"), make_creator("ig:c")])
    assert "refuse" in str(refused.value) and not isinstance(refused.value, StoreBusy)
    assert store.counts()["creators"] == 0 and store.last_change_seq() == 0
    _execute(settings, allow)

    batch = [make_creator("ig:ok1"), make_creator("ig:ok2"), make_creator("ig:ok3")]
    batch[1]["creator_id"] = ["not", "bindable"]  # refused by the database driver mid-batch
    with pytest.raises(Exception) as unbindable:
        store.upsert_creators(batch)
    assert not isinstance(unbindable.value, StoreBusy)
    assert store.counts()["creators"] == 0
    assert store.upsert_creators([make_creator("ig:b")]) == 1  # usable afterwards


def test_large_batches_are_whole_too(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_postgres, "WRITE_CHUNK", 3)  # PostgreSQL: several statements
    refuse, allow = _REFUSE_B["postgres" if settings.store_is_postgres else "sqlite"]
    _execute(settings, refuse)
    batch = [make_creator(f"ig:a{i}") for i in range(8)] + [make_creator("ig:b")]
    with pytest.raises(Exception, match="refuse"):  # the last chunk of the change log fails
        store.upsert_creators(batch)
    assert store.counts()["creators"] == 0 and store.last_change_seq() == 0
    _execute(settings, allow)
    assert store.upsert_creators([*batch, batch[0]]) == 10
    assert store.upsert_brands([{"brand_id": f"b{i}", "name": "B", "values": "v"}
                                for i in range(7)]) == 7  # fmt: skip
    assert store.add_outcomes([_outcome("b0", f"ig:a{i}", "c") for i in range(8)]) == 8
    assert store.counts() == {"creators": 9, "brands": 7, "outcomes": 8}
    changed, seq = store.creators_changed_since(0)
    assert set(changed) == {c["creator_id"] for c in batch} and seq >= 10


def test_outcomes_are_keyed_and_re_ingest_is_a_no_op(store: Store) -> None:
    rows = [_outcome("eco", f"ig:c{i}", "fw26") for i in range(3)]
    rows.append(_outcome("eco", "ig:c0", ""))  # no campaign is a key of its own
    assert store.add_outcomes(rows) == 4
    assert store.add_outcomes(rows) == 4
    assert store.counts()["outcomes"] == 4
    store.add_outcomes([_outcome("eco", "ig:c0", "fw26", advocate=True)])  # same key: replaced
    assert store.counts()["outcomes"] == 4
    assert {"advocate": True} .items() <= next(
        o for o in store.outcomes() if o["campaign_id"] == "fw26" and o["creator_id"] == "ig:c0"
    ).items()
    store.add_outcomes([_outcome("eco", "ig:c9", "x"), _outcome("eco", "ig:c9", "x", advocate=1)])
    assert store.counts()["outcomes"] == 5  # a key twice in one batch: the last one wins


def test_delete_and_the_change_log(store: Store) -> None:
    assert store.last_change_seq() == 0
    store.upsert_creators([make_creator("ig:a"), make_creator("ig:b")])
    first = store.last_change_seq()
    assert first >= 2
    changed, last = store.creators_changed_since(0)
    assert set(changed) == {"ig:a", "ig:b"} and last == first
    assert store.delete_creator("ig:a") is True
    assert store.delete_creator("ig:a") is False  # nothing to delete: no change logged
    changed, last = store.creators_changed_since(first)
    assert changed == {"ig:a": None} and last == store.last_change_seq() > first
    store.upsert_creators([make_creator("ig:b", followers=5)])
    changed, newest = store.creators_changed_since(last)
    assert changed == {"ig:b": store.creator_hashes()["ig:b"]} and newest > last
    hashes, seq = store.creator_hashes_and_seq()
    assert set(hashes) == {"ig:b"} and seq == newest
    assert store.creators_changed_since(newest) == ({}, newest)


def test_rows_come_back_in_byte_order(store: Store) -> None:
    ids = ["tt:a", "ig:b", "ig:B", "ig:a.1", "ig:a-1", "ig:_x", "yt:0", "ig:a@b", "ig:a:b"]
    store.upsert_creators([make_creator(cid) for cid in ids])
    assert [d["creator_id"] for d in store.creators()] == sorted(ids)  # code points = bytes
    assert store.creator_texts_by_id(list(reversed(ids)))[0] == sorted(ids)
    store.upsert_brands([{"brand_id": b, "name": b, "values": "v"} for b in ("b", "B", "a_")])
    assert [b["brand_id"] for b in store.brands()] == ["B", "a_", "b"]


def test_many_ids_are_read_in_chunks_in_the_same_order(store: Store) -> None:
    ids = [f"ig:n{i:05d}" for i in range(CHUNK * 2 + 7)]
    store.upsert_creators([make_creator(cid) for cid in ids])
    asked = list(reversed(ids))  # each chunk sorted on its own, as SQLite's IN (...) queries
    expected = [cid for s in range(0, len(asked), CHUNK) for cid in sorted(asked[s : s + CHUNK])]
    docs, hashes = store.creators_by_id(asked)
    assert [d["creator_id"] for d in docs] == expected and len(hashes) == len(ids)


def test_brands_stamp_changes_on_every_brand_write(store: Store) -> None:
    empty = store.brands_stamp()
    store.upsert_brands([{"brand_id": "eco", "name": "Eco", "values": "v"}])
    one = store.brands_stamp()
    assert one != empty and one[0] == 1
    store.upsert_brands([{"brand_id": "eco", "name": "Eco", "values": "w"}])
    assert store.brands_stamp() != one
    store.upsert_creators([make_creator("ig:a")])  # creators do not move it
    assert store.brands_stamp()[0] == 1


def test_counts(store: Store) -> None:
    store.upsert_creators([make_creator(f"ig:{i}") for i in range(3)])
    store.upsert_brands([{"brand_id": "eco", "name": "Eco", "values": "v"}])
    store.add_outcomes([_outcome("eco", "ig:0", "c")])
    assert store.counts() == {"creators": 3, "brands": 1, "outcomes": 1}


def test_eight_concurrent_writers_lose_nothing_and_raise_nothing(store: Store) -> None:
    threads, rounds = 8, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def writer(t: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                shared = [make_creator(f"ig:shared{j}", followers=t) for j in range(4)]
                if t % 2:
                    shared.reverse()  # overlapping batches in opposite orders
                own = [make_creator(f"ig:t{t}.r{i}.{j}") for j in range(3)]
                store.upsert_creators(own + shared)
                store.upsert_brands([{"brand_id": f"b{t}.{i}", "name": "B", "values": "v"}])
                store.add_outcomes([_outcome(f"b{t}.{i}", f"ig:t{t}.r{i}.0", f"c{i}")])
                assert store.delete_creator(f"ig:t{t}.r{i}.2")
                assert store.creator(f"ig:t{t}.r{i}.1") is not None
        except BaseException as exc:  # reported below
            errors.append(exc)

    pool = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors[:3]
    assert store.counts() == {
        "creators": threads * rounds * 2 + 4,
        "brands": threads * rounds,
        "outcomes": threads * rounds,
    }
    changed, _ = store.creators_changed_since(0)
    written = {f"ig:t{t}.r{i}.{j}" for t in range(threads) for i in range(rounds) for j in range(3)}
    assert set(changed) == written | {f"ig:shared{j}" for j in range(4)}
    assert all(changed[f"ig:t{t}.r{i}.2"] is None for t in range(threads) for i in range(rounds))


def _set_version(settings: Settings, version: int) -> None:
    if settings.store_is_postgres:
        import psycopg

        with psycopg.connect(settings.store_url, autocommit=True) as conn:
            conn.execute("UPDATE microtribe_schema SET version = %s", (version,))
    else:
        with sqlite3.connect(settings.store_path) as conn:
            conn.execute(f"PRAGMA user_version = {version}")


def test_a_store_of_a_newer_schema_is_refused(settings: Settings, opener: Opener) -> None:
    opener().upsert_creators([make_creator("ig:kept")])
    _set_version(settings, 99)
    with pytest.raises(StoreSchemaTooNew) as refused:
        opener()
    message = str(refused.value)
    assert "schema version 99" in message and "up to 1" in message
    assert "Upgrade microtribe" in message
    _set_version(settings, 1)
    assert opener().creator("ig:kept") is not None  # refused, not touched


def test_migrations_apply_in_order_once_even_when_opened_at_once(
    settings: Settings, opener: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opener()
    first.upsert_creators([make_creator("ig:kept")])
    assert first.schema_version == 1
    step = ("CREATE TABLE IF NOT EXISTS extra_v2 (x INTEGER)",
            "INSERT INTO extra_v2 VALUES (1)")  # fmt: skip; not idempotent: runs once or fails
    monkeypatch.setattr(store_schema, "SQLITE_MIGRATIONS", [*store_schema.SQLITE_MIGRATIONS, step])
    monkeypatch.setattr(
        store_schema, "POSTGRES_MIGRATIONS", [*store_schema.POSTGRES_MIGRATIONS, step]
    )
    opened: list[Store] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        try:
            start.wait()
            opened.append(opener())
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=open_one) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert not errors, errors
    assert [s.schema_version for s in opened] == [2] * 4
    assert opened[0].creator("ig:kept") is not None
    if settings.store_is_postgres:
        import psycopg

        with psycopg.connect(settings.store_url) as conn:
            rows = conn.execute("SELECT COUNT(*) FROM extra_v2").fetchone()
    else:
        with sqlite3.connect(settings.store_path) as conn:
            rows = conn.execute("SELECT COUNT(*) FROM extra_v2").fetchone()
    assert rows == (1,)


_UNVERSIONED = """
CREATE TABLE creators (creator_id TEXT PRIMARY KEY, doc TEXT NOT NULL, content_hash TEXT NOT NULL,
    updated_at REAL NOT NULL);
CREATE TABLE creator_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, creator_id TEXT NOT NULL);
CREATE TABLE brands (brand_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE outcomes (brand_id TEXT NOT NULL, creator_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
    stage TEXT NOT NULL, observed_at TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (brand_id, creator_id, campaign_id, stage, observed_at));
INSERT INTO creators VALUES ('ig:old', '{"creator_id":"ig:old"}', 'h', 1.0);
INSERT INTO creator_changes (creator_id) VALUES ('ig:old');
"""


def test_a_sqlite_file_from_before_versioning_is_version_1(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(_UNVERSIONED)
        assert conn.execute("PRAGMA user_version").fetchone() == (0,)
    store = open_store(Settings(home=tmp_path))
    assert store.schema_version == 1
    assert store.creator_hashes_and_seq() == ({"ig:old": "h"}, 1)
    store.upsert_creators([make_creator("ig:new")])
    assert store.creators_changed_since(1)[0].keys() == {"ig:new"}
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)


# ---- PostgreSQL only -----------------------------------------------------------------------


def _store_backends_waiting_on_a_lock(url: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND application_name = 'microtribe'"
        ).fetchone()
    return int(row[0]) if row else 0


_HOLD_FIRST = (  # ig:first's write stops after taking its change number, until key 4242 is free
    "CREATE FUNCTION hold_first() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF NEW.creator_id = 'ig:first' THEN PERFORM pg_advisory_xact_lock(4242); END IF; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER hold_first AFTER INSERT ON creator_changes FOR EACH ROW "
    "EXECUTE FUNCTION hold_first()",
)


def test_postgres_change_numbers_follow_commit_order(pg_url: str, tmp_path: Path) -> None:
    """Writer A takes its change number and stays in flight; writer B comes later. Without the
    change-log lock B would commit first with the higher number, a reader would see B's number
    as the last change, and catching up after it would never see A's creator."""
    import psycopg

    settings = Settings(home=tmp_path, store_url=pg_url)
    store = open_store(settings)
    _execute(settings, *_HOLD_FIRST)
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(4242)")
        first = threading.Thread(target=store.upsert_creators, args=([make_creator("ig:first")],))
        first.start()
        while _store_backends_waiting_on_a_lock(pg_url) < 1:  # A holds its number, waits
            first.join(timeout=0.05)
            assert first.is_alive()
        second = threading.Thread(target=store.upsert_creators,
                                  args=([make_creator("ig:second")],))  # fmt: skip
        second.start()
        # B either commits (numbers not in commit order: the bug) or queues behind A
        while second.is_alive() and _store_backends_waiting_on_a_lock(pg_url) < 2:
            second.join(timeout=0.05)
        seen, seen_up_to = store.creators_changed_since(0)  # a replica catching up meanwhile
        holder.execute("SELECT pg_advisory_unlock(4242)")
    first.join()
    second.join()
    later, _ = store.creators_changed_since(seen_up_to)
    assert set(seen) | set(later) == {"ig:first", "ig:second"}, (seen, seen_up_to, later)
    store.close()


def test_postgres_no_connection_in_time_is_store_busy(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_postgres, "POOL_TIMEOUT_S", 0.5)
    store = open_store(Settings(home=tmp_path, store_url=pg_url, store_pool=1))
    taken = store._pool.connection()  # type: ignore[attr-defined]  # the only connection
    with taken, pytest.raises(StoreBusy, match="no connection"):
        store.upsert_creators([make_creator("ig:late")])
    store.upsert_creators([make_creator("ig:late")])  # free again: it commits
    assert store.creator("ig:late") is not None
    store.close()


def test_postgres_unreachable_is_store_busy_and_never_shows_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setattr(store_postgres, "POOL_TIMEOUT_S", 0.5)
    url = f"postgresql://agency:s3cret@127.0.0.1:{port}/microtribe?password=s3cret"
    with pytest.raises(StoreBusy) as busy:
        open_store(Settings(home=tmp_path, store_url=url))
    assert "s3cret" not in str(busy.value)


def test_store_urls_are_shown_with_the_password_masked(tmp_path: Path) -> None:
    url = "postgresql://agency:s3cret@db.internal:5432/microtribe?sslmode=require&password=s3cret"
    shown = redacted_store_url(Settings(home=tmp_path, store_url=url))
    assert "s3cret" not in shown
    assert shown.startswith("postgresql://agency:***@db.internal:5432/microtribe?")
    assert "sslmode=require" in shown
    assert redacted_store_url(Settings(home=tmp_path)) == str(tmp_path / "catalog.db")
