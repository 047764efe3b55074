"""`microtribe retrain` on the small trained world: the gate both ways, a card for every
registered version, the served-log join and the dataset hash (real stack, own MLflow store)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from matching.store import CatalogStore
from microtribe.settings import REGISTERED_MODEL_NAME, Settings
from models.drift_profile import load_profile
from training.fit import FitConfig
from training.registry import champion_version
from training.retrain import RetrainReport, build_dataset, retrain
from training.retrain_data import Window, parse_date
from training.served_join import ServedLogError, read_served
from training.worlds import WorldRecipe

pytestmark = pytest.mark.slow
NO_WORLDS = WorldRecipe(worlds=0)
# honestly worse: one stump, no prior, so the ranking is close to the order of one feature
CRIPPLED = FitConfig(use_prior=False, max_rounds=1, num_leaves=2, calibration_folds=0)


def fresh_home(trained_home: Path, parent: Path) -> Settings:
    """The trained home's store, catalog and embeddings; no model and its own MLflow store."""
    home = parent / "fresh"
    home.mkdir()
    for name in ("catalog.db", "embeddings.db"):
        shutil.copy(trained_home / name, home / name)
    shutil.copytree(trained_home / "catalog", home / "catalog")
    settings = replace(Settings.from_env(home), tracking_uri=f"sqlite:///{home / 'mlflow.db'}")
    settings.ensure_home()
    return settings


@pytest.fixture(scope="module")
def loop(
    trained_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, list[RetrainReport]]:
    """Three retrains in a row: a crippled first champion, the published config (better), the
    crippled config again (worse)."""
    settings = fresh_home(trained_home, tmp_path_factory.mktemp("retrain"))
    lines: list[str] = []
    reports = [
        retrain(settings, config, Window(), promote=True, recipe=NO_WORLDS, progress=lines.append)
        for config in (CRIPPLED, FitConfig(), CRIPPLED)
    ]
    for stage in ("dataset", "train", "evaluate", "register", "card", "gate"):
        assert sum(line.startswith(f"retrain {stage}: ") for line in lines) == 3, lines
    return settings, reports


def test_retrain_promotes_a_better_candidate_and_refuses_a_worse_one(
    loop: tuple[Settings, list[RetrainReport]],
) -> None:
    settings, (first, better, worse) = loop
    assert first.promoted and first.decision.reason == "no champion yet"
    assert better.promoted and better.measured.champion == first.version
    assert better.decision.candidate > better.decision.champion  # type: ignore[operator]
    assert "≥ champion" in better.decision.reason
    assert not worse.promoted
    assert worse.measured.champion == better.version
    assert "blended_ndcg_at_20" in worse.decision.reason and "< champion" in worse.decision.reason
    assert champion_version(settings) == better.version
    # the refused version is registered all the same, with its card saying why
    card = (settings.models_dir / worse.version / "CARD.md").read_text()
    assert worse.decision.reason in card
    # and `microtribe drift` has the training profile of every retrained version
    for report in (first, better, worse):
        assert load_profile(settings.models_dir / report.version) is not None


def test_every_registered_version_has_a_card_in_mlflow_and_beside_its_bundle(
    loop: tuple[Settings, list[RetrainReport]], tmp_path: Path
) -> None:
    import mlflow

    from training.run import register_prior

    settings, reports = loop
    prior = register_prior(settings, FitConfig())  # the third registration path
    assert prior.version is not None and prior.decision is None  # the champion stays
    client = mlflow.MlflowClient(settings.tracking_uri)
    for version in [*(r.version for r in reports), prior.version]:
        card = (settings.models_dir / version / "CARD.md").read_text()
        assert card.startswith(f"# {REGISTERED_MODEL_NAME} version {version}")
        model_version = client.get_model_version(REGISTERED_MODEL_NAME, version)
        assert model_version.description == card
        logged = client.download_artifacts(
            str(model_version.run_id), "model_card.md", str(tmp_path)
        )
        assert Path(logged).read_text() == card
        for section in ("## Metrics", "## Calibration", "## Weakest slices", "## Known limits"):
            assert section in card
    retrained = client.get_model_version(REGISTERED_MODEL_NAME, reports[1].version)
    assert retrained.tags["dataset_hash"] == reports[1].dataset_hash
    assert retrained.tags["registered_by"] == "retrain"
    card = (settings.models_dir / reports[1].version / "CARD.md").read_text()
    assert f"champion v{reports[0].version}" in card  # metrics next to the champion's
    assert "language=" in card and "platform=" in card and "tier=" in card
    assert "baseline `similarity`" in card and "`saturated`: demote" in card


def _serve_and_report(settings: Settings, brand_ids: list[str]) -> list[dict[str, object]]:
    """Serve a shortlist per brand through the API, then report an outcome for each creator
    shown (decided a second after the serve); returns the served lines."""
    from fastapi.testclient import TestClient

    from serve import create_app

    with TestClient(create_app(settings, None)) as client:
        for brand_id in brand_ids:
            answer = client.post("/v1/match", json={"brand_id": brand_id, "k": 5})
            assert answer.status_code == 200, answer.text
    lines = [json.loads(line) for line in settings.served_log_path.read_text().splitlines()]
    outcomes = []
    for line in lines:
        decided = datetime.fromisoformat(line["time"]) + timedelta(seconds=1)
        for n, match in enumerate(line["matches"]):
            outcomes.append(
                {
                    "brand_id": line["brand_id"],
                    "creator_id": match["creator_id"],
                    "campaign_id": f"served-{line['request_id']}",
                    "stage": "completed",
                    "advocate": n % 2 == 0,
                    "engagement_rate": 0.03,
                    "started_at": decided.isoformat(),
                    "observed_at": (decided + timedelta(days=30)).isoformat(),
                }
            )
    store = CatalogStore(settings.store_path)
    try:
        store.add_outcomes(json.loads(json.dumps(outcomes)))
    finally:
        store.close()
    return lines


def test_served_outcomes_take_the_logged_features_and_rank_and_the_hash_is_stable(
    loop: tuple[Settings, list[RetrainReport]],
) -> None:
    from training.run import open_embedder

    settings, _ = loop
    store = CatalogStore(settings.store_path)
    brand_ids = [b["brand_id"] for b in store.brands()[:3]]
    store.close()
    lines = _serve_and_report(settings, brand_ids)
    embedder = open_embedder(settings)
    dataset = build_dataset(settings, Window(), NO_WORLDS, embedder)
    data = dataset.data
    for line in lines:
        served_at = datetime.fromisoformat(str(line["time"])).timestamp()
        for match in line["matches"]:  # type: ignore[attr-defined]
            rows = np.flatnonzero(
                (data.brand_id == line["brand_id"])
                & (data.creator_id == match["creator_id"])
                & ~data.sparse_brief
                & (data.observed_at > served_at)
            )
            assert len(rows) == 1
            assert dataset.served_rank[rows[0]] == match["rank"]
            logged = np.array(
                [np.nan if v is None else v for v in match["features"].values()], dtype=np.float32
            )
            named = [data.feature_names.index(name) for name in match["features"]]
            np.testing.assert_array_equal(data.features[rows[0], named], logged)
    assert (~np.isnan(dataset.served_rank)).sum() == 2 * 5 * len(brand_ids)  # both briefs
    # idempotent: the same window gives the same hash; another window, another hash
    assert build_dataset(settings, Window(), NO_WORLDS, embedder).hash == dataset.hash
    since = parse_date("2026-07-01", "--since")
    assert build_dataset(settings, Window(since), NO_WORLDS, embedder).hash != dataset.hash


def test_bad_served_log_lines_name_the_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "served.jsonl"
    good = {
        "route": "match",
        "request_id": "r1",
        "time": "2026-11-01T10:00:00+00:00",
        "brand_id": "b",
        "model_version": "3",
        "matches": [{"creator_id": "ig:a", "rank": 1, "features": {"similarity": 0.5}}],
    }
    bad = {**good, "matches": [{"creator_id": "ig:a", "rank": 0, "features": {}}]}
    plan = {"route": "plan", "request_id": "r2"}  # other routes are not shortlists: skipped
    path.write_text("\n".join(json.dumps(x) for x in (good, plan, bad)) + "\n")
    with pytest.raises(ServedLogError, match=r"served\.jsonl:3: field 'matches\.0\.rank'"):
        read_served(path)
    path.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(ServedLogError, match=r"served\.jsonl:2: not a JSON line"):
        read_served(path)
    path.write_text(json.dumps(good) + "\n")
    (shown,) = read_served(path)[("b", "ig:a")]
    assert shown.rank == 1 and shown.features == {"similarity": 0.5}


def test_window_dates_are_checked() -> None:
    assert parse_date("2026-11-01", "--since") == datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="--since 'last week'"):
        parse_date("last week", "--since")
    with pytest.raises(ValueError, match="is not before"):
        Window(parse_date("2026-11-02", "--since"), parse_date("2026-11-01", "--until"))
