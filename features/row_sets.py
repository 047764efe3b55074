"""Per-row sets and maps of short strings, as flat arrays (CSR): no Python object per row.

A creator's categories (a set of names) and audience countries (name → share) were a Python
frozenset and dict per creator: a million of them took seconds to build on every catalog load
and a private copy in every server process. Here they are three arrays, which a catalog
version stores as `.npy` files and maps: `offsets` (n + 1), `codes` (indices into `names`) and,
for maps, `values`. Row `r` holds entries `offsets[r]:offsets[r + 1]`. `rows[r]` still gives a
frozenset (or a dict) for the few rows a request looks at; whole-column questions
(`contains`, `sums`) are answered with numpy over the selected rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def _entries(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry index, position in `rows`) of every entry of the given rows, row by row."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    owner = np.repeat(np.arange(len(rows)), lengths)
    first = np.cumsum(lengths) - lengths
    return starts[owner] + (np.arange(int(lengths.sum())) - first[owner]), owner


def _taken(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry index of every entry of `rows`, offsets of those rows laid out anew)."""
    rows = np.asarray(rows, dtype=np.int64)
    entry, _ = _entries(offsets, rows)
    taken = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(offsets[rows + 1] - offsets[rows], out=taken[1:])
    return entry, taken


def _concat_offsets(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.concatenate([first, second[1:] + first[-1]]).astype(np.int64)


def _recode(names: tuple[str, ...], extra: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """`names` extended with the new ones of `extra`, and the code of each of `extra`."""
    known = {name: code for code, name in enumerate(names)}
    for name in extra:
        known.setdefault(name, len(known))
    return tuple(known), np.array([known[name] for name in extra], dtype=np.int32)


@dataclass(frozen=True, slots=True, eq=False)
class RowSets(Sequence[frozenset[str]]):
    """A set of names per row."""

    offsets: np.ndarray  # int64, (n + 1,)
    codes: np.ndarray  # int32 indices into `names`, sorted within a row
    names: tuple[str, ...]

    @classmethod
    def from_sets(cls, sets: Iterable[Iterable[str]]) -> RowSets:
        known: dict[str, int] = {}
        lengths: list[int] = []
        codes: list[int] = []
        for row in sets:
            picked = sorted({known.setdefault(name, len(known)) for name in row})
            lengths.append(len(picked))
            codes.extend(picked)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(offsets, np.array(codes, dtype=np.int32), tuple(known))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> frozenset[str]:  # type: ignore[override]
        a, b = self.offsets[row], self.offsets[row + 1]
        return frozenset(self.names[c] for c in self.codes[a:b].tolist())

    def __iter__(self) -> Iterator[frozenset[str]]:
        return (self[r] for r in range(len(self)))

    def contains(self, rows: np.ndarray, name: str) -> np.ndarray:
        """1.0 where row `rows[i]` holds `name`, 0.0 where it holds others, NaN where empty."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.where(self.offsets[rows + 1] > self.offsets[rows], 0.0, np.nan)
        if name in self.names:
            entry, owner = _entries(self.offsets, rows)
            out[owner[self.codes[entry] == self.names.index(name)]] = 1.0
        return out

    def take(self, rows: np.ndarray) -> RowSets:
        entry, offsets = _taken(self.offsets, rows)
        return RowSets(offsets, self.codes[entry], self.names)

    def concat(self, other: RowSets) -> RowSets:
        names, mapping = _recode(self.names, other.names)
        return RowSets(
            _concat_offsets(self.offsets, other.offsets),
            np.concatenate([self.codes, mapping[other.codes]]).astype(np.int32),
            names,
        )


@dataclass(frozen=True, slots=True, eq=False)
class RowMaps(Sequence[Mapping[str, float]]):
    """A name → value map per row, in the order the values were given."""

    offsets: np.ndarray  # int64, (n + 1,)
    codes: np.ndarray  # int32 indices into `names`
    values: np.ndarray  # float64
    names: tuple[str, ...]

    @classmethod
    def from_maps(cls, maps: Iterable[Mapping[str, float]]) -> RowMaps:
        known: dict[str, int] = {}
        lengths: list[int] = []
        codes: list[int] = []
        values: list[float] = []
        for row in maps:
            lengths.append(len(row))
            for name, value in row.items():
                codes.append(known.setdefault(name, len(known)))
                values.append(float(value))
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(
            offsets, np.array(codes, dtype=np.int32), np.array(values, np.float64), tuple(known)
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> dict[str, float]:  # type: ignore[override]
        a, b = self.offsets[row], self.offsets[row + 1]
        names = self.names
        pairs = zip(self.codes[a:b].tolist(), self.values[a:b].tolist(), strict=True)
        return {names[c]: v for c, v in pairs}

    def __iter__(self) -> Iterator[dict[str, float]]:
        return (self[r] for r in range(len(self)))

    def sums(self, rows: np.ndarray, names: Iterable[str]) -> np.ndarray:
        """Sum of the values of `names` in row `rows[i]` (0 when absent), NaN for empty rows."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.where(self.offsets[rows + 1] > self.offsets[rows], 0.0, np.nan)
        wanted = [self.names.index(n) for n in set(names) if n in self.names]
        if wanted:
            entry, owner = _entries(self.offsets, rows)
            hit = np.isin(self.codes[entry], wanted)
            np.add.at(out, owner[hit], self.values[entry][hit])
        return out

    def take(self, rows: np.ndarray) -> RowMaps:
        entry, offsets = _taken(self.offsets, rows)
        return RowMaps(offsets, self.codes[entry], self.values[entry], self.names)

    def concat(self, other: RowMaps) -> RowMaps:
        names, mapping = _recode(self.names, other.names)
        return RowMaps(
            _concat_offsets(self.offsets, other.offsets),
            np.concatenate([self.codes, mapping[other.codes]]).astype(np.int32),
            np.concatenate([self.values, other.values]),
            names,
        )
