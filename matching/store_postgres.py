"""The PostgreSQL store: CatalogStore's contract on a database shared by replicas on many hosts.

Same semantics as the SQLite store (matching/store_sqlite.py):
- every write is one transaction, acknowledged (the method returns) only once committed
  durably: each connection runs with `synchronous_commit = on`, whatever the server's default;
- documents are stored as the same JSON text (TEXT, not JSONB, which would reorder keys), so
  content hashes and documents read back are byte-identical across back ends; ids compare
  with `COLLATE "C"` (byte order), so every ORDER BY gives SQLite's order;
- concurrent writers do not fail: a deadlock or serialisation failure is retried (up to
  `WRITE_ATTEMPTS` times, rows locked in id order so that overlapping batches rarely deadlock at
  all); no free connection within `POOL_TIMEOUT_S`, or a database that cannot be reached,
  raises `StoreBusy` (the API's 503 with Retry-After).

The change log is numbered in commit order. PostgreSQL hands out identity numbers when a row is
inserted, not when its transaction commits: writer A could take seq 9, writer B seq 10, and B
commit first; a reader would then see 10 as the last change while 9 is still in flight, and a
replica catching up on the changes "after 10" would never see A's creators. So every write to
`creator_changes` first takes a transaction-scoped advisory lock (`CHANGE_LOG_LOCK`), held to
the end of its commit: change-log writers number and commit one after the other, and any
snapshot sees a prefix of the log. The creators themselves are written before the lock is
taken (the lock's CTE reads the upsert's RETURNING rows, which makes PostgreSQL finish the
upsert first), so concurrent batches write their rows in parallel and never wait for the lock
while holding it; only the short log insert and the commit are serialised (which SQLite
serialises entirely).

Holding that lock through a durable commit would serialise the WAL flushes too (one disk flush
per write, no group commit: a third of SQLite's rate with 8 writers here). So a change-log write
commits with `synchronous_commit` off for that transaction alone (its number and visibility are
settled the moment it commits, and the lock is released at once), and the same connection then
commits a one-row write with `synchronous_commit` on (`_FLUSH`, pipelined: no extra round trip):
PostgreSQL flushes the WAL in order, so that flush makes the change-log write durable too, and
concurrent writers share flushes (group commit). The method returns after the flush: an
acknowledged write is on disk. The price: between its commit and the flush (a disk flush, a few
milliseconds) another connection may already read the write; if the database server crashed in
that window the write is lost (never acknowledged: its client saw an error) though a reader may
have seen it. A server crash of the application (the drill's kill -9) cannot cause that.

Each write is one statement (data-modifying CTEs) on an autocommit connection: its own
transaction, one round trip, no BEGIN/COMMIT (a round trip costs a context switch to the
server, which dominates on a loaded machine). Single-query reads are one statement too (a
statement sees one snapshot); reads of several queries run in one REPEATABLE READ, READ ONLY
transaction. Connections come from a `psycopg_pool.ConnectionPool` of `Settings.store_pool`
connections (`MICROTRIBE_STORE_POOL`, default 4), all opened at start and not checked before
each use (a round trip): after a database restart, the first use of each stale connection
raises `StoreBusy` (a 503, retried by the client) and the pool replaces it. The schema is
versioned (matching/store_schema.py).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from matching.store_common import (
    CHUNK,
    PreparedCreators,
    StoreBusy,
    _dump,
    outcome_row,
    prepare_creators,
)
from matching.store_schema import migrate_postgres

POOL_TIMEOUT_S = 30.0  # waiting for a free connection (or the database) past this: StoreBusy
WRITE_CHUNK = 5_000  # rows per statement: an ingest of a million creators is many statements
WRITE_ATTEMPTS = 5  # a write that deadlocked or failed to serialise is run again up to this
CHANGE_LOG_LOCK = 0x6D74_4348  # advisory lock key ("mtCH") serialising change-log writers
_RETRIED = (errors.SerializationFailure, errors.DeadlockDetected)

Connection = psycopg.Connection[Any]
T = TypeVar("T")

_UPSERT_CREATORS = """
INSERT INTO creators (creator_id, doc, content_hash, updated_at)
SELECT i, d, h, %(now)s FROM unnest(%(ids)s::text[], %(docs)s::text[], %(hashes)s::text[])
    AS r(i, d, h)
ON CONFLICT (creator_id) DO UPDATE SET doc = EXCLUDED.doc,
    content_hash = EXCLUDED.content_hash, updated_at = EXCLUDED.updated_at
"""
_LOG_CHANGES = """
WITH ordered AS (
    SELECT pg_advisory_xact_lock(%(lock)s), set_config('synchronous_commit', 'off', true)
)
INSERT INTO creator_changes (creator_id)
SELECT c FROM ordered, unnest(%(log)s::text[]) WITH ORDINALITY AS l(c, n) ORDER BY n
"""
# Both in one statement: the upsert, then (the lock's CTE reads its RETURNING rows, so once every
# row is written) the change-log lock, then the log rows in batch order. A batch of more than
# WRITE_CHUNK rows runs the two in chunks, in one transaction (a parameter may not exceed 1 GB).
_WRITE_CREATORS = f"""
WITH written AS ({_UPSERT_CREATORS} RETURNING 1
), ordered AS (
    SELECT pg_advisory_xact_lock(%(lock)s), set_config('synchronous_commit', 'off', true)
    FROM (SELECT COUNT(*) FROM written) AS done
)
INSERT INTO creator_changes (creator_id)
SELECT c FROM ordered, unnest(%(log)s::text[]) WITH ORDINALITY AS l(c, n) ORDER BY n
"""
# A durable commit on this connection: the WAL is flushed up to it, so past every earlier commit.
_FLUSH = (
    "INSERT INTO microtribe_flush VALUES (pg_backend_pid(), 1) ON CONFLICT (pid) "
    "DO UPDATE SET writes = microtribe_flush.writes + 1"
)
# A change is logged (and the lock taken) only when a row was deleted: rowcount 1 or 0.
_DELETE_CREATOR = """
WITH gone AS (
    DELETE FROM creators WHERE creator_id = %(id)s RETURNING creator_id
), ordered AS (
    SELECT pg_advisory_xact_lock(%(lock)s), set_config('synchronous_commit', 'off', true)
    FROM (SELECT COUNT(*) AS n FROM gone) AS done WHERE n > 0
)
INSERT INTO creator_changes (creator_id) SELECT creator_id FROM gone, ordered
"""


def _configure(conn: Connection) -> None:
    conn.execute("SET synchronous_commit = on")  # acknowledged = on disk, whatever the default
    conn.execute("SET application_name = 'microtribe'")


class PostgresStore:
    """Creators, brands and outcomes in a PostgreSQL database, through a connection pool."""

    def __init__(self, url: str, pool_size: int = 4, description: str = "") -> None:
        self._description = description or "a PostgreSQL store"
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            url,
            min_size=pool_size,
            max_size=pool_size,
            kwargs={"autocommit": True},  # a statement is a transaction; else conn.transaction()
            configure=_configure,
            timeout=POOL_TIMEOUT_S,
            name="microtribe-store",
            open=False,
        )
        self._pool.open()
        try:
            self._pool.wait(timeout=POOL_TIMEOUT_S)
            with self._connection() as conn:
                self.schema_version = migrate_postgres(conn, self._description)
        except PoolTimeout as exc:
            self._pool.close()
            raise StoreBusy(f"could not connect to {self._description}: {exc}") from exc
        except BaseException:
            self._pool.close()
            raise

    # ---- connections ---------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A pooled connection; no connection in time, or none possible, is `StoreBusy`."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise StoreBusy(f"no connection to {self._description} in time: {exc}") from exc
        except _RETRIED:
            raise  # retried by `_write`
        except psycopg.OperationalError as exc:
            raise StoreBusy(f"{self._description} is unreachable: {exc}") from exc

    def _write(self, body: Callable[[Connection], T]) -> T:
        """Run `body` (one statement: its own transaction), committed durably before this
        returns; run again when PostgreSQL aborted it for a deadlock or a serialisation
        failure."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._connection() as conn:
                    return body(conn)
            except _RETRIED as exc:
                if attempt == WRITE_ATTEMPTS:
                    raise StoreBusy(
                        f"a write to {self._description} conflicted {attempt} times: {exc}"
                    ) from exc
                time.sleep(random.uniform(0, 0.01 * attempt))  # let the other writer finish
        raise AssertionError("unreachable")

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """Several reads that see one commit."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield conn

    def _rows(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return conn.execute(query, args).fetchall()

    def _docs(self, query: str, *args: Any) -> list[dict[str, Any]]:
        return [json.loads(doc) for (doc,) in self._rows(query, *args)]

    # ---- writes --------------------------------------------------------------------------

    def write_creators(self, prepared: PreparedCreators) -> int:
        # the last document of an id wins, as with SQLite's INSERT OR REPLACE; rows in id order
        # so that two overlapping batches lock their rows in the same order
        latest = dict(zip(prepared.creator_ids, zip(prepared.texts, prepared.hashes, strict=True),
                          strict=True))  # fmt: skip
        ids = sorted(latest)
        args: dict[str, Any] = {
            "now": time.time(), "ids": ids, "docs": [latest[i][0] for i in ids],
            "hashes": [latest[i][1] for i in ids], "log": list(prepared.creator_ids),
            "lock": CHANGE_LOG_LOCK,
        }  # fmt: skip
        if len(ids) <= WRITE_CHUNK and len(args["log"]) <= WRITE_CHUNK:
            self._write(lambda conn: self._flushed(conn, _WRITE_CREATORS, args))
        else:
            self._write(lambda conn: self._write_chunks(conn, args))
        return len(prepared.creator_ids)

    @staticmethod
    def _write_chunks(conn: Connection, args: dict[str, Any]) -> None:
        """A large batch in one transaction: the rows chunk by chunk, then the change log
        (under its lock from the first log chunk to the commit), then the flush."""
        with conn.transaction():
            for start in range(0, len(args["ids"]), WRITE_CHUNK):
                part = slice(start, start + WRITE_CHUNK)
                columns = {name: args[name][part] for name in ("ids", "docs", "hashes")}
                conn.execute(_UPSERT_CREATORS, {**args, **columns})
            for start in range(0, len(args["log"]), WRITE_CHUNK):
                log = args["log"][start : start + WRITE_CHUNK]
                conn.execute(_LOG_CHANGES, {"lock": args["lock"], "log": log})
        conn.execute(_FLUSH)

    @staticmethod
    def _flushed(conn: Connection, statement: str, args: dict[str, Any]) -> int:
        """A change-log write (committed asynchronously), then a durable commit that flushes it;
        both sent at once. Its row count."""
        with conn.pipeline():
            cursor = conn.execute(statement, args)
            conn.execute(_FLUSH)
        return cursor.rowcount

    def upsert_creators(self, docs: Iterable[Mapping[str, Any]]) -> int:
        return self.write_creators(prepare_creators(docs))

    def upsert_brands(self, docs: Iterable[Mapping[str, Any]]) -> int:
        texts = [(doc["brand_id"], _dump(doc)) for doc in docs]
        latest = dict(texts)
        ids = sorted(latest)
        now = time.time()
        statement = (
            "INSERT INTO brands (brand_id, doc, updated_at) "
            "SELECT i, d, %s FROM unnest(%s::text[], %s::text[]) AS r(i, d) "
            "ON CONFLICT (brand_id) DO UPDATE SET doc = EXCLUDED.doc, "
            "updated_at = EXCLUDED.updated_at"
        )
        chunks = [(now, part, [latest[i] for i in part]) for part in _chunks(ids)]
        self._write(lambda conn: _execute_all(conn, statement, chunks))
        return len(texts)

    def add_outcomes(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Outcomes are keyed by brand, creator, campaign, stage and time: re-ingest is a no-op."""
        rows = [outcome_row(doc) for doc in docs]
        latest = sorted({row[:5]: row for row in rows}.values())
        statement = (
            "INSERT INTO outcomes (brand_id, creator_id, campaign_id, stage, observed_at, doc) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], "
            "%s::text[], %s::text[]) "
            "ON CONFLICT (brand_id, creator_id, campaign_id, stage, observed_at) "
            "DO UPDATE SET doc = EXCLUDED.doc"
        )
        chunks = [[list(column) for column in zip(*part, strict=True)] or [[]] * 6
                  for part in _chunks(latest)]  # fmt: skip
        self._write(lambda conn: _execute_all(conn, statement, chunks))
        return len(rows)

    def delete_creator(self, creator_id: str) -> bool:
        args = {"id": creator_id, "lock": CHANGE_LOG_LOCK}
        return self._write(lambda conn: self._flushed(conn, _DELETE_CREATOR, args) > 0)

    # ---- reads ---------------------------------------------------------------------------

    def creators(self) -> list[dict[str, Any]]:
        return self._docs("SELECT doc FROM creators ORDER BY creator_id")

    def creators_with_hashes(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Every creator document and its content hash, read in one consistent query."""
        rows = self._rows("SELECT doc, content_hash FROM creators ORDER BY creator_id")
        return [json.loads(doc) for doc, _ in rows], [digest for _, digest in rows]

    def creator_hashes(self) -> dict[str, str]:
        """creator_id → content hash of the stored document (changes whenever it does)."""
        return self.creator_hashes_and_seq()[0]

    def creator_hashes_and_seq(self) -> tuple[dict[str, str], int]:
        """Every creator's content hash and the number of the last change they include."""
        with self._snapshot() as conn:
            hashes = dict(conn.execute("SELECT creator_id, content_hash FROM creators").fetchall())
            return hashes, self._last_change(conn)

    def last_change_seq(self) -> int:
        """The number of the last creator change committed (0 when none)."""
        with self._connection() as conn:
            return self._last_change(conn)

    @staticmethod
    def _last_change(conn: Connection) -> int:
        row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM creator_changes").fetchone()
        return int(row[0]) if row else 0

    def creators_changed_since(self, seq: int) -> tuple[dict[str, str | None], int]:
        """Creators written or deleted after change `seq`: id → content hash now (None when
        deleted), and the number of the last change."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT DISTINCT c.creator_id, s.content_hash FROM creator_changes c "
                "LEFT JOIN creators s ON s.creator_id = c.creator_id WHERE c.seq > %s",
                (seq,),
            ).fetchall()
            return dict(rows), self._last_change(conn)

    def _by_id(self, creator_ids: Sequence[str]) -> list[tuple[str, str, str]]:
        """(id, document text, hash) of the ids that exist, as of one commit; sorted per chunk of
        `CHUNK` ids as the SQLite store does, so both return the same order."""
        found: list[tuple[str, str, str]] = []
        one_query = len(creator_ids) <= CHUNK  # a statement is a snapshot of its own
        with self._connection() if one_query else self._snapshot() as conn:
            for start in range(0, len(creator_ids), CHUNK):
                found += conn.execute(
                    "SELECT creator_id, doc, content_hash FROM creators "
                    "WHERE creator_id = ANY(%s::text[]) ORDER BY creator_id",
                    (list(creator_ids[start : start + CHUNK]),),
                ).fetchall()
        return found

    def creators_by_id(self, creator_ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """The stored documents of `creator_ids` (those that exist) and their content hashes,
        all as of one commit."""
        rows = self._by_id(creator_ids)
        return [json.loads(doc) for _, doc, _ in rows], [digest for _, _, digest in rows]

    def creator_texts_by_id(
        self, creator_ids: Sequence[str]
    ) -> tuple[list[str], list[str], list[str]]:
        """(ids, stored JSON documents, content hashes) of `creator_ids` that exist, in id
        order, as of one commit: documents as stored, not parsed."""
        rows = self._by_id(creator_ids)
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def creator(self, creator_id: str) -> dict[str, Any] | None:
        found = self._docs("SELECT doc FROM creators WHERE creator_id = %s", creator_id)
        return found[0] if found else None

    def brands(self) -> list[dict[str, Any]]:
        return self._docs("SELECT doc FROM brands ORDER BY brand_id")

    def brands_stamp(self) -> tuple[int, float, float]:
        """Changes whenever a brand is written: (brands, latest and summed write times)."""
        (row,) = self._rows(
            "SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(SUM(updated_at), 0) "
            "FROM brands"
        )
        return int(row[0]), float(row[1]), float(row[2])

    def brand(self, brand_id: str) -> dict[str, Any] | None:
        found = self._docs("SELECT doc FROM brands WHERE brand_id = %s", brand_id)
        return found[0] if found else None

    def outcomes(self) -> list[dict[str, Any]]:
        return self._docs(
            "SELECT doc FROM outcomes "
            "ORDER BY observed_at, brand_id, creator_id, campaign_id, stage"
        )

    def counts(self) -> dict[str, int]:
        (row,) = self._rows(  # one statement: one snapshot
            "SELECT (SELECT COUNT(*) FROM creators), (SELECT COUNT(*) FROM brands), "
            "(SELECT COUNT(*) FROM outcomes)"
        )
        return {"creators": int(row[0]), "brands": int(row[1]), "outcomes": int(row[2])}

    def describe(self) -> str:
        """The store as shown to a user: its URL with the password masked."""
        return self._description

    def close(self) -> None:
        self._pool.close()


def _chunks(rows: Sequence[T]) -> list[Sequence[T]]:
    """`rows` in parts of at most WRITE_CHUNK (one empty part when there is none)."""
    return [rows[start : start + WRITE_CHUNK] for start in range(0, len(rows), WRITE_CHUNK)] or [
        rows
    ]


def _execute_all(conn: Connection, statement: str, chunks: Sequence[Any]) -> None:
    """One statement per chunk, all in one transaction (one statement: its own)."""
    if len(chunks) == 1:
        conn.execute(statement, chunks[0])
        return
    with conn.transaction():
        for chunk in chunks:
            conn.execute(statement, chunk)
