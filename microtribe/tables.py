"""Readable tables of the `/v1/plan` and lookalike answers, for `microtribe plan` and `similar`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SIDES = (("plan", "plan"), ("greedy", "greedy"), ("macro_only", "macro/mega only"))


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def plan_table(answer: Mapping[str, Any]) -> str:
    """The chosen creators, then the plan beside the greedy and the macro-only plans."""
    currency, plan = answer["currency"], answer["plan"]
    lines = [
        f"plan for {answer['brand_id']}: budget {_money(answer['budget'], currency)}, "
        f"{answer['candidates']} candidates, status {plan['status']}"
        + (f" (gap {plan['gap']:.2%})" if plan["gap"] is not None else ""),
    ]
    if plan["reason"]:
        lines.append(f"  {plan['reason']}")
    if plan["creators"]:
        lines.append(
            f"{'#':>3}  {'creator':<28}{'tier':<10}{'platform':<11}{'followers':>10}"
            f"{'cost':>12}{'P(adv)':>8}{'exp. eng.':>11}"
        )
    for rank, creator in enumerate(plan["creators"], start=1):
        lines.append(
            f"{rank:>3}  {creator['creator_id'][:27]:<28}{creator['tier']:<10}"
            f"{creator['platform']:<11}{creator['followers']:>10,}"
            f"{creator['estimated_cost']:>12,.0f}{creator['advocacy_fit']:>8.2f}"
            f"{creator['expected_engagements']:>11,.0f}"
        )
    lines += ["", "side by side (same budget, same brief):"]
    lines.append(
        f"{'':<17}{'creators':>9}{'cost':>12}{'advocates (5–95%)':>22}"
        f"{'engagements':>13}{'advocated eng.':>16}{'unique reach':>14}"
    )
    sides = {"plan": plan, **answer["side_by_side"]}
    for key, label in SIDES:
        side, totals = sides[key], sides[key]["totals"]
        advocates = (
            f"{totals['expected_advocates']:.1f} ({totals['expected_advocates_low']}–"
            f"{totals['expected_advocates_high']})"
        )
        lines.append(
            f"{label:<17}{len(side['creators']):>9}{totals['cost']:>12,.0f}{advocates:>22}"
            f"{totals['expected_engagements']:>13,.0f}{totals['advocated_engagements']:>16,.0f}"
            f"{totals['unique_reach']:>14,.0f}"
            + (f"  ({side['reason']})" if side["status"] == "empty" and side["reason"] else "")
        )
    ratios = answer["ratios"]
    for key, label in (("greedy", "greedy"), ("macro_only", "macro/mega only")):
        if ratios[key] is not None:
            lines.append(f"{label} ÷ plan on the objective: {ratios[key]:.3f}")
    if plan.get("months"):
        lines += ["", *programme_table(plan, currency)]
    return "\n".join(lines)


def programme_table(plan: Mapping[str, Any], currency: str) -> list[str]:
    """An always-on programme month by month, then its horizon totals."""
    totals = plan["totals"]
    lines = [
        f"programme: {totals['horizon_months']} months, {totals['posts_per_month']} posts a "
        f"month per creator (budget held {_money(totals['cost'], currency)}, expected spend "
        f"{_money(totals['expected_cost'], currency)})",
        f"{'month':>5}{'cost':>12}{'exp. cost':>12}{'posts':>9}{'engagements':>13}"
        f"{'advocates':>11}{'new reach':>12}{'cum. reach':>12}",
    ]
    for month in plan["months"]:
        lines.append(
            f"{month['month']:>5}{month['cost']:>12,.0f}{month['expected_cost']:>12,.0f}"
            f"{month['expected_posts']:>9.1f}{month['expected_engagements']:>13,.0f}"
            f"{month['expected_advocates']:>11.1f}{month['new_unique_reach']:>12,.0f}"
            f"{month['cumulative_unique_reach']:>12,.0f}"
        )
    lines.append(
        f"{'total':>5}{totals['cost']:>12,.0f}{totals['expected_cost']:>12,.0f}"
        f"{totals['expected_posts']:>9.1f}{totals['expected_engagements']:>13,.0f}"
        f"{'':>11}{totals['unique_reach']:>12,.0f}"
    )
    lines.append("(macro/mega only above: the same budget on one-off posts, one each, no renewal)")
    return lines


def similar_table(answer: Mapping[str, Any]) -> str:
    lines = [f"creators like {answer['creator_id']}:"]
    for match in answer["matches"]:
        why = "; ".join(reason["description"] for reason in match["reasons"])
        lines.append(
            f"{match['rank']:>3}  {match['creator_id'][:27]:<28}{match['tier']:<10}"
            f"{match['platform']:<11}{match['followers']:>10,}  {match['similarity']:.3f}  {why}"
        )
    return "\n".join(lines)
