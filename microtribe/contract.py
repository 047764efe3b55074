"""The public data contract of DESIGN.md: creators, brands and campaign outcomes.

Field names are fixed by DESIGN.md; clients outside the project rely on them.
Policies decided here (DESIGN.md leaves them open):

- Unknown fields are ignored, so files from a newer producer stay readable.
- Timestamps are RFC 3339. One without an offset is taken as UTC (Parquet writers often drop
  the zone), and every timestamp is converted to UTC so comparisons never mix zones.
- Codes are normalised before they are checked: country and currency to upper case,
  language to lower case, platform and stage to lower case. Strings are stripped.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import PydanticCustomError

Platform = Literal["instagram", "tiktok", "youtube"]
Stage = Literal["proposed", "contacted", "accepted", "declined", "posted", "completed"]
AgeBracket = Literal["13-17", "18-24", "25-34", "35-44", "45-54", "55+"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)
STAGES: tuple[Stage, ...] = get_args(Stage)
AGE_BRACKETS: tuple[AgeBracket, ...] = get_args(AgeBracket)
MAX_POSTS = 200
MAX_CAPTION_CHARS = 5000
ID_PATTERN = r"^[A-Za-z0-9._:@-]{1,128}$"


def _invalid(message: str) -> PydanticCustomError:
    # Passed as context so braces in user input never reach the message template.
    return PydanticCustomError("contract", "{message}", {"message": message})


def _one_of(kind: str, choices: tuple[str, ...], *, fold_case: bool) -> BeforeValidator:
    def check(value: object) -> object:
        if isinstance(value, str):
            candidate = value.strip().lower() if fold_case else value.strip()
            if candidate in choices:
                return candidate
        raise _invalid(f"unknown {kind} {value!r}; expected one of {list(choices)}")

    return BeforeValidator(check)


def _matching(pattern: str, expected: str) -> AfterValidator:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise _invalid(f"invalid value {value!r}; expected {expected}")
        return value

    return AfterValidator(check)


def _cased(convert: Callable[[str], str]) -> BeforeValidator:
    def normalise(value: object) -> object:
        return convert(value.strip()) if isinstance(value, str) else value

    return BeforeValidator(normalise)


EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _as_utc(value: datetime) -> datetime:
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    # the columnar feature code holds times as 64-bit nanoseconds (years 1677-2262)
    if not EARLIEST <= value < LATEST:
        raise _invalid(
            f"{value.isoformat()} is outside the supported years {EARLIEST.year}-{LATEST.year - 1}"
        )
    return value


Identifier = Annotated[
    str,
    _matching(ID_PATTERN, "1-128 characters of A-Za-z0-9._:@-"),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN}),
]
CountryCode = Annotated[
    str,
    _cased(str.upper),
    _matching(r"[A-Z]{2}", "an ISO 3166-1 alpha-2 country code such as 'IT'"),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$"}),
]
LanguageCode = Annotated[
    str,
    _cased(str.lower),
    _matching(r"[a-z]{2}", "an ISO 639-1 language code such as 'it'"),
    WithJsonSchema({"type": "string", "pattern": "^[a-z]{2}$"}),
]
CurrencyCode = Annotated[
    str,
    _cased(str.upper),
    _matching(r"[A-Z]{3}", "an ISO 4217 currency code such as 'EUR'"),
    WithJsonSchema({"type": "string", "pattern": "^[A-Z]{3}$"}),
]
PlatformName = Annotated[Platform, _one_of("platform", PLATFORMS, fold_case=True)]
StageName = Annotated[Stage, _one_of("stage", STAGES, fold_case=True)]
Bracket = Annotated[AgeBracket, _one_of("age bracket", AGE_BRACKETS, fold_case=False)]
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
NonEmpty = Annotated[str, Field(min_length=1)]
Count = Annotated[int, Field(ge=0, le=10**12)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Amount = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]

POST_EXAMPLE: dict[str, Any] = {
    "post_id": "p1", "posted_at": "2026-10-01T10:00:00Z",
    "caption": "Il mio cappotto vintage ha 30 anni ♻️ #secondhand",
    "likes": 1200, "comments": 85, "views": None,
    "sponsored": False, "creator_replies": 31, "mentions": ["@ecoveste"],
}  # fmt: skip
AUDIENCE_EXAMPLE: dict[str, Any] = {
    "countries": {"IT": 0.78, "CH": 0.05}, "ages": {"18-24": 0.31, "25-34": 0.44},
    "female_share": 0.72, "authentic_share": 0.91,
}  # fmt: skip
RATE_CARD_EXAMPLE: dict[str, Any] = {
    "post": 350.0, "story": 120.0, "video": 600.0, "currency": "EUR",
}  # fmt: skip
CREATOR_EXAMPLE: dict[str, Any] = {
    "creator_id": "ig:giulia.green", "handle": "giulia.green", "platform": "instagram",
    "followers": 23400, "following": 812, "country": "IT", "language": "it",
    "bio": "Torino · moda sostenibile e second hand", "categories": ["fashion", "sustainability"],
    "posts": [POST_EXAMPLE], "audience": AUDIENCE_EXAMPLE, "rate_card": RATE_CARD_EXAMPLE,
}  # fmt: skip
BRAND_AUDIENCE_EXAMPLE: dict[str, Any] = {"ages": ["25-34", "35-44"], "female_share": 0.7}
BUDGET_EXAMPLE: dict[str, Any] = {"amount": 5000, "currency": "EUR"}
BRAND_EXAMPLE: dict[str, Any] = {
    "brand_id": "ecoveste", "name": "EcoVeste", "category": "fashion",
    "values": "sostenibilità, materiali riciclati, produzione etica in Italia",
    "description": "Capsule autunno in lana rigenerata; cerchiamo voci autentiche del riuso.",
    "markets": ["IT"], "languages": ["it"], "audience": BRAND_AUDIENCE_EXAMPLE,
    "aliases": ["@ecoveste", "eco veste"], "competitors": ["FastFashionCo"],
    "budget": BUDGET_EXAMPLE,
}  # fmt: skip
OUTCOME_EXAMPLE: dict[str, Any] = {
    "brand_id": "ecoveste", "creator_id": "ig:giulia.green", "campaign_id": "fw26",
    "stage": "completed", "engagement_rate": 0.043, "advocate": True,
    "started_at": "2026-10-01T00:00:00Z", "observed_at": "2026-11-20T00:00:00Z",
}  # fmt: skip


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields ignored, strings stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    id_field: ClassVar[str | None] = None  # the field that must be unique within one file


class Post(ContractModel):
    """One recent post of a creator; `sponsored`/`mentions` None means absent, detected later."""

    model_config = ConfigDict(json_schema_extra={"examples": [POST_EXAMPLE]})
    post_id: NonEmpty
    posted_at: UtcDatetime
    caption: Annotated[str, Field(max_length=MAX_CAPTION_CHARS)]
    likes: Count
    comments: Count
    views: Count | None = None
    sponsored: bool | None = None
    creator_replies: Count | None = None
    mentions: list[NonEmpty] | None = None
    # the campaign a paid post was made for, when the agency knows it: training never lets a
    # campaign's own posts into the features of that campaign's outcome
    campaign_id: NonEmpty | None = None


class Audience(ContractModel):
    """Who follows a creator: shares by country and age bracket, female and authentic shares."""

    model_config = ConfigDict(json_schema_extra={"examples": [AUDIENCE_EXAMPLE]})
    countries: dict[CountryCode, Share] | None = None
    ages: dict[Bracket, Share] | None = None
    female_share: Share | None = None
    authentic_share: Share | None = None


class RateCard(ContractModel):
    """A creator's fees per post, story and video, in one currency."""

    model_config = ConfigDict(json_schema_extra={"examples": [RATE_CARD_EXAMPLE]})
    post: Amount | None = None
    story: Amount | None = None
    video: Amount | None = None
    currency: CurrencyCode = "EUR"


class Creator(ContractModel):
    """A social-media creator on one platform, with recent posts and audience."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATOR_EXAMPLE]})
    id_field: ClassVar[str | None] = "creator_id"
    creator_id: Identifier
    handle: NonEmpty
    platform: PlatformName
    followers: Count
    following: Count | None = None
    country: CountryCode | None = None
    language: LanguageCode | None = None
    bio: str | None = None
    categories: list[NonEmpty] = Field(default_factory=list)
    posts: Annotated[list[Post], Field(max_length=MAX_POSTS)] = Field(default_factory=list)
    audience: Audience | None = None
    rate_card: RateCard | None = None

    @field_validator("posts")
    @classmethod
    def _post_ids_unique(cls, posts: list[Post]) -> list[Post]:
        first_index: dict[str, int] = {}
        for index, post in enumerate(posts):
            if post.post_id in first_index:
                raise _invalid(
                    f"duplicate post_id {post.post_id!r} (posts {first_index[post.post_id]} "
                    f"and {index})"
                )
            first_index[post.post_id] = index
        return posts


class BrandAudience(ContractModel):
    """The audience a brand wants to reach."""

    model_config = ConfigDict(json_schema_extra={"examples": [BRAND_AUDIENCE_EXAMPLE]})
    ages: list[Bracket] = Field(default_factory=list)
    female_share: Share | None = None


class Budget(ContractModel):
    """A campaign budget."""

    model_config = ConfigDict(json_schema_extra={"examples": [BUDGET_EXAMPLE]})
    amount: Amount
    currency: CurrencyCode = "EUR"


class Brand(ContractModel):
    """A brand brief: who the brand is, what it stands for and whom it wants to reach."""

    model_config = ConfigDict(json_schema_extra={"examples": [BRAND_EXAMPLE]})
    id_field: ClassVar[str | None] = "brand_id"
    brand_id: Identifier
    name: NonEmpty
    values: NonEmpty
    category: str | None = None
    description: str | None = None
    markets: list[CountryCode] = Field(default_factory=list)
    languages: list[LanguageCode] = Field(default_factory=list)
    audience: BrandAudience | None = None
    aliases: list[NonEmpty] = Field(default_factory=list)
    competitors: list[NonEmpty] = Field(default_factory=list)
    budget: Budget | None = None


class Outcome(ContractModel):
    """What happened when a brand worked with a creator: a training label."""

    model_config = ConfigDict(json_schema_extra={"examples": [OUTCOME_EXAMPLE]})
    brand_id: Identifier
    creator_id: Identifier
    stage: StageName
    observed_at: UtcDatetime
    campaign_id: NonEmpty | None = None
    engagement_rate: Amount | None = None
    advocate: bool | None = None
    # when the creator was chosen: the decision time, as of which training takes features
    started_at: UtcDatetime | None = None

    @field_validator("started_at")
    @classmethod
    def _started_before_observed(
        cls, started: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        observed = info.data.get("observed_at")
        if started is not None and observed is not None and started > observed:
            raise _invalid(
                f"started_at {started.isoformat()} is after observed_at {observed.isoformat()}"
            )
        return started
