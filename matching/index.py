"""FAISS retrieval over creator content vectors, with eligibility applied inside the search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import faiss
import numpy as np

EXACT_FACTORY = "Flat"


def build_index(vectors: np.ndarray, factory: str = EXACT_FACTORY) -> Any:
    """An inner-product index (cosine on L2-normalised vectors) over `vectors`."""
    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(vectors)
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def save_index(index: Any, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_index(path: Path) -> Any:
    return faiss.read_index(str(path))


def search(
    index: Any, query: np.ndarray, k: int, eligible: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-`k` (rows, similarities) for one query among `eligible` rows (a bool mask).

    The mask goes into FAISS as an ID selector, so a narrow filter still yields `k` results
    whenever `k` eligible creators exist, with no over-fetch guesswork.
    """
    params = None
    if eligible is not None and not eligible.all():
        bitmap = np.packbits(eligible.astype(np.uint8), bitorder="little")
        selector = faiss.IDSelectorBitmap(len(eligible), faiss.swig_ptr(bitmap))
        params = faiss.SearchParameters()
        params.sel = selector
        k = min(k, int(eligible.sum()))
    k = min(k, index.ntotal)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores, rows = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
    keep = rows[0] >= 0
    return rows[0][keep].astype(np.int64), scores[0][keep]
