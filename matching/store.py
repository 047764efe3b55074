"""The store of creators, brands and outcomes: one contract, two back ends.

`open_store(settings)` is the one way in for production code: SQLite (matching/store_sqlite.py,
the file under the home or another `sqlite:///` file) or PostgreSQL
(matching/store_postgres.py, `MICROTRIBE_STORE_URL=postgresql://…`). Both keep the same JSON
text per document (so content hashes agree), write each batch in one durable transaction, number
creator changes in commit order, return rows in the same order, and version their schema
(matching/store_schema.py). `Store` lists what callers may rely on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from matching.store_common import (
    CHUNK,
    PreparedCreators,
    StoreBusy,
    StoreSchemaTooNew,
    _dump,
    prepare_creators,
)
from matching.store_sqlite import BUSY_TIMEOUT_S, CatalogStore

if TYPE_CHECKING:
    from microtribe.settings import Settings

__all__ = [
    "BUSY_TIMEOUT_S",
    "CHUNK",
    "CatalogStore",
    "PreparedCreators",
    "Store",
    "StoreBusy",
    "StoreSchemaTooNew",
    "_dump",
    "copy_store",
    "open_store",
    "prepare_creators",
    "redacted_store_url",
]


class Store(Protocol):
    """What every back end provides (the methods of CatalogStore)."""

    schema_version: int

    def write_creators(self, prepared: PreparedCreators) -> int: ...
    def upsert_creators(self, docs: Iterable[Mapping[str, Any]]) -> int: ...
    def upsert_brands(self, docs: Iterable[Mapping[str, Any]]) -> int: ...
    def add_outcomes(self, docs: Iterable[Mapping[str, Any]]) -> int: ...
    def delete_creator(self, creator_id: str) -> bool: ...
    def creators(self) -> list[dict[str, Any]]: ...
    def creators_with_hashes(self) -> tuple[list[dict[str, Any]], list[str]]: ...
    def creator_hashes(self) -> dict[str, str]: ...
    def creator_hashes_and_seq(self) -> tuple[dict[str, str], int]: ...
    def last_change_seq(self) -> int: ...
    def creators_changed_since(self, seq: int) -> tuple[dict[str, str | None], int]: ...
    def creators_by_id(
        self, creator_ids: Sequence[str]
    ) -> tuple[list[dict[str, Any]], list[str]]: ...
    def creator_texts_by_id(
        self, creator_ids: Sequence[str]
    ) -> tuple[list[str], list[str], list[str]]: ...
    def creator(self, creator_id: str) -> dict[str, Any] | None: ...
    def brands(self) -> list[dict[str, Any]]: ...
    def brands_stamp(self) -> tuple[int, float, float]: ...
    def brand(self, brand_id: str) -> dict[str, Any] | None: ...
    def outcomes(self) -> list[dict[str, Any]]: ...
    def counts(self) -> dict[str, int]: ...
    def describe(self) -> str: ...
    def close(self) -> None: ...


def redacted_store_url(settings: Settings) -> str:
    """The store as shown to a user: the SQLite file, or the URL with any password masked."""
    if not settings.store_is_postgres:
        return str(settings.store_path)
    parts = urlsplit(settings.store_url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = urlencode(
        [(k, "***" if k.lower() == "password" else v) for k, v in parse_qsl(parts.query)],
        safe="*/:",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def open_store(settings: Settings) -> Store:
    """The store `settings.store_url` names: SQLite under the home by default."""
    if settings.store_is_postgres:
        from matching.store_postgres import PostgresStore  # psycopg only when it is used

        return PostgresStore(
            settings.store_url, settings.store_pool, description=redacted_store_url(settings)
        )
    return CatalogStore(settings.store_path)


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Every creator, brand and outcome of `source` written to `target` (e.g. a home's SQLite
    store into PostgreSQL); documents and content hashes are kept as they are."""
    docs, _ = source.creators_with_hashes()
    copied = {"creators": target.upsert_creators(docs)}
    copied["brands"] = target.upsert_brands(source.brands())
    copied["outcomes"] = target.add_outcomes(source.outcomes())
    return copied
