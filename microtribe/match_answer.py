"""The `/v1/match` answer as plain JSON-ready data, built from the catalog's columns.

The shape is `MatchResponse` (api_models.py, which documents it); it is built here without
pydantic objects (one `tolist` per column, then dicts) because this runs on every request, and
encoded once. Non-finite numbers become `null`, as pydantic writes them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from pydantic_core import to_json

from matching.pipeline import MatchPipeline, MatchResult

PLATFORM_NAMES = np.asarray(("instagram", "tiktok", "youtube"), dtype=object)


def match_answer(
    pipe: MatchPipeline, result: MatchResult, request_id: str, took_ms: float
) -> dict[str, Any]:
    catalog, ranked, rows = pipe.catalog, result.ranked, result.rows
    creators = catalog.creators
    columns = zip(
        creators.creator_id[rows].tolist(),
        creators.handle[rows].tolist(),
        PLATFORM_NAMES[creators.platform[rows]].tolist(),
        creators.followers[rows].tolist(),
        catalog.tier[rows].tolist(),
        ranked.score.tolist(),
        ranked.advocacy_fit.tolist(),
        ranked.expected_engagement_rate.tolist(),
        np.asarray(result.similarity).tolist(),
        catalog.estimated_cost[rows].tolist(),
        strict=True,
    )
    matches = []
    for rank, (cid, handle, platform, followers, tier, score, fit, rate, sim, cost) in enumerate(
        columns
    ):
        reasons = result.reasons[rank] if result.reasons else []
        matches.append(
            {
                "rank": rank + 1,
                "creator_id": cid,
                "handle": handle,
                "platform": platform,
                "followers": int(followers),
                "tier": str(tier),
                "score": _rounded(score, 6),
                "advocacy_fit": _rounded(fit, 6),
                "expected_engagement_rate": _rounded(rate, 6),
                "similarity": _rounded(sim, 6),
                "estimated_cost": _rounded(cost, 2),
                "reasons": [
                    {
                        "feature": r.feature,
                        "description": r.description,
                        "value": r.value,
                        "contribution": r.contribution,
                    }
                    for r in reasons
                ],
            }
        )
    return {
        "request_id": request_id,
        "brand_id": result.brand_id,
        "model_version": pipe.bundle.version,
        "catalog_version": pipe.catalog.version,
        "took_ms": took_ms,
        "matches": matches,
    }


def encode(answer: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, non-finite numbers as `null` (pydantic's encoder: 3× `json.dumps`)."""
    return to_json(answer, inf_nan_mode="null")


def _rounded(value: float, digits: int) -> float | None:
    return round(value, digits) if math.isfinite(value) else None
