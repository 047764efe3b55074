"""Request and response bodies of the HTTP API (pydantic lives at the boundary only)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from microtribe.contract import Brand, Identifier


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


class MatchRequest(BaseModel):
    """A brand brief (inline or a stored `brand_id`) and what to return."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
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
            ]
        },
    )
    brand: BriefIn | None = None
    brand_id: str | None = Field(None, min_length=1, max_length=128)
    k: int = Field(20, ge=1, le=200)
    filters: FiltersIn = FiltersIn()
    explain: bool = True
    diversify: bool = False

    @model_validator(mode="after")
    def _one_brand(self) -> MatchRequest:
        if (self.brand is None) == (self.brand_id is None):
            raise ValueError("give exactly one of `brand` or `brand_id`")
        return self


class ReasonOut(BaseModel):
    feature: str
    description: str
    value: float | None
    contribution: float


class MatchOut(BaseModel):
    rank: int
    creator_id: str
    handle: str
    platform: str
    followers: int
    tier: str
    score: float
    advocacy_fit: float
    expected_engagement_rate: float
    similarity: float
    estimated_cost: float
    reasons: list[ReasonOut]


class MatchResponse(BaseModel):
    request_id: str
    brand_id: str
    model_version: str
    catalog_version: str
    took_ms: float
    matches: list[MatchOut]


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


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody
