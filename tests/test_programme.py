"""Always-on programmes (docs/planning.md, "Always-on programmes"): every total re-checked by an
independent checker written here from the documented model, constraints and budget, repeats,
the one-month programme as a one-off plan, `/v1/plan` validation and `microtribe plan`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from bench.plan_problems import random_candidates
from matching.planning import (
    GroupBounds,
    InvalidPlanRequest,
    PlanCandidates,
    PlanConstraints,
    Programme,
    plan_campaign,
)
from microtribe.auth import KeyRing
from microtribe.settings import Settings
from serve import create_app
from tests.conftest import copy_home, run_cli

RENEWAL_OF_NON_ADVOCATES = 0.5  # the documented ρ₀
REL = 1e-6


def renewal(advocacy: np.ndarray) -> np.ndarray:
    """The documented formula: an advocate renews, anyone else half the time."""
    return advocacy * 1.0 + (1.0 - advocacy) * RENEWAL_OF_NON_ADVOCATES


def still_posting(advocacy: np.ndarray, months: int) -> np.ndarray:
    """(n, months): P(still in the programme in month m), renewing each month independently."""
    alive = np.ones((len(advocacy), months))
    for m in range(1, months):
        alive[:, m] = alive[:, m - 1] * renewal(advocacy)
    return alive


def union_reach(segments: np.ndarray, sizes: np.ndarray, rows: np.ndarray) -> float:
    """N_s (1 − Π_i (1 − a_is / N_s)) summed over segments, for the creators `rows`."""
    share = np.clip(segments[rows] / np.where(sizes > 0, sizes, 1.0), 0.0, 1.0 - 1e-12)
    return float((sizes * (1.0 - np.prod(1.0 - share, axis=0))).sum())


def check_months(
    months: Mapping[str, np.ndarray],
    totals: Mapping[str, float],
    fee: np.ndarray,
    advocacy: np.ndarray,
    engagements: np.ndarray,
    horizon: int,
    posts: int,
    coordination: float,
    budget: float,
    rel: float = REL,
) -> None:
    """The month-by-month figures and horizon totals of one programme plan, from its creators'
    per-post fee, advocacy and engagements per post alone."""
    alive = still_posting(advocacy, horizon)
    held = posts * fee + coordination  # per creator and month
    assert totals["cost"] == pytest.approx(horizon * held.sum(), rel=rel, abs=0.05)
    assert totals["cost"] <= budget * (1 + 1e-9) + 0.01
    assert months["cost"] == pytest.approx(np.full(horizon, held.sum()), rel=rel, abs=0.01)
    assert months["expected_cost"] == pytest.approx(held @ alive, rel=rel, abs=0.01)
    assert (months["expected_cost"] <= months["cost"] + 0.01).all()
    assert months["expected_posts"] == pytest.approx(posts * alive.sum(axis=0), rel=rel, abs=1e-3)
    assert months["expected_engagements"] == pytest.approx(
        posts * engagements @ alive, rel=rel, abs=0.01
    )
    assert months["expected_advocates"] == pytest.approx(advocacy @ alive, rel=rel, abs=1e-3)
    assert totals["expected_engagements"] == pytest.approx(
        months["expected_engagements"].sum(), rel=rel, abs=0.05
    )
    assert totals["expected_advocates"] == pytest.approx(advocacy.sum(), rel=rel, abs=1e-3)
    assert (np.diff(months["expected_posts"]) <= 1e-9).all()  # renewal only ever loses creators


def check_reach(months: Mapping[str, np.ndarray], unique_reach: float, union: float) -> None:
    """Reach counts a person once over the horizon: everyone starts in month 1, so later months
    add no new people, and the horizon's reach is the union's."""
    cumulative, new = months["cumulative_unique_reach"], months["new_unique_reach"]
    assert (np.diff(cumulative) >= -1e-6).all()
    assert new[1:] == pytest.approx(np.zeros(len(new) - 1), abs=1e-6)
    assert cumulative == pytest.approx(np.cumsum(new), rel=1e-9, abs=0.2)
    assert cumulative[-1] == pytest.approx(union, rel=1e-6, abs=0.2)
    assert unique_reach == pytest.approx(union, rel=1e-6, abs=0.2)


# -- the engine, on seeded random candidates ----------------------------------------------------


@pytest.fixture(scope="module")
def candidates() -> PlanCandidates:
    return random_candidates(np.random.default_rng(25), 400)


def _months_of(plan: Any) -> dict[str, np.ndarray]:
    names = ("cost", "expected_cost", "expected_posts", "expected_engagements",
             "expected_advocates", "new_unique_reach", "cumulative_unique_reach")  # fmt: skip
    return {name: getattr(plan.months, name) for name in names}


@pytest.mark.parametrize(("horizon", "posts", "budget"), [(6, 2, 60000.0), (12, 1, 30000.0)])
def test_programme_totals_match_an_independent_checker(
    candidates: PlanCandidates, horizon: int, posts: int, budget: float
) -> None:
    constraints = PlanConstraints(budget=budget, coordination_cost=150.0)
    result = plan_campaign(candidates, constraints, programme=Programme(horizon, posts))
    sizes = candidates.segments.sum(axis=0)
    for plan in (result.plan, result.greedy):
        rows = plan.rows
        assert len(rows) and plan.months is not None
        names = ("cost", "expected_engagements", "expected_advocates")
        totals = {name: getattr(plan.totals, name) for name in names}
        check_months(
            _months_of(plan), totals, candidates.cost[rows], candidates.advocacy[rows],
            candidates.expected_engagements[rows], horizon, posts, 150.0, budget,
        )  # fmt: skip
        check_reach(_months_of(plan), plan.totals.unique_reach,
                    union_reach(candidates.segments, sizes, rows))  # fmt: skip
        assert plan.totals.unique_reach <= candidates.segments[rows].sum() + 1e-6


def test_the_side_by_side_spends_the_horizon_budget_on_one_off_macro_posts(
    candidates: PlanCandidates,
) -> None:
    constraints = PlanConstraints(budget=60000.0, coordination_cost=150.0)
    result = plan_campaign(candidates, constraints, programme=Programme(6, 2))
    macro = result.macro_only
    assert macro.status != "empty" and macro.months is not None
    assert set(candidates.tier[macro.rows]) <= {"macro", "mega"}
    one_post = candidates.cost[macro.rows] + 150.0  # one post each, coordination once
    assert macro.totals.cost == pytest.approx(one_post.sum()) and macro.totals.cost <= 60000.0
    posts = macro.months.expected_posts
    assert posts[0] == pytest.approx(len(macro.rows)) and not posts[1:].any()  # no renewal
    assert macro.totals.expected_engagements == pytest.approx(
        candidates.expected_engagements[macro.rows].sum()
    )
    # the same objective (horizon advocated engagements, the programme's reach weight)
    assert result.macro_ratio == pytest.approx(macro.objective / result.plan.objective)


def test_constraints_still_apply_to_a_programme(candidates: PlanCandidates) -> None:
    ids = candidates.creator_id
    include = str(ids[candidates.tier == "nano"][0])
    exclude = str(ids[candidates.tier == "micro"][0])
    constraints = PlanConstraints(
        budget=80000.0, coordination_cost=150.0, max_creators=15,
        tiers={"nano": GroupBounds(min=3), "mega": GroupBounds(max=0)},
        platforms={"tiktok": GroupBounds(max_share=0.4)}, max_overlap=0.2,
        include_creator_ids=(include,), exclude_creator_ids=(exclude,),
    )  # fmt: skip
    programme = Programme(6, 2)
    plan = plan_campaign(candidates, constraints, programme=programme).plan
    rows = plan.rows
    chosen = set(ids[rows].tolist())
    assert include in chosen and exclude not in chosen and len(rows) <= 15
    assert (candidates.tier[rows] == "nano").sum() >= 3 and "mega" not in candidates.tier[rows]
    horizon_cost = 6 * (2 * candidates.cost[rows] + 150.0)
    tiktok = horizon_cost[candidates.platform[rows] == "tiktok"].sum()
    assert horizon_cost.sum() <= 80000.0 + 1e-6 and tiktok <= 0.4 * 80000.0 + 1e-6
    assert plan.totals.overlap <= 0.2 + 1e-6


def test_the_same_programme_request_gives_the_same_plan(candidates: PlanCandidates) -> None:
    constraints = PlanConstraints(budget=60000.0, coordination_cost=150.0, max_overlap=0.1)
    plans = [
        plan_campaign(candidates, constraints, programme=Programme(6, 2)).plan for _ in range(3)
    ]
    assert len({plan.creator_ids for plan in plans}) == 1
    assert len({plan.totals.cost for plan in plans}) == 1


def test_one_month_of_one_post_is_the_one_off_plan(candidates: PlanCandidates) -> None:
    constraints = PlanConstraints(budget=10000.0, coordination_cost=150.0)
    one_off = plan_campaign(candidates, constraints)
    month = plan_campaign(candidates, constraints, programme=Programme(1, 1))
    for a, b in ((one_off.plan, month.plan), (one_off.greedy, month.greedy),
                 (one_off.macro_only, month.macro_only)):  # fmt: skip
        assert a.creator_ids == b.creator_ids
        assert a.totals == b.totals and a.objective == pytest.approx(b.objective)
    assert month.plan.months is not None and one_off.plan.months is None


def test_a_longer_horizon_favours_likely_advocates() -> None:
    """Renewal comes from advocacy: of two creators at the same fee, the engaged but unlikely
    advocate wins a one-off post (0.5 × 1000 > 0.9 × 500 advocated engagements), the likely
    advocate a year-long programme (it keeps posting: 0.95 vs 0.75 renewal a month)."""
    two = PlanCandidates(
        creator_id=np.array(["ig:engaged", "ig:advocate"], dtype=object),
        cost=np.array([300.0, 300.0]),
        advocacy=np.array([0.5, 0.9]),
        expected_engagements=np.array([1000.0, 500.0]),
        tier=np.array(["micro", "micro"], dtype=object),
        platform=np.array(["instagram", "instagram"], dtype=object),
        segments=np.array([[1000.0, 0.0], [0.0, 1000.0]]),
    )
    one = PlanConstraints(budget=1e6, max_creators=1)
    assert plan_campaign(two, one).plan.creator_ids == ("ig:engaged",)
    year = plan_campaign(two, one, programme=Programme(12, 1)).plan
    assert year.creator_ids == ("ig:advocate",)


@pytest.mark.parametrize(
    ("horizon", "posts", "field"),
    [(0, 1, "horizon_months"), (25, 1, "horizon_months"), (6, 0, "posts_per_month"),
     (6, 9, "posts_per_month"), (True, 1, "horizon_months")],
)  # fmt: skip
def test_bad_programmes_name_the_field(horizon: Any, posts: Any, field: str) -> None:
    with pytest.raises(InvalidPlanRequest) as raised:
        Programme(horizon, posts)
    assert raised.value.constraint == field


# -- /v1/plan and microtribe plan, on the tiny trained home -----------------------------------

READ = {"Authorization": "Bearer rea"}
BRIEF = {"name": "Miele Vivo", "values": "cucina, ricette, ingredienti naturali, miele"}
PROGRAMME_KEYS = {"horizon_months", "posts_per_month", "expected_posts", "expected_cost"}


@pytest.fixture(scope="module")
def plan_home(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_home(trained_home, tmp_path_factory.mktemp("programme"))


@pytest.fixture(scope="module")
def client(plan_home: Path) -> Iterator[TestClient]:
    app = create_app(Settings.from_env(plan_home), KeyRing.parse("read:rea"))
    with TestClient(app) as test_client:
        yield test_client


def _plan(client: TestClient, **body: Any) -> Any:
    return client.post("/v1/plan", json={"brand": BRIEF, "currency": "EUR", **body}, headers=READ)


def _columns(plan: Mapping[str, Any]) -> dict[str, np.ndarray]:
    return {
        key: np.array([month[key] for month in plan["months"]], dtype=float)
        for key in plan["months"][0]
    }


def _check_answer(plan: Mapping[str, Any], horizon: int, posts: int, budget: float) -> None:
    creators = plan["creators"]
    assert creators and [m["month"] for m in plan["months"]] == list(range(1, horizon + 1))
    fee = np.array([c["estimated_cost"] for c in creators])
    advocacy = np.array([c["advocacy_fit"] for c in creators])
    engagements = np.array([c["expected_engagements"] for c in creators])
    assert [c["retention"] for c in creators] == pytest.approx(renewal(advocacy), abs=1e-6)
    assert [c["expected_posts"] for c in creators] == pytest.approx(
        posts * still_posting(advocacy, horizon).sum(axis=1), abs=1e-3
    )
    totals = plan["totals"]
    assert (totals["horizon_months"], totals["posts_per_month"]) == (horizon, posts)
    coordination = totals["coordination_cost"] / (horizon * len(creators))
    assert coordination == pytest.approx(150.0)  # per creator and month (the EUR default)
    months = _columns(plan)
    check_months(months, totals, fee, advocacy, engagements, horizon, posts, coordination,
                 budget, rel=1e-4)  # fmt: skip
    assert totals["expected_posts"] == pytest.approx(months["expected_posts"].sum(), abs=1e-2)
    assert totals["expected_cost"] == pytest.approx(months["expected_cost"].sum(), abs=0.1)
    cumulative = months["cumulative_unique_reach"]
    assert (np.diff(cumulative) >= 0).all() and not months["new_unique_reach"][1:].any()
    assert cumulative[-1] == pytest.approx(totals["unique_reach"], abs=0.2)
    assert totals["unique_reach"] <= months["contacts"][0] / posts + 1.0  # union ≤ summed


@pytest.mark.slow
def test_a_programme_answer_rechecked(client: TestClient) -> None:
    answer = _plan(client, budget=30000, horizon_months=6, posts_per_month=2)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    _check_answer(body["plan"], 6, 2, 30000)
    _check_answer(body["side_by_side"]["greedy"], 6, 2, 30000)
    macro = body["side_by_side"]["macro_only"]
    if macro["creators"]:
        assert {c["tier"] for c in macro["creators"]} <= {"macro", "mega"}
        assert all(c["expected_posts"] == 1 and c["retention"] == 0 for c in macro["creators"])
        assert not any(month["expected_posts"] for month in macro["months"][1:])
    again = _plan(client, budget=30000, horizon_months=6, posts_per_month=2).json()
    assert again["plan"]["creators"] == body["plan"]["creators"]
    assert again["plan"]["months"] == body["plan"]["months"]


@pytest.mark.slow
def test_without_a_horizon_the_answer_is_unchanged_and_one_month_matches_it(
    client: TestClient,
) -> None:
    one_off = _plan(client, budget=5000).json()
    plan = one_off["plan"]
    assert "months" not in plan and not PROGRAMME_KEYS & set(plan["totals"])
    assert not {"retention", "expected_posts"} & set(plan["creators"][0])
    month = _plan(client, budget=5000, horizon_months=1).json()["plan"]
    assert [c["creator_id"] for c in month["creators"]] == [
        c["creator_id"] for c in plan["creators"]
    ]
    for key, value in plan["totals"].items():
        assert month["totals"][key] == pytest.approx(value)
    assert month["totals"]["posts_per_month"] == 1 and len(month["months"]) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "field"),
    [({"horizon_months": 0}, "horizon_months"), ({"horizon_months": 25}, "horizon_months"),
     ({"horizon_months": 2.5}, "horizon_months"), ({"horizon_months": "six"}, "horizon_months"),
     ({"horizon_months": 6, "posts_per_month": 9}, "posts_per_month"),
     ({"horizon_months": 6, "posts_per_month": 0}, "posts_per_month"),
     ({"posts_per_month": 2}, "posts_per_month")],
)  # fmt: skip
def test_bad_programme_fields_are_a_422_naming_the_field(
    client: TestClient, extra: dict[str, Any], field: str
) -> None:
    answer = _plan(client, budget=5000, **extra)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["details"][0]["field"] == field and error["details"][0]["problem"]


@pytest.mark.slow
def test_cli_plan_shows_the_programme_month_by_month(plan_home: Path, tmp_path: Path) -> None:
    brief = tmp_path / "brief.json"
    brief.write_text(json.dumps(BRIEF))
    args = ("plan", "--brief", str(brief), "--budget", "30000", "--currency", "EUR",
            "--horizon-months", "6", "--posts-per-month", "2")  # fmt: skip
    answer = json.loads(run_cli(plan_home, *args, "--json"))
    _check_answer(answer["plan"], 6, 2, 30000)
    table = run_cli(plan_home, *args)
    assert "programme: 6 months, 2 posts a month" in table
    month_lines = table[table.index("programme:"):].splitlines()[2:8]
    assert [line.split()[0] for line in month_lines] == ["1", "2", "3", "4", "5", "6"]
    assert "total" in table[table.index("programme:"):]
