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
from matching.filters import MatchFilters, eligible_mask, failed_filter
from models.bundle import Bundle
from models.embedder import Embedder
from models.guardrails import Guardrails, Judgement, guarded
from models.ranker import DEFAULT_RANK_BY, RankerOutput

RETRIEVAL_DEPTH = 500  # candidates ranked per request: recall for the ranker, bounded latency


@dataclass(frozen=True, slots=True)
class Candidates:
    """Every ranked candidate of a match, as the champion saw them (references, no copies):
    what a challenger scores off the request path (matching/challenger.py)."""

    rows: np.ndarray  # catalog rows
    features: np.ndarray  # (candidates × FEATURE_NAMES)
    score: np.ndarray  # the champion's guarded score
    advocacy_fit: np.ndarray  # the champion's
    kept: np.ndarray  # bool: not excluded by a guardrail


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
    judgement: Judgement | None = None  # the returned rows' flags (models/guardrails.py)
    guardrails: Guardrails | None = None  # the policies the flags were judged under
    topics: frozenset[str] = frozenset()  # the brief's world (features/topics.py)
    placements: tuple[Placement, ...] = ()  # where `explain_creator_ids` landed, and why
    candidates: Candidates | None = None  # every ranked candidate (`run` only)


@dataclass(frozen=True, slots=True)
class Placement:
    creator_id: str
    rank: int | None  # 1-based, among every ranked candidate (may be beyond k)
    removed_by: str | None  # "filter:<name>", "flag:<name>", "retrieval", "unknown_creator"


class BriefCache:
    """Brief embeddings by brief text: agencies re-run the same brief many times."""

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        # request threads share the cache: an eviction must not race a hit's move_to_end
        self._lock = threading.Lock()
        self._topics: np.ndarray | None = None

    def topic_vectors(self) -> np.ndarray:
        """The stance topics' vectors (features/topics.py), embedded once: the service does it
        while it loads, off the request path."""
        from features.topics import TOPIC_TEXTS
        from models.embedding_cache import canonical

        if self._topics is None:  # a benign race embeds them twice
            self._topics = canonical(self.embedder.encode(list(TOPIC_TEXTS)))
        return self._topics

    def topics(self, text: str) -> frozenset[str]:
        """The stance tokens of the topics the brief is about (features/topics.py)."""
        from features.topics import brief_topics

        return brief_topics(self.vector(text), self.topic_vectors())

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
    catalog: Catalog,
    profile: BrandProfile,
    rows: np.ndarray,
    similarity: np.ndarray,
    topics: frozenset[str] | None = None,
) -> np.ndarray:
    """The (candidates × FEATURE_NAMES) matrix for one brand; `topics`: the stance tokens of
    the brief's world (`BriefCache.topics`), None when unknown."""
    columns = {name: values[rows] for name, values in catalog.features.items()}
    columns.update(
        pair_features(
            profile,
            catalog.creators,
            rows,
            similarity,
            brand_mentions=catalog.mentions.counts_at(profile.keys, rows),
            competitor_mentions=catalog.mentions.counts_at(profile.competitor_keys, rows),
            log_cost_per_post=catalog.features["log_cost_per_post"][rows],
            critical_posts=catalog.mentions.counts_at(topics, rows) if topics else None,
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
    # the version aliased `challenger`, scored off the request path, never answered
    challenger: Bundle | None = None

    def run(
        self,
        brand: Mapping[str, Any],
        k: int,
        filters: MatchFilters | None = None,
        with_reasons: bool = True,
        depth: int | None = None,
        diversify: bool = False,
        rank_by: str = DEFAULT_RANK_BY,
        guardrails: Guardrails | None = None,
        explain_ids: Sequence[str] = (),
    ) -> MatchResult:
        """Top-`k` for one brand by `rank_by` under `guardrails`; `depth` candidates are ranked
        (default `self.depth`); `explain_ids` are placed (`MatchResult.placements`)."""
        timings: dict[str, float] = {}
        lap = Stopwatch(timings, digits=3).lap
        profile = brand_profile(brand)
        query = self.briefs.vector(profile.text)
        lap("embed")
        filters = filters or MatchFilters()
        mask = eligible_mask(self.catalog, filters)
        lap("filter")
        rows, similarity = retrieve(self.catalog, query, max(depth or self.depth, k), mask)
        lap("retrieve")
        topics = self.briefs.topics(profile.text)
        features = assemble_features(self.catalog, profile, rows, similarity, topics)
        lap("features")
        ranked = self.bundle.ranker.predict(features, rank_by)
        score, judgement = guarded(ranked.score, features, FEATURE_NAMES, guardrails)
        ranked = RankerOutput(ranked.advocacy_fit, ranked.expected_engagement_rate, score)
        order = np.argsort(-score, kind="stable")
        order = order[judgement.kept[order]]
        lap("rank")
        placements = (
            place(self.catalog, filters, mask, rows, order, judgement, explain_ids)
            if explain_ids
            else ()
        )
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
            judgement=judgement.take(order),
            guardrails=guardrails or Guardrails.default(),
            topics=topics,
            placements=placements,
            candidates=Candidates(rows, features, score, ranked.advocacy_fit, judgement.kept),
        )

    def run_many(
        self,
        brands: Sequence[Mapping[str, Any]],
        k: int,
        filters: MatchFilters | None = None,
        depth: int | None = None,
        timings: dict[str, float] | None = None,
        rank_by: str = DEFAULT_RANK_BY,
        guardrails: Guardrails | None = None,
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
            assemble_features(
                self.catalog, profile, rows, similarity, self.briefs.topics(profile.text)
            )
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
            span = np.arange(start, start + len(block))
            start += len(block)
            # one brief at a time: a demoted creator is placed among its own brief's peers
            score, judgement = guarded(ranked.score[span], block, FEATURE_NAMES, guardrails)
            order = np.argsort(-score, kind="stable")
            order = order[judgement.kept[order]][:k]
            mine = ranked.take(span)
            results.append(
                MatchResult(
                    brand_id=profile.brand_id,
                    rows=rows[order],
                    similarity=similarity[order],
                    ranked=RankerOutput(
                        mine.advocacy_fit[order], mine.expected_engagement_rate[order], score[order]
                    ),
                    reasons=[],
                    timings_ms={},
                    features=block[order],
                    rank_by=rank_by,
                    currency=profile.currency,
                    judgement=judgement.take(order),
                )
            )
        lap("rank")
        return results


def place(
    catalog: Catalog,
    filters: MatchFilters,
    mask: np.ndarray,
    rows: np.ndarray,
    order: np.ndarray,
    judgement: Judgement,
    creator_ids: Sequence[str],
) -> tuple[Placement, ...]:
    """Where each of `creator_ids` landed among the ranked candidates, or what removed it."""
    from features.flags import FLAG_NAMES

    rank_of = {int(row): i + 1 for i, row in enumerate(rows[order].tolist())}
    position = {int(row): i for i, row in enumerate(rows.tolist())}
    ids = catalog.creators.creator_id
    placements = []
    for creator_id in creator_ids:
        found = np.flatnonzero((ids == creator_id) & catalog.live)
        if not len(found):
            placements.append(Placement(creator_id, None, "unknown_creator"))
            continue
        row = int(found[-1])
        if row in rank_of:
            placements.append(Placement(creator_id, rank_of[row], None))
        elif not mask[row]:
            placements.append(
                Placement(creator_id, None, f"filter:{failed_filter(catalog, filters, row)}")
            )
        elif row in position:
            flag = FLAG_NAMES[int(judgement.excluded_by[position[row]])]
            placements.append(Placement(creator_id, None, f"flag:{flag}"))
        else:
            placements.append(Placement(creator_id, None, "retrieval"))
    return tuple(placements)


__all__ = ["FEATURE_NAMES", "BriefCache", "MatchPipeline", "MatchResult", "assemble_features"]
