"""The store's versioned schema: migrations applied in order when a store is opened.

Each back end has a list of migrations, migration `n` taking the schema from version `n - 1`
to `n`; the version is kept in the store itself (SQLite: `PRAGMA user_version`; PostgreSQL:
the one-row table `microtribe_schema`). Opening a store applies the missing ones in one
transaction, under the store's write lock (SQLite `BEGIN IMMEDIATE`; PostgreSQL a transaction
advisory lock), so two processes opening a store at once migrate it once, and a failed
migration leaves the previous version intact. Every statement is idempotent (`IF NOT EXISTS`):
a SQLite file from before versioning (version 0, today's tables) becomes version 1 unchanged.

A store whose version is newer than this code knows is refused: an older microtribe would
misread or damage a schema it does not know. Add a migration by appending to both lists (the
version numbers of the two back ends stay equal) and never edit a released one.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from matching.store_common import StoreSchemaTooNew

if TYPE_CHECKING:
    import psycopg

Migration = tuple[str, ...]

SQLITE_MIGRATIONS: list[Migration] = [
    (  # 1: creators, their change log, brands, outcomes (the layout before versioning)
        "CREATE TABLE IF NOT EXISTS creators (creator_id TEXT PRIMARY KEY, doc TEXT NOT NULL, "
        "content_hash TEXT NOT NULL, updated_at REAL NOT NULL)",
        # One row per creator written or deleted, numbered in commit order (writes are
        # serialised): a catalog records the last number its build saw, and a server catches up
        # on the creators changed after it without comparing every row with the store.
        "CREATE TABLE IF NOT EXISTS creator_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "creator_id TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS brands (brand_id TEXT PRIMARY KEY, doc TEXT NOT NULL, "
        "updated_at REAL NOT NULL)",
        "CREATE TABLE IF NOT EXISTS outcomes (brand_id TEXT NOT NULL, creator_id TEXT NOT NULL, "
        "campaign_id TEXT NOT NULL, stage TEXT NOT NULL, observed_at TEXT NOT NULL, "
        "doc TEXT NOT NULL, PRIMARY KEY (brand_id, creator_id, campaign_id, stage, observed_at))",
    ),
]

# Ids compare byte by byte (COLLATE "C"), as in SQLite: the same ORDER BY gives the same order.
POSTGRES_MIGRATIONS: list[Migration] = [
    (  # 1: as SQLite's 1; the change log's numbers are made commit-ordered by the writers
        'CREATE TABLE IF NOT EXISTS creators (creator_id TEXT COLLATE "C" PRIMARY KEY, '
        "doc TEXT NOT NULL, content_hash TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE IF NOT EXISTS creator_changes (seq BIGINT GENERATED ALWAYS AS IDENTITY "
        'PRIMARY KEY, creator_id TEXT COLLATE "C" NOT NULL)',
        'CREATE TABLE IF NOT EXISTS brands (brand_id TEXT COLLATE "C" PRIMARY KEY, '
        "doc TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL)",
        'CREATE TABLE IF NOT EXISTS outcomes (brand_id TEXT COLLATE "C" NOT NULL, '
        'creator_id TEXT COLLATE "C" NOT NULL, campaign_id TEXT COLLATE "C" NOT NULL, '
        'stage TEXT COLLATE "C" NOT NULL, observed_at TEXT COLLATE "C" NOT NULL, '
        "doc TEXT NOT NULL, PRIMARY KEY (brand_id, creator_id, campaign_id, stage, observed_at))",
        # one row per server connection, written after each change-log write to flush the WAL
        # (matching/store_postgres.py: why the change log commits asynchronously, then flushes)
        "CREATE TABLE IF NOT EXISTS microtribe_flush (pid INTEGER PRIMARY KEY, "
        "writes BIGINT NOT NULL)",
    ),
]
MIGRATION_LOCK = 0x6D74_5343  # PostgreSQL advisory lock key ("mtSC") held while migrating


def refuse_newer(found: int, known: int, where: str) -> None:
    if found > known:
        raise StoreSchemaTooNew(
            f"the store {where} has schema version {found}, but this microtribe knows versions "
            f"up to {known}: a newer microtribe migrated it. Upgrade microtribe to the version "
            "that wrote it (or newer); an older one must not open it."
        )


def migrate_sqlite(conn: sqlite3.Connection, where: str) -> int:
    """Bring the SQLite store to the latest version (autocommit connection); its version."""
    known = len(SQLITE_MIGRATIONS)
    found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    refuse_newer(found, known, where)
    if found == known:
        return found  # the usual case: no write lock taken
    conn.execute("BEGIN IMMEDIATE")  # one process migrates; the others then find it done
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        refuse_newer(found, known, where)
        for migration in SQLITE_MIGRATIONS[found:]:
            for statement in migration:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {known}")  # transactional: in the file header
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return known


def migrate_postgres(conn: psycopg.Connection[Any], where: str) -> int:
    """Bring the PostgreSQL store to the latest version (autocommit connection); its version."""
    known = len(POSTGRES_MIGRATIONS)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS microtribe_schema (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM microtribe_schema").fetchone()
        found = int(row[0]) if row else 0
        refuse_newer(found, known, where)
        for migration in POSTGRES_MIGRATIONS[found:]:
            for statement in migration:
                conn.execute(statement)
        if row is None:
            conn.execute("INSERT INTO microtribe_schema VALUES (%s)", (known,))
        elif found != known:
            conn.execute("UPDATE microtribe_schema SET version = %s", (known,))
    return known
