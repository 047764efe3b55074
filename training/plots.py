"""Evaluation plots logged with each MLflow run: importance, calibration, NDCG by tier."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from training.evaluate import ranking_metrics


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def feature_importance(gain: np.ndarray, names: Sequence[str], path: Path) -> None:
    plt = _pyplot()
    order = np.argsort(gain)
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(names) + 1))
    ax.barh(np.asarray(names)[order], gain[order] / max(gain.sum(), 1e-12))
    ax.set_xlabel("share of total split gain (advocacy model)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def calibration_curve(table: list[dict[str, float]], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    ax.plot(
        [row["mean_predicted"] for row in table],
        [row["observed_rate"] for row in table],
        marker="o",
        label="advocacy_fit",
    )
    ax.set_xlabel("mean predicted advocacy_fit")
    ax.set_ylabel("observed advocate rate")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ndcg_by_tier(
    score: np.ndarray, label: np.ndarray, brand_id: np.ndarray, tier: np.ndarray, path: Path
) -> dict[str, float]:
    """NDCG@20 of each tier's candidates ranked among themselves, per held-out brand."""
    plt = _pyplot()
    values = {}
    for name in np.unique(tier):
        inside = tier == name
        if label[inside].sum() > 0:
            values[str(name)] = ranking_metrics(score[inside], label[inside], brand_id[inside])[
                "ndcg_at_20"
            ]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(list(values), list(values.values()))
    ax.set_ylabel("NDCG@20 (held-out brands)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return values
