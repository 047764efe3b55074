"""What every store back end shares: the stored document text, its content hash, the errors.

Documents are kept as the validated contract JSON serialised once here (absent optional fields
stay absent, so a missing `sponsored` still means "detect it"); the content hash is taken over
that text, so a creator stored in SQLite and in PostgreSQL has the same hash and the catalog
built from either is identical.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

CHUNK = 500  # ids per IN (...) / = ANY(...) query: under SQLite's bound-parameter limit


class StoreBusy(RuntimeError):
    """The store could not take the write (locked too long, unreachable, or no connection free
    in time): the API answers 503 with Retry-After, and nothing of the request was stored."""


class StoreSchemaTooNew(RuntimeError):
    """The store was migrated by a newer microtribe: this code would misread it."""


def _dump(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class PreparedCreators:
    """Creator documents serialised once, with the content hash the catalog records per row."""

    creator_ids: list[str]
    texts: list[str]
    hashes: list[str]


def prepare_creators(docs: Iterable[Mapping[str, Any]]) -> PreparedCreators:
    ids, texts, hashes = [], [], []
    for doc in docs:
        text = _dump(doc)
        ids.append(doc["creator_id"])
        texts.append(text)
        hashes.append(hashlib.blake2b(text.encode(), digest_size=16).hexdigest())
    return PreparedCreators(ids, texts, hashes)


def outcome_row(doc: Mapping[str, Any]) -> tuple[str, str, str, str, str, str]:
    """An outcome's key (brand, creator, campaign, stage, time) and its document."""
    return (
        doc["brand_id"],
        doc["creator_id"],
        doc.get("campaign_id") or "",
        doc["stage"],
        doc["observed_at"],
        _dump(doc),
    )
