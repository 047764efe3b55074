"""An inverted index of organic brand mentions: token → (row, number of unpaid posts)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np

from features.creator_table import PostColumns


class MentionIndex:
    """Counts, per row, the unpaid posts that mention any of a brand's compact keys."""

    def __init__(self, postings: dict[str, tuple[np.ndarray, np.ndarray]], n_rows: int) -> None:
        self.postings = postings
        self.n_rows = n_rows

    @classmethod
    def from_posts(
        cls, posts: PostColumns, out_row: np.ndarray, post_index: np.ndarray, n_rows: int
    ) -> MentionIndex:
        per_token: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for row, post in zip(out_row.tolist(), post_index.tolist(), strict=True):
            if posts.sponsored[post]:
                continue  # paid mentions say nothing about advocacy
            for token in posts.mentions[post]:
                per_token[token][row] += 1
        return cls._from_counts(per_token, n_rows)

    @classmethod
    def _from_counts(cls, per_token: dict[str, dict[int, int]], n_rows: int) -> MentionIndex:
        postings = {
            token: (
                np.fromiter(rows.keys(), dtype=np.int64, count=len(rows)),
                np.fromiter(rows.values(), dtype=np.float64, count=len(rows)),
            )
            for token, rows in per_token.items()
        }
        return cls(postings, n_rows)

    @classmethod
    def from_pairs(cls, rows: np.ndarray, tokens: Sequence[str], n_rows: int) -> MentionIndex:
        """An index of (row, token) occurrences, each counted once."""
        per_token: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for row, token in zip(np.asarray(rows).tolist(), tokens, strict=True):
            per_token[token][row] += 1
        return cls._from_counts(per_token, n_rows)

    def merge(self, other: MentionIndex) -> MentionIndex:
        """The union of two indexes over the same rows whose tokens never overlap."""
        if other.n_rows != self.n_rows or set(self.postings) & set(other.postings):
            raise ValueError("merge needs the same rows and disjoint tokens")
        return MentionIndex({**self.postings, **other.postings}, self.n_rows)

    def counts(self, keys: Iterable[str]) -> np.ndarray:
        """Organic posts per row that mention one of `keys` (a post counts once per key)."""
        total = np.zeros(self.n_rows, dtype=np.float64)
        for key in set(keys):
            hit = self.postings.get(key)
            if hit is not None:
                np.add.at(total, hit[0], hit[1])
        return total

    def counts_at(self, keys: Iterable[str], rows: np.ndarray) -> np.ndarray:
        """`counts(keys)[rows]` without a column over every row: each key's postings are
        looked up among the sorted `rows` (a match asks for 500 rows of a million)."""
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        wanted = rows[order]
        total = np.zeros(len(rows), dtype=np.float64)
        if len(rows) == 0:
            return total
        for key in set(keys):
            hit = self.postings.get(key)
            if hit is None:
                continue
            at = np.minimum(np.searchsorted(wanted, hit[0]), len(wanted) - 1)
            found = wanted[at] == hit[0]
            # a row asked for more than once gets its count at each place it was asked
            left = at[found]
            right = np.searchsorted(wanted, hit[0][found], side="right")
            counts = np.asarray(hit[1])[found]
            for step in range(int((right - left).max(initial=0))):
                more = left + step < right
                np.add.at(total, order[left[more] + step], counts[more])
        return total

    def concat(self, other: MentionIndex) -> MentionIndex:
        """This index's rows, then `other`'s rows (offset by this index's row count)."""
        postings = dict(self.postings)
        for token, (rows, counts) in other.postings.items():
            shifted = rows + self.n_rows
            if token in postings:
                old_rows, old_counts = postings[token]
                postings[token] = (
                    np.concatenate([old_rows, shifted]),
                    np.concatenate([old_counts, counts]),
                )
            else:
                postings[token] = (shifted, counts)
        return MentionIndex(postings, self.n_rows + other.n_rows)

    def take(self, rows: np.ndarray) -> MentionIndex:
        """An index over the given rows, in that order (row `rows[i]` becomes row i)."""
        new_row = np.full(self.n_rows, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        postings = {}
        for token, (old, counts) in self.postings.items():
            moved = new_row[old]
            kept = moved >= 0
            if kept.any():
                postings[token] = (moved[kept], counts[kept])
        return MentionIndex(postings, len(rows))

    def to_table(self) -> dict[str, np.ndarray]:
        tokens = sorted(self.postings)
        sizes = [len(self.postings[t][0]) for t in tokens]
        return {
            "token": np.repeat(np.array(tokens, dtype=object), sizes),
            "row": np.concatenate([self.postings[t][0] for t in tokens] or [np.zeros(0, np.int64)]),
            "count": np.concatenate(
                [self.postings[t][1] for t in tokens] or [np.zeros(0, np.float64)]
            ),
        }

    def to_csr(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Tokens (sorted), offsets into the flat rows and counts, token by token."""
        tokens = sorted(self.postings)
        sizes = [len(self.postings[t][0]) for t in tokens]
        offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        table = self.to_table()
        return tokens, offsets, table["row"].astype(np.int64), table["count"].astype(np.float64)

    def postings_of(
        self, rows: np.ndarray
    ) -> tuple[np.ndarray, tuple[list[str], np.ndarray], np.ndarray]:
        """The postings of `rows`: (index into `rows`, (tokens, code of each posting), count)."""
        new_row = np.full(self.n_rows, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        tokens: list[str] = []
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for token, (old, counts) in self.postings.items():
            moved = new_row[old]
            kept = moved >= 0
            if kept.any():
                code = np.full(int(kept.sum()), len(tokens), dtype=np.int64)
                found.append((moved[kept], code, np.asarray(counts)[kept]))
                tokens.append(token)
        if not found:
            return np.zeros(0, np.int64), ([], np.zeros(0, np.int64)), np.zeros(0, np.float64)
        row, code, count = (np.concatenate(parts) for parts in zip(*found, strict=True))
        return row, (tokens, code), count.astype(np.float64)

    @classmethod
    def from_csr(
        cls,
        tokens: Sequence[str],
        offsets: np.ndarray,
        rows: np.ndarray,
        counts: np.ndarray,
        n_rows: int,
    ) -> MentionIndex:
        """Postings as views into flat arrays (mapped from a catalog version): one entry per
        token, none per row."""
        bounds = offsets.tolist()
        postings = {
            token: (rows[a:b], counts[a:b])
            for token, a, b in zip(tokens, bounds[:-1], bounds[1:], strict=True)
        }
        return cls(postings, n_rows)

    @classmethod
    def from_codes(
        cls,
        code: np.ndarray,
        names: Sequence[str],
        row: np.ndarray,
        count: np.ndarray,
        n_rows: int,
    ) -> MentionIndex:
        """From postings whose tokens are given as integer codes into `names` (a dictionary-
        encoded column): grouping sorts integers, not a million strings."""
        if len(code) == 0:
            return cls({}, n_rows)
        order = np.argsort(code, kind="stable")
        code, row, count = code[order], row[order], count[order]
        bounds = np.flatnonzero(np.r_[True, code[1:] != code[:-1], True])
        postings = {
            str(names[code[a]]): (row[a:b].astype(np.int64), count[a:b].astype(np.float64))
            for a, b in itertools.pairwise(bounds)
        }
        return cls(postings, n_rows)

    @classmethod
    def from_table(
        cls, token: np.ndarray, row: np.ndarray, count: np.ndarray, n_rows: int
    ) -> MentionIndex:
        names, code = np.unique(np.asarray(token, dtype=object), return_inverse=True)
        return cls.from_codes(code, names.tolist(), row, count, n_rows)


class StackedMentions(MentionIndex):
    """The mentions of a base index's rows, then a tail index's rows (upserts since a build):
    the base's postings are never copied (features/stacked.py)."""

    def __init__(self, base: MentionIndex, tail: MentionIndex) -> None:  # no super(): no postings
        self.base = base
        self.tail = tail
        self.n_rows = base.n_rows + tail.n_rows

    @property
    def postings(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:  # type: ignore[override]
        """Every posting, rows of the tail offset past the base (a copy: for inspection)."""
        return self.base.concat(self.tail).postings

    def counts(self, keys: Iterable[str]) -> np.ndarray:
        """Per row, as `MentionIndex.counts`; the two segments' counts are not concatenated
        (a match reads a few hundred rows of them: features/stacked.py)."""
        from features.stacked import Stacked

        keys = set(keys)
        return cast(np.ndarray, Stacked(self.base.counts(keys), self.tail.counts(keys)))

    def counts_at(self, keys: Iterable[str], rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        keys = set(keys)
        total = np.zeros(len(rows), dtype=np.float64)
        in_base = rows < self.base.n_rows
        total[in_base] = self.base.counts_at(keys, rows[in_base])
        total[~in_base] = self.tail.counts_at(keys, rows[~in_base] - self.base.n_rows)
        return total

    def concat(self, other: MentionIndex) -> MentionIndex:
        return StackedMentions(self.base, self.tail.concat(other))

    def take(self, rows: np.ndarray) -> MentionIndex:
        return self.base.concat(self.tail).take(rows)

    def postings_of(
        self, rows: np.ndarray
    ) -> tuple[np.ndarray, tuple[list[str], np.ndarray], np.ndarray]:
        rows = np.asarray(rows, dtype=np.int64)
        in_tail = np.flatnonzero(rows >= self.base.n_rows)
        in_base = np.flatnonzero(rows < self.base.n_rows)
        b_at, (b_tokens, b_code), b_count = self.base.postings_of(rows[in_base])
        t_at, (t_tokens, t_code), t_count = self.tail.postings_of(rows[in_tail] - self.base.n_rows)
        tokens = list(dict.fromkeys([*b_tokens, *t_tokens]))
        code_of = {token: i for i, token in enumerate(tokens)}
        t_recoded = np.array([code_of[t] for t in t_tokens], dtype=np.int64)[t_code]
        b_recoded = np.array([code_of[t] for t in b_tokens], dtype=np.int64)[b_code]
        return (
            np.concatenate([in_base[b_at], in_tail[t_at]]).astype(np.int64),
            (tokens, np.concatenate([b_recoded, t_recoded]).astype(np.int64)),
            np.concatenate([b_count, t_count]).astype(np.float64),
        )


def stack_mentions(index: MentionIndex, rows: MentionIndex) -> MentionIndex:
    """`index` with the rows of `rows` after its own, its postings left where they are."""
    if isinstance(index, StackedMentions):
        return index.concat(rows)
    return StackedMentions(index, rows)
