"""FAISS retrieval over creator content vectors, with eligibility applied inside the search.

The index type follows the size of the catalog, as the FAISS guidelines advise: exact
`Flat` inner product for small catalogs, and above `IndexConfig.exact_below` an inverted
file `IVF{nlist},Flat` with nlist ≈ √N (a power of two) and `nprobe` lists visited per query.
IVF keeps its recall under a filter: the eligibility bitmap is checked inside each visited
list, so a filter removes ineligible rows without steering the search away from the right
region, as it does to a graph (measured at 1M with a typical filter: IVF recall@200 0.99,
HNSW32 0.945 at comparable latency; bench/results/retrieval.jsonl). `HNSW32`, or compressed
factories such as `IVF{nlist},SQ8` / `HNSW32_SQ8` whose candidates are re-ranked exactly from
the stored vectors, are one setting away. Filters never lose results: a narrow filter (fewer
than `exact_filter_below` eligible rows) is searched exactly over the eligible rows; a broader
one goes through the index with the eligibility bitmap as an `IDSelector`, visiting more
inverted lists the fewer rows are eligible (`IndexConfig.nprobe_for`: about as many eligible
vectors are compared whatever the filter, and every list once the filter is narrow enough,
which is an exact scan that reads only the eligible vectors), falling back to exact search if
it returns fewer than `k`.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import faiss
import numpy as np

EXACT_FACTORY = "Flat"


@dataclass(frozen=True, slots=True)
class IndexConfig:
    exact_below: int = 50_000  # catalogs smaller than this use exact search
    # above it; "{nlist}" becomes a power of two near √N. "IVF{nlist},SQ8" or "HNSW32_SQ8"
    # store 8-bit codes and re-rank exactly; "HNSW32" is a graph over full vectors
    factory: str = "IVF{nlist},Flat"
    ef_construction: int = 80
    # bench/results/retrieval.jsonl: ef 2000 gives recall@200 0.995 at 100k and 0.97 at 1M
    # unfiltered (3.5 / 4.9 ms); under a filter ef grows as 1/selectivity, up to ef_max.
    ef_search: int = 2000
    ef_max: int = 4096
    # Eligible sets smaller than this are gathered and scanned exactly (numpy): exact, and as
    # cheap as an index walk up to a few thousand rows (at 100k the two cross between 4k and
    # 8k eligible). Larger ones go through the index with the eligibility bitmap, which
    # reads only the eligible vectors instead of copying them out (27k eligible of 100k: the
    # gather and scan took 40 ms, the IVF walk 1-5 ms; docs/scale.md, "Filtered retrieval").
    exact_filter_below: int = 8_192
    rerank_factor: int = 4  # compressed indexes fetch k × this, then re-rank exactly
    # inverted lists an IVF factory visits for k ≤ nprobe_k unfiltered; more results need
    # more lists: × √(k / nprobe_k). Chosen on development briefs, not the peer race's
    # (bench/nprobe_dev.py, 110 briefs of other worlds on the real 100k build, 256 lists):
    # recall@50 16 → 0.945, 20 → 0.965, 24 → 0.978 (1.14 / 1.27 / 1.45 ms). Grown from 5k,
    # 16 had given 0.971: a real catalog is less clustered and needs more lists.
    nprobe: int = 20
    nprobe_k: int = 50
    # ... × (k / nprobe_k)^depth_power beyond nprobe_k. The pipeline's 500 candidates are
    # re-ranked, so what their recall buys is the served top 20: its overlap with the top 20
    # of exact candidates (stress catalogs, explanations on) was, at 1M (1,024 lists), 0.967
    # with 127 lists (power 0.5), 0.965 with 64 and 90, 0.95 with 40; at 100k (256 lists)
    # 0.968 with 51, 0.965 with 36, 0.958 with 24. Power 0.25 visits 72 and 36.
    depth_power: float = 0.25
    # more lists, each smaller: × √(nlist / nprobe_nlist). At 1M (1,024 lists) recall@50
    # unfiltered was 0.935 with 16 lists, 0.961 with 24, 0.973 with 32 (the rule's choice).
    nprobe_nlist: int = 256
    # under a filter an IVF search visits that × (rows / eligible)^filter_power lists, up to
    # all of them. The eligible top k sit about where the unfiltered top k × rows / eligible
    # would, and depth costs √ as k does: power 0.5. At 1M, typical filter (27 %), 1.0 (120
    # lists) gave recall@50 0.999 but 26 % slower than 64 fixed lists (0.99)
    scale_nprobe: bool = True
    filter_power: float = 0.5

    def factory_for(self, n_vectors: int) -> str:
        if n_vectors < self.exact_below:
            return EXACT_FACTORY
        nlist = 2 ** max(6, round(np.log2(max(n_vectors, 1)) / 2))  # ≈ √N, at least 64
        nlist = max(1, min(nlist, n_vectors // 39))  # k-means wants ≥ 39 points per list
        return self.factory.replace("{nlist}", str(nlist))

    def nprobe_for(self, nlist: int, n_rows: int, n_eligible: int, k: int | None = None) -> int:
        """Inverted lists an IVF search for `k` results visits when `n_eligible` of `n_rows`
        rows are eligible (`k` None: `nprobe_k`)."""
        wanted = float(self.nprobe)
        if self.scale_nprobe and nlist > self.nprobe_nlist:
            wanted *= math.sqrt(nlist / self.nprobe_nlist)
        if self.scale_nprobe and k is not None and k > self.nprobe_k:
            wanted *= (k / self.nprobe_k) ** self.depth_power
        if self.scale_nprobe and 0 < n_eligible < n_rows:
            wanted *= (n_rows / n_eligible) ** self.filter_power
        return max(1, min(nlist, math.ceil(wanted - 1e-9)))

    def describe_filtering(self) -> str:
        """How a filtered search runs, for benchmark records."""
        probes = (f"nprobe × √(nlist / {self.nprobe_nlist}) × (k / {self.nprobe_k})^"
                  f"{self.depth_power} × (rows "
                  f"/ eligible)^{self.filter_power} (up to every list)"
                  if self.scale_nprobe else "nprobe")  # fmt: skip
        return (
            f"eligible rows gathered and scanned exactly below {self.exact_filter_below:,}; "
            f"above, the index with the eligibility bitmap (IDSelectorBitmap), IVF visiting "
            f"{probes} lists, HNSW efSearch × rows / eligible (up to {self.ef_max})"
        )


def build_index(
    vectors: np.ndarray, factory: str = EXACT_FACTORY, config: IndexConfig | None = None
) -> Any:
    """An inner-product index (cosine on L2-normalised vectors) over `vectors`."""
    config = config or IndexConfig()
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    hnsw = _hnsw(index)
    if hnsw is not None:
        hnsw.efConstruction = config.ef_construction
    if not index.is_trained:
        index.train(vectors)
    index.add(vectors)
    return index


# Vectors a trained index learns its lists or codes from: FAISS's k-means itself samples
# 256 points per centroid, so more would be read and then ignored.
TRAIN_POINTS_PER_LIST = 256


def build_index_chunked(
    vectors: np.ndarray,
    factory: str,
    config: IndexConfig,
    chunk_rows: int,
    after_chunk: Callable[[np.ndarray], None] | None = None,
) -> Any:
    """`build_index` over a (mapped) array too large to copy: trained on an evenly spaced
    sample, then filled `chunk_rows` at a time (`after_chunk` sees each chunk once added)."""
    index = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    hnsw = _hnsw(index)
    if hnsw is not None:
        hnsw.efConstruction = config.ef_construction
    if not index.is_trained:
        downcast = faiss.downcast_index(index)
        lists = int(getattr(downcast, "nlist", 0)) or 256
        wanted = min(len(vectors), lists * TRAIN_POINTS_PER_LIST)
        sample = np.unique(np.linspace(0, len(vectors) - 1, wanted).astype(np.int64))
        index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    for start in range(0, len(vectors), chunk_rows):
        chunk = vectors[start : start + chunk_rows]
        index.add(np.ascontiguousarray(chunk, dtype=np.float32))
        if after_chunk is not None:
            after_chunk(chunk)
    return index


def _hnsw(index: Any) -> Any:
    downcast = faiss.downcast_index(index)
    return getattr(downcast, "hnsw", None)


def _is_ivf(index: Any) -> bool:
    return isinstance(faiss.downcast_index(index), faiss.IndexIVF)


def save_index(index: Any, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_index(path: Path, mapped: bool = False) -> Any:
    """Read an index; `mapped` maps its vectors from the file instead of copying them: pages
    are read when a search touches them and shared by every process that maps the file.

    `IO_FLAG_MMAP_IFC` ("in-place flat codes") for every kind: a Flat or HNSW index's stored
    vectors and an IVF index's inverted lists stay in the file. For IVF it measured faster
    than `IO_FLAG_MMAP` (1M × 512, IVF1024,Flat, nprobe 64, k 200, one thread: median
    21.5 ms against 42.6 ms, and 24.6 ms read into memory, in one run on a loaded machine).
    """
    if not mapped:
        return faiss.read_index(str(path))
    module: Any = faiss  # (the bundled type stubs lack the IO flags)
    return faiss.read_index(str(path), module.IO_FLAG_MMAP_IFC | module.IO_FLAG_READ_ONLY)


_PAGE = 4096
MADV_POPULATE_READ = 22  # Linux 5.14+: map the pages of a range into the page table now
MADV_WILLNEED = 3


@cache
def _madvise() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return libc.madvise


def populate(address: int, size: int) -> None:
    """Fault in the pages of a mapped range now, in one system call and without the GIL
    (ctypes releases it), so the first searches after a reload do not pay a page fault per
    page; on kernels without MADV_POPULATE_READ, ask for read-ahead instead."""
    if size <= 0:
        return
    start = address & ~(_PAGE - 1)
    length = address + size - start
    madvise = _madvise()
    if madvise(start, length, MADV_POPULATE_READ) != 0:
        madvise(start, length, MADV_WILLNEED)


def warm_index(index: Any) -> int:
    """Populate the pages an index searches (an IVF index's inverted lists, a Flat or HNSW
    index's stored vectors) when they are mapped from the file; returns the bytes covered."""
    downcast = faiss.downcast_index(index)
    covered = 0
    if isinstance(downcast, faiss.IndexIVF):
        lists: Any = downcast.invlists
        for number in range(lists.nlist):
            size = lists.list_size(number) * lists.code_size
            if size:
                populate(int(lists.get_codes(number)), size)
                covered += size
        return covered
    storage = faiss.downcast_index(getattr(downcast, "storage", downcast))
    if isinstance(storage, faiss.IndexFlat) and storage.ntotal:
        size = storage.ntotal * storage.code_size
        populate(int(storage.get_xb()), size)
        covered += size
    return covered


def stored_vectors(index: Any) -> np.ndarray | None:
    """A zero-copy (rows, dim) float32 view of the vectors a Flat or HNSW-Flat index stores.

    Lets a loaded catalog re-rank and scan exactly without holding a second copy of its
    vectors; None for compressed indexes, whose codes are not the vectors. The view is valid
    as long as `index` is alive and unchanged.
    """
    downcast = faiss.downcast_index(index)
    storage = faiss.downcast_index(getattr(downcast, "storage", downcast))
    if not isinstance(storage, faiss.IndexFlat) or storage.ntotal == 0:
        return None
    module: Any = faiss  # (the bundled type stubs lack rev_swig_ptr)
    flat = module.rev_swig_ptr(storage.get_xb(), storage.ntotal * storage.d)
    return np.asarray(flat).reshape(storage.ntotal, storage.d)


def _top_k(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if len(scores) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        scores, rows = scores[keep], rows[keep]
    order = np.argsort(-scores, kind="stable")
    return rows[order].astype(np.int64), scores[order].astype(np.float32)


def exact_search(
    vectors: np.ndarray, query: np.ndarray, k: int, rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-`k` by inner product among `rows` (all rows when None)."""
    if rows is None:
        rows = np.arange(len(vectors))
    if k <= 0 or len(rows) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores = np.asarray(vectors[rows], dtype=np.float32) @ query.astype(np.float32)
    return _top_k(scores, rows, k)


def search(
    index: Any,
    query: np.ndarray,
    k: int,
    eligible: np.ndarray | None = None,
    vectors: np.ndarray | None = None,
    config: IndexConfig | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-`k` (rows, similarities) for one query among `eligible` rows (a bool mask).

    Returns min(k, number of eligible rows) results: a narrow filter never starves the list.
    Exact (the eligible rows' top `k`) below `exact_filter_below` eligible rows, for a Flat
    index under a filter, and when an IVF search would visit every list (a Flat IVF walk of
    every list is exact; a compressed one is replaced by the exact scan), given `vectors`.
    """
    config = config or IndexConfig()
    if eligible is not None and eligible.all():
        eligible = None  # nothing filtered: let FAISS scan its own contiguous storage
    n_eligible = index.ntotal if eligible is None else int(eligible.sum())
    k = min(k, n_eligible)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    hnsw = _hnsw(index)
    ivf = _is_ivf(index)
    # everything eligible is wanted (audits), or only a few rows are eligible: scan exactly
    narrow = k >= n_eligible or (eligible is not None and n_eligible < config.exact_filter_below)
    flat_filtered = hnsw is None and not ivf and eligible is not None
    if vectors is not None and (narrow or flat_filtered):
        rows = None if eligible is None else np.flatnonzero(eligible)
        return exact_search(vectors, query, k, rows)
    compressed = vectors is not None and (hnsw is not None or ivf) and _is_compressed(index)
    fetch = min(k * config.rerank_factor, n_eligible) if compressed else k
    nprobe = None
    if ivf:
        downcast: Any = faiss.downcast_index(index)
        nlist = int(downcast.nlist)
        nprobe = config.nprobe_for(nlist, int(index.ntotal), n_eligible, fetch)
        if compressed and nprobe >= nlist and eligible is not None and vectors is not None:
            # every list visited: a Flat walk would be exact, codes are not; scan exactly
            return exact_search(vectors, query, k, np.flatnonzero(eligible))
    # the bitmap must outlive the search call: FAISS keeps only a raw pointer to it
    bitmap = None if eligible is None else np.packbits(eligible, bitorder="little")
    ef = max(config.ef_search, fetch)
    if eligible is not None:
        ef = min(max(int(ef * index.ntotal / n_eligible), ef), config.ef_max)
    params = _search_params(hnsw, eligible, bitmap, ef, nprobe)
    scores, rows = index.search(query.reshape(1, -1).astype(np.float32), fetch, params=params)
    found = rows[0][rows[0] >= 0].astype(np.int64)
    if len(found) < k and vectors is not None:  # the graph ran dry under the filter
        return exact_search(
            vectors, query, k, None if eligible is None else np.flatnonzero(eligible)
        )
    if compressed and vectors is not None:
        return exact_search(vectors, query, k, found)
    return found[:k], scores[0][: len(found)][:k]


def _is_compressed(index: Any) -> bool:
    downcast = faiss.downcast_index(index)
    if isinstance(downcast, faiss.IndexIVF):
        return not isinstance(downcast, faiss.IndexIVFFlat)
    storage = getattr(downcast, "storage", None)
    return storage is not None and not isinstance(faiss.downcast_index(storage), faiss.IndexFlat)


def _search_params(
    hnsw: Any,
    eligible: np.ndarray | None,
    bitmap: np.ndarray | None,
    ef: int,
    nprobe: int | None = None,
) -> Any:
    # (the bundled type stubs lack the HNSW and IVF parameter classes)
    module: Any = faiss
    if hnsw is not None:
        params: Any = module.SearchParametersHNSW()
        params.efSearch = ef
    elif nprobe is not None:
        params = module.SearchParametersIVF()
        params.nprobe = nprobe
    else:
        params = module.SearchParameters()
    if eligible is not None and bitmap is not None:
        params.sel = faiss.IDSelectorBitmap(len(eligible), faiss.swig_ptr(bitmap))
    return params
