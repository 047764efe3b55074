"""The match pipeline: embed brief → retrieve → filter → assemble features → rank → explain.

Each stage is a small step over numpy columns; candidates never become per-row dicts until
the response is written.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features.brand_profile import BrandProfile, brand_profile
from features.pair_features import pair_features
from features.schema import FEATURE_NAMES, feature_matrix
from matching.catalog import Catalog
from matching.delta import retrieve
from matching.diversify import diversify as spread
from matching.explain import Reason, explain
from matching.filters import MatchFilters, eligible_mask
from models.bundle import Bundle
from models.embedder import Embedder
from models.ranker import DEFAULT_RANK_BY, RankerOutput

RETRIEVAL_DEPTH = 500  # candidates ranked per request: recall for the ranker, bounded latency


@dataclass(frozen=True, slots=True)
class MatchResult:
    brand_id: str
    rows: np.ndarray  # catalog rows, best first
    similarity: np.ndarray
    ranked: RankerOutput
    reasons: list[list[Reason]]
    timings_ms: dict[str, float]
    features: np.ndarray  # the returned rows' feature matrix, FEATURE_NAMES order
    rank_by: str = DEFAULT_RANK_BY  # the objective `ranked.score` holds
    currency: str = "EUR"  # the brief's currency, which costs are answered in


class BriefCache:
    """Brief embeddings by brief text: agencies re-run the same brief many times."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # request threads share the cache: an eviction must not race a hit's move_to_end
        self._lock = threading.Lock()

    def vector(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._vectors.get(text)
            if hit is not None:
                self._vectors.move_to_end(text)
                return hit
        from models.embedding_cache import canonical

        vector = canonical(self.embedder.encode([text]))[0]  # outside the lock: ~ms of work
        with self._lock:
            self._vectors[text] = vector
            if len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector


def assemble_features(
    catalog: Catalog, profile: BrandProfile, rows: np.ndarray, similarity: np.ndarray
) -> np.ndarray:
    """The (candidates × FEATURE_NAMES) matrix for one brand."""
    columns = {name: values[rows] for name, values in catalog.features.items()}
    columns.update(
        pair_features(
            profile,
            catalog.creators,
            rows,
            similarity,
            brand_mentions=catalog.mentions.counts(profile.keys)[rows],
            competitor_mentions=catalog.mentions.counts(profile.competitor_keys)[rows],
            log_cost_per_post=catalog.features["log_cost_per_post"][rows],
        )
    )
    return feature_matrix(columns)


class Stopwatch:
    """Milliseconds per named stage, added into `timings` (rounded to `digits` when given)."""

    def __init__(self, timings: dict[str, float] | None, digits: int | None = None) -> None:
        self.timings = timings
        self.digits = digits
        self._clock = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            elapsed = (now - self._clock) * 1000
            if self.digits is not None:
                elapsed = round(elapsed, self.digits)
            self.timings[stage] = self.timings.get(stage, 0.0) + elapsed
        self._clock = now


@dataclass
class MatchPipeline:
    catalog: Catalog
    bundle: Bundle
    briefs: BriefCache
    depth: int = RETRIEVAL_DEPTH

    def run(
        self,
        brand: Mapping[str, Any],
        k: int,
        filters: MatchFilters | None = None,
        with_reasons: bool = True,
        depth: int | None = None,
        diversify: bool = False,
        rank_by: str = DEFAULT_RANK_BY,
    ) -> MatchResult:
        """Top-`k` for one brand by `rank_by`; `depth` candidates are ranked (default
        `self.depth`)."""
        timings: dict[str, float] = {}
        lap = Stopwatch(timings, digits=3).lap
        profile = brand_profile(brand)
        query = self.briefs.vector(profile.text)
        lap("embed")
        mask = eligible_mask(self.catalog, filters or MatchFilters())
        lap("filter")
        rows, similarity = retrieve(self.catalog, query, max(depth or self.depth, k), mask)
        lap("retrieve")
        features = assemble_features(self.catalog, profile, rows, similarity)
        lap("features")
        ranked = self.bundle.ranker.predict(features, rank_by)
        order = np.argsort(-ranked.score, kind="stable")
        lap("rank")
        if diversify:
            order = order[spread(self.catalog, rows[order].tolist(), k)]
            lap("diversify")
        order = order[:k]
        reasons = explain(self.bundle.ranker, features[order]) if with_reasons else []
        lap("explain")
        return MatchResult(
            brand_id=profile.brand_id,
            rows=rows[order],
            similarity=similarity[order],
            ranked=ranked.take(order),
            reasons=reasons,
            timings_ms=timings,
            features=features[order],
            rank_by=rank_by,
            currency=profile.currency,
        )

    def run_many(
        self,
        brands: Sequence[Mapping[str, Any]],
        k: int,
        filters: MatchFilters | None = None,
        depth: int | None = None,
        timings: dict[str, float] | None = None,
        rank_by: str = DEFAULT_RANK_BY,
    ) -> list[MatchResult]:
        """`run` for many brands sharing `k`, `filters` and `rank_by` (batch scoring): no
        reasons.

        Each result equals `run(brand, k, filters, with_reasons=False, depth=depth, rank_by=
        rank_by)` row for
        row and bit for bit: the same brief vector, mask, retrieval, features and ranker. What
        the brands share is done once (the eligibility mask) and the ranker is called once on
        every brand's candidates, so per-call overheads are paid per chunk, not per brand.
        `timings`, when given, accumulates milliseconds per stage over the whole call.
        """
        lap = Stopwatch(timings).lap
        profiles = [brand_profile(brand) for brand in brands]
        queries = [self.briefs.vector(profile.text) for profile in profiles]
        lap("embed")
        mask = eligible_mask(self.catalog, filters or MatchFilters())
        lap("filter")
        wanted = max(depth or self.depth, k)
        found = [retrieve(self.catalog, query, wanted, mask) for query in queries]
        lap("retrieve")
        blocks = [
            assemble_features(self.catalog, profile, rows, similarity)
            for profile, (rows, similarity) in zip(profiles, found, strict=True)
        ]
        features = (
            np.vstack(blocks) if blocks else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
        )
        lap("features")
        # row by row: one call = many calls
        ranked = self.bundle.ranker.predict(features, rank_by)
        results = []
        start = 0
        for profile, (rows, similarity), block in zip(profiles, found, blocks, strict=True):
            span = slice(start, start + len(block))
            start = span.stop
            order = np.argsort(-ranked.score[span], kind="stable")[:k]
            results.append(
                MatchResult(
                    brand_id=profile.brand_id,
                    rows=rows[order],
                    similarity=similarity[order],
                    ranked=ranked.take(span).take(order),
                    reasons=[],
                    timings_ms={},
                    features=block[order],
                    rank_by=rank_by,
                    currency=profile.currency,
                )
            )
        lap("rank")
        return results


__all__ = ["FEATURE_NAMES", "BriefCache", "MatchPipeline", "MatchResult", "assemble_features"]
