"""The `/v1/match` answer as data for pydantic-core's encoder, built from the catalog's columns.

The shape is `MatchResponse` (api/schemas.py, which documents it); it is built here without
pydantic objects (one `tolist` per column, a dict per match, the explanations' `Reason`
dataclasses as they are) because this runs on every request, and encoded once by
pydantic-core. Non-finite numbers become `null`, as pydantic writes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic_core import to_json

from api.schemas import MatchOut
from features.currency import from_eur
from matching.catalog import Catalog
from matching.pipeline import MatchPipeline, MatchResult

PLATFORM_NAMES = np.asarray(("instagram", "tiktok", "youtube"), dtype=object)
MATCH_FIELDS = tuple(MatchOut.model_fields)  # the documented shape, in its order
# Creator features answered as they are, in MatchOut's order (the ranker's own inputs)
CREATOR_FIGURES = ("authenticity", "sponsored_share", "reply_rate")


def identity_columns(catalog: Catalog, rows: np.ndarray) -> tuple[list[Any], ...]:
    """creator_id, handle, platform, followers and tier of `rows`: the head of every answer's
    creator objects (match, plan, lookalikes), one `tolist` per column."""
    creators = catalog.creators
    return (
        creators.creator_id[rows].tolist(),
        creators.handle[rows].tolist(),
        PLATFORM_NAMES[creators.platform[rows]].tolist(),
        creators.followers[rows].astype(np.int64).tolist(),
        catalog.tier[rows].astype(str).tolist(),
    )


def match_answer(
    pipe: MatchPipeline,
    result: MatchResult,
    request_id: str,
    took_ms: float,
    flags: list[list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The answer; `flags`: per returned creator, its raised flags with their evidence
    (`MatchService.flags`)."""
    catalog, ranked, rows = pipe.catalog, result.ranked, result.rows
    columns = zip(
        range(1, len(rows) + 1),
        *identity_columns(catalog, rows),
        _rounded(ranked.score, 6),
        _rounded(ranked.advocacy_fit, 6),
        _rounded(ranked.expected_engagement_rate, 6),
        _rounded(result.similarity, 6),
        _rounded(from_eur(catalog.estimated_cost[rows], result.currency), 2),
        *(_rounded(catalog.features[name][rows], 4) for name in CREATOR_FIGURES),
        # `Reason` dataclasses: the encoder writes each as an object with the same four fields
        result.reasons or [[]] * len(rows),
        flags if flags is not None else [[]] * len(rows),
        strict=True,
    )
    answer = {
        "request_id": request_id,
        "brand_id": result.brand_id,
        "model_version": pipe.bundle.version,
        "catalog_version": pipe.catalog.version,
        "took_ms": took_ms,
        "rank_by": result.rank_by,
        "currency": result.currency,
        "matches": [dict(zip(MATCH_FIELDS, values, strict=True)) for values in columns],
    }
    if result.placements:
        answer["explained"] = [
            {"creator_id": p.creator_id, "rank": p.rank, "removed_by": p.removed_by}
            for p in result.placements
        ]
    return answer


def encode(answer: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON, non-finite numbers as `null` (pydantic's encoder: 3× `json.dumps`)."""
    return to_json(answer, inf_nan_mode="null")


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    # NaN and infinities stay as they are: `encode` writes them as null
    return np.round(np.asarray(values, dtype=np.float64), digits).tolist()
