"""Guardrails: what a request does with each red flag (features/flags.py).

Every flag has a policy: `demote` (the default), `exclude` or `ignore`, and a threshold that a
request may override. Applied in one pipeline stage after the ranker, so match, plan,
lookalikes and batch scoring all see the same judgement:

- `exclude` removes the creator from the answer (`explain_creator_ids` names the flag);
- `demote` places the creator below every unflagged creator of the same niche (the same
  `category_match`) whose content similarity is within `PEER_SIMILARITY` of its own, its
  peers, whatever else lifts it (one more unpaid brand mention, a bigger audience): its score
  becomes just below the lowest of its peers' when that is lower than its own. It is not
  pushed below creators of another niche: a sponsored-saturated creator in the brief's world
  is a poor partner, not an irrelevant one (the golden set grades it 1, above 0). On the
  golden set's development part a global demotion instead (the odds × 0.3 or × 0.5 per flag)
  cost 0.035 and 0.019 NDCG@10 against no demotion; peers only, +0.004;
- `ignore` leaves the score as it is; the flag is still reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from features.flags import FLAG_NAMES, FLAG_RULES, raised

Action = Literal["demote", "exclude", "ignore"]
ACTIONS: tuple[str, ...] = get_args(Action)
DEFAULT_ACTION: Action = "demote"
PEER_SIMILARITY = 0.05  # cosine: twins and near-twins of content


@dataclass(frozen=True, slots=True)
class Guardrails:
    actions: tuple[str, ...]  # one per FLAG_NAMES
    thresholds: np.ndarray  # one per FLAG_NAMES

    @classmethod
    def default(cls) -> Guardrails:
        return cls.parse(None)

    @classmethod
    def parse(cls, given: Mapping[str, Any] | None) -> Guardrails:
        """From a request's `guardrails`: `{"saturated": "exclude", "inactive": {"action":
        "demote", "threshold": 90}}`; a flag not named keeps its defaults."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(FLAG_NAMES))
        if unknown:
            raise ValueError(f"unknown flags {unknown}; expected some of {list(FLAG_NAMES)}")
        actions, thresholds = [], []
        for rule in FLAG_RULES:
            policy = given.get(rule.name)
            if isinstance(policy, str):
                policy = {"action": policy}
            policy = dict(policy or {})
            action = policy.get("action") or DEFAULT_ACTION
            if action not in ACTIONS:
                raise ValueError(
                    f"guardrails.{rule.name}: unknown action {action!r}; expected one of "
                    f"{list(ACTIONS)}"
                )
            threshold = policy.get("threshold")
            actions.append(action)
            thresholds.append(rule.threshold if threshold is None else float(threshold))
        return cls(tuple(actions), np.asarray(thresholds, dtype=np.float64))


@dataclass(frozen=True, slots=True)
class Judgement:
    values: np.ndarray  # (rows, flags)
    raised: np.ndarray  # (rows, flags) bool
    excluded_by: np.ndarray  # (rows,) index of the first excluding flag, -1 when kept
    demoted: np.ndarray  # (rows,) bool: a flag whose action is `demote` is raised

    @property
    def kept(self) -> np.ndarray:
        return self.excluded_by < 0

    def take(self, index: np.ndarray) -> Judgement:
        return Judgement(
            self.values[index], self.raised[index], self.excluded_by[index], self.demoted[index]
        )


def judge(values: np.ndarray, guardrails: Guardrails) -> Judgement:
    """Which flags each row raises, which rows are excluded and which demoted."""
    up = raised(values, guardrails.thresholds)
    actions = np.asarray(guardrails.actions)
    excluding = up & (actions == "exclude")
    excluded_by = np.where(excluding.any(axis=1), excluding.argmax(axis=1), -1)
    demoted = (up & (actions == "demote")).any(axis=1) & (excluded_by < 0)
    return Judgement(values, up, excluded_by, demoted)


def below_peers(
    score: np.ndarray, demoted: np.ndarray, features: np.ndarray, feature_names: Any
) -> np.ndarray:
    """`score` with each `demoted` row placed below every row that is not demoted, in the same
    category and within `PEER_SIMILARITY` of its content similarity (its peers)."""
    names = list(feature_names)
    if "similarity" not in names or not demoted.any() or demoted.all():
        return score  # lookalikes (no brief) and all-flagged lists keep their order
    similarity = features[:, names.index("similarity")].astype(np.float64)
    category = (
        np.nan_to_num(features[:, names.index("category_match")].astype(np.float64), nan=-1.0)
        if "category_match" in names
        else np.zeros(len(score))
    )
    flagged, clean = np.flatnonzero(demoted), np.flatnonzero(~demoted)
    peers = (np.abs(similarity[flagged, None] - similarity[None, clean]) <= PEER_SIMILARITY) & (
        category[flagged, None] == category[None, clean]
    )
    floor = np.where(peers, score[None, clean], np.inf).min(axis=1)
    out = score.copy()
    out[flagged] = np.minimum(score[flagged], np.nextafter(floor, -np.inf))
    return out


def guarded(
    score: np.ndarray, features: np.ndarray, feature_names: Any, guardrails: Guardrails | None
) -> tuple[np.ndarray, Judgement]:
    """The pipeline stage, over one brief's candidates: each one's flags, and its score after
    the guardrails (excluded rows score -inf, so they sort last and are dropped by
    `Judgement.kept`)."""
    from features.flags import flag_values

    judgement = judge(flag_values(features, feature_names), guardrails or Guardrails.default())
    demoted = below_peers(score, judgement.demoted, features, feature_names)
    return np.where(judgement.kept, demoted, -np.inf), judgement
