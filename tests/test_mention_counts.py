"""`MentionIndex.counts_at` answers `counts(keys)[rows]` for the rows a match asks for."""

from __future__ import annotations

import numpy as np
import pytest

from features.mentions import MentionIndex, stack_mentions


def random_index(rng: np.random.Generator, n_rows: int, tokens: list[str]) -> MentionIndex:
    rows = rng.integers(0, n_rows, size=n_rows * 2)
    names = rng.choice(tokens, size=len(rows)).tolist()
    return MentionIndex.from_pairs(rows, names, n_rows)


@pytest.mark.parametrize("stacked", [False, True])
def test_counts_at_equals_the_full_column_at_those_rows(stacked: bool) -> None:
    rng = np.random.default_rng(7)
    tokens = [f"brand{i}" for i in range(12)]
    index = random_index(rng, 400, tokens)
    if stacked:
        index = stack_mentions(index, random_index(rng, 90, tokens))
    keys = {"brand1", "brand4", "brand9", "absent"}
    rows = rng.integers(0, index.n_rows, size=150)  # repeats, unsorted, both segments
    rows[:3] = rows[3]
    expected = index.counts(keys)[rows]
    assert expected.sum() > 0
    np.testing.assert_array_equal(index.counts_at(keys, rows), expected)
    np.testing.assert_array_equal(index.counts_at(keys, rows[:0]), np.zeros(0))
    np.testing.assert_array_equal(index.counts_at(set(), rows), np.zeros(len(rows)))
