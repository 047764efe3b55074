"""Always-on programmes: the same creators posting every month, renewed by their advocacy.

A plan request with `horizon_months` H and `posts_per_month` k asks for a programme: every
hired creator is contracted for k posts a month for H months (docs/planning.md,
"Always-on programmes"). Per candidate i, with c_i its fee per post, κ the coordination cost,
p_i its calibrated advocacy_fit and e_i its expected engagements per post:

- committed cost over the horizon: H · (k · c_i + κ). The rate card's post price, no retainer
  discount (the seed names none), and coordination every month: the agency briefs, reviews
  and reports on each month's content. The request's `budget` is for the whole horizon and
  holds this committed cost, so the plan fits the budget even if every creator renews.
- monthly renewal r_i = ρ₀ + (1 − ρ₀) · p_i: an advocate renews ("renewed the
  collaboration" is half the `advocate` label, DESIGN.md), anyone else renews a paid month
  with `NON_ADVOCATE_RENEWAL` ρ₀ = 0.5 (an assumption: the worlds hold no multi-month
  outcomes). Creator i is still posting in month m with probability s_i(m) = r_i^(m−1), so
  long-term storytelling is carried by the genuine advocates, as the seed argues.
- month m expects k · s_i(m) posts, k · s_i(m) · e_i engagements and p_i · s_i(m) advocates
  (the creators still in the programme who are advocates); its expected spend is
  (k · c_i + κ) · s_i(m), never more than the committed (k · c_i + κ).
- reach is deduplicated across months: every hired creator posts in month 1, so the
  programme's unique reach is the reach of the union of its creators (reach.py), all of it
  new in month 1; later months add frequency (audience contacts), never new people.

The optimiser sees each creator with its horizon cost and horizon value (`horizon_candidates`)
and the same constraints, so tiers, platforms, overlap, inclusions and scope all still apply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matching.planning.problem import InvalidPlanRequest, PlanCandidates, PlanConstraints
from matching.planning.reach import unique_reach

NON_ADVOCATE_RENEWAL = 0.5  # ρ₀: a creator who is not an advocate renews a paid month
MAX_HORIZON_MONTHS = 24
MAX_POSTS_PER_MONTH = 8


def retention(advocacy: np.ndarray) -> np.ndarray:
    """r_i = ρ₀ + (1 − ρ₀) p_i: the probability that creator i renews for one more month."""
    return NON_ADVOCATE_RENEWAL + (1.0 - NON_ADVOCATE_RENEWAL) * np.asarray(advocacy, float)


@dataclass(frozen=True, slots=True)
class Programme:
    horizon_months: int
    posts_per_month: int = 1

    def __post_init__(self) -> None:
        bounds = {"horizon_months": MAX_HORIZON_MONTHS, "posts_per_month": MAX_POSTS_PER_MONTH}
        for name, top in bounds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
                raise InvalidPlanRequest(name, f"must be an integer in 1–{top}, got {value!r}")

    def survival(self, advocacy: np.ndarray) -> np.ndarray:
        """(n, H): s_i(m) = r_i^(m−1), the probability that creator i still posts in month m."""
        months = np.arange(self.horizon_months, dtype=np.float64)
        return retention(advocacy)[:, None] ** months[None, :]

    def expected_months(self, advocacy: np.ndarray) -> np.ndarray:
        """(n,) Σ_m s_i(m): the months creator i is expected to post in."""
        return self.survival(advocacy).sum(axis=1)

    def monthly_commitment(self, cost: np.ndarray, coordination: float) -> np.ndarray:
        """(n,) k · c_i + κ: what keeping creator i one month holds of the budget."""
        return self.posts_per_month * np.asarray(cost, float) + coordination

    def horizon_candidates(self, candidates: PlanCandidates) -> PlanCandidates:
        """The candidates as the optimiser sees a programme: fee H · k · c_i, engagements
        k · Σ_m s_i(m) · e_i; advocacy and audiences unchanged (reach counts people once)."""
        posts = self.posts_per_month * self.expected_months(candidates.advocacy)
        return replace(
            candidates,
            cost=self.horizon_months * self.posts_per_month * candidates.cost,
            expected_engagements=posts * candidates.expected_engagements,
        )

    def horizon_constraints(self, constraints: PlanConstraints) -> PlanConstraints:
        """The same constraints, the coordination cost held for every month of the horizon."""
        return replace(
            constraints, coordination_cost=self.horizon_months * constraints.coordination_cost
        )


@dataclass(frozen=True, slots=True)
class ProgrammeMonths:
    """Per month of the horizon (arrays of length H), for one plan's creators."""

    cost: np.ndarray  # committed: fees and coordination the budget holds for the month
    expected_cost: np.ndarray  # what the creators still in the programme are paid
    expected_posts: np.ndarray
    expected_engagements: np.ndarray
    advocated_engagements: np.ndarray
    expected_advocates: np.ndarray  # advocates among the creators still posting
    contacts: np.ndarray  # expected audience contacts (people reached, repeats counted)
    new_unique_reach: np.ndarray
    cumulative_unique_reach: np.ndarray


def programme_months(
    programme: Programme,
    candidates: PlanCandidates,
    rows: np.ndarray,
    coordination: float,
    sizes: np.ndarray,
) -> ProgrammeMonths:
    """The month-by-month totals of the creators `rows` of the one-post `candidates`."""
    rows = np.asarray(rows, dtype=np.int64)
    advocacy = candidates.advocacy[rows]
    survival = programme.survival(advocacy)  # (n, H)
    posts = programme.posts_per_month * survival
    commitment = programme.monthly_commitment(candidates.cost[rows], coordination)
    engagements = candidates.expected_engagements[rows]
    audience = np.asarray(candidates.segments, float)[rows].sum(axis=1)
    # every creator posts in month 1: the union is reached then, later months repeat it
    reach = unique_reach(np.asarray(candidates.segments, float), sizes, rows) if len(rows) else 0.0
    cumulative = np.full(programme.horizon_months, reach)
    return ProgrammeMonths(
        cost=np.full(programme.horizon_months, float(commitment.sum())),
        expected_cost=commitment @ survival,
        expected_posts=posts.sum(axis=0),
        expected_engagements=engagements @ posts,
        advocated_engagements=(advocacy * engagements) @ posts,
        expected_advocates=advocacy @ survival,
        contacts=audience @ posts,
        new_unique_reach=np.diff(cumulative, prepend=0.0),
        cumulative_unique_reach=cumulative,
    )


def one_off_months(
    programme: Programme,
    candidates: PlanCandidates,
    rows: np.ndarray,
    coordination: float,
    sizes: np.ndarray,
) -> ProgrammeMonths:
    """One post per creator, all in month 1, no renewal: the one-off placements (macro-only)."""
    single = programme_months(Programme(1, 1), candidates, rows, coordination, sizes)
    later = np.zeros(programme.horizon_months - 1)  # nothing is posted after month 1
    spread = {
        name: np.concatenate([getattr(single, name), later])
        for name in ProgrammeMonths.__slots__
        if name != "cumulative_unique_reach"
    }
    reach = np.full(programme.horizon_months, single.cumulative_unique_reach[0])
    return ProgrammeMonths(**spread, cumulative_unique_reach=reach)
