"""The data contract of DESIGN.md and the file readers, as a spec."""

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel, ValidationError

from microtribe import records
from microtribe.contract import (
    BRAND_EXAMPLE,
    CREATOR_EXAMPLE,
    OUTCOME_EXAMPLE,
    POST_EXAMPLE,
    Audience,
    Brand,
    BrandAudience,
    Budget,
    Creator,
    Outcome,
    Post,
    RateCard,
)
from microtribe.records import Problem, RecordError, read_records, write_jsonl

ALL_MODELS = [Post, Audience, RateCard, Creator, BrandAudience, Budget, Brand, Outcome]


def creator(**changes: Any) -> dict[str, Any]:
    """The DESIGN.md creator, with top-level fields replaced (None removes one)."""
    data = copy.deepcopy(CREATOR_EXAMPLE)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[RecordError]) -> set[tuple[int, str]]:
    return {(problem.line, problem.field) for problem in excinfo.value.problems}


def field_errors(model: type[BaseModel], data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as excinfo:
        model.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in excinfo.value.errors()}


# --- the models -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_schema_examples_validate_and_round_trip(model: type[BaseModel]) -> None:
    [example] = model.model_json_schema()["examples"]
    parsed = model.model_validate(example)
    assert model.model_validate_json(parsed.model_dump_json()) == parsed


def test_design_examples_keep_their_values() -> None:
    giulia = Creator.model_validate(CREATOR_EXAMPLE)
    assert giulia.posts[0].posted_at == datetime(2026, 10, 1, 10, tzinfo=UTC)
    assert giulia.audience is not None and giulia.audience.countries == {"IT": 0.78, "CH": 0.05}
    assert Brand.model_validate(BRAND_EXAMPLE).budget == Budget(amount=5000, currency="EUR")
    assert Outcome.model_validate(OUTCOME_EXAMPLE).stage == "completed"


@pytest.mark.parametrize("creator_id", ["ig:giulia.green", "a", "x" * 128, "tt@user-1_2.B"])
def test_valid_ids(creator_id: str) -> None:
    assert Creator.model_validate(creator(creator_id=creator_id)).creator_id == creator_id


@pytest.mark.parametrize("creator_id", ["", "has space", "x" * 129, "slash/id", "smile😀", 7])
def test_invalid_ids_are_rejected(creator_id: object) -> None:
    assert "creator_id" in field_errors(Creator, creator(creator_id=creator_id))


def test_brand_and_outcome_ids_follow_the_same_rule() -> None:
    assert "brand_id" in field_errors(Brand, {**BRAND_EXAMPLE, "brand_id": "eco veste"})
    assert "creator_id" in field_errors(Outcome, {**OUTCOME_EXAMPLE, "creator_id": "a/b"})


def test_unknown_platform_names_the_choices() -> None:
    errors = field_errors(Creator, creator(platform="facebook"))
    expected = "unknown platform 'facebook'; expected one of ['instagram', 'tiktok', 'youtube']"
    assert errors["platform"] == expected
    assert Creator.model_validate(creator(platform=" TikTok ")).platform == "tiktok"


def test_unknown_stage_and_age_bracket_name_the_choices() -> None:
    assert "'posted'" in field_errors(Outcome, {**OUTCOME_EXAMPLE, "stage": "won"})["stage"]
    errors = field_errors(Audience, {"ages": {"65+": 0.1}})
    assert "'55+'" in errors["ages.65+.[key]"]


@pytest.mark.parametrize(
    "audience, location",
    [
        ({"female_share": 1.5}, "audience.female_share"),
        ({"authentic_share": -0.1}, "audience.authentic_share"),
        ({"countries": {"IT": 1.2}}, "audience.countries.IT"),
        ({"ages": {"18-24": -0.5}}, "audience.ages.18-24"),
    ],
)
def test_shares_must_lie_in_unit_interval(audience: dict[str, Any], location: str) -> None:
    assert location in field_errors(Creator, creator(audience=audience))


def test_codes_are_normalised() -> None:
    parsed = Creator.model_validate(
        creator(country="it", language="IT", audience={"countries": {"ch": 0.1}})
    )
    assert (parsed.country, parsed.language) == ("IT", "it")
    assert parsed.audience is not None and parsed.audience.countries == {"CH": 0.1}
    brand = Brand.model_validate({**BRAND_EXAMPLE, "markets": ["it", " fr "]})
    assert brand.markets == ["IT", "FR"]
    assert "country" in field_errors(Creator, creator(country="ITA"))
    assert "currency" in field_errors(RateCard, {"currency": "euro"})


def test_unknown_fields_are_ignored_at_every_level() -> None:
    data = creator(future_field=1, audience={"female_share": 0.5, "income": "high"})
    data["posts"][0]["reach"] = 9000
    parsed = Creator.model_validate(data)
    assert parsed.model_dump(exclude_unset=True) == Creator.model_validate(
        creator(audience={"female_share": 0.5})
    ).model_dump(exclude_unset=True)


def test_absent_sponsored_and_mentions_read_as_none() -> None:
    post = {key: POST_EXAMPLE[key] for key in ("post_id", "posted_at", "caption", "likes")}
    parsed = Post.model_validate({**post, "comments": 0})
    assert parsed.sponsored is None and parsed.mentions is None and parsed.views is None
    explicit = Post.model_validate({**post, "comments": 0, "sponsored": False, "mentions": []})
    assert explicit.sponsored is False and explicit.mentions == []


def test_timestamps_become_utc() -> None:
    base = {"post_id": "p", "caption": "", "likes": 0, "comments": 0}
    shifted = Post.model_validate({**base, "posted_at": "2026-10-01T12:00:00+02:00"})
    naive = Post.model_validate({**base, "posted_at": "2026-10-01T10:00:00"})
    assert shifted.posted_at == naive.posted_at == datetime(2026, 10, 1, 10, tzinfo=UTC)
    assert shifted.posted_at.tzinfo is UTC


def test_post_limits() -> None:
    post = copy.deepcopy(POST_EXAMPLE)
    assert "posts" in field_errors(Creator, creator(posts=[post, post]))  # duplicate post_id
    many = [{**post, "post_id": f"p{i}"} for i in range(201)]
    assert "posts" in field_errors(Creator, creator(posts=many))
    long_caption = {**post, "caption": "x" * 5001}
    assert "posts.0.caption" in field_errors(Creator, creator(posts=[long_caption]))


def test_required_fields() -> None:
    assert field_errors(Creator, {})["followers"] == "Field required"
    assert set(field_errors(Brand, {})) == {"brand_id", "name", "values"}
    assert set(field_errors(Outcome, {})) == {"brand_id", "creator_id", "stage", "observed_at"}


# --- reading files ----------------------------------------------------------------------------


def test_bad_creator_line_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    bad = creator(followers=None, platform="facebook")
    bad["posts"][0]["likes"] = -1
    path = write_lines(tmp_path / "creators.jsonl", [json.dumps(creator()), "", json.dumps(bad)])
    with pytest.raises(RecordError) as excinfo:
        read_records(path, Creator)
    assert problems_of(excinfo) == {(3, "followers"), (3, "platform"), (3, "posts.0.likes")}
    rendered = str(excinfo.value).splitlines()
    assert "creators.jsonl:3: posts.0.likes: Input should be greater than or equal to 0" in rendered
    assert "creators.jsonl:3: followers: Field required" in rendered


def test_all_problems_are_collected(tmp_path: Path) -> None:
    lines = [
        json.dumps(creator(creator_id="a")),
        "{not json",
        "[1, 2]",
        json.dumps(creator(creator_id="b", followers=-5)),
        json.dumps(creator(creator_id="a")),
    ]
    with pytest.raises(RecordError) as excinfo:
        read_records(write_lines(tmp_path / "creators.ndjson", lines), Creator)
    expected = {(2, "<json>"), (3, "<record>"), (4, "followers"), (5, "creator_id")}
    assert problems_of(excinfo) == expected
    [duplicate] = [p for p in excinfo.value.problems if p.line == 5]
    assert duplicate.problem == "duplicate creator_id 'a' (first at line 1)"


def test_outcomes_may_repeat_a_pair(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "outcomes.jsonl", [json.dumps(OUTCOME_EXAMPLE)] * 2)
    assert len(read_records(path, Outcome)) == 2


def test_problem_list_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_PROBLEMS", 30)
    path = write_lines(tmp_path / "creators.jsonl", ["{"] * 50)
    with pytest.raises(RecordError) as excinfo:
        read_records(path, Creator)
    assert (len(excinfo.value.problems), excinfo.value.total) == (30, 50)
    rendered = str(excinfo.value).splitlines()
    assert len(rendered) == 21 and rendered[-1] == "… and 30 more"


def test_unknown_suffix_names_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(RecordError, match=r"unsupported file type '\.csv'.*'\.parquet'"):
        read_records(tmp_path / "creators.csv", Creator)


def test_problem_without_line_or_field_renders_compactly() -> None:
    assert str(Problem("x.parquet", 0, "", "not a readable Parquet file")) == (
        "x.parquet: not a readable Parquet file"
    )


def test_parquet_round_trip(tmp_path: Path) -> None:
    rows = [
        creator(),
        creator(creator_id="tt:luca", platform="tiktok", audience={"countries": {"FR": 0.9}}),
        creator(creator_id="yt:anna", posts=[], rate_card=None, bio=None),
    ]
    rows[1]["posts"][0].pop("views")
    path = tmp_path / "creators.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path)
    assert read_records(path, Creator) == [Creator.model_validate(row) for row in rows]


def test_parquet_nan_and_naive_timestamps(tmp_path: Path) -> None:
    table = pa.table(
        {
            "brand_id": ["ecoveste", "ecoveste"],
            "creator_id": ["ig:a", "ig:b"],
            "stage": ["posted", "completed"],
            "observed_at": pa.array([datetime(2026, 11, 20), datetime(2026, 11, 21)]),
            "engagement_rate": [0.04, float("nan")],
        }
    )
    pq.write_table(table, tmp_path / "outcomes.parquet")
    first, second = read_records(tmp_path / "outcomes.parquet", Outcome)
    assert first.observed_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert (first.engagement_rate, second.engagement_rate) == (0.04, None)


def test_parquet_problems_use_row_numbers(tmp_path: Path) -> None:
    rows = [creator(), creator(creator_id="b", followers=-1)]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "creators.parquet")
    with pytest.raises(RecordError) as excinfo:
        read_records(tmp_path / "creators.parquet", Creator)
    assert problems_of(excinfo) == {(2, "followers")}


def test_unreadable_parquet_is_a_record_error(tmp_path: Path) -> None:
    (tmp_path / "creators.parquet").write_text("not parquet")
    with pytest.raises(RecordError, match="not a readable Parquet file"):
        read_records(tmp_path / "creators.parquet", Creator)


def test_write_jsonl_round_trips_and_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "out" / "creators.jsonl"
    models = [Creator.model_validate(creator(creator_id=f"c{i}")) for i in range(3)]
    assert write_jsonl(path, models) == 3
    assert read_records(path, Creator) == models
    early = {"started_at": datetime(2025, 12, 1, tzinfo=UTC),
             "observed_at": datetime(2026, 1, 1, tzinfo=UTC)}  # fmt: skip
    assert write_jsonl(path, [OUTCOME_EXAMPLE | early])
    assert read_records(path, Outcome)[0].observed_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert [p.name for p in path.parent.iterdir()] == ["creators.jsonl"]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "creators.jsonl"
    write_jsonl(path, [creator()])

    def broken() -> Any:
        yield creator()
        raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError):
        write_jsonl(path, broken())
    assert [p.name for p in tmp_path.iterdir()] == ["creators.jsonl"]
    assert len(read_records(path, Creator)) == 1


def test_dates_outside_the_indexable_years_are_refused() -> None:
    import pytest as _pytest
    from pydantic import ValidationError

    from microtribe.contract import Creator

    doc = {"creator_id": "ig:x", "handle": "x", "platform": "instagram", "followers": 10,
           "posts": [{"post_id": "p", "posted_at": "0227-10-10T12:09:19Z", "caption": "",
                      "likes": 1, "comments": 0}]}
    with _pytest.raises(ValidationError, match="supported years"):
        Creator.model_validate(doc)
