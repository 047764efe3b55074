"""Request and response bodies of the HTTP API (pydantic lives at the boundary only)."""

from __future__ import annotations

from typing import Any, Literal, Self

from fastapi.openapi.models import Example
from pydantic import BaseModel, ConfigDict, Field, model_validator

from microtribe.contract import (
    BRAND_EXAMPLE,
    CREATOR_EXAMPLE,
    OUTCOME_EXAMPLE,
    Brand,
    Identifier,
)
from models.ranker import DEFAULT_RANK_BY, RankBy

MAX_BATCH = 1000  # creators, brands or outcomes in one request (DESIGN.md)

# Stopgap until the contract bounds timestamps: the feature tables hold post times as int64
# nanoseconds (years 1677-2262), so a post outside that range used to be stored, then break
# the delta index (a 500) and every later start-up. Refused here, at the API, with a 422.


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    platforms: list[Literal["instagram", "tiktok", "youtube"]] = []
    tiers: list[Literal["emerging", "nano", "micro", "mid", "macro", "mega"]] = []
    min_followers: int = Field(0, ge=0)
    max_followers: int | None = Field(None, ge=0)
    countries: list[str] = Field([], max_length=300)
    languages: list[str] = Field([], max_length=200)
    exclude_creator_ids: list[str] = Field([], max_length=10_000)
    min_authenticity: float | None = Field(None, ge=0, le=1)
    max_cost: float | None = Field(None, ge=0)


class BriefIn(Brand):
    """A brand brief given inline: a Brand whose `brand_id` and `name` may be left out."""

    brand_id: Identifier | None = None  # type: ignore[assignment]
    name: str | None = None  # type: ignore[assignment]


MATCH_EXAMPLE: dict[str, Any] = {
    "brand": {
        "brand_id": "ecoveste",
        "name": "EcoVeste",
        "category": "fashion",
        "values": "sostenibilità, materiali riciclati, produzione etica in Italia",
        "markets": ["IT"],
        "languages": ["it"],
    },
    "k": 20,
    "filters": {"platforms": ["instagram"], "countries": ["IT"]},
    "explain": True,
}


class BriefOrBrandId(BaseModel):
    """A request about one brand: its brief inline (`brand`) or a stored `brand_id`, not both."""

    brand: BriefIn | None = None
    brand_id: str | None = Field(None, min_length=1, max_length=128)

    @model_validator(mode="after")
    def _one_brand(self) -> Self:
        if (self.brand is None) == (self.brand_id is None):
            raise ValueError("give exactly one of `brand` or `brand_id`")
        return self


FlagNameIn = Literal[
    "saturated", "suspicious_audience", "inactive", "critical_stance", "off_market"
]
ActionIn = Literal["demote", "exclude", "ignore"]


class GuardrailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: ActionIn = "demote"
    threshold: float | None = Field(
        None, description="Overrides the flag's documented default (docs/ranking.md)"
    )


class Judged(BaseModel):
    """What a request that ranks creators may say about red flags (docs/ranking.md)."""

    guardrails: dict[FlagNameIn, ActionIn | GuardrailIn] = Field(
        {},
        description="Per flag: `demote` (the default), `exclude` or `ignore`, or an object "
        "with `action` and `threshold`. A flag not named keeps its defaults.",
    )

    def guardrail_policies(self) -> dict[str, Any]:
        return {
            name: policy if isinstance(policy, str) else policy.model_dump()
            for name, policy in self.guardrails.items()
        }


class MatchRequest(BriefOrBrandId, Judged):
    """A brand brief (inline or a stored `brand_id`) and what to return."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [MATCH_EXAMPLE]})
    k: int = Field(20, ge=1, le=200)
    filters: FiltersIn = FiltersIn()
    explain: bool = True
    diversify: bool = False
    rank_by: RankBy = Field(
        DEFAULT_RANK_BY,
        description="What the order maximises: `advocacy` (calibrated P(advocate); engagement "
        "only breaks near-ties), `engagement` (expected engagement rate) or `value` (expected "
        "advocated engagements per unit of cost).",
    )
    explain_creator_ids: list[str] = Field(
        [],
        max_length=50,
        description="Creators to place: the answer's `explained` gives each one's rank among "
        "all ranked candidates, or the filter or flag that removed it.",
    )


class ReasonOut(BaseModel):
    feature: str
    description: str
    value: float | None
    contribution: float
    unknown: bool = Field(
        False, description="The signal cannot be known (no brand name, no audience declared)"
    )


class FlagOut(BaseModel):
    flag: FlagNameIn
    value: float
    threshold: float
    action: ActionIn
    evidence: list[str] = Field(description="The post ids behind the flag, newest first")


class ExplainedOut(BaseModel):
    creator_id: str
    rank: int | None
    removed_by: str | None = Field(
        description="`filter:<name>`, `flag:<name>`, `retrieval` or `unknown_creator`"
    )


class RankedCreatorOut(BaseModel):
    """The head of every ranked creator answered (match, lookalikes): who and how big."""

    rank: int
    creator_id: str
    handle: str
    platform: str
    followers: int
    tier: str


class MatchOut(RankedCreatorOut):
    score: float
    advocacy_fit: float
    expected_engagement_rate: float
    similarity: float
    estimated_cost: float
    # Optional, added for the agency page: the creator's own figures the ranker saw (null when
    # the catalog has no data for one), so a shortlist reads without a request per creator.
    authenticity: float | None = Field(
        None, description="Share of real followers (estimated from the account when not given)"
    )
    sponsored_share: float | None = Field(None, description="Share of recent posts sponsored")
    reply_rate: float | None = Field(None, description="Creator replies per comment received")
    reasons: list[ReasonOut]
    flags: list[FlagOut] = Field([], description="Red flags raised (docs/ranking.md)")


class MatchResponse(BaseModel):
    request_id: str
    brand_id: str
    model_version: str
    catalog_version: str
    took_ms: float
    rank_by: RankBy
    currency: str = Field(description="The currency of `estimated_cost`: the brief's budget's")
    matches: list[MatchOut]
    explained: list[ExplainedOut] | None = None


# ---- state, auth and errors ------------------------------------------------------------


class CreatorsUpserted(BaseModel):
    upserted: int
    catalog_version: str | None


class Stored(BaseModel):
    stored: int


class ModelInfo(BaseModel):
    model_version: str
    embedder: str | None
    metrics: dict[str, float]
    catalog_version: str
    creators: int
    # the version's model card (markdown), when it has one: `GET /v1/model/card`
    card_url: str | None = None


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


# ---- request examples shown in /docs (and replayed first by the schema fuzzer) ---------

MATCH_EXAMPLES: dict[str, Example] = {
    "brief": {"summary": "An inline brand brief", "value": MATCH_EXAMPLE},
    "stored brand": {
        "summary": "A stored brand; nano and micro creators with a mostly real audience",
        "value": {
            "brand_id": "ecoveste",
            "k": 10,
            "filters": {"tiers": ["nano", "micro"], "min_authenticity": 0.8},
        },
    },
}
CREATORS_EXAMPLES: dict[str, Example] = {
    "one creator": {"summary": "A batch of one creator", "value": [CREATOR_EXAMPLE]}
}
BRANDS_EXAMPLES: dict[str, Example] = {
    "one brand": {"summary": "A batch of one brand", "value": [BRAND_EXAMPLE]}
}
FEEDBACK_EXAMPLES: dict[str, Example] = {
    "one outcome": {"summary": "A completed campaign whose creator became an advocate",
                    "value": [OUTCOME_EXAMPLE]}
}  # fmt: skip

# ---- OpenAPI links: what a client (and the schema fuzzer's stateful phase) can do next -------


def _link(operation_id: str, parameter: str, expression: str, description: str) -> dict[str, Any]:
    return {
        "operationId": operation_id,
        "parameters": {parameter: expression},
        "description": description,
    }


CREATOR_LINKS = {
    "GetFirstCreator": _link("get_creator", "creator_id", "$request.body#/0/creator_id",
                             "Read back the first creator of the batch"),
    "DeleteFirstCreator": _link("delete_creator", "creator_id", "$request.body#/0/creator_id",
                                "Delete the first creator of the batch"),
}  # fmt: skip
BRAND_LINKS = {
    "GetFirstBrand": _link("get_brand", "brand_id", "$request.body#/0/brand_id",
                           "Read back the first brand of the batch"),
}  # fmt: skip
