"""Columns made of a large base segment and a small tail, read as one without copying the base.

A served catalog takes upserts between builds (matching/delta.py). Concatenating every column
with the new rows copied the whole catalog on every write (at 1M creators, hundreds of MB).
Here a column is the base array (memory-mapped, never copied) and a tail of the rows added
since; a write makes a new tail (its cost grows with the tail, not the base).

- `Stacked` reads like a 1-D (or row-major 2-D) numpy array: `len`, `shape`, `dtype`; row
  gathers (`col[rows]`, `col[mask]`, `col[row]`) read each segment only at the rows asked;
  elementwise ufuncs and operators (`col == x`, `col >= x`, `np.isnan(col)`), `np.isin` and
  `np.nan_to_num` run per segment and return one plain array of the full length. Anything
  else sees one concatenated array (`__array__`): correct, and as costly as a copy.
- `StackedRows` does the same for `RowSets`/`RowMaps` (per-row sets and maps),
  `StackedText` for a sequence of texts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, cast

import numpy as np

from features.row_sets import RowMaps, RowSets


def _tail_like(base: np.ndarray, tail: Any) -> np.ndarray:
    """`tail` as an array of the base's kind (text as fixed-width unicode like a mapped base)."""
    tail = np.asarray(tail)
    if base.dtype.kind == "U" and tail.dtype.kind in "OU":
        return tail.astype(str) if len(tail) else np.zeros((0, *base.shape[1:]), base.dtype)
    return tail.astype(base.dtype, copy=False) if base.dtype.kind != "O" else tail


def _is_scalar(value: Any) -> bool:
    return np.ndim(value) == 0


class Stacked(np.lib.mixins.NDArrayOperatorsMixin):
    """Rows [0, n_base) from `base`, then `tail`: an array that is never concatenated whole."""

    __slots__ = ("base", "dtype", "n_base", "shape", "tail")

    def __init__(self, base: np.ndarray, tail: np.ndarray) -> None:
        self.base = base
        self.tail = _tail_like(base, tail)
        self.n_base = len(base)
        self.shape: tuple[int, ...] = (len(base) + len(self.tail), *base.shape[1:])
        self.dtype = np.result_type(base.dtype, self.tail.dtype)

    # ---- shape ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def __repr__(self) -> str:
        return f"Stacked(base={self.n_base} rows, tail={len(self.tail)} rows, dtype={self.dtype})"

    # ---- reads ---------------------------------------------------------------------------

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = np.concatenate([self.base, self.tail])
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, int | np.integer):
            row = int(key) + (len(self) if key < 0 else 0)
            if not 0 <= row < len(self):
                raise IndexError(f"row {key} is outside {len(self)} rows")
            return self.base[row] if row < self.n_base else self.tail[row - self.n_base]
        if isinstance(key, slice):
            return self._slice(key)
        if isinstance(key, tuple):
            return np.asarray(self)[key]
        key = np.asarray(key)
        if key.dtype == bool:
            if key.shape != (len(self),):
                raise IndexError(f"a mask of {key.shape} over {len(self)} rows")
            key = np.flatnonzero(key)
        return self.take(key)

    def _slice(self, key: slice) -> Any:
        start, stop, step = key.indices(len(self))
        if (start, stop, step) == (0, len(self), 1):
            return self
        if step == 1 and stop <= self.n_base:
            return self.base[start:stop]
        if step == 1 and start >= self.n_base:
            return self.tail[start - self.n_base : stop - self.n_base]
        return self.take(np.arange(start, stop, step))

    def take(self, rows: Any) -> np.ndarray:
        """The given rows (negative ones from the end), read from the segment each is in."""
        rows = np.asarray(rows, dtype=np.int64)
        rows = np.where(rows < 0, rows + len(self), rows)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"rows outside {len(self)} rows")
        in_tail = rows >= self.n_base
        if not in_tail.any():
            return self.base[rows]
        if in_tail.all():
            return self.tail[rows - self.n_base]
        out = np.empty((len(rows), *self.shape[1:]), dtype=self.dtype)
        out[~in_tail] = self.base[rows[~in_tail]]
        out[in_tail] = self.tail[rows[in_tail] - self.n_base]
        return out

    def tolist(self) -> list[Any]:
        return cast(list[Any], self.base.tolist() + self.tail.tolist())

    def astype(self, dtype: Any, copy: bool = True) -> np.ndarray:
        return np.asarray(self, dtype=dtype)

    def __getattr__(self, name: str) -> Any:
        # any other ndarray method or attribute (`sum`, `max`, ...), on the whole column
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(np.asarray(self), name)

    # ---- numpy protocols -----------------------------------------------------------------

    def _parts(self, value: Any) -> tuple[Any, Any] | None:
        """`value` split like this column: a scalar goes to both parts; None when it cannot."""
        if isinstance(value, Stacked):
            if value.n_base == self.n_base and len(value) == len(self):
                return value.base, value.tail
            return None
        if _is_scalar(value):
            return value, value
        if isinstance(value, np.ndarray) and value.ndim >= 1 and len(value) == len(self):
            return value[: self.n_base], value[self.n_base :]
        return None

    def _per_part(self, func: Callable[..., Any], args: Sequence[Any], kwargs: Any) -> Any:
        parts = [self._parts(arg) for arg in args]
        if any(part is None for part in parts):
            return func(*(_whole(arg) for arg in args), **kwargs)
        head = func(*(cast(tuple[Any, Any], p)[0] for p in parts), **kwargs)
        tail = func(*(cast(tuple[Any, Any], p)[1] for p in parts), **kwargs)
        if isinstance(head, tuple):
            return tuple(np.concatenate([a, b]) for a, b in zip(head, tail, strict=True))
        return np.concatenate([head, tail])

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and "out" not in kwargs:
            return self._per_part(ufunc, inputs, kwargs)
        if "out" in kwargs and any(isinstance(o, Stacked) for o in kwargs["out"]):
            return NotImplemented  # a stacked column is read-only
        return getattr(ufunc, method)(*(_whole(x) for x in inputs), **kwargs)

    def __array_function__(
        self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if func is np.isin and isinstance(args[0], Stacked):
            element = args[0]
            rest = [_whole(a) for a in args[1:]]
            return np.concatenate(
                [np.isin(element.base, *rest, **kwargs), np.isin(element.tail, *rest, **kwargs)]
            )
        if func is np.nan_to_num and isinstance(args[0], Stacked):
            return self._per_part(lambda x: np.nan_to_num(x, *args[1:], **kwargs), args[:1], {})
        return func(*(_whole(a) for a in args), **{k: _whole(v) for k, v in kwargs.items()})


def _whole(value: Any) -> Any:
    """`value`, with a stacked column (also inside a list or tuple) made one array."""
    if isinstance(value, Stacked):
        return np.asarray(value)
    if isinstance(value, list | tuple) and any(isinstance(v, Stacked) for v in value):
        return type(value)(_whole(v) for v in value)
    return value


def stack(column: Any, rows: Any) -> np.ndarray:
    """`column` with `rows` after it: the base is kept, only the tail is copied.

    Typed as an array: a `Stacked` reads like one (see the module docstring).
    """
    if isinstance(column, Stacked):
        tail = np.concatenate([column.tail, _tail_like(column.base, rows)])
        return cast(np.ndarray, Stacked(column.base, tail))
    return cast(np.ndarray, Stacked(np.asarray(column), rows))


R = TypeVar("R", RowSets, RowMaps)


class StackedRows(Generic[R]):
    """`RowSets` or `RowMaps` of a base segment, then a tail (see `Stacked`)."""

    def __init__(self, base: R, tail: R) -> None:
        self.base: R = base
        self.tail: R = tail
        self.n_base = len(base)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.base.names, *self.tail.names)))

    def __len__(self) -> int:
        return self.n_base + len(self.tail)

    def __getitem__(self, row: int) -> Any:
        row = int(row) + (len(self) if row < 0 else 0)
        return self.base[row] if row < self.n_base else self.tail[row - self.n_base]

    def __iter__(self) -> Iterator[Any]:
        return (self[r] for r in range(len(self)))

    def _per_part(self, rows: np.ndarray, answer: Callable[[Any, np.ndarray], np.ndarray]) -> Any:
        rows = np.asarray(rows, dtype=np.int64)
        in_tail = rows >= self.n_base
        out = np.empty(len(rows), dtype=np.float64)
        out[~in_tail] = answer(self.base, rows[~in_tail])
        out[in_tail] = answer(self.tail, rows[in_tail] - self.n_base)
        return out

    def contains(self, rows: np.ndarray, name: str) -> np.ndarray:
        """`RowSets.contains` over both segments."""
        return cast(np.ndarray, self._per_part(rows, lambda part, r: part.contains(r, name)))

    def sums(self, rows: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """`RowMaps.sums` over both segments."""
        names = list(names)
        return cast(np.ndarray, self._per_part(rows, lambda part, r: part.sums(r, names)))

    def take(self, rows: np.ndarray) -> R:
        """The given rows as one plain `RowSets`/`RowMaps`, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        in_tail = rows >= self.n_base
        head: Any = self.base.take(rows[~in_tail])
        joined = head.concat(self.tail.take(rows[in_tail] - self.n_base))
        position = np.empty(len(rows), dtype=np.int64)
        position[np.flatnonzero(~in_tail)] = np.arange(int((~in_tail).sum()))
        position[np.flatnonzero(in_tail)] = int((~in_tail).sum()) + np.arange(int(in_tail.sum()))
        return cast(R, joined.take(position))

    def concat(self, other: R) -> StackedRows[R]:
        tail: Any = self.tail
        return StackedRows(self.base, tail.concat(other))


def stack_rows(column: Any, rows: RowSets | RowMaps) -> Any:
    """`column` (row sets or maps) with `rows` after it; reads like its parts (see `stack`)."""
    if isinstance(column, StackedRows):
        return column.concat(rows)
    return StackedRows(column, rows)


class StackedText(Sequence[str]):
    """A sequence of texts: a base sequence, then a tail list."""

    def __init__(self, base: Sequence[str], tail: Sequence[str]) -> None:
        self.base = base
        self.tail = list(tail)

    def __len__(self) -> int:
        return len(self.base) + len(self.tail)

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        row = int(row) + (len(self) if row < 0 else 0)
        n = len(self.base)
        return self.base[row] if row < n else self.tail[row - n]


def stack_text(column: Sequence[str], rows: Sequence[str]) -> Sequence[str]:
    if isinstance(column, StackedText):
        return StackedText(column.base, [*column.tail, *rows])
    return StackedText(column, rows)
