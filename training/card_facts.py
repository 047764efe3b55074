"""What a model card says, gathered from a training run: champion on the same rows, slices,
known limits. Each registration path (`train --register`, `retrain`, the prior) builds its
`CardFacts` from these and publishes them with `training.card.publish_card`."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from microtribe.settings import Settings
from models.bundle import Bundle, load_bundle
from training.card import CardFacts, Slice, publish_card, render, slices
from training.dataset import TrainingSet
from training.evaluate import Evaluation
from training.registry import champion_version

SELECTION_BIAS = (
    "Outcomes exist only for creators an agency chose to contact: the metrics say how well the "
    "ranker orders shortlisted creators, not the whole roster (selection bias)."
)
FEW_HELD_OUT = 200  # held-out outcomes below which a metric moves by luck


def champion_on(
    settings: Settings, data: TrainingSet, rows: np.ndarray, candidate: str | None = None
) -> tuple[str | None, Bundle | None, Evaluation | None]:
    """The champion, its bundle and its metrics on `rows` (None when it cannot score them)."""
    from training.run import evaluate_bundle

    name = champion_version(settings)
    if name is None or name == candidate:
        return name, None, None
    bundle = load_bundle(settings.models_dir / name)
    # a champion trained before a feature was added still scores these rows, by name
    if not set(bundle.ranker.feature_names_in_) <= set(data.feature_names):
        return name, None, None
    return name, bundle, evaluate_bundle(bundle, data, rows)


def held_out_slices(bundle: Bundle, data: TrainingSet, rows: np.ndarray) -> list[Slice]:
    full = rows[~data.sparse_brief[rows]]
    out = bundle.ranker.predict(data.features[full])
    return slices(data, full, out.score, out.advocacy_fit)


def rows_by_source(data: TrainingSet, served_rank: np.ndarray | None = None) -> dict[str, int]:
    """Training rows per source: the home's feedback (and how many of them were served), then
    each synthetic world. Every outcome gives two rows (full and sparse brief)."""
    world = data.world if data.world is not None else np.full(len(data), "", dtype=object)
    counts = {"feedback": int((world == "").sum())}
    if served_rank is not None:
        counts["feedback, as served"] = int((~np.isnan(served_rank)).sum())
    for name in sorted(set(world.tolist()) - {""}):
        counts[f"synthetic {name}"] = int((world == name).sum())
    return counts


def window_text(data: TrainingSet) -> str:
    if len(data) == 0:
        return "no outcome"
    first, last = (
        time.strftime("%Y-%m-%d", time.gmtime(float(t)))
        for t in (data.observed_at.min(), data.observed_at.max())
    )
    return f"outcomes observed {first} to {last}"


def common_limits(
    data: TrainingSet, test: np.ndarray, champion: Bundle | None, synthetic_rows: int
) -> list[str]:
    limits = [SELECTION_BIAS]
    outcomes = int((~data.sparse_brief[test]).sum())
    if outcomes < FEW_HELD_OUT:
        limits.append(f"Only {outcomes} held-out outcomes: differences of a few points are noise.")
    if synthetic_rows:
        share = synthetic_rows / max(len(data), 1)
        limits.append(
            f"{share:.0%} of the rows come from synthetic worlds (templated captions, drawn "
            "effects): they teach the domain's directions, not this agency's taste."
        )
    window = (champion.manifest.get("training_window") or [None, None]) if champion else None
    if window and window[1] and len(test):
        test_from = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(data.observed_at[test].min()))
        )
        if str(window[1]) >= test_from:
            limits.append(
                "The champion's training window reaches into the held-out rows: it may have "
                "trained on some of them, which favours it."
            )
    return limits


def publish(settings: Settings, facts: CardFacts, tags: Mapping[str, str] | None = None) -> Path:
    base = {"registered_by": facts.kind, "data_window": facts.window}
    if facts.dataset_hash:
        base["dataset_hash"] = facts.dataset_hash
    return publish_card(
        settings, facts.run_id, facts.version, render(facts), {**base, **(tags or {})}
    )


def train_card(
    settings: Settings,
    run_id: str,
    version: str,
    data: TrainingSet,
    test: np.ndarray,
    evaluation: Evaluation,
    gate: str | None,
) -> Path:
    """The card of a `train --register` version: held-out brands, champion on the same rows."""
    champion, bundle, champion_evaluation = champion_on(settings, data, test, candidate=version)
    candidate = load_bundle(settings.models_dir / version)
    synthetic = 0 if data.world is None else int((data.world != "").sum())
    facts = CardFacts(
        version=version,
        run_id=run_id,
        kind="train",
        window=window_text(data),
        rows_by_source=rows_by_source(data),
        evaluated_on=f"{int((~data.sparse_brief[test]).sum())} outcomes of held-out brands "
        "(never trained on), full and sparse briefs",
        metrics=evaluation.metrics,
        feature_names=data.feature_names,
        champion=champion,
        champion_metrics=None if champion_evaluation is None else champion_evaluation.metrics,
        slices=held_out_slices(candidate, data, test),
        gate=gate,
        limits=common_limits(data, test, bundle, synthetic),
    )
    return publish(settings, facts)


def prior_card(
    settings: Settings,
    run_id: str,
    version: str,
    data: TrainingSet | None,
    test: np.ndarray | None,
    evaluation: Evaluation,
    feature_names: tuple[str, ...],
    gate: str | None,
) -> Path:
    """The card of the documented prior: nothing fitted; measured when outcomes exist."""
    candidate = load_bundle(settings.models_dir / version)
    measured = data is not None and test is not None
    facts = CardFacts(
        version=version,
        run_id=run_id,
        kind="prior",
        window="none: the documented prior (models/prior.py), fitted to no outcome",
        rows_by_source={},
        evaluated_on=f"{int((~data.sparse_brief[test]).sum())} outcomes of the held-out brands "
        "`train` holds out"
        if data is not None and test is not None
        else "nothing (no outcome)",
        metrics=evaluation.metrics,
        feature_names=feature_names,
        slices=held_out_slices(candidate, data, test)
        if data is not None and test is not None
        else (),
        gate=gate,
        limits=[
            "Not fitted to any outcome: the documented prior's weights (models/prior.py); "
            "expected engagement is the tier benchmark.",
            *([SELECTION_BIAS] if measured else []),
        ],
    )
    return publish(settings, facts)
