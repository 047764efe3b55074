"""The advocacy prior: a small, documented, monotone model of what makes an advocate.

The seed article (shared/SEED-micro-influencers-it.txt) and DESIGN.md say who champions a
brand: a creator who already lives the brand's world (content fit), talks about the brand
unpaid, has a real audience, is not a billboard of ads, answers the community, is a nano or
micro creator, and does not speak against the brief's world. The prior writes that down as
log-odds terms, one per signal, each linear on a clipped range:

    margin = intercept + Σ weight × (clip(x, low, high) − reference)

A term whose signal is unknown (NaN: no brand name in the brief, no audience declared) adds
0, so an unknown signal never counts against a creator. The weights are set from the domain,
not fitted: docs/ranking.md gives each one's why. LightGBM learns only the residual from
outcomes (the prior's margin is its `init_score`), so with few outcomes the prior decides,
and an agency's own outcomes move the model away from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class PriorTerm:
    feature: str
    weight: float  # log-odds per unit of the clipped signal; its sign is the direction
    low: float
    high: float
    reference: float  # the value that adds 0 (a typical creator)
    why: str = ""


# Log-odds, on the serving features. Niche fit first (the seed's "someone who already lives
# the brand's world"): only fit can add; every quality term is a penalty from a clean
# creator's value, so a clean feed, a real audience or replies never lift a creator out of
# another world above one in the brief's own. USE cosines between a brief and a creator's
# pooled content span about 0.0 (another world) to 0.6 (the brief's own niche): 0.1 of
# similarity is worth 1.2 log-odds.
DEFAULT_TERMS: tuple[PriorTerm, ...] = (
    PriorTerm("similarity", 20.0, 0.0, 0.7, 0.3, "lives the brand's world: content fit first"),
    PriorTerm("category_match", 0.6, 0.0, 1.0, 0.5, "works in the brand's category"),
    PriorTerm("brand_mentions", 2.0, 0.0, 2.5, 0.0, "already names the brand unpaid (log1p)"),
    PriorTerm("organic_mention_share", 0.5, 0.0, 1.0, 0.0, "talks about brands unpaid"),
    PriorTerm("authenticity", 5.0, 0.3, 0.85, 0.85, "a real audience, not bought followers"),
    PriorTerm("sponsored_share", -4.5, 0.15, 1.0, 0.15, "advocates, not sellers: ad saturation"),
    PriorTerm("reply_rate", 2.0, 0.0, 0.3, 0.3, "answers the community"),
    PriorTerm("log_followers", 0.8, 2.0, 3.0, 3.0, "emerging (< 1k) cannot carry a campaign"),
    PriorTerm("log_followers", -0.8, 5.0, 7.0, 5.0, "above 100k: less intimate, dearer"),
    # from the second critical post on: one lapse ("ho smesso di riempire il bidone") is
    # as often an advocate's as a critic's (docs/ranking.md)
    PriorTerm("critical_stance", -2.5, 0.69, 2.0, 0.69, "speaks against the brief's world"),
    PriorTerm("language_match", 1.0, 0.0, 1.0, 1.0, "speaks the brief's language"),
    PriorTerm("market_match", 0.3, 0.0, 1.0, 1.0, "lives in a target market"),
    PriorTerm("audience_market_share", 0.8, 0.0, 0.7, 0.7, "its audience is in the markets"),
    PriorTerm("days_since_last_post", -0.02, 30.0, 120.0, 30.0, "a continuing relation"),
)
DEFAULT_INTERCEPT = -1.4  # a clean creator at the median fit (0.3): about 0.2


@dataclass(frozen=True, slots=True)
class Prior:
    """The terms, and what outcomes taught about them: one non-negative scale per term (1
    before any outcome; a scale never flips a term's direction) and the intercept."""

    terms: tuple[PriorTerm, ...] = DEFAULT_TERMS
    intercept: float = DEFAULT_INTERCEPT
    scales: tuple[float, ...] | None = None  # None: all 1

    def term_matrix(self, features: np.ndarray, feature_names: Sequence[str]) -> np.ndarray:
        """(rows, terms) log-odds of each term; 0 where a signal is unknown or not a column."""
        names = list(feature_names)
        present = [j for j, term in enumerate(self.terms) if term.feature in names]
        out = np.zeros((len(features), len(self.terms)), dtype=np.float64)
        if present:  # all terms at once: one clip over the (rows, terms) columns
            terms = [self.terms[j] for j in present]
            x = features[:, [names.index(term.feature) for term in terms]].astype(np.float64)
            weight, low, high, reference = (
                np.array([getattr(term, field) for term in terms])
                for field in ("weight", "low", "high", "reference")
            )
            value = weight * (np.clip(x, low, high) - reference)
            out[:, present] = np.where(np.isnan(x), 0.0, value)
        if self.scales is not None:
            out *= np.asarray(self.scales)
        return out

    def margin(self, features: np.ndarray, feature_names: Sequence[str]) -> np.ndarray:
        """The prior's log-odds of advocacy for each row."""
        return self.intercept + self.term_matrix(features, feature_names).sum(axis=1)

    def contributions(self, features: np.ndarray, feature_names: Sequence[str]) -> np.ndarray:
        """(rows, features + 1): each feature's prior log-odds, then the intercept (the
        shape of LightGBM's `pred_contrib`, so the two add up)."""
        names = list(feature_names)
        terms = self.term_matrix(features, names)
        out = np.zeros((len(features), len(names) + 1), dtype=np.float64)
        for j, term in enumerate(self.terms):
            if term.feature in names:
                out[:, names.index(term.feature)] += terms[:, j]
        out[:, -1] = self.intercept
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "intercept": self.intercept,
            "terms": [asdict(term) for term in self.terms],
            "scales": None if self.scales is None else list(self.scales),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Prior:
        terms = tuple(PriorTerm(**term) for term in data["terms"])
        scales = data.get("scales")
        return cls(terms, float(data["intercept"]), None if scales is None else tuple(scales))


def sigmoid(margin: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(margin, -30.0, 30.0)))
