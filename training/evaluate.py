"""Evaluation on held-out brands: ranking, advocacy and engagement metrics next to baselines."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from training.dataset import TrainingSet

BASELINES = {
    "similarity": "similarity",
    "engagement_sort": "engagement_rate_median",
    "follower_sort": "log_followers",
}


def _per_brand(brand_id: np.ndarray) -> list[np.ndarray]:
    order = np.argsort(brand_id, kind="stable")
    bounds = np.flatnonzero(np.r_[True, brand_id[order][1:] != brand_id[order][:-1], True])
    return [order[a:b] for a, b in itertools.pairwise(bounds)]


def ranking_metrics(
    score: np.ndarray, relevant: np.ndarray, brand_id: np.ndarray
) -> dict[str, float]:
    """Mean NDCG@10/@20, recall@50 and MRR over brands that have at least one advocate."""
    ndcg10: list[float] = []
    ndcg20: list[float] = []
    recall50: list[float] = []
    mrr: list[float] = []
    for rows in _per_brand(brand_id):
        gains = relevant[rows]
        if gains.sum() == 0:
            continue
        ranked = gains[np.argsort(-np.nan_to_num(score[rows], nan=-np.inf), kind="stable")]
        ideal = np.sort(gains)[::-1]
        for k, bucket in ((10, ndcg10), (20, ndcg20)):
            discount = 1.0 / np.log2(np.arange(2, k + 2))[: min(k, len(ranked))]
            bucket.append(float((ranked[:k] * discount).sum() / (ideal[:k] * discount).sum()))
        recall50.append(float(ranked[:50].sum() / gains.sum()))
        mrr.append(1.0 / (1 + int(np.argmax(ranked > 0))))
    return {
        "ndcg_at_10": float(np.mean(ndcg10)),
        "ndcg_at_20": float(np.mean(ndcg20)),
        "recall_at_50": float(np.mean(recall50)),
        "mrr": float(np.mean(mrr)),
        "brands": float(len(ndcg20)),
    }


def calibration_table(
    prob: np.ndarray, label: np.ndarray, bins: int = 10
) -> list[dict[str, float]]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(prob, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        inside = which == b
        if inside.any():
            table.append(
                {
                    "bin_low": float(edges[b]),
                    "bin_high": float(edges[b + 1]),
                    "count": float(inside.sum()),
                    "mean_predicted": float(prob[inside].mean()),
                    "observed_rate": float(label[inside].mean()),
                }
            )
    return table


def expected_calibration_error(prob: np.ndarray, label: np.ndarray, bins: int = 10) -> float:
    table = calibration_table(prob, label, bins)
    total = sum(row["count"] for row in table)
    return float(
        sum(row["count"] * abs(row["mean_predicted"] - row["observed_rate"]) for row in table)
        / total
    )


@dataclass(frozen=True, slots=True)
class Evaluation:
    metrics: dict[str, float]
    calibration: list[dict[str, float]]
    by_group: dict[str, dict[str, float]]


def evaluate(
    data: TrainingSet,
    advocacy_fit: np.ndarray,
    score: np.ndarray,
    expected_engagement: np.ndarray,
    seed: int = 0,
) -> Evaluation:
    """All metrics for one held-out set; baselines are computed on the very same rows."""
    from scipy.stats import spearmanr
    from sklearn.metrics import log_loss, roc_auc_score

    has_label = ~np.isnan(data.advocate)
    label = data.advocate[has_label]
    brands = data.brand_id[has_label]
    metrics = {f"model_{k}": v for k, v in ranking_metrics(score[has_label], label, brands).items()}
    signals: Mapping[str, np.ndarray] = {
        name: data.column(column) for name, column in BASELINES.items()
    }
    random = np.random.default_rng(seed).random(len(data))
    for name, signal in {**signals, "random": random}.items():
        for key, value in ranking_metrics(signal[has_label], label, brands).items():
            if key != "brands":
                metrics[f"baseline_{name}_{key}"] = value
    fit = np.clip(advocacy_fit[has_label], 1e-6, 1 - 1e-6)
    metrics["advocacy_auc"] = float(roc_auc_score(label, fit))
    metrics["advocacy_log_loss"] = float(log_loss(label, fit))
    metrics["advocacy_ece"] = expected_calibration_error(fit, label)
    metrics["advocate_rate"] = float(label.mean())
    rated = ~np.isnan(data.engagement_rate)
    if rated.sum() > 2:
        truth, guess = data.engagement_rate[rated], expected_engagement[rated]
        metrics["engagement_spearman"] = float(spearmanr(truth, guess).statistic)
        metrics["engagement_mae"] = float(np.abs(truth - guess).mean())
    best = max(
        value
        for key, value in metrics.items()
        if key.startswith("baseline_") and key.endswith("_ndcg_at_20")
    )
    metrics["ndcg_at_20_vs_best_baseline"] = metrics["model_ndcg_at_20"] / max(best, 1e-9)
    by_group: dict[str, dict[str, float]] = {}
    for kind, values in (("tier", data.tier), ("language", data.language)):
        for value in np.unique(values[has_label]):
            inside = values[has_label] == value
            if len(np.unique(label[inside])) == 2:
                by_group[f"{kind}={value}"] = {
                    "rows": float(inside.sum()),
                    "advocacy_auc": float(roc_auc_score(label[inside], fit[inside])),
                }
    return Evaluation(metrics, calibration_table(fit, label), by_group)
