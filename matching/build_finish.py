"""The finishing step of a build: parts (matching/build_parts.py) and the rows reused from the
previous version → a catalog version's mapped files, with bounded memory.

Two passes over the sources. The first reads only identifiers and list lengths, to lay every
row out in creator_id order (as a full build does) and size each file. The second reads one
source at a time and writes its rows straight into the new version's mapped files; written
pages are flushed and dropped from this process after each source, so resident memory stays
near one part's size however large the catalog. The index is trained on an evenly spaced
sample of the vectors and filled chunk by chunk.
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from matching.build_parts import AGE_COLUMNS
from matching.catalog import CODED, NUMBERS, Catalog, VersionWriter
from matching.index import IndexConfig, build_index_chunked

DAY = 86400.0
ADD_ROWS = 65_536  # vectors added to the index at a time


def release(array: np.ndarray) -> None:
    """Flush a mapped array and drop its pages from this process (they stay in the page
    cache and on disk): keeps resident memory flat while gigabytes are written or read."""
    base: Any = array
    while base is not None and not isinstance(base, mmap.mmap):
        if isinstance(base, np.memmap) and getattr(base, "_mmap", None) is not None:
            base.flush()
            base = getattr(base, "_mmap", None)
            break
        base = getattr(base, "base", None)
    if isinstance(base, mmap.mmap):
        base.madvise(mmap.MADV_DONTNEED)


@dataclass(frozen=True, slots=True)
class Reused:
    """Rows of the previous version that the build keeps as they are."""

    catalog: Catalog
    rows: np.ndarray  # int64, ascending


@dataclass(frozen=True, slots=True)
class Finished:
    creators: int
    reference_time: float
    index_factory: str
    feature_names: list[str]


def _strings(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=str)


def _list_lengths(table: pa.Table, name: str) -> np.ndarray:
    return pc.list_value_length(table.column(name)).to_numpy(zero_copy_only=False).astype(np.int64)


class _Layout:
    """Where each source's rows go in the new version, and how big every file is."""

    def __init__(self, reused: Reused | None, parts: Sequence[Path]) -> None:
        ids: list[np.ndarray] = []
        widths = {"creator_id": 1, "handle": 1, "content_hash": 1}
        lengths: dict[str, list[np.ndarray]] = {"categories": [], "audience": []}
        coded: dict[str, list[np.ndarray]] = {name: [] for name in CODED}
        if reused is not None:
            c, rows = reused.catalog, reused.rows
            ids.append(np.asarray(c.creators.creator_id[rows], dtype=str))
            for name, values in (
                ("creator_id", c.creators.creator_id),
                ("handle", c.creators.handle),
                ("content_hash", c.content_hash),
            ):
                widths[name] = max(widths[name], np.asarray(values).dtype.itemsize // 4)
            lengths["categories"].append(np.diff(c.creators.categories.offsets)[rows])
            lengths["audience"].append(np.diff(c.creators.audience_countries.offsets)[rows])
            for name in CODED:
                coded[name].append(np.asarray(getattr(c.creators, name)[rows], dtype=str))
        self.sizes: list[int] = [len(ids[0])] if ids else []
        for path in parts:
            table = pq.read_table(
                path,
                columns=["creator_id", "handle", "content_hash", *CODED, "categories",
                         "audience_country"],
            )  # fmt: skip
            ids.append(_strings(table.column("creator_id")))
            for name in widths:
                longest = pc.max(pc.utf8_length(table.column(name))).as_py() or 1
                widths[name] = max(widths[name], int(longest))
            lengths["categories"].append(_list_lengths(table, "categories"))
            lengths["audience"].append(_list_lengths(table, "audience_country"))
            for name in CODED:
                coded[name].append(_strings(table.column(name)))
            self.sizes.append(table.num_rows)
        every = np.concatenate(ids) if ids else np.zeros(0, dtype=str)
        order = np.argsort(every, kind="stable")
        if len(every) > 1 and (every[order][1:] == every[order][:-1]).any():
            twice = every[order][1:][every[order][1:] == every[order][:-1]][0]
            raise ValueError(f"creator {twice!r} is in two parts of the build")
        self.n = len(every)
        self.position = np.empty(self.n, dtype=np.int64)
        self.position[order] = np.arange(self.n)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self.widths = widths
        self.offsets = {}
        for name, per_source in lengths.items():
            final = np.zeros(self.n, dtype=np.int64)
            if per_source:
                final[self.position] = np.concatenate(per_source)
            offsets = np.zeros(self.n + 1, dtype=np.int64)
            np.cumsum(final, out=offsets[1:])
            self.offsets[name] = offsets
        self.coded = {
            name: np.concatenate(v) if v else np.zeros(0, str) for name, v in coded.items()
        }

    def positions(self, source: int) -> np.ndarray:
        return self.position[self.starts[source] : self.starts[source + 1]]


class _Names:
    """A dictionary of names grown as sources are read; codes in first-seen order."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def encode(self, names: Sequence[str]) -> np.ndarray:
        known = self.codes
        return np.array([known.setdefault(n, len(known)) for n in names], dtype=np.int32)

    def names(self) -> list[str]:
        return list(self.codes)


def _entry_positions(offsets: np.ndarray, rows: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Flat positions, in the new files, of the entries of `rows` (given row by row)."""
    owner = np.repeat(np.arange(len(rows)), lengths)
    first = np.cumsum(lengths) - lengths
    return offsets[rows][owner] + (np.arange(int(lengths.sum())) - first[owner])


def finish_version(
    writer: VersionWriter,
    reused: Reused | None,
    parts: Sequence[Path],
    dimension: int,
    index_config: IndexConfig,
    progress: bool = True,
    on_stage: Callable[[str], None] | None = None,
) -> Finished:
    """Write the new version's files into `writer`'s staging directory (not yet published)."""
    layout = _Layout(reused, parts)
    n = layout.n
    if n == 0:
        raise ValueError("the build has no creators")
    feature_names = _feature_names(reused, parts)
    files: dict[str, np.ndarray] = {
        "creator_id": writer.column("creator_id", f"<U{layout.widths['creator_id']}", (n,)),
        "handle": writer.column("handle", f"<U{layout.widths['handle']}", (n,)),
        "content_hash": writer.column("content_hash", f"<U{layout.widths['content_hash']}", (n,)),
        "platform": writer.column("platform", np.int8, (n,)),
        "audience_ages": writer.column("audience_ages", np.float64, (n, len(AGE_COLUMNS))),
        "last_post_at": writer.column("last_post_at", np.float64, (n,)),
        "vectors": writer.column("vectors", np.float32, (n, dimension)),
        **{name: writer.column(name, np.float64, (n,)) for name in NUMBERS},
        **{f"f.{name}": writer.column(f"f.{name}", np.float64, (n,)) for name in feature_names},
    }
    lists = {
        "categories": writer.column(
            "categories.codes", np.int32, (int(layout.offsets["categories"][-1]),)
        ),
        "audience": writer.column(
            "audience_countries.codes", np.int32, (int(layout.offsets["audience"][-1]),)
        ),
        "audience_values": writer.column(
            "audience_countries.values", np.float64, (int(layout.offsets["audience"][-1]),)
        ),
    }
    names = {"categories": _Names(), "audience": _Names(), "mentions": _Names()}
    mention_rows: list[np.ndarray] = []
    mention_codes: list[np.ndarray] = []
    mention_counts: list[np.ndarray] = []
    sources: list[Reused | Path] = [*([reused] if reused is not None else []), *parts]
    bar = tqdm(total=n, desc="write", unit="creator", disable=None if progress else True)
    for number, source in enumerate(sources):
        at = layout.positions(number)
        for block, block_at in _blocks(source, at, feature_names):
            _scatter(block, block_at, files, lists, layout, names)
            rows, (token_names, token_codes), counts = block["mentions"]
            mention_rows.append(block_at[rows])
            mention_codes.append(names["mentions"].encode(token_names)[token_codes])
            mention_counts.append(counts)
            bar.update(len(block_at))
        for array in (*files.values(), *lists.values()):
            release(array)
        if isinstance(source, Reused):
            release(source.catalog.vectors)
    bar.close()
    writer.save("categories.offsets", layout.offsets["categories"])
    writer.save("audience_countries.offsets", layout.offsets["audience"])
    writer.dictionaries["categories"] = _sorted_codes(
        names["categories"], lists["categories"], layout.offsets["categories"]
    )
    writer.dictionaries["audience_countries"] = _sorted_codes(
        names["audience"], lists["audience"], None
    )
    for name in CODED:
        coded = np.empty(n, dtype=layout.coded[name].dtype)
        coded[layout.position] = layout.coded[name]
        writer.save_coded(name, coded)
    _save_mentions(writer, names["mentions"], mention_rows, mention_codes, mention_counts)
    last = files["last_post_at"]
    reference_time = float(max(np.nanmax(last, initial=-np.inf), 0.0))
    if "days_since_last_post" in feature_names:
        days = files["f.days_since_last_post"]
        for a in range(0, n, ADD_ROWS):
            days[a : a + ADD_ROWS] = np.maximum(reference_time - last[a : a + ADD_ROWS], 0.0) / DAY
    if on_stage is not None:
        on_stage("index")
    factory = index_config.factory_for(n)
    vectors = files["vectors"]
    release(vectors)  # written out before the index reads it back
    index = build_index_chunked(vectors, factory, index_config, ADD_ROWS, release)
    writer.save_index(index)
    for array in (*files.values(), *lists.values()):
        release(array)
    return Finished(n, reference_time, factory, feature_names)


def _feature_names(reused: Reused | None, parts: Sequence[Path]) -> list[str]:
    found: set[tuple[str, ...]] = set()
    if reused is not None:
        found.add(tuple(sorted(reused.catalog.features)))
    for path in parts:
        schema = pq.read_schema(path)
        found.add(tuple(sorted(n[2:] for n in schema.names if n.startswith("f_"))))
    if len(found) > 1:
        raise ValueError(f"the build's sources have different feature columns: {sorted(found)}")
    return list(found.pop()) if found else []


Block = dict[str, Any]


def _blocks(
    source: Reused | Path, at: np.ndarray, feature_names: Sequence[str]
) -> Iterator[tuple[Block, np.ndarray]]:
    """A source's rows as column blocks, with each block's positions in the new version."""
    if isinstance(source, Reused):
        for a in range(0, len(source.rows), ADD_ROWS):
            rows = source.rows[a : a + ADD_ROWS]
            yield _reused_block(source.catalog, rows, feature_names), at[a : a + ADD_ROWS]
        return
    table = pq.read_table(source)
    yield _part_block(table, feature_names), at


def _reused_block(catalog: Catalog, rows: np.ndarray, feature_names: Sequence[str]) -> Block:
    c = catalog.creators
    cats, aud = c.categories.take(rows), c.audience_countries.take(rows)
    mention_rows, mention_tokens, mention_counts = catalog.mentions.postings_of(rows)
    return {
        "creator_id": c.creator_id[rows],
        "handle": c.handle[rows],
        "content_hash": catalog.content_hash[rows],
        "platform": c.platform[rows],
        "audience_ages": c.audience_ages[rows],
        "last_post_at": catalog.last_post_at[rows],
        "vectors": catalog.vectors[rows],
        **{name: getattr(c, name)[rows] for name in NUMBERS},
        **{f"f.{name}": catalog.features[name][rows] for name in feature_names},
        "categories": (np.diff(cats.offsets), (list(cats.names), cats.codes)),
        "audience": (np.diff(aud.offsets), (list(aud.names), aud.codes), np.asarray(aud.values)),
        "mentions": (mention_rows, mention_tokens, mention_counts),
    }


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy(zero_copy_only=False)


def _flat(table: pa.Table, name: str) -> pa.Array:
    return pc.list_flatten(table.column(name).combine_chunks())


def _coded(table: pa.Table, name: str) -> tuple[list[str], np.ndarray]:
    """The distinct strings of a list column and, per entry, its index among them."""
    encoded = _flat(table, name).dictionary_encode()
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy(zero_copy_only=False)


def _part_block(table: pa.Table, feature_names: Sequence[str]) -> Block:
    mention_lengths = _list_lengths(table, "mention_token")
    vector = table.column("vector").combine_chunks()
    values = pc.list_flatten(vector).to_numpy(zero_copy_only=False)
    return {
        "creator_id": _strings(table.column("creator_id")),
        "handle": _strings(table.column("handle")),
        "content_hash": _strings(table.column("content_hash")),
        "platform": _numbers(table, "platform").astype(np.int8),
        "audience_ages": np.column_stack([_numbers(table, a) for a in AGE_COLUMNS]),
        "last_post_at": _numbers(table, "last_post_at"),
        "vectors": values.astype(np.float32).reshape(table.num_rows, -1),
        **{name: _numbers(table, name) for name in NUMBERS},
        **{f"f.{name}": _numbers(table, f"f_{name}") for name in feature_names},
        "categories": (_list_lengths(table, "categories"), _coded(table, "categories")),
        "audience": (
            _list_lengths(table, "audience_country"),
            _coded(table, "audience_country"),
            _flat(table, "audience_share").to_numpy(zero_copy_only=False),
        ),
        "mentions": (
            np.repeat(np.arange(table.num_rows), mention_lengths),
            _coded(table, "mention_token"),
            _flat(table, "mention_count").to_numpy(zero_copy_only=False).astype(np.float64),
        ),
    }


def _scatter(
    block: Block,
    at: np.ndarray,
    files: dict[str, np.ndarray],
    lists: dict[str, np.ndarray],
    layout: _Layout,
    names: dict[str, _Names],
) -> None:
    for name, array in files.items():
        array[at] = block[name]
    lengths, (category_names, category_codes) = block["categories"]
    where = _entry_positions(layout.offsets["categories"], at, lengths)
    lists["categories"][where] = names["categories"].encode(category_names)[category_codes]
    lengths, (country_names, country_codes), shares = block["audience"]
    where = _entry_positions(layout.offsets["audience"], at, lengths)
    lists["audience"][where] = names["audience"].encode(country_names)[country_codes]
    lists["audience_values"][where] = shares


def _sorted_codes(names: _Names, codes: np.ndarray, sets: np.ndarray | None) -> list[str]:
    """Recode `codes` in place so that names are in sorted order (the same files whatever
    order the sources came in); `sets` (offsets) also sorts the codes within each row."""
    found = names.names()
    rank = np.empty(len(found), dtype=np.int32)
    rank[np.argsort(np.asarray(found, dtype=str), kind="stable")] = np.arange(len(found))
    for a in range(0, len(codes), ADD_ROWS * 8):
        codes[a : a + ADD_ROWS * 8] = rank[codes[a : a + ADD_ROWS * 8]]
    if sets is not None and len(codes):
        owner = np.repeat(np.arange(len(sets) - 1), np.diff(sets))
        codes[:] = codes[np.lexsort((codes, owner))]
    return sorted(found)


def _save_mentions(
    writer: VersionWriter,
    names: _Names,
    rows: list[np.ndarray],
    codes: list[np.ndarray],
    counts: list[np.ndarray],
) -> None:
    """Postings grouped by token (tokens sorted), rows ascending within a token."""
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    code = np.concatenate(codes) if codes else np.zeros(0, np.int32)
    count = np.concatenate(counts) if counts else np.zeros(0, np.float64)
    tokens = names.names()
    rank = np.empty(len(tokens), dtype=np.int64)
    rank[np.argsort(np.asarray(tokens, dtype=str), kind="stable")] = np.arange(len(tokens))
    sorted_code = rank[code] if len(code) else code.astype(np.int64)
    order = np.lexsort((row, sorted_code))
    offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_code, minlength=len(tokens)), out=offsets[1:])
    writer.save("mentions.offsets", offsets)
    writer.save("mentions.rows", row[order].astype(np.int64))
    writer.save("mentions.counts", count[order].astype(np.float64))
    writer.dictionaries["mentions"] = sorted(tokens)
