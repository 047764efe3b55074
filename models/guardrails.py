"""Guardrails: what a request does with each red flag (features/flags.py).

Every flag has a policy: `demote` (the default), `exclude` or `ignore`, and a threshold that a
request may override. Applied in one pipeline stage after the ranker, so match, plan,
lookalikes and batch scoring all see the same judgement:

- `exclude` removes the creator from the answer (`explain_creator_ids` names the flag);
- `demote` multiplies the creator's score by `DEMOTE_FACTOR` for each flag raised. 0.3 is
  strong enough that a flagged creator does not outrank an unflagged creator of the same
  niche and similar content even with one more unpaid brand mention (that mention is worth
  about ×1.4 in odds under the prior), and mild enough that a flagged creator far ahead
  on every other signal can still appear below the clean ones;
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
DEMOTE_FACTOR = 0.3


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
    factor: np.ndarray  # (rows,) what the score is multiplied by

    @property
    def kept(self) -> np.ndarray:
        return self.excluded_by < 0

    def take(self, index: np.ndarray) -> Judgement:
        return Judgement(
            self.values[index], self.raised[index], self.excluded_by[index], self.factor[index]
        )


def judge(values: np.ndarray, guardrails: Guardrails) -> Judgement:
    """Which flags each row raises, which rows are excluded and by how much each is demoted."""
    up = raised(values, guardrails.thresholds)
    actions = np.asarray(guardrails.actions)
    excluding = up & (actions == "exclude")
    excluded_by = np.where(excluding.any(axis=1), excluding.argmax(axis=1), -1)
    demotions = (up & (actions == "demote")).sum(axis=1)
    return Judgement(values, up, excluded_by, DEMOTE_FACTOR**demotions)


def guarded(
    score: np.ndarray, features: np.ndarray, feature_names: Any, guardrails: Guardrails | None
) -> tuple[np.ndarray, Judgement]:
    """The pipeline stage: each candidate's flags, and its score after the guardrails (excluded
    rows score -inf, so they sort last and are dropped by `Judgement.kept`)."""
    from features.flags import flag_values

    judgement = judge(flag_values(features, feature_names), guardrails or Guardrails.default())
    return np.where(judgement.kept, score * judgement.factor, -np.inf), judgement
