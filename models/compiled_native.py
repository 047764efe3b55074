"""A small C kernel that walks `CompiledTrees` (models/compiled.py): margins and TreeSHAP.

The kernel is the same for every model: it reads the trees' arrays, so a bundle needs nothing
new and nothing is compiled per model. It is built once per machine with the system C
compiler (`cc`, about a second) into a shared library cached under `cache_dir()`, named by
the digest of its source, and called through ctypes (which releases the GIL). Without a
compiler, or when building or loading fails, `load_kernel` returns None (logged) and the
ranker keeps LightGBM's own booster.

The rules are LightGBM's (`Tree::NumericalDecision`, `CategoricalDecision`): a row is read
as doubles with |x| ≤ 1e-35f as 0 (LightGBM drops those as absent); NaN goes to the split's
default side when NaN or zero is its missing value, else it reads as 0; zero-as-missing sends
0 to the default side; a categorical split sends NaN and negative values right, and a value
left when its truncated integer is in the split's set. `fast_trees` builds the ranker's two
models on the kernel and keeps each only if it equals its booster on probe rows (margins,
and `pred_contrib` for the advocacy model); otherwise that booster serves.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import platform
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from models.compiled import TOLERANCE, CompiledTrees, compile_booster, probe_rows

log = logging.getLogger(__name__)

SOURCE = r"""
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* One split, all it needs on one cache line. flags: 0 for a plain numerical split (a NaN
   compares false and goes right, its side); else 1 NaN goes left, 2 zero is missing, 4 zero
   goes left, 8 categorical. */
typedef struct {
    double threshold;
    int32_t feature;
    int32_t left;   /* split index, or ~leaf */
    int32_t right;
    int32_t category_row;  /* categorical: its row of category_left */
    uint8_t flags;
    uint8_t pad[7];
} Node;

typedef struct {
    int64_t width;          /* model columns */
    const int64_t *roots;   /* the root split of each tree with splits */
    int64_t trees;
    const Node *nodes;
    const uint8_t *category_left;
    int64_t category_width;
    const double *leaf_value;
    double constant;
} Trees;

static inline int go_left(const Trees *t, const double *x, const Node *n) {
    double v = x[n->feature];
    uint8_t flags = n->flags;
    if (!flags) return v <= n->threshold;
    if (flags & 8) {
        if (isnan(v) || !(v > -1.0) || v >= (double)t->category_width) return 0;
        return t->category_left[(int64_t)n->category_row * t->category_width + (int64_t)v];
    }
    if (isnan(v)) return flags & 1;
    if ((flags & 2) && v == 0.0) return (flags & 4) != 0;
    return v <= n->threshold;
}

/* A row as LightGBM reads it: doubles, |x| <= kZeroThreshold (1e-35f) as 0. */
static inline void read_row(const float *src, int64_t width, double *row) {
    for (int64_t c = 0; c < width; ++c) {
        double v = (double)src[c];
        row[c] = fabs(v) <= (double)1e-35f ? 0.0 : v;
    }
}

int mt_predict(const Trees *t, const float *x, int64_t rows, double *out) {
    double *row = (double *)malloc(sizeof(double) * (size_t)(t->width + 1));
    if (!row) return 1;
    for (int64_t r = 0; r < rows; ++r) {
        read_row(x + r * t->width, t->width, row);
        double total = t->constant;
        for (int64_t i = 0; i < t->trees; ++i) {
            int32_t node = (int32_t)t->roots[i];
            while (node >= 0) {
                const Node *n = t->nodes + node;
                node = go_left(t, row, n) ? n->left : n->right;
            }
            total += t->leaf_value[~node];
        }
        out[r] = total;
    }
    free(row);
    return 0;
}

typedef struct {
    int64_t leaves;                 /* leaves with a path */
    const int64_t *leaf_pair_start; /* leaves + 1 */
    const int64_t *pair_feature;
    const int64_t *pair_bit;
    const int64_t *pair_table;
    const int64_t *pair_depth;
    const int64_t *pair_position;
    const int64_t *step_pair_start; /* pairs + 1 */
    const int64_t *step_node;
    const uint8_t *step_left;
    const double *table;
    double expected;
} Shap;

int mt_contributions(const Trees *t, const Shap *s, const float *x, int64_t rows, double *out) {
    double *row = (double *)malloc(sizeof(double) * (size_t)(t->width + 1));
    if (!row) return 1;
    for (int64_t r = 0; r < rows; ++r) {
        read_row(x + r * t->width, t->width, row);
        double *o = out + r * (t->width + 1);
        for (int64_t c = 0; c < t->width; ++c) o[c] = 0.0;
        o[t->width] = s->expected;
        for (int64_t l = 0; l < s->leaves; ++l) {
            int64_t pattern = 0;
            for (int64_t p = s->leaf_pair_start[l]; p < s->leaf_pair_start[l + 1]; ++p) {
                int agrees = 1;
                for (int64_t q = s->step_pair_start[p]; q < s->step_pair_start[p + 1]; ++q) {
                    if (go_left(t, row, t->nodes + s->step_node[q]) != s->step_left[q]) {
                        agrees = 0;
                        break;
                    }
                }
                if (agrees) pattern |= s->pair_bit[p];
            }
            for (int64_t p = s->leaf_pair_start[l]; p < s->leaf_pair_start[l + 1]; ++p) {
                o[s->pair_feature[p]] +=
                    s->table[s->pair_table[p] + pattern * s->pair_depth[p] + s->pair_position[p]];
            }
        }
    }
    free(row);
    return 0;
}
"""

_P = ctypes.c_void_p


class _Trees(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_int64), ("roots", _P), ("trees", ctypes.c_int64), ("nodes", _P),
        ("category_left", _P), ("category_width", ctypes.c_int64), ("leaf_value", _P),
        ("constant", ctypes.c_double),
    ]  # fmt: skip


# the C `Node`, field for field (32 bytes)
NODE = np.dtype(
    [("threshold", "<f8"), ("feature", "<i4"), ("left", "<i4"), ("right", "<i4"),
     ("category_row", "<i4"), ("flags", "u1"), ("pad", "u1", (7,))]
)  # fmt: skip


def node_array(trees: CompiledTrees) -> np.ndarray:
    """The splits of `trees` as C `Node` records (see SOURCE for the flags)."""
    nodes = np.zeros(len(trees.feature), dtype=NODE)
    category_row = np.full(len(trees.feature), -1, dtype=np.int32)
    category_row[trees.categorical] = np.arange(len(trees.categorical), dtype=np.int32)
    categorical = category_row >= 0
    zero = trees.zero_missing & ~categorical
    nodes["threshold"] = np.nan_to_num(trees.threshold)
    nodes["feature"] = trees.feature
    nodes["left"] = trees.child_left
    nodes["right"] = trees.child_right
    nodes["category_row"] = category_row
    nodes["flags"] = (
        (trees.nan_left & ~categorical).astype(np.uint8)
        | (zero.astype(np.uint8) << 1)
        | ((zero & trees.default_left).astype(np.uint8) << 2)
        | (categorical.astype(np.uint8) << 3)
    )
    return nodes


class _ShapTables(ctypes.Structure):
    _fields_ = [
        ("leaves", ctypes.c_int64), ("leaf_pair_start", _P), ("pair_feature", _P),
        ("pair_bit", _P), ("pair_table", _P), ("pair_depth", _P), ("pair_position", _P),
        ("step_pair_start", _P), ("step_node", _P), ("step_left", _P), ("table", _P),
        ("expected", ctypes.c_double),
    ]  # fmt: skip


def cache_dir() -> Path:
    """Where the built kernel is kept: $MICROTRIBE_NATIVE_CACHE, else the user's cache."""
    configured = os.environ.get("MICROTRIBE_NATIVE_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "microtribe"


def _digest() -> str:
    key = f"{SOURCE}\n{platform.machine()}\n{platform.system()}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


_build_lock = threading.Lock()


@cache
def load_kernel() -> Any | None:
    """The kernel's shared library (built and cached on first use; in the temporary directory
    when the cache cannot be written), or None (logged)."""
    name = f"tree-kernel-{_digest()}.so"
    fallback = Path(tempfile.gettempdir()) / f"microtribe-{os.getuid()}"
    error: Exception | None = None
    with _build_lock:
        for directory in (cache_dir(), fallback):
            try:
                return _load(directory / name)
            except (OSError, subprocess.SubprocessError) as failed:
                error = failed
    log.warning("no compiled tree kernel (%s): ranking with the LightGBM boosters", error)
    return None


def _load(library: Path) -> Any:
    if not library.exists():
        _build(library)
    lib = ctypes.CDLL(str(library))
    lib.mt_predict.argtypes = [ctypes.POINTER(_Trees), _P, ctypes.c_int64, _P]
    lib.mt_predict.restype = ctypes.c_int
    lib.mt_contributions.argtypes = [
        ctypes.POINTER(_Trees),
        ctypes.POINTER(_ShapTables),
        _P,
        ctypes.c_int64,
        _P,
    ]
    lib.mt_contributions.restype = ctypes.c_int
    return lib


def _build(library: Path) -> None:
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise OSError("no C compiler (cc) on PATH")
    library.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=library.parent) as work:
        source = Path(work) / "kernel.c"
        source.write_text(SOURCE)
        built = Path(work) / library.name
        subprocess.run(
            [compiler, "-O2", "-shared", "-fPIC", "-o", str(built), str(source), "-lm"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        os.replace(built, library)  # atomic: a concurrent loader sees all or nothing


class NativeTrees:
    """`CompiledTrees` evaluated by the C kernel: `predict_raw` and `contributions` with the
    same meaning as theirs (float32 rows in the model's columns)."""

    def __init__(self, trees: CompiledTrees, kernel: Any) -> None:
        self.trees = trees
        self._kernel = kernel
        self._keep: list[np.ndarray] = []  # the arrays the structures point into
        self._trees = _Trees(
            width=trees.num_features,
            roots=self._pointer(trees.tree_start, np.int64),
            trees=len(trees.tree_start),
            nodes=self._pointer(node_array(trees), NODE),
            category_left=self._pointer(trees.category_left, np.uint8),
            category_width=trees.category_left.shape[1],
            leaf_value=self._pointer(trees.leaf_value, np.float64),
            constant=trees.constant,
        )
        shap = trees.shap
        self._shap: _ShapTables | None = None
        if shap is not None:
            pairs = len(shap.pair_feature)
            self._shap = _ShapTables(
                leaves=len(shap.leaf_pair_start),
                leaf_pair_start=self._pointer(np.append(shap.leaf_pair_start, pairs), np.int64),
                pair_feature=self._pointer(shap.pair_feature, np.int64),
                pair_bit=self._pointer(shap.pair_bit, np.int64),
                pair_table=self._pointer(shap.pair_table, np.int64),
                pair_depth=self._pointer(shap.pair_depth, np.int64),
                pair_position=self._pointer(shap.pair_position, np.int64),
                step_pair_start=self._pointer(
                    np.append(shap.step_pair_start, len(shap.step_node)), np.int64
                ),
                step_node=self._pointer(shap.step_node, np.int64),
                step_left=self._pointer(shap.step_left, np.uint8),
                table=self._pointer(shap.table, np.float64),
                expected=shap.expected,
            )

    def _pointer(self, values: np.ndarray, dtype: Any) -> int:
        array = np.ascontiguousarray(values, dtype=dtype)
        if array.size == 0:
            array = np.zeros(1, dtype=dtype)
        self._keep.append(array)
        return int(array.ctypes.data)

    @property
    def num_features(self) -> int:
        return self.trees.num_features

    @property
    def has_contributions(self) -> bool:
        return self._shap is not None

    def _rows(self, features: np.ndarray) -> np.ndarray:
        rows = np.ascontiguousarray(features, dtype=np.float32)
        if rows.ndim != 2 or rows.shape[1] != self.trees.num_features:
            raise ValueError(f"expected (rows, {self.trees.num_features}), got {rows.shape}")
        return rows

    def predict_raw(self, features: np.ndarray) -> np.ndarray:
        rows = self._rows(features)
        out = np.empty(len(rows), dtype=np.float64)
        if self._kernel.mt_predict(ctypes.byref(self._trees), rows.ctypes.data, len(rows),
                                   out.ctypes.data):  # fmt: skip
            raise MemoryError("the tree kernel could not allocate a row")
        return out

    def contributions(self, features: np.ndarray) -> np.ndarray:
        if self._shap is None:
            raise ValueError("this model's paths are too deep for tabulated SHAP")
        rows = self._rows(features)
        out = np.empty((len(rows), self.trees.num_features + 1), dtype=np.float64)
        if self._kernel.mt_contributions(ctypes.byref(self._trees), ctypes.byref(self._shap),
                                         rows.ctypes.data, len(rows), out.ctypes.data):  # fmt: skip
            raise MemoryError("the tree kernel could not allocate a row")
        return out


# LightGBM objectives whose `predict` is the raw margin itself (no link function)
IDENTITY_OBJECTIVES = frozenset(
    {"regression", "regression_l2", "l2", "mean_squared_error", "mse", "rmse", "regression_l1",
     "l1", "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape"}
)  # fmt: skip


def output_is_margin(objective: str) -> bool:
    """Whether a model of `objective` (as `dump_model` spells it) predicts its raw margin."""
    words = objective.split()
    return bool(words) and words[0] in IDENTITY_OBJECTIVES and "sqrt" not in words


@dataclass(frozen=True, slots=True)
class FastTrees:
    """The ranker's boosters on the C kernel; None where the booster itself must serve."""

    advocacy: NativeTrees | None = None
    engagement: NativeTrees | None = None


def fast_trees(advocacy: Any, engagement: Any) -> FastTrees:
    """The kernel's versions of the two boosters (the advocacy one with its TreeSHAP tables),
    each checked against its booster; any one not covered stays on its booster."""
    return FastTrees(
        advocacy=native_trees(advocacy, shap=True),
        engagement=native_trees(engagement, shap=False, output_margin=True),
    )


def native_trees(booster: Any, shap: bool, output_margin: bool = False) -> NativeTrees | None:
    """`booster` on the kernel, or None (logged) when there is no booster, no kernel, a model
    the arrays do not cover, or any difference from the booster on probe rows. With
    `output_margin`, only a model whose `predict` is its raw margin is taken."""
    if booster is None or not hasattr(booster, "dump_model"):
        return None
    kernel = load_kernel()
    if kernel is None:
        return None
    try:
        compiled = compile_booster(booster, shap=shap, check=False)
        if compiled is None:
            return None
        if output_margin and not output_is_margin(compiled.objective):
            log.info("objective %r is not its margin: its booster serves", compiled.objective)
            return None
        native = NativeTrees(compiled, kernel)
        return native if _agrees(native, booster) else None
    except Exception:  # an optimisation must never stop a model from loading
        log.exception("compiling the trees failed: the booster serves")
        return None


def _agrees(native: NativeTrees, booster: Any) -> bool:
    probe = probe_rows(native.trees)
    margin = np.asarray(booster.predict(probe, raw_score=True, num_threads=1))
    error = float(np.max(np.abs(native.predict_raw(probe) - margin), initial=0.0))
    if native.has_contributions:
        few = probe[:32]
        reference = np.asarray(booster.predict(few, pred_contrib=True, num_threads=1))
        error = max(error, float(np.max(np.abs(native.contributions(few) - reference))))
    if not error <= TOLERANCE:
        log.warning("compiled trees differ from the booster by %.3g: the booster serves", error)
        return False
    return True
