"""Red flags: what an agency would hold against a creator, from observable signals only.

Each flag has one value per candidate, a documented default threshold and a direction (the
flag is raised above or below it). The values come from the feature matrix the ranker sees,
so a flag and the model can never disagree about the signal. Why each default (the seed,
shared/SEED-micro-influencers-it.txt, and docs/ranking.md, "Red flags"):

- `saturated`: share of recent posts that are paid, declared or disclosed in the caption.
  Advocates, not sellers: 0–20 % is normal; from 40 % the feed reads as a billboard.
- `suspicious_audience`: the weakest estimate of how real the audience is, from the declared
  authentic share, engagement against the size's norm (bought followers do not engage),
  the following count (follow-for-follow) and comments per like (bought likes do not
  comment). Below 0.6 an agency would ask for proof.
- `inactive`: days since the last post, as of the catalog. A continuing relation with the
  community (the seed) needs a creator who posts; 60 days is two missed months.
- `critical_stance`: recent unpaid posts that speak against the brief's world or say the
  creator gave it up. From two: on the golden set's development part every creator with one
  such post was an advocate writing about what it left for the brief's world ("ho smesso di
  riempire il bidone" of a cloth-nappy mother).
- `off_market`: how far the creator reaches the brief's languages and markets: its own
  language or country, else its audience's share in the markets. Below 0.5: neither its
  language nor its place is the brief's, and most of its audience is elsewhere.

A value that cannot be known (no market in the brief, no posts) is NaN and never raises a
flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

FlagName = Literal["saturated", "suspicious_audience", "inactive", "critical_stance", "off_market"]


@dataclass(frozen=True, slots=True)
class FlagRule:
    name: str
    threshold: float
    above: bool  # raised when the value is at least the threshold (else: below it)
    description: str


FLAG_RULES: tuple[FlagRule, ...] = (
    FlagRule("saturated", 0.4, True, "share of recent posts that are paid"),
    FlagRule("suspicious_audience", 0.6, False, "estimated share of real audience"),
    FlagRule("inactive", 60.0, True, "days since the last post"),
    FlagRule("critical_stance", 2.0, True, "posts against the brief's world"),
    FlagRule("off_market", 0.5, False, "reach in the brief's languages and markets"),
)
FLAG_NAMES: tuple[str, ...] = tuple(rule.name for rule in FLAG_RULES)
RULES = {rule.name: rule for rule in FLAG_RULES}


def _column(features: np.ndarray, names: Sequence[str], name: str) -> np.ndarray:
    if name not in names:
        return np.full(len(features), np.nan)
    return features[:, list(names).index(name)].astype(np.float64)


def audience_quality(features: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The weakest of four estimates of the audience's real share (see the module doc)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        by_engagement = np.clip(
            0.9 * np.sqrt(_column(features, names, "engagement_vs_tier")), 0.0, 1.0
        )
        by_following = np.clip(1.1 - 0.25 * _column(features, names, "following_ratio"), 0.0, 1.0)
        by_comments = np.clip(0.5 + 100.0 * _column(features, names, "comments_per_like"), 0, 1)
    estimates = np.column_stack(
        [_column(features, names, "authenticity"), by_engagement, by_following, by_comments]
    )
    known = ~np.isnan(estimates)
    lowest = np.where(known, estimates, np.inf).min(axis=1)
    return np.where(known.any(axis=1), lowest, np.nan)


def market_reach(features: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """How far the creator reaches the brief's people: 1 when it speaks a brief language or
    lives in a brief market, else its audience's share in the markets; NaN when the brief
    names neither. Either side is enough: an Italian speaker in Ticino reaches an Italian
    brief, and so does a Milanese posting in English."""
    return np.fmax(  # fmax: NaN only where every side is unknown
        _column(features, names, "language_match"),
        np.fmax(
            _column(features, names, "market_match"),
            _column(features, names, "audience_market_share"),
        ),
    )


def flag_values(features: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """(rows, FLAG_NAMES) values of each flag for candidate rows of the feature matrix."""
    critical = _column(features, names, "critical_stance")  # log1p of a count
    columns = {
        "saturated": _column(features, names, "sponsored_share"),
        "suspicious_audience": audience_quality(features, names),
        "inactive": _column(features, names, "days_since_last_post"),
        "critical_stance": np.rint(np.expm1(critical)),  # a count of posts
        "off_market": market_reach(features, names),
    }
    return np.column_stack([columns[name] for name in FLAG_NAMES])


def raised(values: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(rows, flags) True where a flag's value passes its threshold; NaN never does."""
    above = np.array([rule.above for rule in FLAG_RULES])
    with np.errstate(invalid="ignore"):
        high = values >= thresholds
        low = values < thresholds
    return np.where(above, high, low) & ~np.isnan(values)
