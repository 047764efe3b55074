"""A creator's content vector (bio plus recency-weighted recent captions) and its niche focus."""

from __future__ import annotations

import numpy as np

from features.vectors import l2_normalise

# The mean of 30 caption vectors is short (median length 0.5–0.6): at weight 1 the bio set
# about two thirds of the direction. At 0.25 similarity ranks better on all three measured
# sets (bench/content_vectors.py, docs/embeddings.md).
BIO_WEIGHT = 0.25
HALF_LIFE_POSTS = 10.0  # the 10th most recent post weighs half as much as the newest


def post_ranks(out_row: np.ndarray) -> np.ndarray:
    """0 for each row's newest post, 1 for the next… (pairs come newest-first per row)."""
    first = np.r_[True, out_row[1:] != out_row[:-1]] if len(out_row) else np.zeros(0, bool)
    start = np.maximum.accumulate(np.where(first, np.arange(len(out_row)), 0))
    return np.arange(len(out_row)) - start


def content_vectors(
    bio_vectors: np.ndarray, caption_vectors: np.ndarray, out_row: np.ndarray, n_rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(content vector per row, niche focus per row).

    `caption_vectors[i]` belongs to row `out_row[i]`, newest first within a row. Niche focus is
    the length of the mean caption vector: 1 when every post says the same thing, near 0 when
    the feed wanders across unrelated topics.
    """
    dim = bio_vectors.shape[1]
    weights = 0.5 ** (post_ranks(out_row) / HALF_LIFE_POSTS)
    summed = np.zeros((n_rows, dim), dtype=np.float64)
    np.add.at(summed, out_row, caption_vectors * weights[:, None])
    mean_caption = np.zeros((n_rows, dim), dtype=np.float64)
    np.add.at(mean_caption, out_row, caption_vectors)
    n_posts = np.bincount(out_row, minlength=n_rows).astype(np.float64)
    focus = np.where(
        n_posts > 0,
        np.linalg.norm(mean_caption, axis=1) / np.maximum(n_posts, 1.0),
        np.nan,
    )
    combined = summed / np.maximum(np.bincount(out_row, weights, minlength=n_rows), 1e-9)[:, None]
    vectors = l2_normalise((combined + BIO_WEIGHT * bio_vectors).astype(np.float32))
    return vectors, focus
