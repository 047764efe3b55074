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


def explain(ranker: Ranker, features: np.ndarray, top: int = 5) -> list[list[Reason]]:
    """The `top` features that moved each row's advocacy log-odds most, either way.

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
    reasons = []
    for row, columns in enumerate(order):
        reasons.append(
            [
                Reason(
                    feature=names[c],
                    description=READABLE.get(names[c], names[c]),
                    value=None if np.isnan(features[row, c]) else round(float(features[row, c]), 4),
                    contribution=round(float(contributions[row, c]), 4),
                )
                for c in columns
            ]
        )
    return reasons
