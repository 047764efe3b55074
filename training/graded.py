"""Ranking quality on graded sets the model never trained on, through the serving path.

A graded set is creators, brand briefs and a grade 0–3 for every brief × creator pair: the
hand-labelled golden set (`tests/data/golden`, its frozen test part in
`tests/data/golden/test`, docs/golden-set.md) and the alternative world's
truth (`training/world_alt`, docs/world-alt.md). Its creators are built into a catalog as
`microtribe build` builds one (same features, same embedder); each brief runs through
`MatchPipeline.run` with every creator ranked (no filter, depth = catalog size); the served
order is scored next to orders by single signals and by three-term hand rules written from the
seed, all on the very same candidates. NDCG gains are the grades (`training.evaluate`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from features.schema import FEATURE_NAMES
from matching.build import build_catalog
from matching.catalog import Catalog, load_catalog
from matching.pipeline import BriefCache, MatchPipeline
from matching.store import CatalogStore
from models.bundle import Bundle
from models.embedding_cache import CachedEmbedder
from models.ranker import DEFAULT_RANK_BY
from training.evaluate import ranking_metrics

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "data" / "golden"
GOLDEN_TEST_DIR = GOLDEN_DIR / "test"
Columns = Mapping[str, np.ndarray]


@dataclass(frozen=True, slots=True)
class GradedSet:
    name: str
    creators: list[dict[str, Any]]
    brands: list[dict[str, Any]]
    grades: dict[tuple[str, str], int]  # (brand_id, creator_id) → 0–3; absent pairs are 0


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def read_graded_set(
    directory: Path, name: str | None = None, brands_dir: Path | None = None
) -> GradedSet:
    """creators.jsonl, brands.jsonl and grades.csv (`brand_id,creator_id,grade`) of a folder;
    `brands_dir` reads brands.jsonl from another folder (the golden test part reuses the dev
    part's briefs)."""
    with (directory / "grades.csv").open(encoding="utf-8", newline="") as handle:
        grades = {(r["brand_id"], r["creator_id"]): int(r["grade"]) for r in csv.DictReader(handle)}
    return GradedSet(
        name or directory.name,
        _jsonl(directory / "creators.jsonl"),
        _jsonl((brands_dir or directory) / "brands.jsonl"),
        grades,
    )


GoldenPart = Literal["dev", "test", "all"]
GOLDEN_PARTS: tuple[GoldenPart, ...] = ("dev", "test", "all")


def golden_set(part: GoldenPart = "dev") -> GradedSet:
    """The hand-labelled golden set (docs/golden-set.md). `dev`: the 78 creators that have
    informed earlier choices (the default, named `golden` as before); `test`: the frozen test
    part (`tests/data/golden/test`), same 8 briefs, never used to set anything; `all`: both."""
    if part == "dev":
        return read_graded_set(GOLDEN_DIR, "golden")
    test = read_graded_set(GOLDEN_TEST_DIR, "golden-test", brands_dir=GOLDEN_DIR)
    if part == "test":
        return test
    if part == "all":
        dev = golden_set("dev")
        return GradedSet(
            "golden-all", dev.creators + test.creators, dev.brands, dev.grades | test.grades
        )
    raise ValueError(f"unknown golden part {part!r}; expected one of {list(GOLDEN_PARTS)}")


def graded_pipeline(
    graded: GradedSet, home: Path, embedder: CachedEmbedder, bundle: Bundle
) -> MatchPipeline:
    """A catalog of the set's creators built under `home`, served with `bundle`."""
    store = CatalogStore(home / "catalog.db")
    try:
        store.upsert_brands(graded.brands)
        store.upsert_creators(graded.creators)
        build_catalog(store, embedder, home / "catalog", progress=False)
    finally:
        store.close()
    catalog: Catalog = load_catalog(home / "catalog")
    bundle.check_compatible(catalog.manifest["embedder"], catalog.dimension, list(FEATURE_NAMES))
    return MatchPipeline(catalog=catalog, bundle=bundle, briefs=BriefCache(embedder.embedder))


def _feature(columns: Columns, name: str) -> np.ndarray:
    return np.nan_to_num(columns[name], nan=0.0)


def _cosine(columns: Columns) -> np.ndarray:
    return np.maximum(columns["similarity"], 0.0)


def _authenticity(columns: Columns) -> np.ndarray:
    return np.nan_to_num(columns["authenticity"], nan=0.85)


def _organic(columns: Columns) -> np.ndarray:
    return 1.0 - _feature(columns, "sponsored_share")


# One signal each, the way a user sorting a spreadsheet column would rank.
SINGLE_SIGNALS: dict[str, Callable[[Columns], np.ndarray]] = {
    "similarity": _cosine,
    "brand_mentions": lambda c: _feature(c, "brand_mentions"),
    "category_match": lambda c: _feature(c, "category_match"),
    "authenticity": _authenticity,
    "low_sponsorship": _organic,
    "reply_rate": lambda c: _feature(c, "reply_rate"),
    "engagement_vs_tier": lambda c: _feature(c, "engagement_vs_tier"),
    "followers": lambda c: _feature(c, "log_followers"),
}
# Three-term rules written from the seed: niche fit × a real audience × not an ad billboard,
# and variants with unpaid mentions and replies instead of one of the quality terms.
HAND_RULES: dict[str, Callable[[Columns], np.ndarray]] = {
    "cosine×authenticity×organic": lambda c: _cosine(c) * _authenticity(c) * _organic(c),
    "cosine×organic×(1+mentions)": lambda c: (
        _cosine(c) * _organic(c) * (1.0 + _feature(c, "brand_mentions"))
    ),
    "cosine×authenticity×(1+replies)": lambda c: (
        _cosine(c) * _authenticity(c) * (1.0 + _feature(c, "reply_rate"))
    ),
}


@dataclass(frozen=True, slots=True)
class GradedRows:
    """Every (brief, creator) row the served pipeline ranked, with its grade and columns."""

    brand_id: np.ndarray
    grade: np.ndarray
    served: np.ndarray  # the served score (`rank_by`)
    advocacy_fit: np.ndarray
    columns: dict[str, np.ndarray]  # FEATURE_NAMES columns plus `similarity`


def served_rows(
    pipeline: MatchPipeline, graded: GradedSet, rank_by: str = DEFAULT_RANK_BY
) -> GradedRows:
    """Run every brief of `graded` with every catalog creator ranked."""
    everyone = len(pipeline.catalog)
    parts: list[dict[str, np.ndarray]] = []
    for brand in graded.brands:
        result = pipeline.run(
            brand, everyone, depth=everyone, with_reasons=False, rank_by=rank_by
        )
        # rows by creator id, not in served order: a baseline's ties must not be broken by
        # the model it is compared with
        by_id = np.argsort(pipeline.catalog.creators.creator_id[result.rows].astype(str))
        ids = pipeline.catalog.creators.creator_id[result.rows[by_id]]
        part = {name: result.features[by_id, i] for i, name in enumerate(FEATURE_NAMES)}
        part |= {
            "similarity": result.similarity[by_id],
            "brand_id": np.full(len(ids), brand["brand_id"], dtype=object),
            "grade": np.array([graded.grades.get((brand["brand_id"], c), 0) for c in ids]),
            "served": result.ranked.score[by_id],
            "advocacy_fit": result.ranked.advocacy_fit[by_id],
        }
        parts.append(part)
    joined = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    special = ("brand_id", "grade", "served", "advocacy_fit")
    return GradedRows(
        brand_id=joined["brand_id"],
        grade=joined["grade"].astype(np.float64),
        served=joined["served"],
        advocacy_fit=joined["advocacy_fit"],
        columns={name: values for name, values in joined.items() if name not in special},
    )


def graded_metrics(rows: GradedRows) -> dict[str, float]:
    """NDCG@10/@20 of the served order, advocacy alone, every single signal and hand rule;
    `best_single_signal` and `best_hand_rule` name the strongest (by NDCG@10), and the served
    order's ratios to similarity, the best single signal and the best hand rule."""
    orders: dict[str, np.ndarray] = {"served": rows.served, "advocacy_fit": rows.advocacy_fit}
    # the order a user could build from the answer's own fields (issue 22's yardstick)
    orders["answer_rule"] = (
        rows.advocacy_fit * _authenticity(rows.columns) * _organic(rows.columns)
    )
    orders |= {f"signal_{name}": rule(rows.columns) for name, rule in SINGLE_SIGNALS.items()}
    orders |= {f"rule_{name}": rule(rows.columns) for name, rule in HAND_RULES.items()}
    out: dict[str, Any] = {}
    for name, score in orders.items():
        found = ranking_metrics(score, rows.grade, rows.brand_id)
        out[f"{name}_ndcg_at_10"] = found["ndcg_at_10"]
        out[f"{name}_ndcg_at_20"] = found["ndcg_at_20"]
    out["briefs"] = float(len(np.unique(rows.brand_id)))
    for k in (10, 20):
        best_signal = max(SINGLE_SIGNALS, key=lambda s: out[f"signal_{s}_ndcg_at_{k}"])
        best_rule = max(HAND_RULES, key=lambda r: out[f"rule_{r}_ndcg_at_{k}"])
        served = out[f"served_ndcg_at_{k}"]
        out[f"best_single_signal_ndcg_at_{k}"] = out[f"signal_{best_signal}_ndcg_at_{k}"]
        out[f"best_hand_rule_ndcg_at_{k}"] = out[f"rule_{best_rule}_ndcg_at_{k}"]
        out[f"served_vs_similarity_at_{k}"] = served / out[f"signal_similarity_ndcg_at_{k}"]
        out[f"served_vs_best_single_signal_at_{k}"] = (
            served / out[f"best_single_signal_ndcg_at_{k}"]
        )
        out[f"served_vs_best_hand_rule_at_{k}"] = served / out[f"best_hand_rule_ndcg_at_{k}"]
        out[f"served_vs_answer_rule_at_{k}"] = served / out[f"answer_rule_ndcg_at_{k}"]
    return out


def best_names(metrics: Mapping[str, float], k: int = 10) -> dict[str, str]:
    """Which single signal and which hand rule scored best at `k` (for reports)."""
    return {
        "best_single_signal": max(SINGLE_SIGNALS, key=lambda s: metrics[f"signal_{s}_ndcg_at_{k}"]),
        "best_hand_rule": max(HAND_RULES, key=lambda r: metrics[f"rule_{r}_ndcg_at_{k}"]),
    }


def golden_test_metrics(
    bundles: Mapping[str, Bundle], embedder: CachedEmbedder
) -> dict[str, dict[str, float]]:
    """`graded_metrics` of each bundle on the golden set's frozen test part, every bundle
    serving the one catalog of its creators (built once, in a temporary home). Empty when this
    checkout has no golden test part."""
    import tempfile

    if not (GOLDEN_TEST_DIR / "grades.csv").exists() or not bundles:
        return {}
    graded = golden_set("test")
    found: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        first = next(iter(bundles.values()))
        pipeline = graded_pipeline(graded, Path(tmp), embedder, first)
        for name, bundle in bundles.items():
            served = MatchPipeline(catalog=pipeline.catalog, bundle=bundle, briefs=pipeline.briefs)
            found[name] = graded_metrics(served_rows(served, graded))
    return found
