"""Reasons for a match from LightGBM's own feature contributions (`pred_contrib`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from features.schema import READABLE
from models.ranker import Ranker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reason:
    feature: str
    description: str
    value: float | None
    contribution: float
    unknown: bool = False  # the signal cannot be known: shown as unknown, never as blame


def explain(ranker: Ranker, features: np.ndarray, top: int = 5) -> list[list[Reason]]:
    """The `top` features that moved each row's advocacy log-odds most, either way.

    A feature whose value is unknown (NaN: no brand name to look for, no audience declared)
    that the model still weighed is reported as unknown with a contribution of 0: a missing
    signal is not a reason against a creator.

    Fails open: an explanation error is logged and the match is served without reasons.
    """
    if len(features) == 0:
        return []
    # the model's own columns: a model trained on an older feature list has fewer
    features = ranker.model_matrix(features)
    try:
        contributions = ranker.contributions(features)[:, :-1]  # drop the bias column
    except Exception:
        log.exception("explanations failed; serving matches without reasons")
        return [[] for _ in range(len(features))]
    names = ranker.feature_names_in_
    order = np.argsort(-np.abs(contributions), axis=1)[:, :top]
    unknown = np.isnan(features)
    reasons = []
    for row, columns in enumerate(order):
        reasons.append(
            [
                Reason(
                    feature=names[c],
                    description=READABLE.get(names[c], names[c]),
                    value=None if unknown[row, c] else round(float(features[row, c]), 4),
                    contribution=0.0 if unknown[row, c] else round(float(contributions[row, c]), 4),
                    unknown=bool(unknown[row, c]),
                )
                for c in columns
            ]
        )
    return reasons
