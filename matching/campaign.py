"""A campaign plan for a brief: the match pipeline's candidates, priced, then `plan_campaign`.

Stages: embed the brief → the eligible creators (the match filters) → the `PLAN_DEPTH` nearest
by content, plus the creators the request must include when they pass the filters → features
and the ranker's advocacy_fit and expected engagement rate (what `/v1/match` computes) →
costs in the request's currency (a creator without a price cannot be planned) → the MILP with
its greedy and macro-only side-by-side (matching/planning) → reasons for every creator any
of the three plans chose. `/v1/plan` and `microtribe plan` both call `plan_for_brief`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from features.brand_profile import brand_profile
from features.currency import PER_EUR, from_eur
from matching.delta import retrieve
from matching.explain import Reason, explain
from matching.filters import MatchFilters, eligible_mask
from matching.lookalikes import content_vector
from matching.pipeline import FEATURE_NAMES, MatchPipeline, Stopwatch, assemble_features
from matching.plan_scope import PlanPolicy, in_scope
from matching.planning import (
    InvalidPlanRequest,
    PlanCandidates,
    PlanConstraints,
    PlanResult,
    Programme,
    SolverSettings,
    candidates_from_catalog,
    plan_campaign,
)
from models.guardrails import Guardrails, Judgement, below_peers, guarded

PLAN_DEPTH = 500  # candidates per plan: the match pipeline's retrieval depth


@dataclass(frozen=True, slots=True)
class CampaignPlan:
    brand_id: str
    currency: str  # of every cost and of the budget
    rows: np.ndarray  # catalog row of each candidate (the plans' `rows` index into it)
    candidates: PlanCandidates
    score: np.ndarray  # per candidate: its /v1/match score (rank_by=advocacy), the served order
    result: PlanResult
    reasons: dict[int, list[Reason]]  # by candidate index, for every chosen creator
    timings_ms: dict[str, float]
    judgement: Judgement | None = None  # per candidate: its flags (models/guardrails.py)
    guardrails: Guardrails | None = None
    topics: frozenset[str] = frozenset()  # the brief's world (features/topics.py)

    def chosen(self) -> np.ndarray:
        return chosen_candidates(self.result)


def chosen_candidates(result: PlanResult) -> np.ndarray:
    """Candidate indices that any of the three plans chose, ascending."""
    rows = [result.plan.rows, result.greedy.rows, result.macro_only.rows]
    return np.unique(np.concatenate(rows)).astype(np.int64)


def _with_included(
    pipe: MatchPipeline,
    query: np.ndarray,
    rows: np.ndarray,
    similarity: np.ndarray,
    include: tuple[str, ...],
    mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """`rows` plus the eligible creators named in `include` that retrieval did not reach."""
    if not include:
        return rows, similarity
    catalog = pipe.catalog
    wanted = np.flatnonzero(mask & np.isin(catalog.creators.creator_id, list(include)))
    extra = np.setdiff1d(wanted, rows)
    if not len(extra):
        return rows, similarity
    cosines = np.array([float(content_vector(catalog, int(r)) @ query) for r in extra])
    return np.concatenate([rows, extra]), np.concatenate([similarity, cosines])


def plan_for_brief(
    pipe: MatchPipeline,
    brand: Mapping[str, Any],
    constraints: PlanConstraints,
    filters: MatchFilters | None = None,
    currency: str | None = None,
    depth: int = PLAN_DEPTH,
    solver: SolverSettings | None = None,
    guardrails: Guardrails | None = None,
    policy: PlanPolicy | None = None,
    programme: Programme | None = None,
) -> CampaignPlan:
    """The plan of `brand` under `constraints` (budget and costs in `currency`, by default the
    brief's). Raises `PlanError` (a `ValueError` naming the request field) when none exists.

    The guardrails apply as in `/v1/match`: a flag whose policy is `exclude` removes the
    candidate (unless the request must include it), and a demoted candidate's advocacy counts
    at most just below its peers' (models/guardrails.py) in the plan's objective and totals.
    `policy` (default `PlanPolicy()`): the brief's languages and markets, the minimum
    advocacy and the coordination cost (matching/plan_scope.py). `programme`: an always-on
    programme over its horizon, the budget the horizon's (matching/planning/programme.py)."""
    timings: dict[str, float] = {}
    lap = Stopwatch(timings, digits=3).lap
    profile = brand_profile(brand)
    currency = (currency or profile.currency).upper()
    if currency not in PER_EUR:
        raise InvalidPlanRequest(
            "currency", f"unknown currency {currency!r}; expected one of {sorted(PER_EUR)}"
        )
    catalog = pipe.catalog
    query = pipe.briefs.vector(profile.text)
    lap("embed")
    policy = policy or PlanPolicy()
    constraints = replace(constraints, coordination_cost=policy.coordination_in(currency))
    included = np.isin(catalog.creators.creator_id, list(constraints.include_creator_ids))
    filters = filters or MatchFilters()
    excluded = (*filters.exclude_creator_ids, *constraints.exclude_creator_ids)
    mask = eligible_mask(catalog, filters)
    mask &= ~np.isin(catalog.creators.creator_id, list(excluded))
    mask &= np.isfinite(catalog.estimated_cost) & (catalog.estimated_cost > 0)  # priced only
    mask &= in_scope(catalog, profile, policy) | included
    rows, similarity = retrieve(catalog, query, depth, mask)
    rows, similarity = _with_included(
        pipe, query, rows, similarity, constraints.include_creator_ids, mask
    )
    lap("retrieve")
    topics = pipe.briefs.topics(profile.text)
    features = assemble_features(catalog, profile, rows, similarity, topics)
    ranked = pipe.bundle.ranker.predict(features, "advocacy")
    score, judgement = guarded(ranked.score, features, FEATURE_NAMES, guardrails)
    # what the plan counts: a demoted creator's advocacy at most just below its peers'
    advocacy = below_peers(ranked.advocacy_fit, judgement.demoted, features, FEATURE_NAMES)
    likely = ranked.advocacy_fit >= policy.min_advocacy
    keep = (judgement.kept & likely) | included[rows]
    rows, features, ranked, judgement, advocacy = (
        rows[keep],
        features[keep],
        ranked.take(keep),
        judgement.take(keep),
        advocacy[keep],
    )
    # a creator the request must include keeps its own score even where a flag excludes it
    score = np.where(np.isfinite(score[keep]), score[keep], ranked.score)
    cost = from_eur(catalog.estimated_cost[rows], currency)
    candidates, kept = candidates_from_catalog(
        catalog, rows, advocacy, ranked.expected_engagement_rate, cost
    )
    assert len(kept) == len(rows)  # unpriced rows were filtered out above
    lap("candidates")
    result = plan_campaign(candidates, constraints, solver, programme)
    lap("solve")
    chosen = chosen_candidates(result)
    reasons = dict(zip(chosen.tolist(), explain(pipe.bundle.ranker, features[chosen]), strict=True))
    lap("explain")
    return CampaignPlan(
        brand_id=profile.brand_id,
        currency=currency,
        rows=rows,
        candidates=candidates,
        score=score,
        result=result,
        reasons=reasons,
        timings_ms=timings,
        judgement=judgement,
        guardrails=guardrails or Guardrails.default(),
        topics=topics,
    )
