"""The ranker: calibrated advocacy probability, expected engagement rate, and the final score.

- `advocacy_fit`: LightGBM binary model on `advocate`, calibrated by Platt scaling fitted on
  predictions for brands the predicting trees never saw (`training.fit`), stored as monotone
  knots and applied with `np.interp`.
- `expected_engagement_rate`: LightGBM regression of log(engagement_rate / tier benchmark), the
  benchmark being the published median for the creator's size and platform.
- `score`, by the objective the caller ranks by (`RANK_BY`, docs/ranking.md):
  - `advocacy` (default): `advocacy_fit × clip(expected / benchmark, 0.5, 2) ** TIE_BREAK`;
    the probability decides, engagement only separates near-ties (a 2× engagement edge is
    worth about 1% of advocacy);
  - `engagement`: `expected_engagement_rate`;
  - `value`: expected advocated engagements per EUR of a post,
    `advocacy_fit × expected_engagement_rate × followers / cost_per_post` (the cost from the
    rate card, else the documented estimate; currencies do not change the order).

The boosters run on a small compiled kernel by default (models/compiled_native.py): the same
margins and the same TreeSHAP contributions as LightGBM's `predict` and `pred_contrib`
(checked against the booster when the ranker is built), a few times faster on a request's
candidates. A booster the kernel does not cover, or a machine without a C compiler, keeps
LightGBM's own `predict` (docs/ranking.md, "The compiled fast path").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from features.schema import FEATURE_NAMES
from features.tiers import expected_engagement_rate
from models.compiled_native import FastTrees, fast_trees
from models.prior import Prior, sigmoid

RankBy = Literal["advocacy", "engagement", "value"]
RANK_BY: tuple[str, ...] = get_args(RankBy)
DEFAULT_RANK_BY: RankBy = "advocacy"
TIE_BREAK = 0.015


@dataclass(frozen=True, slots=True)
class RankerOutput:
    advocacy_fit: np.ndarray
    expected_engagement_rate: np.ndarray
    score: np.ndarray

    def take(self, index: np.ndarray | slice) -> RankerOutput:
        """The rows at `index` (an order, a mask or a slice) of all three outputs."""
        return RankerOutput(
            self.advocacy_fit[index], self.expected_engagement_rate[index], self.score[index]
        )


def _column(features: np.ndarray, feature_names: Sequence[str], name: str) -> np.ndarray:
    return features[:, list(feature_names).index(name)].astype(np.float64)


def engagement_benchmark(features: np.ndarray, feature_names: Sequence[str]) -> np.ndarray:
    """The published engagement rate for each row's size and platform."""
    followers = 10 ** _column(features, feature_names, "log_followers")
    platform = np.nan_to_num(_column(features, feature_names, "platform")).astype(np.int64)
    return expected_engagement_rate(followers, platform)


def objective_score(
    rank_by: str,
    advocacy: np.ndarray,
    expected: np.ndarray,
    benchmark: np.ndarray,
    features: np.ndarray,
    feature_names: Sequence[str],
) -> np.ndarray:
    """The score each row is ranked by under `rank_by` (see the module docstring)."""
    if rank_by == "advocacy":
        return advocacy * np.clip(expected / benchmark, 0.5, 2.0) ** TIE_BREAK
    if rank_by == "engagement":
        return expected
    if rank_by == "value":
        followers = 10 ** _column(features, feature_names, "log_followers")
        cost = 10 ** _column(features, feature_names, "log_cost_per_post")
        return advocacy * expected * followers / np.maximum(cost, 1.0)
    raise ValueError(f"unknown rank_by {rank_by!r}; expected one of {list(RANK_BY)}")


class Ranker:
    """The advocacy prior, two fitted LightGBM boosters and the calibration knots; see the
    module docstring.

    With a `prior`, the advocacy booster holds only the residual the outcomes taught it: the
    raw advocacy is sigmoid(prior margin + booster margin). Without outcomes there are no
    boosters (`None`): the prior alone ranks, and expected engagement is the tier benchmark.

    `fast` (default): the boosters' compiled twins (`fast_`) serve predictions and
    contributions wherever they were built; `fast=False` (or `booster_only()`) uses LightGBM.
    """

    def __init__(
        self,
        advocacy: Any,
        engagement: Any,
        calibration_x: np.ndarray,
        calibration_y: np.ndarray,
        feature_names: Sequence[str],
        prior: Prior | None = None,
        fast: bool = True,
    ) -> None:
        self.advocacy_booster_ = advocacy
        self.engagement_booster_ = engagement
        self.prior_ = prior
        self.calibration_x_ = np.asarray(calibration_x, dtype=np.float64)
        self.calibration_y_ = np.asarray(calibration_y, dtype=np.float64)
        self.feature_names_in_ = list(feature_names)
        # A model trained on an older feature list, given a matrix in today's FEATURE_NAMES
        # order, takes its own columns by name (None: the lists are equal, or not a subset).
        self._own_columns = (
            [FEATURE_NAMES.index(name) for name in self.feature_names_in_]
            if self.feature_names_in_ != list(FEATURE_NAMES)
            and set(self.feature_names_in_) <= set(FEATURE_NAMES)
            else None
        )
        self.fast_ = fast_trees(advocacy, engagement) if fast else FastTrees()

    def booster_only(self) -> Ranker:
        """This ranker on LightGBM's own `predict` (no compiled trees): the reference."""
        return Ranker(
            self.advocacy_booster_,
            self.engagement_booster_,
            self.calibration_x_,
            self.calibration_y_,
            self.feature_names_in_,
            self.prior_,
            fast=False,
        )

    def __getstate__(self) -> dict[str, Any]:
        # the compiled twins hold a loaded library: rebuilt, not pickled
        state = dict(self.__dict__)
        state["fast_"] = FastTrees()
        state["_fast_wanted"] = self.fast_ != FastTrees()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        wanted = state.pop("_fast_wanted", False)
        self.__dict__.update(state)
        if wanted:
            self.fast_ = fast_trees(self.advocacy_booster_, self.engagement_booster_)

    def model_matrix(self, features: np.ndarray) -> np.ndarray:
        """`features` as this model's columns (`feature_names_in_` order), float32."""
        features = np.asarray(features, dtype=np.float32)
        if (
            self._own_columns is not None
            and features.ndim == 2
            and features.shape[1] == len(FEATURE_NAMES)
        ):
            features = features[:, self._own_columns]
        if features.ndim != 2 or features.shape[1] != len(self.feature_names_in_):
            raise ValueError(
                f"expected a (rows, {len(self.feature_names_in_)}) feature matrix in the "
                f"model's feature order, or one in FEATURE_NAMES order; got {features.shape}"
            )
        return features

    def advocacy_margin(self, features: np.ndarray) -> np.ndarray:
        """Log-odds of advocacy before calibration: the prior's plus the booster's."""
        features = self.model_matrix(features)
        margin = np.zeros(len(features), dtype=np.float64)
        if self.prior_ is not None:
            margin += self.prior_.margin(features, self.feature_names_in_)
        if self.fast_.advocacy is not None:
            margin += self.fast_.advocacy.predict_raw(features)
        elif self.advocacy_booster_ is not None:
            margin += self.advocacy_booster_.predict(features, raw_score=True, num_threads=1)
        return margin

    def raw_advocacy(self, features: np.ndarray) -> np.ndarray:
        return sigmoid(self.advocacy_margin(features))

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        return np.interp(raw, self.calibration_x_, self.calibration_y_)

    def predict(self, features: np.ndarray, rank_by: str = DEFAULT_RANK_BY) -> RankerOutput:
        """Advocacy, expected engagement and the score of `rank_by` for each row."""
        features = self.model_matrix(features)
        advocacy = self.calibrate(self.raw_advocacy(features))
        names = self.feature_names_in_
        benchmark = engagement_benchmark(features, names)
        if self.fast_.engagement is not None:
            log_ratio = self.fast_.engagement.predict_raw(features)
        elif self.engagement_booster_ is not None:
            log_ratio = np.asarray(self.engagement_booster_.predict(features, num_threads=1))
        else:
            log_ratio = np.zeros(len(features))
        expected = benchmark * np.exp(log_ratio)
        score = objective_score(rank_by, advocacy, expected, benchmark, features, names)
        return RankerOutput(advocacy, expected, score)

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Per-feature contributions to the advocacy log-odds (last column: the bias): the
        prior's terms plus the booster's TreeSHAP (`pred_contrib`, or the compiled twin's
        equal tables)."""
        features = self.model_matrix(features)
        names = self.feature_names_in_
        total = np.zeros((len(features), len(names) + 1), dtype=np.float64)
        if self.prior_ is not None:
            total += self.prior_.contributions(features, names)
        fast = self.fast_.advocacy
        if fast is not None and fast.has_contributions:
            total += fast.contributions(features)
        elif self.advocacy_booster_ is not None:
            total += np.asarray(
                self.advocacy_booster_.predict(features, pred_contrib=True, num_threads=1)
            )
        return total
