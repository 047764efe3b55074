"""The served order must beat similarity alone and every single signal on data training never
saw: the hand-labelled golden set and a small alternative world (`training.graded`).

The model is the test session's champion, trained on the default world (`trained_home`). The
margins are what it must keep; a change that ranks worse than a one-column sort fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from matching.service import MatchService
from microtribe.settings import Settings
from models.bundle import Bundle
from training.graded import GradedSet, golden_set, graded_metrics, graded_pipeline, served_rows
from training.run import open_embedder
from training.world_alt import generate_alt_world

pytestmark = pytest.mark.slow
# NDCG of the served order ÷ NDCG of the baseline, at least
GOLDEN_VS_SIMILARITY = 1.0
GOLDEN_VS_BEST_SIGNAL = 1.0
ALT_VS_SIMILARITY = 1.2
ALT_VS_BEST_SIGNAL = 1.05


@pytest.fixture(scope="module")
def bundle(trained_home: Path) -> Bundle:
    service = MatchService(Settings.from_env(trained_home))
    service.start()
    try:
        return service.ready().bundle
    finally:
        service.close()


def _metrics(graded: GradedSet, bundle: Bundle, work: Path) -> dict[str, Any]:
    embedder = open_embedder(Settings.from_env(work))
    pipeline = graded_pipeline(graded, work, embedder, bundle)
    return graded_metrics(served_rows(pipeline, graded))


def test_golden_set_served_order_beats_every_single_signal(bundle: Bundle, tmp_path: Path) -> None:
    metrics = _metrics(golden_set(), bundle, tmp_path)
    summary = {k: round(v, 3) for k, v in metrics.items() if k.endswith("_at_10")}
    assert metrics["served_vs_similarity_at_10"] >= GOLDEN_VS_SIMILARITY, summary
    assert metrics["served_vs_best_single_signal_at_10"] >= GOLDEN_VS_BEST_SIGNAL, summary


def test_held_out_world_served_order_beats_every_single_signal(
    bundle: Bundle, tmp_path: Path
) -> None:
    alt = generate_alt_world(n_creators=400, n_brands=12, seed=3)
    graded = GradedSet("alt", alt.world.creators, alt.world.brands,
                       {(b, c): g for b, c, g in alt.grades})  # fmt: skip
    metrics = _metrics(graded, bundle, tmp_path)
    summary = {k: round(v, 3) for k, v in metrics.items() if k.endswith("_at_20")}
    assert metrics["served_vs_similarity_at_20"] >= ALT_VS_SIMILARITY, summary
    assert metrics["served_vs_best_single_signal_at_20"] >= ALT_VS_BEST_SIGNAL, summary
