"""The SQLite store of creators, brands and outcomes: every write is one transaction.

Safe under concurrency by construction (docs/design.md, "The store under concurrency"):
- every thread reads through its own connection (WAL: a reader sees the last commit made
  before its statement or read transaction began, and never blocks or is blocked by a writer);
- writes in this process go through one writer connection, one transaction at a time, under
  a lock: no two threads' transactions can interleave on a connection;
- other processes (`microtribe ingest`, `build`) writing the same file are waited for, up to
  `BUSY_TIMEOUT_S`, by SQLite's busy handler; past that a write raises `StoreBusy`.
Writes are serialised, so the change log's numbers (`creator_changes.seq`) are in commit order.
The schema is versioned (`PRAGMA user_version`, matching/store_schema.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from matching.store_common import (
    CHUNK,
    PreparedCreators,
    StoreBusy,
    _dump,
    outcome_row,
    prepare_creators,
)
from matching.store_schema import migrate_sqlite

# A whole-file ingest of 5,000 creators commits in a few seconds; a server write waits for it.
BUSY_TIMEOUT_S = 60.0


def _connect(path: Path) -> sqlite3.Connection:
    # check_same_thread=False only so that `close` may close every thread's connection; each
    # connection is otherwise used by one thread (readers) or under the write lock (writer)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
    return conn


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class CatalogStore:
    """Creators, brands and outcomes in one SQLite file (WAL, durable commits)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._writer = _connect(path)
        self._writer.execute("PRAGMA journal_mode=WAL")  # persistent: once per file suffices
        self.schema_version = migrate_sqlite(self._writer, str(path))
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._closed = False

    # ---- connections ---------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        """This thread's own connection for reads, opened on its first read."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            with self._readers_lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("the store is closed")
                conn = _connect(self.path)
                self._readers.append(conn)
            self._local.conn = conn
        return conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction at a time in this process; committed before it returns."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")  # waits for other processes' writers
            except sqlite3.OperationalError as exc:
                if _busy(exc):
                    raise StoreBusy(f"the store {self.path} stayed locked: {exc}") from exc
                raise
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one commit (a read transaction on this thread's connection)."""
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # ---- writes --------------------------------------------------------------------------

    def write_creators(self, prepared: PreparedCreators) -> int:
        now = time.time()
        rows = [
            (cid, text, digest, now)
            for cid, text, digest in zip(
                prepared.creator_ids, prepared.texts, prepared.hashes, strict=True
            )
        ]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO creators VALUES (?, ?, ?, ?)", rows)
            self._log_changes(conn, prepared.creator_ids)
        return len(rows)

    @staticmethod
    def _log_changes(conn: sqlite3.Connection, creator_ids: Sequence[str]) -> None:
        conn.executemany(
            "INSERT INTO creator_changes (creator_id) VALUES (?)", [(cid,) for cid in creator_ids]
        )

    def upsert_creators(self, docs: Iterable[Mapping[str, Any]]) -> int:
        return self.write_creators(prepare_creators(docs))

    def upsert_brands(self, docs: Iterable[Mapping[str, Any]]) -> int:
        now = time.time()
        rows = [(doc["brand_id"], _dump(doc), now) for doc in docs]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO brands VALUES (?, ?, ?)", rows)
        return len(rows)

    def add_outcomes(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Outcomes are keyed by brand, creator, campaign, stage and time: re-ingest is a no-op."""
        rows = [outcome_row(doc) for doc in docs]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def delete_creator(self, creator_id: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM creators WHERE creator_id = ?", (creator_id,))
            if cursor.rowcount > 0:
                self._log_changes(conn, [creator_id])
            return cursor.rowcount > 0

    # ---- reads ---------------------------------------------------------------------------

    def _docs(self, query: str, *args: Any) -> list[dict[str, Any]]:
        return [json.loads(doc) for (doc,) in self._reader().execute(query, args).fetchall()]

    def creators(self) -> list[dict[str, Any]]:
        return self._docs("SELECT doc FROM creators ORDER BY creator_id")

    def creators_with_hashes(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Every creator document and its content hash, read in one consistent query."""
        rows = (
            self._reader()
            .execute("SELECT doc, content_hash FROM creators ORDER BY creator_id")
            .fetchall()
        )
        return [json.loads(doc) for doc, _ in rows], [digest for _, digest in rows]

    def creator_hashes(self) -> dict[str, str]:
        """creator_id → content hash of the stored document (changes whenever it does)."""
        return self.creator_hashes_and_seq()[0]

    def creator_hashes_and_seq(self) -> tuple[dict[str, str], int]:
        """Every creator's content hash and the number of the last change they include."""
        with self._snapshot() as conn:
            hashes = dict(conn.execute("SELECT creator_id, content_hash FROM creators"))
            return hashes, self._last_change(conn)

    def last_change_seq(self) -> int:
        """The number of the last creator change committed (0 when none): a replica that
        loaded up to an older number has writes of other replicas to catch up on."""
        return self._last_change(self._reader())

    @staticmethod
    def _last_change(conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM creator_changes").fetchone()[0])

    def creators_changed_since(self, seq: int) -> tuple[dict[str, str | None], int]:
        """Creators written or deleted after change `seq`: id → content hash now (None when
        deleted), and the number of the last change."""
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT DISTINCT c.creator_id, s.content_hash FROM creator_changes c "
                "LEFT JOIN creators s ON s.creator_id = c.creator_id WHERE c.seq > ?",
                (seq,),
            ).fetchall()
            return dict(rows), self._last_change(conn)

    def creators_by_id(self, creator_ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """The stored documents of `creator_ids` (those that exist) and their content hashes,
        all as of one commit."""
        docs: list[dict[str, Any]] = []
        hashes: list[str] = []
        with self._snapshot() as conn:
            for start in range(0, len(creator_ids), CHUNK):
                chunk = list(creator_ids[start : start + CHUNK])
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT doc, content_hash FROM creators WHERE creator_id IN ({marks}) "
                    "ORDER BY creator_id",
                    chunk,
                ).fetchall()
                for doc, digest in rows:
                    docs.append(json.loads(doc))
                    hashes.append(digest)
        return docs, hashes

    def creator_texts_by_id(
        self, creator_ids: Sequence[str]
    ) -> tuple[list[str], list[str], list[str]]:
        """(ids, stored JSON documents, content hashes) of `creator_ids` that exist, in id
        order, as of one commit: documents as stored, not parsed."""
        found: list[str] = []
        texts: list[str] = []
        hashes: list[str] = []
        with self._snapshot() as conn:
            for start in range(0, len(creator_ids), CHUNK):
                chunk = list(creator_ids[start : start + CHUNK])
                marks = ",".join("?" * len(chunk))
                for cid, doc, digest in conn.execute(
                    f"SELECT creator_id, doc, content_hash FROM creators "
                    f"WHERE creator_id IN ({marks}) ORDER BY creator_id",
                    chunk,
                ):
                    found.append(cid)
                    texts.append(doc)
                    hashes.append(digest)
        return found, texts, hashes

    def creator(self, creator_id: str) -> dict[str, Any] | None:
        found = self._docs("SELECT doc FROM creators WHERE creator_id = ?", creator_id)
        return found[0] if found else None

    def brands(self) -> list[dict[str, Any]]:
        return self._docs("SELECT doc FROM brands ORDER BY brand_id")

    def brands_stamp(self) -> tuple[int, float, float]:
        """Changes whenever a brand is written: (brands, latest and summed write times)."""
        row = (
            self._reader()
            .execute("SELECT COUNT(*), COALESCE(MAX(updated_at), 0), TOTAL(updated_at) FROM brands")
            .fetchone()
        )
        return int(row[0]), float(row[1]), float(row[2])

    def brand(self, brand_id: str) -> dict[str, Any] | None:
        found = self._docs("SELECT doc FROM brands WHERE brand_id = ?", brand_id)
        return found[0] if found else None

    def outcomes(self) -> list[dict[str, Any]]:
        return self._docs(
            "SELECT doc FROM outcomes "
            "ORDER BY observed_at, brand_id, creator_id, campaign_id, stage"
        )

    def counts(self) -> dict[str, int]:
        with self._snapshot() as conn:
            return {
                table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("creators", "brands", "outcomes")
            }

    def describe(self) -> str:
        """The store as shown to a user: its file."""
        return str(self.path)

    def close(self) -> None:
        with self._readers_lock:
            self._closed = True
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        with self._write_lock:
            self._writer.close()
