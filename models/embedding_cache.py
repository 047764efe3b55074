"""A persistent embedding cache keyed by (model id, text hash), so rebuilds embed only new text.

Vectors are stored as float16 and every vector handed out, fresh or cached, goes through the
same float16 round trip: a creator embedded today and one read back from the cache tomorrow
get bit-identical vectors, which keeps training, batch and online scores in agreement.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from features.vectors import l2_normalise
from models.embedder import Embedder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL, text_hash BLOB NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_hash)
) WITHOUT ROWID
"""
_LOOKUP_CHUNK = 500  # stays under SQLite's bound-parameter limit
_FLUSH_EVERY = 8192  # vectors written to the cache per transaction while encoding
# A build in another process may hold the cache's write lock while it flushes a batch.
_BUSY_TIMEOUT_S = 30.0
log = logging.getLogger("microtribe.embedding_cache")


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def canonical(vectors: np.ndarray) -> np.ndarray:
    return l2_normalise(np.asarray(vectors, dtype=np.float16).astype(np.float32))


class CachedEmbedder:
    """Wraps an `Embedder`; `encode` looks texts up by hash and embeds only the misses.

    Safe to share between threads: its one connection is used under a lock. The cache is an
    optimisation, so a write that cannot get the file (another process kept it locked past
    the timeout) is logged and skipped: the vectors are still returned.
    """

    def __init__(self, embedder: Embedder, path: Path | None) -> None:
        self.embedder = embedder
        self.model_id = embedder.model_id
        self.dimension = embedder.dimension
        self._conn: sqlite3.Connection | None = None
        if path is not None:
            self._conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 64,
        on_batch: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        unique: dict[bytes, list[int]] = {}
        for row, text in enumerate(texts):
            unique.setdefault(text_hash(text), []).append(row)
        known = self._lookup(list(unique))
        for key, vector in known.items():
            out[unique[key]] = vector
        missing = [key for key in unique if key not in known]
        self.hits += len(known)
        self.misses += len(missing)
        if on_batch is not None and known:
            on_batch(sum(len(unique[key]) for key in known))
        fresh_rows: list[tuple[bytes, bytes]] = []
        for start in range(0, len(missing), batch_size):
            keys = missing[start : start + batch_size]
            vectors = canonical(self.embedder.encode([texts[unique[k][0]] for k in keys]))
            for key, vector in zip(keys, vectors, strict=True):
                out[unique[key]] = vector
                fresh_rows.append((key, vector.astype(np.float16).tobytes()))
            if on_batch is not None:
                on_batch(sum(len(unique[key]) for key in keys))
            if len(fresh_rows) >= _FLUSH_EVERY:  # a killed build keeps what it embedded
                self._store(fresh_rows)
                fresh_rows = []
        self._store(fresh_rows)
        return out

    def _lookup(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        if self._conn is None:
            return found
        for start in range(0, len(keys), _LOOKUP_CHUNK):
            chunk = keys[start : start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._conn.execute(
                    f"SELECT text_hash, vector FROM embeddings WHERE model_id = ? "
                    f"AND text_hash IN ({marks})",
                    [self.model_id, *chunk],
                ).fetchall()
            for key, blob in rows:
                found[key] = canonical(np.frombuffer(blob, dtype=np.float16)[None, :])[0]
        return found

    def _store(self, rows: list[tuple[bytes, bytes]]) -> None:
        if self._conn is None or not rows:
            return
        try:
            with self._lock, self._conn:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?)",
                    [(self.model_id, key, blob) for key, blob in rows],
                )
        except sqlite3.OperationalError as exc:
            log.warning("embedding cache not updated (%d vectors): %s", len(rows), exc)

    def close(self) -> None:
        if self._conn is not None:
            with self._lock:
                self._conn.close()
