"""A LightGBM model's trees as flat arrays: what the C kernel walks, and TreeSHAP as tables.

`compile_booster` reads `booster.dump_model()` into `CompiledTrees`: one entry per split
(column, threshold, LightGBM's rules for NaN, zero-as-missing and categorical splits, its two
children) and per leaf (value). models/compiled_native.py walks these arrays in C; the numpy
methods here (`go_left`, `leaf_index`, `predict_raw`, `contributions`) compute the same
results over all trees at once and are the reference the tests hold the kernel to. On this
machine numpy is no faster than the booster on 500 rows (about 650k split decisions), which is
why serving goes through the kernel.

- Each tree's leaves are the bits of one integer: a split's side keeps every leaf but those
  under its other child, and the AND over a tree's splits leaves exactly the row's leaf.
- TreeSHAP (the path-dependent algorithm of LightGBM's `pred_contrib`) of a leaf depends on a
  row only through which of the leaf's distinct path features the row agrees with, so each
  leaf's Shapley terms are tabulated once per agreement pattern (`shap_tables`), and a row's
  contributions are table look-ups summed per feature: equal to `pred_contrib`, not an
  approximation of it.

`compile_booster` refuses (returns None, with the reason logged) what it does not cover —
several trees per iteration, linear trees, averaged (random-forest) output, trees of more
than 64 leaves — and, with `check`, compares its margins with the booster's on probe rows at
every split threshold. Compiling takes tens of milliseconds from the loaded booster; nothing
is stored in a bundle.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ZERO_THRESHOLD = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (1e-35f): |x| ≤ it is 0
MAX_LEAVES = 64  # a tree's leaves are the bits of one uint64
MAX_PATH_FEATURES = 10  # a leaf's SHAP table has 2**d rows of d terms
MAX_TABLE_TERMS = 2_000_000  # all SHAP tables (16 MB); above it `pred_contrib` serves
FLOAT32_MAX = float(np.finfo(np.float32).max)
TOLERANCE = 1e-9  # the self-check's margin against the booster on probe rows


@dataclass(frozen=True, slots=True)
class _Shap:
    """The TreeSHAP tables (`shap_tables`) and how a row indexes them. A pair is one leaf's
    one distinct path feature; pairs are grouped by leaf, a pair's split steps follow it."""

    pair_slot: np.ndarray  # (pairs,) index of the pair's leaf among the leaves with a path
    pair_feature: np.ndarray  # (pairs,) the model column the pair's term goes to
    pair_bit: np.ndarray  # (pairs,) 2**position of the pair's feature on its leaf's path
    pair_table: np.ndarray  # (pairs,) offset of the pair's leaf's table in `table`
    pair_depth: np.ndarray  # (pairs,) the number of distinct features on the leaf's path
    pair_position: np.ndarray  # (pairs,) the feature's position on the leaf's path
    step_node: np.ndarray  # (steps,) the split of each path step, grouped by pair
    step_left: np.ndarray  # (steps,) whether the path goes left there
    step_pair_start: np.ndarray  # (pairs,) first step of each pair
    leaf_pair_start: np.ndarray  # (leaves with a path,) first pair of each
    table: np.ndarray  # flat float64: per leaf, its (2**d, d) table
    expected: float  # Σ over trees of the count-weighted mean leaf value (the bias column)


@dataclass(frozen=True, slots=True)
class CompiledTrees:
    """One LightGBM model's trees as arrays (`compile_booster`); see the module docstring."""

    num_features: int
    objective: str
    feature: np.ndarray  # (splits,) column each split reads
    threshold: np.ndarray  # (splits,) float64; categorical splits: unused
    nan_left: np.ndarray  # (splits,) where a NaN goes (numerical splits)
    zero_missing: np.ndarray  # (splits,) zero counts as missing (then `default_left`)
    default_left: np.ndarray  # (splits,)
    categorical: np.ndarray  # (categorical splits,) their split index
    category_left: np.ndarray  # (categorical splits, max category + 1) bool
    keep_left: np.ndarray  # (splits,) uint64: all leaf bits but the right subtree's
    keep_right: np.ndarray  # (splits,) uint64: all leaf bits but the left subtree's
    child_left: np.ndarray  # (splits,) int32: split index, or ~(global leaf index)
    child_right: np.ndarray  # (splits,) int32
    tree_start: np.ndarray  # (trees with splits,) first split of each tree
    tree_leaf_offset: np.ndarray  # (trees with splits,) first global leaf of each tree
    leaf_value: np.ndarray  # (leaves,) float64
    constant: float  # Σ of the single-leaf trees' values
    shap: _Shap | None

    def go_left(self, features: np.ndarray) -> np.ndarray:
        """(rows, splits) bool: which way each row goes at each split, as LightGBM decides."""
        x = features[:, self.feature]
        left = x <= self.threshold  # float32 against float64: compared exactly, as LightGBM
        nan = np.isnan(x)
        if nan.any():
            left = np.where(nan, self.nan_left, left)
        if self.zero_missing.any():
            zero = self.zero_missing & (nan | (np.abs(x) <= ZERO_THRESHOLD))
            left = np.where(zero, self.default_left, left)
        if len(self.categorical):
            left[:, self.categorical] = self._category_left(x[:, self.categorical])
        return left

    def _category_left(self, values: np.ndarray) -> np.ndarray:
        # LightGBM: NaN and negative categories go right; others by int truncation
        limit = self.category_left.shape[1]
        known = ~np.isnan(values)
        code = np.trunc(np.where(known, values, -1.0)).clip(-1, limit)
        inside = known & (code >= 0) & (code < limit)
        code = np.where(inside, code, 0).astype(np.intp)
        rows = np.arange(len(self.categorical))
        return inside & self.category_left[rows, code]

    def leaf_index(self, features: np.ndarray) -> np.ndarray:
        """(rows, trees with splits) the global index of the leaf each row reaches."""
        left = self.go_left(features)
        keep = np.where(left, self.keep_left, self.keep_right)
        bits = np.bitwise_and.reduceat(keep, self.tree_start, axis=1)
        # exactly one bit is left per tree: its position via the float exponent (exact)
        _, exponent = np.frexp(bits.astype(np.float64))
        return self.tree_leaf_offset + (exponent - 1)

    def predict_raw(self, features: np.ndarray) -> np.ndarray:
        """The raw margin of each row (the booster's `predict(..., raw_score=True)`)."""
        features = _model_input(features, self.num_features)
        total = np.full(len(features), self.constant, dtype=np.float64)
        if len(self.tree_start):
            total += self.leaf_value[self.leaf_index(features)].sum(axis=1)
        return total

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """(rows, features + 1) TreeSHAP contributions, the booster's `pred_contrib`: each
        feature's share of the margin, then the bias (the trees' expected value)."""
        if self.shap is None:
            raise ValueError("this model's paths are too deep for tabulated SHAP")
        features = _model_input(features, self.num_features)
        shap = self.shap
        out = np.zeros((len(features), self.num_features + 1), dtype=np.float64)
        out[:, -1] = shap.expected
        if not len(shap.pair_slot):
            return out
        left = self.go_left(features)
        agrees = left[:, shap.step_node] == shap.step_left  # (rows, steps)
        # a path feature agrees when the row takes every split of it the path takes
        pair_ok = np.logical_and.reduceat(agrees, shap.step_pair_start, axis=1)
        pattern = np.add.reduceat(pair_ok * shap.pair_bit, shap.leaf_pair_start, axis=1)
        # each pair's term: its leaf's table at the row's pattern, at the pair's position
        index = shap.pair_table + pattern[:, shap.pair_slot] * shap.pair_depth
        terms = shap.table[index + shap.pair_position]  # (rows, pairs)
        # summed per (row, feature) in one pass
        width = self.num_features
        target = (np.arange(len(features))[:, None] * width + shap.pair_feature).ravel()
        summed = np.bincount(target, weights=terms.ravel(), minlength=len(features) * width)
        out[:, :-1] = summed.reshape(len(features), width)
        return out


def _model_input(features: np.ndarray, num_features: int) -> np.ndarray:
    features = np.asarray(features)
    if features.dtype not in (np.float32, np.float64):
        features = features.astype(np.float64)
    if features.ndim != 2 or features.shape[1] != num_features:
        raise ValueError(f"expected (rows, {num_features}) features, got {features.shape}")
    # LightGBM reads |x| <= 1e-35 as an absent (zero) value
    tiny = np.abs(features) <= ZERO_THRESHOLD
    return np.where(tiny, 0.0, features).astype(features.dtype) if tiny.any() else features


# -- compiling ------------------------------------------------------------------------------


class _Unsupported(ValueError):
    pass


@dataclass
class _Builder:
    """Walks the dumped trees into flat lists."""

    feature: list[int]
    threshold: list[float]
    nan_left: list[bool]
    zero_missing: list[bool]
    default_left: list[bool]
    categories: dict[int, list[int]]
    keep_left: list[int]
    keep_right: list[int]
    child_left: list[int]  # a split's children: split index, or ~global leaf index
    child_right: list[int]
    leaf_value: list[float]
    leaf_count: list[float]
    # per global leaf: its path as (split, goes left, feature, child count / parent count)
    leaf_path: list[list[tuple[int, bool, int, float]]]
    _child: list[int] = field(default_factory=list)  # the nodes of the tree being walked

    def add_tree(self, root: Mapping[str, Any]) -> int:
        """Appends one tree's splits and leaves; returns its number of leaves."""
        first_leaf = len(self.leaf_value)
        leaves: dict[int, int] = {}  # LightGBM leaf index → global leaf

        def count(node: Mapping[str, Any]) -> float:
            return float(node["leaf_count"] if "leaf_index" in node else node["internal_count"])

        def walk(node: Mapping[str, Any], path: list[tuple[int, bool, int, float]]) -> int:
            """Returns the bitmask of the leaves under `node` (bits by LightGBM leaf index);
            records `node` as its parent's child (split index, or ~global leaf index)."""
            if "split_index" not in node:
                if "leaf_coeff" in node:
                    raise _Unsupported("linear trees")
                local = int(node.get("leaf_index", 0))
                leaves[local] = len(self.leaf_value)
                self.leaf_value.append(float(node["leaf_value"]))
                self.leaf_count.append(float(node.get("leaf_count", 0.0)))
                self.leaf_path.append(path)
                self._child.append(~(first_leaf + local))
                return 1 << local
            split = len(self.feature)
            self._child.append(split)
            self._add_split(node)
            parent = count(node)
            column = int(node["split_feature"])
            left_child, right_child = node["left_child"], node["right_child"]
            self.child_left[split] = len(self._child)
            left_bits = walk(left_child, [*path, (split, True, column, count(left_child) / parent)])
            self.child_right[split] = len(self._child)
            right_bits = walk(
                right_child, [*path, (split, False, column, count(right_child) / parent)]
            )
            # the leaves each side rules out (turned into what it keeps below)
            self.keep_left[split] = right_bits
            self.keep_right[split] = left_bits
            return left_bits | right_bits

        first_split = len(self.feature)
        self._child.clear()
        every = walk(root, [])
        for split in range(first_split, len(self.feature)):
            self.keep_left[split] ^= every
            self.keep_right[split] ^= every
            # the children were recorded by position in `_child`: resolve them
            self.child_left[split] = self._child[self.child_left[split]]
            self.child_right[split] = self._child[self.child_right[split]]
        # global leaves in LightGBM leaf-index order, so a bit's position is its offset
        order = [leaves[local] for local in sorted(leaves)]
        if order != list(range(first_leaf, first_leaf + len(order))):
            values = [self.leaf_value[g] for g in order]
            counts = [self.leaf_count[g] for g in order]
            paths = [self.leaf_path[g] for g in order]
            self.leaf_value[first_leaf:] = values
            self.leaf_count[first_leaf:] = counts
            self.leaf_path[first_leaf:] = paths
        return len(order)

    def _add_split(self, node: Mapping[str, Any]) -> None:
        default_left = bool(node["default_left"])
        missing = str(node["missing_type"])
        split = len(self.feature)
        self.feature.append(int(node["split_feature"]))
        self.default_left.append(default_left)
        self.zero_missing.append(missing == "Zero")
        self.keep_left.append(0)
        self.keep_right.append(0)
        self.child_left.append(0)
        self.child_right.append(0)
        if node["decision_type"] == "==":
            self.categories[split] = [int(c) for c in str(node["threshold"]).split("||")]
            self.threshold.append(math.nan)
            self.nan_left.append(False)
            return
        if node["decision_type"] != "<=":
            raise _Unsupported(f"decision type {node['decision_type']!r}")
        threshold = float(node["threshold"])
        self.threshold.append(threshold)
        # NaN: the default side when NaN is the missing value or zero is (NaN reads as 0),
        # else it reads as 0 and is compared
        self.nan_left.append(default_left if missing in ("NaN", "Zero") else threshold >= 0.0)


def compile_booster(booster: Any, shap: bool = True, check: bool = True) -> CompiledTrees | None:
    """The booster's trees as `CompiledTrees` (with the TreeSHAP tables if `shap`), or None
    (logged) where they are not covered or (with `check`) disagree with the booster on probe
    rows."""
    try:
        model = booster.dump_model()
        compiled = _compile(model, shap)
    except _Unsupported as reason:
        log.info("serving this LightGBM model with its booster: %s", reason)
        return None
    if check:
        probe = probe_rows(compiled)
        expected = np.asarray(booster.predict(probe, raw_score=True, num_threads=1))
        error = float(np.max(np.abs(compiled.predict_raw(probe) - expected), initial=0.0))
        if not error <= TOLERANCE:
            log.warning("compiled trees differ from the booster by %.3g: using the booster", error)
            return None
    return compiled


def _compile(model: Mapping[str, Any], shap: bool) -> CompiledTrees:
    if int(model.get("num_tree_per_iteration", 1)) != 1 or int(model.get("num_class", 1)) != 1:
        raise _Unsupported("more than one tree per iteration")
    if model.get("average_output"):
        raise _Unsupported("averaged (random forest) output")
    builder = _Builder([], [], [], [], [], {}, [], [], [], [], [], [], [])
    tree_start: list[int] = []
    tree_leaf_offset: list[int] = []
    constant = 0.0
    expected = 0.0
    for tree in model["tree_info"]:
        if int(tree["num_leaves"]) > MAX_LEAVES:
            raise _Unsupported(f"a tree of {tree['num_leaves']} leaves (> {MAX_LEAVES})")
        root = tree["tree_structure"]
        if "split_index" not in root:
            constant += float(root["leaf_value"])
            expected += float(root["leaf_value"])
            continue
        tree_start.append(len(builder.feature))
        tree_leaf_offset.append(len(builder.leaf_value))
        first = len(builder.leaf_value)
        builder.add_tree(root)
        counts = np.asarray(builder.leaf_count[first:])
        values = np.asarray(builder.leaf_value[first:])
        expected += float(counts @ values / float(root["internal_count"]))
    split_count = len(builder.feature)
    categorical = np.asarray(sorted(builder.categories), dtype=np.intp)
    width = 1 + max((max(c) for c in builder.categories.values()), default=-1)
    category_left = np.zeros((len(categorical), max(width, 1)), dtype=bool)
    for row, split in enumerate(categorical):
        category_left[row, builder.categories[int(split)]] = True
    compiled = CompiledTrees(
        num_features=int(model["max_feature_idx"]) + 1,
        objective=str(model.get("objective", "")),
        feature=np.asarray(builder.feature, dtype=np.intp).reshape(split_count),
        threshold=np.asarray(builder.threshold, dtype=np.float64).reshape(split_count),
        nan_left=np.asarray(builder.nan_left, dtype=bool).reshape(split_count),
        zero_missing=np.asarray(builder.zero_missing, dtype=bool).reshape(split_count),
        default_left=np.asarray(builder.default_left, dtype=bool).reshape(split_count),
        categorical=categorical,
        category_left=category_left,
        keep_left=np.asarray(builder.keep_left, dtype=np.uint64).reshape(split_count),
        keep_right=np.asarray(builder.keep_right, dtype=np.uint64).reshape(split_count),
        child_left=np.asarray(builder.child_left, dtype=np.int32).reshape(split_count),
        child_right=np.asarray(builder.child_right, dtype=np.int32).reshape(split_count),
        tree_start=np.asarray(tree_start, dtype=np.intp),
        tree_leaf_offset=np.asarray(tree_leaf_offset, dtype=np.intp),
        leaf_value=np.asarray(builder.leaf_value, dtype=np.float64),
        constant=constant,
        shap=None,
    )
    if not shap:
        return compiled
    return CompiledTrees(**{**_fields(compiled), "shap": _compile_shap(builder, expected)})


def _fields(compiled: CompiledTrees) -> dict[str, Any]:
    return {name: getattr(compiled, name) for name in CompiledTrees.__slots__}


# -- TreeSHAP tables -------------------------------------------------------------------------


def shap_tables(values: np.ndarray, zero: np.ndarray) -> np.ndarray:
    """(leaves, 2**d, d): the Shapley terms of leaves with `d` distinct path features, of
    leaf values `values` (leaves,) and zero fractions `zero` (leaves, d), for every agreement
    pattern (bit j set: the row takes the path's side at every split on feature j).

    A leaf's game is v(S) = value × Π_{j∈S} o_j × Π_{j∉S} z_j over its path features (o_j:
    the row agrees, z_j: the share of training rows the path keeps at feature j's splits);
    path-dependent TreeSHAP (LightGBM's `pred_contrib`) sums these Shapley values over a
    tree's leaves. Feature i's value is (o_i − z_i) × v × Σ_{S ⊆ agreeing others}
    w(|S|) × Π_{others not in S} z_j, with w(s) = s! (d − s − 1)! / d!; the sum over S is
    the coefficient polynomial Π_{agreeing j} (t + z_j) weighted by w, times the product of
    the disagreeing others' z_j.
    """
    count, depth = zero.shape
    weights = np.asarray(
        [
            math.factorial(size) * math.factorial(depth - size - 1) / math.factorial(depth)
            for size in range(depth)
        ]
    )
    patterns = np.arange(1 << depth)
    agree = ((patterns[:, None] >> np.arange(depth)) & 1).astype(bool)  # (2**d, d)
    out = np.zeros((count, 1 << depth, depth), dtype=np.float64)
    for i in range(depth):
        # poly[..., s]: coefficient of t**s of Π over agreeing others of (t + z_j)
        poly = np.zeros((count, 1 << depth, depth), dtype=np.float64)
        poly[..., 0] = 1.0
        for j in range(depth):
            if j == i:
                continue
            z = zero[:, j][:, None, None]
            shifted = np.concatenate([np.zeros_like(poly[..., :1]), poly[..., :-1]], axis=-1)
            poly = np.where(agree[None, :, j, None], shifted + z * poly, z * poly)
        total = poly @ weights  # (count, 2**d)
        sign = agree[None, :, i] - zero[:, i][:, None]
        out[..., i] = values[:, None] * sign * total
    return out


def _compile_shap(builder: _Builder, expected: float) -> _Shap | None:
    """The pairs (leaf, distinct path feature) and their leaves' tables, or None when a
    path has more than `MAX_PATH_FEATURES` distinct features or the tables would hold more
    than `MAX_TABLE_TERMS` terms (deep trees: the booster's `pred_contrib` serves)."""
    leaves: list[tuple[int, list[int], list[list[tuple[int, bool]]], list[float]]] = []
    for leaf, path in enumerate(builder.leaf_path):
        if not path:
            continue
        steps: dict[int, list[tuple[int, bool]]] = {}
        zero: dict[int, float] = {}
        for split, left, column, fraction in path:
            steps.setdefault(column, []).append((split, left))
            zero[column] = zero.get(column, 1.0) * fraction
        if len(steps) > MAX_PATH_FEATURES:
            return None
        leaves.append((leaf, list(steps), list(steps.values()), [zero[c] for c in steps]))
    if sum((1 << len(columns)) * len(columns) for _, columns, _, _ in leaves) > MAX_TABLE_TERMS:
        return None
    # one table per leaf, computed in groups of equal depth
    tables: dict[int, np.ndarray] = {}
    for depth in {len(columns) for _, columns, _, _ in leaves}:
        group = [entry for entry in leaves if len(entry[1]) == depth]
        values = np.asarray([builder.leaf_value[leaf] for leaf, _, _, _ in group])
        fractions = np.asarray([entry[3] for entry in group], dtype=np.float64)
        for (leaf, _, _, _), table in zip(group, shap_tables(values, fractions), strict=True):
            tables[leaf] = table.ravel()
    pairs: dict[str, list[Any]] = {name: [] for name in _PAIR_FIELDS}
    flat: list[np.ndarray] = []
    offset = 0
    for slot, (leaf, columns, leaf_steps, _) in enumerate(leaves):
        pairs["leaf_pair_start"].append(len(pairs["pair_slot"]))
        for position, (column, column_steps) in enumerate(zip(columns, leaf_steps, strict=True)):
            pairs["step_pair_start"].append(len(pairs["step_node"]))
            pairs["step_node"] += [split for split, _ in column_steps]
            pairs["step_left"] += [left for _, left in column_steps]
            pairs["pair_slot"].append(slot)
            pairs["pair_feature"].append(column)
            pairs["pair_bit"].append(1 << position)
            pairs["pair_table"].append(offset)
            pairs["pair_depth"].append(len(columns))
            pairs["pair_position"].append(position)
        flat.append(tables[leaf])
        offset += tables[leaf].size
    arrays = {
        name: np.asarray(values, dtype=bool if name == "step_left" else np.int64)
        for name, values in pairs.items()
    }
    return _Shap(
        **arrays,
        table=np.concatenate(flat) if flat else np.zeros(0),
        expected=expected,
    )


_PAIR_FIELDS = (
    "pair_slot", "pair_feature", "pair_bit", "pair_table", "pair_depth", "pair_position",
    "step_node", "step_left", "step_pair_start", "leaf_pair_start",
)  # fmt: skip


# -- probe rows ------------------------------------------------------------------------------


def probe_rows(compiled: CompiledTrees, rows: int = 256, seed: int = 0) -> np.ndarray:
    """Rows that exercise every split: each column's values drawn from its thresholds, the
    next float32 on either side of them, NaN, zero, and its categories (float32)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((rows, compiled.num_features), dtype=np.float32)
    categorical_columns = set(compiled.feature[compiled.categorical].tolist())
    for column in range(compiled.num_features):
        used = compiled.feature == column
        numeric = compiled.threshold[used & (np.abs(compiled.threshold) < FLOAT32_MAX)]
        base = numeric.astype(np.float32)
        candidates = [
            base,
            np.nextafter(base, np.float32(np.inf)),
            np.nextafter(base, np.float32(-np.inf)),
            np.asarray([np.nan, 0.0, -1.0], dtype=np.float32),
        ]
        if column in categorical_columns:
            width = compiled.category_left.shape[1]
            candidates.append(np.arange(width + 1, dtype=np.float32))
        pool = np.concatenate(candidates)
        out[:, column] = rng.choice(pool, size=rows)
    return out
