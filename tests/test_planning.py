"""Campaign plans: every constraint checked independently of the solver, infeasibility named,
empty plans explained, determinism, greedy and brute-force comparisons (docs/planning.md)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bench.plan_problems import random_candidates
from matching.planning import (
    GroupBounds,
    InvalidPlanRequest,
    PlanCandidates,
    PlanConstraints,
    PlanInfeasible,
    SolverSettings,
    plan_campaign,
)
from matching.planning.uncertainty import advocate_interval, poisson_binomial_pmf

GAP = 0.01


def _reach(segments: np.ndarray, sizes: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Expected distinct people of each selection (rows of the 0/1 matrix `chosen`), written
    from the model's definition: N_s (1 − Π_i (1 − a_is / N_s)^x_i)."""
    share = np.clip(segments / np.where(sizes > 0, sizes, 1.0), 0.0, 1.0 - 1e-12)
    unreached = np.exp(chosen @ np.log(1.0 - share))
    return (sizes * (1.0 - unreached)).sum(axis=1)


def violations(c: PlanCandidates, k: PlanConstraints, rows: np.ndarray) -> list[str]:
    """Every constraint of `k` that the plan `rows` breaks (an empty list: the plan is valid)."""
    ids = set(c.creator_id[rows].tolist())
    cost = c.cost[rows]
    broken = []
    if cost.sum() > k.budget * (1 + 1e-9):
        broken.append("budget")
    if k.min_creators is not None and len(rows) < k.min_creators:
        broken.append("min_creators")
    if k.max_creators is not None and len(rows) > k.max_creators:
        broken.append("max_creators")
    for kind, names in (("tiers", c.tier[rows]), ("platforms", c.platform[rows])):
        for group, bounds in getattr(k, kind).items():
            member = names == group
            spent = cost[member].sum()
            if member.sum() < bounds.min:
                broken.append(f"{kind}.{group}.min")
            if bounds.max is not None and member.sum() > bounds.max:
                broken.append(f"{kind}.{group}.max")
            if spent < bounds.min_share * k.budget * (1 - 1e-9):
                broken.append(f"{kind}.{group}.min_share")
            if bounds.max_share is not None and spent > bounds.max_share * k.budget * (1 + 1e-9):
                broken.append(f"{kind}.{group}.max_share")
    if not set(k.include_creator_ids) <= ids:
        broken.append("include_creator_ids")
    if ids & set(k.exclude_creator_ids):
        broken.append("exclude_creator_ids")
    if k.max_overlap is not None and len(rows):
        chosen = np.zeros((1, len(c)))
        chosen[0, rows] = 1
        summed = c.segments[rows].sum()
        overlap = 1 - _reach(c.segments, c.segments.sum(axis=0), chosen)[0] / summed
        if overlap > k.max_overlap + 1e-7:
            broken.append("max_overlap")
    return broken


def _random_constraints(rng: np.random.Generator, c: PlanCandidates) -> PlanConstraints:
    ids = c.creator_id[rng.permutation(len(c))].tolist()
    return PlanConstraints(
        budget=float(rng.choice([1_000, 3_000, 10_000, 40_000])),
        min_creators=int(rng.integers(0, 4)),
        max_creators=int(rng.integers(4, 30)),
        tiers={
            "nano": GroupBounds(min=int(rng.integers(0, 3))),
            "micro": GroupBounds(max=int(rng.integers(2, 10)), max_share=0.7),
            "mega": GroupBounds(max_share=float(rng.choice([0.2, 0.5]))),
        },
        platforms={
            "tiktok": GroupBounds(min=int(rng.integers(0, 2))),
            "instagram": GroupBounds(min_share=float(rng.choice([0.0, 0.2]))),
        },
        include_creator_ids=tuple(ids[:1]) if rng.random() < 0.3 else (),
        exclude_creator_ids=tuple(ids[1:4]),
        max_overlap=float(rng.choice([0.005, 0.02, 0.1])) if rng.random() < 0.7 else None,
        objective=str(rng.choice(["advocated_engagements", "advocates", "reach"])),  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("seed", range(12))
def test_plans_respect_every_constraint_and_beat_greedy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    c = random_candidates(rng, 80)
    for _ in range(10):  # random constraints are sometimes infeasible: draw again (seeded)
        k = _random_constraints(rng, c)
        try:
            result = plan_campaign(c, k)
            break
        except PlanInfeasible as error:
            assert error.constraint, error  # infeasibility always names a constraint
    else:
        pytest.fail("10 random constraint sets in a row were infeasible")
    for plan in (result.plan, result.greedy):
        if plan.status == "empty":  # the greedy pass may fail a minimum the solver meets
            assert plan is result.greedy and "could not meet" in str(plan.reason)
            continue
        assert violations(c, k, plan.rows) == []
        assert plan.totals.cost == pytest.approx(c.cost[plan.rows].sum())
        assert plan.totals.expected_advocates == pytest.approx(c.advocacy[plan.rows].sum())
    assert result.plan.status in ("optimal", "feasible")
    assert result.plan.gap is not None
    if result.plan.status == "optimal":
        assert result.plan.gap <= GAP + 1e-9
    assert result.plan.objective >= result.greedy.objective * (1 - GAP) - 1e-9
    assert result.greedy_ratio is None or result.greedy_ratio <= 1 + GAP
    macro = result.macro_only
    assert set(c.tier[macro.rows]) <= {"macro", "mega"}
    assert macro.totals.cost <= k.budget * (1 + 1e-9)


def test_random_requests_are_mostly_feasible() -> None:
    """Guards the test above against skipping everything."""
    feasible = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        c = random_candidates(rng, 80)
        try:
            plan_campaign(c, _random_constraints(rng, c))
            feasible += 1
        except PlanInfeasible:
            pass
    assert feasible >= 8


def _brute_force(c: PlanCandidates, k: PlanConstraints, value: np.ndarray, weight: float) -> float:
    n = len(c)
    chosen = np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)
    best = -np.inf
    reach = _reach(c.segments, c.segments.sum(axis=0), chosen)
    objective = chosen @ value + weight * reach
    for index in np.argsort(-objective):
        if not violations(c, k, np.flatnonzero(chosen[index])):
            best = float(objective[index])
            break
    return best


@pytest.mark.parametrize("seed", range(6))
def test_small_problems_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    c = random_candidates(rng, 12)
    k = PlanConstraints(
        budget=float(np.quantile(c.cost, 0.6) * 3),
        max_creators=int(rng.integers(2, 6)),
        tiers={"nano": GroupBounds(min=int(rng.integers(0, 2)))},
        max_overlap=float(rng.choice([0.001, 0.01, 0.1])),
    )
    advocated = c.advocacy * c.expected_engagements
    weight = 0.05 * advocated.sum() / c.segments.sum()  # the documented secondary weight
    best = _brute_force(c, k, advocated, weight)
    if best == -np.inf:
        with pytest.raises(PlanInfeasible):
            plan_campaign(c, k)
        return
    plan = plan_campaign(c, k).plan
    assert violations(c, k, plan.rows) == []
    assert plan.objective >= best * (1 - GAP) - 1e-6
    assert plan.objective <= best * (1 + 1e-6)


def test_the_same_request_gives_the_same_plan_whatever_the_candidate_order() -> None:
    rng = np.random.default_rng(7)
    c = random_candidates(rng, 150)
    k = PlanConstraints(budget=8_000, max_creators=20, max_overlap=0.05)
    first = plan_campaign(c, k)
    order = rng.permutation(len(c))
    shuffled = PlanCandidates(
        **{
            name: getattr(c, name)[order]
            for name in ("creator_id", "cost", "advocacy", "expected_engagements", "tier")
        },
        platform=c.platform[order],
        segments=c.segments[order],
    )
    again = plan_campaign(shuffled, k)
    assert again.plan.creator_ids == first.plan.creator_ids
    assert again.greedy.creator_ids == first.greedy.creator_ids
    assert plan_campaign(c, k).plan.creator_ids == first.plan.creator_ids


def test_a_budget_below_the_cheapest_creator_gives_an_empty_plan_with_the_reason() -> None:
    c = random_candidates(np.random.default_rng(1), 30)
    budget = float(c.cost.min()) * 0.5
    result = plan_campaign(c, PlanConstraints(budget=budget))
    assert result.plan.status == "empty" and len(result.plan.rows) == 0
    assert f"the budget {budget:g} is below the cheapest candidate's cost" in str(
        result.plan.reason
    )
    assert result.greedy.status == "empty" and result.macro_only.status == "empty"
    assert result.plan.totals.cost == 0 and result.plan.totals.unique_reach == 0


def test_no_candidates_gives_an_empty_plan() -> None:
    c = random_candidates(np.random.default_rng(1), 5)
    result = plan_campaign(c, PlanConstraints(budget=1e6, exclude_creator_ids=tuple(c.creator_id)))
    assert result.plan.status == "empty" and "no candidates" in str(result.plan.reason)


def test_the_macro_only_plan_says_when_nothing_fits() -> None:
    c = random_candidates(np.random.default_rng(2), 60)
    small = ~np.isin(c.tier, ["macro", "mega"])
    only_small = replace(
        c,
        **{
            name: getattr(c, name)[small]
            for name in ("creator_id", "cost", "advocacy", "expected_engagements", "tier")
        },
        platform=c.platform[small],
        segments=c.segments[small],
    )
    result = plan_campaign(only_small, PlanConstraints(budget=5_000))
    assert result.macro_only.status == "empty"
    assert result.macro_only.reason == "no macro or mega creators among the candidates"
    assert result.macro_ratio is None
    big = np.isin(c.tier, ["macro", "mega"])
    cheap_budget = float(c.cost[big].min()) - 1
    result = plan_campaign(c, PlanConstraints(budget=cheap_budget))
    assert "below the cheapest macro or mega creator's cost" in str(result.macro_only.reason)


def _raises(c: PlanCandidates, k: PlanConstraints) -> PlanInfeasible:
    with pytest.raises(PlanInfeasible) as caught:
        plan_campaign(c, k)
    return caught.value


def test_infeasible_constraints_are_named() -> None:
    c = random_candidates(np.random.default_rng(3), 60)
    n_nano = int((c.tier == "nano").sum())
    cheap = float(np.sort(c.cost)[:3].sum())
    cases = {
        "tiers.nano.min": PlanConstraints(budget=1e7, tiers={"nano": GroupBounds(min=n_nano + 1)}),
        "min_creators": PlanConstraints(budget=cheap * 0.99, min_creators=3),
        "include_creator_ids": PlanConstraints(budget=1e4, include_creator_ids=("ig:nobody",)),
        "platforms.youtube.min_share": PlanConstraints(
            budget=1e9, platforms={"youtube": GroupBounds(min_share=0.5)}
        ),
        "tiers.micro.max": PlanConstraints(
            budget=1e7,
            tiers={"micro": GroupBounds(max=0)},
            include_creator_ids=(str(c.creator_id[c.tier == "micro"][0]),),
        ),
    }
    for name, k in cases.items():
        assert _raises(c, k).constraint == name, name


def test_conflicts_found_by_the_solver_name_a_minimal_set() -> None:
    c = random_candidates(np.random.default_rng(4), 60)
    error = _raises(
        c, PlanConstraints(budget=1e7, max_creators=2, tiers={"nano": GroupBounds(min=3)})
    )
    assert set(error.constraints) == {"max_creators", "tiers.nano.min"}
    assert error.constraint == "max_creators" and "tiers.nano.min" in str(error)
    error = _raises(c, PlanConstraints(budget=1e7, min_creators=3, max_overlap=0.0))
    assert error.constraint == "max_overlap"
    assert set(error.constraints) == {"min_creators", "max_overlap"}
    # every pair of mega creators overlaps by more than 0.05%: found by the solver
    error = _raises(
        c,
        PlanConstraints(
            budget=1e7, max_creators=2, tiers={"mega": GroupBounds(min=2)}, max_overlap=0.0005
        ),
    )
    assert set(error.constraints) == {"max_creators", "tiers.mega.min", "max_overlap"}


def test_invalid_values_are_refused_naming_the_field() -> None:
    bad: dict[str, dict[str, Any]] = {
        "budget": {"budget": -1},
        "coordination_cost": {"budget": 1, "coordination_cost": -5},
        "tiers.nanno": {"budget": 1, "tiers": {"nanno": {"min": 1}}},
        "platforms.tiktok.max_share": {"budget": 1, "platforms": {"tiktok": {"max_share": 2}}},
        "objective": {"budget": 1, "objective": "likes"},
        "max_overlap": {"budget": 1, "max_overlap": 1.5},
    }
    for field, request in bad.items():
        with pytest.raises(InvalidPlanRequest) as caught:
            PlanConstraints.from_dict(request)
        assert caught.value.constraint == field
    with pytest.raises(PlanInfeasible) as infeasible:
        PlanConstraints.from_dict({"budget": 1, "tiers": {"nano": {"min": 3, "max": 2}}})
    assert infeasible.value.constraint == "tiers.nano.min"


def test_from_dict_reads_the_request_shape() -> None:
    k = PlanConstraints.from_dict(
        {
            "budget": 10_000,
            "currency": "EUR",
            "min_creators": None,
            "tiers": {"nano": {"min": 2, "max": None}},
            "platforms": {"instagram": {"min": 0, "max": 5}},
            "include_creator_ids": ["ig:a"],
            "max_overlap": None,
            "objective": "advocates",
        }
    )
    assert k.tiers["nano"] == GroupBounds(min=2)
    assert k.platforms["instagram"].max == 5
    assert k.include_creator_ids == ("ig:a",) and k.objective == "advocates"


def test_the_advocate_interval_is_the_poisson_binomial_one() -> None:
    pmf = poisson_binomial_pmf(np.full(10, 0.5))
    assert pmf.sum() == pytest.approx(1.0)
    assert pmf[5] == pytest.approx(252 / 1024)
    assert advocate_interval(np.full(10, 0.5)) == (2, 8)  # Binomial(10, ½): 5.5% and 94.5%
    assert advocate_interval(np.array([])) == (0, 0)
    p = np.random.default_rng(0).uniform(0, 1, 40)
    assert (np.arange(41) * poisson_binomial_pmf(p)).sum() == pytest.approx(p.sum())


def test_a_time_limit_still_answers() -> None:
    c = random_candidates(np.random.default_rng(5), 300)
    k = PlanConstraints(budget=30_000, max_creators=30, max_overlap=0.02)
    result = plan_campaign(c, k, SolverSettings(time_limit_s=0.02))
    assert result.plan.status in ("optimal", "feasible")
    assert violations(c, k, result.plan.rows) == []


def test_no_creators_have_an_empty_segment_matrix_and_an_empty_plan() -> None:
    from matching.planning.segments import segment_matrix

    empty = np.zeros(0)
    segments = segment_matrix(empty, empty, [], [], np.zeros((0, 6)), empty)
    assert segments.matrix.shape == (0, len(segments.labels)) and segments.labels
    candidates = PlanCandidates(
        creator_id=np.array([], dtype=object), cost=empty, advocacy=empty,
        expected_engagements=empty, tier=np.array([], dtype=object),
        platform=np.array([], dtype=object), segments=segments.matrix,
    )  # fmt: skip
    result = plan_campaign(candidates, PlanConstraints(budget=1000))
    assert result.plan.status == "empty" and "no candidates" in (result.plan.reason or "")


def _hard_request() -> tuple[PlanCandidates, PlanConstraints]:
    """500 candidates under the bench's tier, platform and tight overlap constraints."""
    from bench.plan_problems import bench_constraints

    rng = np.random.default_rng(1)
    c = random_candidates(rng, 500)
    return c, replace(bench_constraints(rng), max_overlap=0.02)


def _burn_cpu(stop: threading.Event) -> None:
    block = np.random.default_rng(0).random((200, 200))
    while not stop.is_set():
        block = np.tanh(block @ block)  # numpy releases the GIL: a real second load


def test_the_same_request_gives_byte_identical_plans_even_under_cpu_load() -> None:
    c, k = _hard_request()
    # a generous safety net: only the work limits may stop these solves, even on a busy machine
    settings = SolverSettings(max_nodes=20, max_cut_rounds=2, time_limit_s=600.0)
    first = plan_campaign(c, k, settings).plan
    stop = threading.Event()
    burner = threading.Thread(target=_burn_cpu, args=(stop,), daemon=True)
    burner.start()
    try:
        repeats = [plan_campaign(c, k, settings).plan for _ in range(3)]
    finally:
        stop.set()
        burner.join()
    assert first.creator_ids and "safety net" not in (first.reason or "")
    for plan in repeats:
        assert "\n".join(plan.creator_ids).encode() == "\n".join(first.creator_ids).encode()
        assert (plan.status, plan.gap, plan.reason) == (first.status, first.gap, first.reason)


def test_a_plan_stopped_by_the_node_limit_reports_its_gap_and_why() -> None:
    c, k = _hard_request()
    settings = SolverSettings(max_nodes=1, max_cut_rounds=0, mip_rel_gap=0, time_limit_s=600.0)
    result = plan_campaign(c, k, settings)
    plan = result.plan
    assert plan.status == "feasible" and plan.gap is not None and plan.gap >= 0
    assert plan.reason is not None and "safety net" not in plan.reason
    assert violations(c, k, plan.rows) == []
    assert plan.objective >= result.greedy.objective * (1 - 1e-9)  # warm start: never worse


def test_the_wall_clock_safety_net_is_reported_when_it_fires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matching.planning import planner
    from matching.planning.core import CoreSettings

    # the whole problem, not the core (whose small solve can end before any clock is read)
    monkeypatch.setattr(planner, "CoreSettings", lambda: CoreSettings(apply_above=10**9))
    c, k = _hard_request()
    plan = plan_campaign(c, k, SolverSettings(time_limit_s=1e-6)).plan
    assert plan.status == "feasible" and "safety net" in (plan.reason or "")
    assert violations(c, k, plan.rows) == []


def test_merged_segments_keep_the_reach() -> None:
    from matching.planning.milp import merged_segments
    from matching.planning.reach import log_unreached, reach_tangent, segment_sizes

    c = random_candidates(np.random.default_rng(3), 40)
    segments = np.hstack([c.segments, c.segments[:, :5], np.zeros((40, 3))])  # twins, empties
    sizes = segment_sizes(segments)
    weights = log_unreached(segments, sizes)
    merged, merged_sizes = merged_segments(weights, sizes)
    assert merged.shape[1] <= c.segments.shape[1] and merged_sizes.sum() == pytest.approx(
        sizes.sum()
    )
    chosen = np.random.default_rng(4).random(40) < 0.3
    full_reach, full_gradient = reach_tangent(weights, sizes, chosen)
    reach, gradient = reach_tangent(merged, merged_sizes, chosen)
    assert reach == pytest.approx(full_reach) and gradient == pytest.approx(full_gradient)


def test_the_coordination_cost_enters_the_budget() -> None:
    c = random_candidates(np.random.default_rng(6), 200)
    k = PlanConstraints(budget=10_000, coordination_cost=400.0)
    plan = plan_campaign(c, k).plan
    hired = len(plan.rows)
    assert hired and plan.totals.coordination_cost == pytest.approx(400.0 * hired)
    assert plan.totals.cost == pytest.approx(c.cost[plan.rows].sum() + 400.0 * hired)
    assert plan.totals.cost <= 10_000 * (1 + 1e-9)
    without = plan_campaign(c, replace(k, coordination_cost=0.0)).plan
    assert len(without.rows) > hired  # coordination makes many tiny creators dearer
    with pytest.raises(InvalidPlanRequest) as error:
        PlanConstraints(budget=1000, coordination_cost=-1.0)
    assert error.value.constraint == "coordination_cost"


def test_the_core_answer_keeps_the_constraints_and_an_honest_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over 500 candidates the MILP solves over the core (core.py): the plan still meets every
    constraint, is never worse than the greedy plan, and its gap is against a bound on the
    whole problem (no plan of the whole problem beats bound = objective / (1 − gap))."""
    from matching.planning import planner
    from matching.planning.core import CoreSettings, core_mask
    from matching.planning.formulation import formulate

    c, k = _hard_request()
    result = plan_campaign(c, k)
    plan = result.plan
    assert violations(c, k, plan.rows) == []
    assert plan.objective >= result.greedy.objective - 1e-9
    problem = formulate(c, k)
    keep = core_mask(problem, np.isin(problem.source, result.greedy.rows), CoreSettings())
    assert 0 < keep.sum() < len(problem)
    assert plan.gap is not None
    bound = plan.objective / (1 - plan.gap) if plan.gap < 1 else np.inf
    monkeypatch.setattr(planner, "CoreSettings", lambda: CoreSettings(apply_above=10**9))
    whole = plan_campaign(c, k, SolverSettings(max_nodes=200)).plan  # all 500, more work
    assert whole.objective <= bound * (1 + 1e-9)  # the bound holds for the whole problem
    if plan.status == "feasible":
        assert "most promising" in (plan.reason or "")
