"""The SQLite store of creators, brands and outcomes: every write is one transaction.

Documents are kept as the validated contract JSON (absent optional fields stay absent, so a
missing `sponsored` still means "detect it"), beside the few columns queries need.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS creators (
    creator_id TEXT PRIMARY KEY, doc TEXT NOT NULL, content_hash TEXT NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS brands (
    brand_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    brand_id TEXT NOT NULL, creator_id TEXT NOT NULL, campaign_id TEXT NOT NULL,
    stage TEXT NOT NULL, observed_at TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (brand_id, creator_id, campaign_id, stage, observed_at)
);
"""


def _dump(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class CatalogStore:
    """Creators, brands and outcomes in one SQLite file (WAL, durable commits)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a crash
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def upsert_creators(self, docs: Iterable[Mapping[str, Any]]) -> int:
        now = time.time()
        rows = []
        for doc in docs:
            text = _dump(doc)
            digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
            rows.append((doc["creator_id"], text, digest, now))
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO creators VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def upsert_brands(self, docs: Iterable[Mapping[str, Any]]) -> int:
        now = time.time()
        rows = [(doc["brand_id"], _dump(doc), now) for doc in docs]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO brands VALUES (?, ?, ?)", rows)
        return len(rows)

    def add_outcomes(self, docs: Iterable[Mapping[str, Any]]) -> int:
        """Outcomes are keyed by brand, creator, campaign, stage and time: re-ingest is a no-op."""
        rows = [
            (
                doc["brand_id"],
                doc["creator_id"],
                doc.get("campaign_id") or "",
                doc["stage"],
                doc["observed_at"],
                _dump(doc),
            )
            for doc in docs
        ]
        with self._transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def delete_creator(self, creator_id: str) -> bool:
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM creators WHERE creator_id = ?", (creator_id,))
        return cursor.rowcount > 0

    def creators(self) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT doc FROM creators ORDER BY creator_id")
        return [json.loads(doc) for (doc,) in rows]

    def creators_with_hashes(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Every creator document and its content hash, read in one consistent query."""
        rows = self._conn.execute("SELECT doc, content_hash FROM creators ORDER BY creator_id")
        docs, hashes = [], []
        for doc, digest in rows:
            docs.append(json.loads(doc))
            hashes.append(digest)
        return docs, hashes

    def creator_hashes(self) -> dict[str, str]:
        """creator_id → content hash of the stored document (changes whenever it does)."""
        rows = self._conn.execute("SELECT creator_id, content_hash FROM creators")
        return dict(rows.fetchall())

    def creators_by_id(self, creator_ids: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """The stored documents of `creator_ids` (those that exist) and their content hashes."""
        docs: list[dict[str, Any]] = []
        hashes: list[str] = []
        for start in range(0, len(creator_ids), 500):
            chunk = creator_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT doc, content_hash FROM creators WHERE creator_id IN ({marks}) "
                "ORDER BY creator_id",
                chunk,
            )
            for doc, digest in rows:
                docs.append(json.loads(doc))
                hashes.append(digest)
        return docs, hashes

    def creator(self, creator_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT doc FROM creators WHERE creator_id = ?", (creator_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def brands(self) -> list[dict[str, Any]]:
        rows = self._conn.execute("SELECT doc FROM brands ORDER BY brand_id")
        return [json.loads(doc) for (doc,) in rows]

    def brand(self, brand_id: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT doc FROM brands WHERE brand_id = ?", (brand_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def outcomes(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT doc FROM outcomes ORDER BY observed_at, brand_id, creator_id, campaign_id"
        )
        return [json.loads(doc) for (doc,) in rows]

    def counts(self) -> dict[str, int]:
        return {
            table: int(self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("creators", "brands", "outcomes")
        }

    def close(self) -> None:
        self._conn.close()
