"""The model card of a registered version: what data it saw, how it scored, where it is weak.

One markdown text per registered version, whatever registered it (`train --register`,
`retrain`, the documented prior): logged as the run's `model_card.md` artifact, set as the
MLflow model-version description (with tags), and copied beside the bundle as
`models/<version>/CARD.md`, which `GET /v1/model/card` serves (the server never imports mlflow).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from features.flags import FLAG_RULES
from features.tiers import PLATFORMS
from microtribe.settings import REGISTERED_MODEL_NAME, Settings
from models.guardrails import DEFAULT_ACTION
from training.dataset import TrainingSet
from training.evaluate import ranking_metrics

CARD_FILE = "CARD.md"
CARD_ARTIFACT = "model_card.md"
# Shown side by side with the champion's; the first is the gate's metric.
HEADLINE_METRICS = (
    "blended_ndcg_at_20",
    "model_ndcg_at_10",
    "model_ndcg_at_20",
    "model_recall_at_50",
    "advocacy_auc",
    "advocacy_log_loss",
    "advocacy_ece",
    "engagement_spearman",
    "sparse_brief_model_ndcg_at_20",
)
BASELINES = ("similarity", "engagement_sort", "follower_sort", "random")
SLICE_KINDS = ("language", "platform", "tier")
MIN_SLICE_ROWS = 20  # smaller slices say more about noise than about the model
WEAKEST = 3


@dataclass(frozen=True, slots=True)
class Slice:
    kind: str  # language | platform | tier
    value: str
    rows: int
    advocate_rate: float
    ndcg_at_20: float  # NaN: no brand with an advocate in the slice
    auc: float  # NaN: one class only


@dataclass(frozen=True, slots=True)
class CardFacts:
    version: str
    run_id: str
    kind: str  # "train" | "retrain" | "prior"
    window: str  # the data window, in words
    rows_by_source: Mapping[str, int]  # "feedback", "feedback served", each synthetic world
    evaluated_on: str  # which rows the metrics are measured on
    metrics: Mapping[str, float]
    feature_names: Sequence[str]
    champion: str | None = None  # the champion at registration time
    champion_metrics: Mapping[str, float] | None = None  # on the very same rows
    # model → metrics on the golden test part; None: not measured by this registration path
    golden: Mapping[str, Mapping[str, float]] | None = None
    slices: Sequence[Slice] = ()
    dataset_hash: str | None = None
    gate: str | None = None
    limits: Sequence[str] = ()


def slices(data: TrainingSet, rows: np.ndarray, score: np.ndarray, fit: np.ndarray) -> list[Slice]:
    """Ranking and advocacy quality of `rows` (full briefs) within each language, platform and
    tier; `score` and `fit` are the model's outputs for `rows`."""
    from sklearn.metrics import roc_auc_score

    label = data.advocate[rows]
    known = ~np.isnan(label)
    platform = data.column("platform")[rows]
    values = {
        "language": data.language[rows].astype(str),
        "platform": np.array([_platform(code) for code in platform], dtype=object).astype(str),
        "tier": data.tier[rows].astype(str),
    }
    found = []
    for kind in SLICE_KINDS:
        for value in np.unique(values[kind][known]):
            inside = known & (values[kind] == value)
            y = label[inside]
            brands = data.brand_id[rows][inside]
            ndcg = ranking_metrics(score[inside], y, brands)["ndcg_at_20"] if y.sum() else np.nan
            auc = roc_auc_score(y, fit[inside]) if len(np.unique(y)) == 2 else float("nan")
            found.append(
                Slice(
                    kind,
                    str(value),
                    int(inside.sum()),
                    float(y.mean()),
                    float(ndcg),
                    float(auc),
                )
            )
    return found


def _platform(code: float) -> str:
    return PLATFORMS[int(code)] if np.isfinite(code) and 0 <= code < len(PLATFORMS) else "unknown"


def weakest(found: Sequence[Slice], kind: str) -> list[Slice]:
    sized = [s for s in found if s.kind == kind and s.rows >= MIN_SLICE_ROWS]
    return sorted(sized, key=lambda s: (np.nan_to_num(s.ndcg_at_20, nan=-1.0), s.value))[:WEAKEST]


def _number(value: float | None) -> str:
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.4f}"


def _metrics_table(facts: CardFacts) -> list[str]:
    champion = facts.champion_metrics
    label = f"champion v{facts.champion}" if champion is not None else "champion"
    lines = [f"| metric | this version | {label} |", "| --- | --- | --- |"]
    for key in HEADLINE_METRICS:
        if key in facts.metrics or (champion and key in champion):
            mine = facts.metrics.get(key)
            theirs = None if champion is None else champion.get(key)
            lines.append(f"| `{key}` | {_number(mine)} | {_number(theirs)} |")
    for name in BASELINES:
        key = f"baseline_{name}_ndcg_at_20"
        if key in facts.metrics:
            lines.append(f"| baseline `{name}` NDCG@20 | {_number(facts.metrics[key])} | |")
    return lines


def _golden(facts: CardFacts) -> list[str]:
    if facts.golden is None:
        return [f"Not measured by `{facts.kind}` (`microtribe retrain` measures it)."]
    if not facts.golden:
        return ["Not measured (no golden test part in this checkout)."]
    lines = [
        "| model | NDCG@10 | NDCG@20 | similarity alone NDCG@10 |",
        "| --- | --- | --- | --- |",
    ]
    for model, metrics in facts.golden.items():
        lines.append(
            f"| {model} | {_number(metrics.get('served_ndcg_at_10'))} | "
            f"{_number(metrics.get('served_ndcg_at_20'))} | "
            f"{_number(metrics.get('signal_similarity_ndcg_at_10'))} |"
        )
    return lines


def _slices(facts: CardFacts) -> list[str]:
    if not facts.slices:
        return ["Not measured (no labelled held-out rows)."]
    lines = ["| slice | rows | advocate rate | NDCG@20 | AUC |", "| --- | --- | --- | --- | --- |"]
    for kind in SLICE_KINDS:
        for s in weakest(facts.slices, kind):
            lines.append(
                f"| {s.kind}={s.value} | {s.rows} | {s.advocate_rate:.3f} | "
                f"{_number(s.ndcg_at_20)} | {_number(s.auc)} |"
            )
    return lines


def _guardrails() -> list[str]:
    return [
        f"- `{rule.name}`: {DEFAULT_ACTION} when {rule.description} "
        f"{'≥' if rule.above else '<'} {rule.threshold:g}"
        for rule in FLAG_RULES
    ]


def render(facts: CardFacts) -> str:
    """The card as markdown."""
    sources = ", ".join(f"{name}: {count:,}" for name, count in facts.rows_by_source.items())
    lines = [
        f"# {REGISTERED_MODEL_NAME} version {facts.version}",
        "",
        f"- registered by: `{facts.kind}`; MLflow run `{facts.run_id}`",
        f"- data window: {facts.window}",
        f"- rows by source: {sources or 'none (nothing fitted)'}",
        f"- dataset hash: `{facts.dataset_hash}`" if facts.dataset_hash else "- dataset hash: —",
        f"- gate: {facts.gate}" if facts.gate else "- gate: not run at registration",
        "",
        "## Metrics",
        "",
        f"Measured on {facts.evaluated_on}; the champion and the baselines on the very same rows.",
        "",
        *_metrics_table(facts),
        "",
        "## Calibration",
        "",
        f"Expected calibration error of `advocacy_fit` (10 bins): "
        f"{_number(facts.metrics.get('advocacy_ece'))} (champion: "
        f"{_number((facts.champion_metrics or {}).get('advocacy_ece'))}).",
        "",
        "## Golden test part (hand-labelled, frozen; through the serving pipeline)",
        "",
        *_golden(facts),
        "",
        f"## Weakest slices (lowest NDCG@20, slices of ≥ {MIN_SLICE_ROWS} held-out rows)",
        "",
        *_slices(facts),
        "",
        "## Guardrail defaults it was evaluated with",
        "",
        "Held-out outcome rows are ranked by the model's score alone (guardrails reorder served",
        "shortlists, not labelled rows); the golden test part is ranked through the serving",
        "pipeline with every flag at its default:",
        "",
        *_guardrails(),
        "",
        f"## Features ({len(facts.feature_names)})",
        "",
        ", ".join(f"`{name}`" for name in facts.feature_names),
        "",
        "## Known limits",
        "",
        *[f"- {limit}" for limit in facts.limits],
        "",
    ]
    return "\n".join(lines)


def write_card(settings: Settings, version: str, text: str) -> Path:
    """`models/<version>/CARD.md`, written whole (a reader never sees half a card)."""
    target = settings.models_dir / version / CARD_FILE
    fd, staging = tempfile.mkstemp(dir=target.parent, prefix=".card-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(staging, target)
    return target


def publish_card(
    settings: Settings, run_id: str, version: str, text: str, tags: Mapping[str, str]
) -> Path:
    """The card as run artifact, model-version description and tags, and `CARD.md`."""
    from training.registry import _mlflow

    client = _mlflow(settings).MlflowClient()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / CARD_ARTIFACT
        path.write_text(text, encoding="utf-8")
        client.log_artifact(run_id, str(path))
    client.update_model_version(REGISTERED_MODEL_NAME, version, description=text)
    for key, value in tags.items():
        client.set_model_version_tag(REGISTERED_MODEL_NAME, version, key, value)
        client.set_tag(run_id, key, value)
    return write_card(settings, version, text)
