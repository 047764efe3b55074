"""The `microtribe` command line. Heavy libraries are imported inside the commands that use them."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from microtribe.settings import Settings

app = typer.Typer(
    help="Find the micro- and nano-creators who will genuinely champion a brand.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

Home = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $MICROTRIBE_HOME or ./.microtribe)."),
]


def _settings(home: Path | None) -> Settings:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings = Settings.from_env(home)
    settings.ensure_home()
    return settings


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Directory for creators/brands/outcomes.jsonl.")],
    creators: Annotated[int, typer.Option(min=1, help="Number of creators.")] = 5000,
    brands: Annotated[int, typer.Option(min=1, help="Number of brands.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same world.")] = 7,
    max_posts: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Keep only each creator's N most recent posts (a lighter world for build "
            "benchmarks; outcomes are those of the full world).",
        ),
    ] = None,
) -> None:
    """Write a realistic synthetic world: creators.jsonl, brands.jsonl, outcomes.jsonl."""
    from training.world import generate_world, write_world

    started = time.perf_counter()
    world = generate_world(creators, brands, seed, progress=True, max_posts=max_posts)
    counts = write_world(world, out)
    seconds = time.perf_counter() - started
    typer.echo(json.dumps({"out": str(out), **counts, "seconds": round(seconds, 2)}))


@app.command()
def ingest(
    creators: Annotated[Path | None, typer.Option(help="Creators, JSON Lines or Parquet.")] = None,
    brands: Annotated[Path | None, typer.Option(help="Brands, JSON Lines or Parquet.")] = None,
    outcomes: Annotated[Path | None, typer.Option(help="Outcomes, JSON Lines or Parquet.")] = None,
    home: Home = None,
) -> None:
    """Validate and store input files; each file is stored whole or not at all."""
    from matching.store import open_store
    from microtribe.contract import Brand, Creator, Outcome
    from microtribe.records import RecordError, read_records

    if not (creators or brands or outcomes):
        _fail("give at least one of --creators, --brands, --outcomes")
    settings = _settings(home)
    store = open_store(settings)
    stored: dict[str, int] = {}
    try:
        for path, model, write in (
            (brands, Brand, store.upsert_brands),
            (creators, Creator, store.upsert_creators),
            (outcomes, Outcome, store.add_outcomes),
        ):
            if path is None:
                continue
            try:
                records = read_records(path, model)
            except (RecordError, FileNotFoundError) as exc:
                _fail(f"{path} was not stored:\n{exc}")
            docs = [r.model_dump(mode="json", exclude_none=True) for r in records]
            stored[path.name] = write(docs)
    finally:
        store.close()
    typer.echo(json.dumps({"stored": stored, "store": store.describe()}))


@app.command()
def build(
    full: Annotated[
        bool, typer.Option("--full", help="Re-feature every creator, not just new or changed ones.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option(
            help="`local`: chunks featured and embedded in this process; `spark`: on Spark "
            "executors (the `spark` extra and Java 17), then finished here.",
        ),
    ] = "local",
    master: Annotated[
        str | None,
        typer.Option(help="Spark master URL for --engine spark (default local[*])."),
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1, help="Creators featured and embedded at a time (memory is bounded by it)."
        ),
    ] = 2000,
    publish: Annotated[
        Path | None,
        typer.Option(
            "--publish",
            help="After the build, publish the new version to DIR (any POSIX mount the "
            "replicas read): copied into hidden staging, flushed, sealed with SHA256SUMS, "
            "renamed into DIR/versions/<version>, then DIR/CURRENT moved to it. Replicas "
            "started with `serve --catalog-from DIR` follow it. Publishing a version already "
            "there copies nothing.",
            metavar="DIR",
        ),
    ] = None,
    home: Home = None,
) -> None:
    """Features, embeddings, FAISS index: a new catalog version (incremental by default).

    Creators unchanged since the current version keep their features and vectors; only new or
    changed ones are re-featured, and only text never embedded before is embedded. The build
    streams: peak memory is bounded by --chunk-size plus the index, not by the catalog.
    With --publish DIR the new version is then published for replicas (docs/scale.md).
    """
    from matching.build import build_catalog
    from matching.store import open_store
    from training.run import open_embedder

    if engine not in ("local", "spark"):
        _fail(f"--engine must be local or spark, not {engine!r}")
    if master is not None and engine != "spark":
        _fail("--master is for --engine spark")
    settings = _settings(home)
    store = open_store(settings)
    try:
        if engine == "spark":
            report = _build_on_spark(settings, store, master or "local[*]", full, chunk_size)
        else:
            report = build_catalog(
                store,
                open_embedder(settings),
                settings.catalog_dir,
                settings.keep_catalog_versions,
                full=full,
                chunk_size=chunk_size,
            )
    except ValueError as exc:
        _fail(str(exc))
    finally:
        store.close()
    result = _plain(report)
    if publish is not None:
        result["published"] = _publish(settings, report.version, publish)
    typer.echo(json.dumps(result))


def _publish(settings: Settings, version: str, directory: Path) -> dict[str, Any]:
    from matching.publish import publish_version

    try:
        published = publish_version(
            settings.catalog_dir / version, directory.resolve(), settings.keep_catalog_versions
        )
    except (OSError, ValueError) as exc:
        _fail(f"catalog version {version} was built but not published to {directory}: {exc}")
    return _plain(published)


def _build_on_spark(
    settings: Settings, store: Any, master: str, full: bool, chunk_size: int
) -> Any:
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:  # an optional extra
        _fail("--engine spark needs pyspark: pip install 'microtribe[spark]' (and Java 17)")
    from matching.spark_build import build_catalog_on_spark
    from training.run import open_embedder

    return build_catalog_on_spark(
        store, open_embedder(settings), settings, master=master, full=full, chunk_size=chunk_size
    )


@app.command()
def train(
    register: Annotated[bool, typer.Option(help="Register the model in MLflow.")] = False,
    promote: Annotated[bool, typer.Option(help="Move alias champion if the gate passes.")] = False,
    margin: Annotated[float, typer.Option(help="Required gain in NDCG@20 over champion.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for the split and LightGBM.")] = 42,
    worlds: Annotated[
        int,
        typer.Option(
            min=0,
            help="Also train on N synthetic worlds, alternating the two generator families, "
            "each with its own drawn effect sizes (docs/ranking.md, 'Trained across worlds'); "
            "held-out brands stay the home's own when it has outcomes. 0: only the home's "
            "outcomes.",
        ),
    ] = 0,
    world_creators: Annotated[
        int, typer.Option(min=1, help="Creators per synthetic world (with --worlds).")
    ] = 600,
    world_brands: Annotated[
        int, typer.Option(min=1, help="Brands per synthetic world (with --worlds).")
    ] = 20,
    world_seed: Annotated[
        int, typer.Option(help="Seed of the worlds and their effects (with --worlds).")
    ] = 0,
    home: Home = None,
) -> None:
    """Train on stored outcomes (plus synthetic worlds with --worlds), evaluate on held-out
    brands vs baselines, log to MLflow."""
    from training.fit import FitConfig
    from training.run import train as run_training
    from training.worlds import WorldRecipe

    settings = _settings(home)
    recipe = WorldRecipe(
        worlds=worlds, creators=world_creators, brands=world_brands, seed=world_seed
    )

    def progress(line: str) -> None:
        typer.echo(line, err=True)

    try:
        report = run_training(
            settings, FitConfig(seed=seed), register, promote, margin, recipe, progress
        )
    except ValueError as exc:
        _fail(str(exc))
    _print_metrics(report.evaluation.metrics)
    summary: dict[str, Any] = {
        "rows": report.rows,
        "run_id": report.run_id,
        "version": report.version,
        "seconds": round(report.seconds, 2),
    }
    if report.decision is not None:
        summary["promoted"] = report.decision.promote
        summary["gate"] = report.decision.reason
    typer.echo(json.dumps(summary))


@app.command()
def retrain(
    since: Annotated[
        str | None,
        typer.Option(help="Outcomes observed from DATE on (2026-11-01 or RFC 3339; default: all)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="...and before DATE (default: up to the last stored outcome)."),
    ] = None,
    promote: Annotated[bool, typer.Option(help="Move alias champion if the gate passes.")] = False,
    margin: Annotated[float, typer.Option(help="Required gain in NDCG@20 over champion.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed for the split and LightGBM.")] = 42,
    worlds: Annotated[
        int,
        typer.Option(
            min=0, help="Synthetic worlds trained on beside the feedback (the published recipe: 6)."
        ),
    ] = 6,
    world_creators: Annotated[int, typer.Option(min=1, help="Creators per world.")] = 600,
    world_brands: Annotated[int, typer.Option(min=1, help="Brands per world.")] = 20,
    world_seed: Annotated[int, typer.Option(help="Seed of the worlds and their effects.")] = 0,
    home: Home = None,
) -> None:
    """Outcomes since DATE joined to the served log → dataset as of decision time → train →
    evaluate vs champion (newest outcomes, golden test part) → register → model card → gate."""
    from training.fit import FitConfig
    from training.retrain import retrain as run_retrain
    from training.retrain_data import Window, parse_date
    from training.worlds import WorldRecipe

    settings = _settings(home)

    def progress(line: str) -> None:
        typer.echo(line, err=True)

    try:
        window = Window(
            parse_date(since, "--since") if since else None,
            parse_date(until, "--until") if until else None,
        )
        recipe = WorldRecipe(
            worlds=worlds, creators=world_creators, brands=world_brands, seed=world_seed
        )
        report = run_retrain(
            settings, FitConfig(seed=seed), window, promote, margin, recipe, progress
        )
    except ValueError as exc:
        _fail(str(exc))
    _print_metrics(report.measured.evaluation.metrics)
    typer.echo(json.dumps(_retrain_summary(report)))


def _retrain_summary(report: Any) -> dict[str, Any]:
    champion = report.measured.champion_evaluation
    return {
        "dataset_hash": report.dataset_hash,
        "window": report.window,
        "rows_by_source": report.rows_by_source,
        "run_id": report.run_id,
        "version": report.version,
        "champion": report.measured.champion,
        "champion_blended_ndcg_at_20": None
        if champion is None
        else champion.metrics.get("blended_ndcg_at_20"),
        "promoted": report.promoted,
        "gate": report.decision.reason,
        "card": str(report.card),
        "stages": {name: round(seconds, 2) for name, seconds in report.stages.items()},
        "seconds": round(report.seconds, 2),
    }


@app.command()
def evaluate(
    version: Annotated[str | None, typer.Option(help="Model version (default: champion).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the brand split.")] = 42,
    home: Home = None,
) -> None:
    """Metrics of a model version on held-out brands, next to the baselines."""
    from training.fit import FitConfig
    from training.run import evaluate_version

    try:
        evaluation = evaluate_version(_settings(home), version, FitConfig(seed=seed))
    except ValueError as exc:
        _fail(str(exc))
    _print_metrics(evaluation.metrics)


@app.command()
def promote(
    version: Annotated[
        str | None, typer.Option(help="Registered version to promote (default: the newest).")
    ] = None,
    margin: Annotated[float, typer.Option(help="Required gain in NDCG@20 over champion.")] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the brand split.")] = 42,
    home: Home = None,
) -> None:
    """Move alias `champion` to VERSION when it beats the champion; say why when not."""
    from training.fit import FitConfig
    from training.registry import latest_version
    from training.run import promote_version

    settings = _settings(home)
    chosen = version or latest_version(settings)
    if chosen is None:
        _fail("no registered model version yet; run `microtribe train --register`")
    if not (settings.models_dir / str(chosen)).is_dir():
        _fail(f"unknown model version {chosen!r}")
    decision = promote_version(settings, str(chosen), FitConfig(seed=seed), margin)
    typer.echo(json.dumps(_plain(decision)))
    if not decision.promote:
        raise typer.Exit(1)


@app.command()
def score(
    brands: Annotated[Path, typer.Option(help="Brands to score, JSON Lines or Parquet.")],
    out: Annotated[Path, typer.Option(help="Output Parquet dataset (a directory of parts).")],
    k: Annotated[int, typer.Option(min=1, help="Creators kept per brand.")] = 50,
    engine: Annotated[
        str, typer.Option(help="local (threads here) or spark (the spark extra and Java 17).")
    ] = "local",
    filters: Annotated[
        str | None,
        typer.Option(help='Filters as JSON, as in /v1/match: \'{"countries": ["IT"]}\'.'),
    ] = None,
    all_pairs: Annotated[
        bool,
        typer.Option(
            "--all-pairs",
            help="Rank every eligible creator for every brand, no retrieval cut-off (audits; "
            "--k is then ignored).",
        ),
    ] = False,
    master: Annotated[
        str | None,
        typer.Option(help="Spark master, e.g. local[2] or spark://host:7077 (spark engine)."),
    ] = "local[*]",
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local engine threads (default: CPU count).")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Brands per Parquet part (the unit of resume).")
    ] = 32,
    rank_by: Annotated[
        str,
        typer.Option(
            help="What `score` and `rank` follow: advocacy (default), engagement or value "
            "(expected advocated engagements per unit of cost), as in /v1/match."
        ),
    ] = "advocacy",
    home: Home = None,
) -> None:
    """Score many brands against the roster with the /v1/match pipeline; resumable.

    Re-running the same command after a kill continues where it stopped (finished parts are
    kept); a different job into the same --out is refused. See docs/batch.md.
    """
    from pydantic import ValidationError

    from api.schemas import FiltersIn
    from matching.batch import JobSpec, load_pipeline, score_brands
    from matching.filters import MatchFilters
    from matching.service import NotReady
    from microtribe.contract import Brand
    from microtribe.records import RecordError, read_records

    if engine not in ("local", "spark"):
        _fail(f"unknown engine {engine!r}; expected one of ['local', 'spark']")
    try:
        given = FiltersIn.model_validate_json(filters) if filters else FiltersIn()
        docs = [b.model_dump(mode="json", exclude_none=True) for b in read_records(brands, Brand)]
    except (ValidationError, RecordError, FileNotFoundError) as exc:
        _fail(str(exc))
    settings = _settings(home)
    chosen = MatchFilters.from_dict(given.model_dump())
    try:
        if engine == "spark":
            report = _score_on_spark(
                settings, docs, out, JobSpec(k, chosen, all_pairs, chunk_size, rank_by), master
            )
        else:
            pipeline = load_pipeline(settings)
            report = score_brands(
                pipeline,
                docs,
                out,
                k,
                chosen,
                all_pairs,
                chunk_size,
                workers=workers,
                rank_by=rank_by,
            )
    except (NotReady, ValueError) as exc:
        _fail(str(exc))
    typer.echo(json.dumps(_plain(report)))


def _score_on_spark(
    settings: Settings, docs: list[dict[str, Any]], out: Path, spec: Any, master: str | None
) -> Any:
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:  # an optional extra
        _fail("the spark engine needs pyspark: pip install 'microtribe[spark]' (and Java 17)")
    from matching.spark_engine import score_brands_spark

    return score_brands_spark(settings, docs, out, spec, master)


@app.command()
def plan(
    budget: Annotated[float, typer.Option(min=0, help="The campaign budget, in --currency.")],
    brand_id: Annotated[str | None, typer.Option(help="A stored brand.")] = None,
    brief: Annotated[
        Path | None, typer.Option(help="A brand brief: a JSON file holding one Brand object.")
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="Of the budget and of every cost (default: the brief's budget's, else EUR)."
        ),
    ] = None,
    min_creators: Annotated[int | None, typer.Option(min=0, help="At least this many.")] = None,
    max_creators: Annotated[int | None, typer.Option(min=0, help="At most this many.")] = None,
    max_overlap: Annotated[
        float | None,
        typer.Option(min=0, max=1, help="Largest share of the summed audience reached twice."),
    ] = None,
    include: Annotated[
        list[str] | None, typer.Option(help="A creator id the plan must hire (repeatable).")
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="A creator id the plan must not hire (repeatable).")
    ] = None,
    constraints: Annotated[
        Path | None,
        typer.Option(
            help="A JSON file with more of the /v1/plan request: tiers, platforms, filters, "
            "objective, … (the flags above override it)."
        ),
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            help="brief (default): only the brief's languages and markets; any: all of them."
        ),
    ] = None,
    min_market_share: Annotated[
        float | None,
        typer.Option(help="Least audience share in the brief's markets (default 0.2)."),
    ] = None,
    min_advocacy: Annotated[
        float | None, typer.Option(help="Least advocacy_fit of a hired creator (default 0.3).")
    ] = None,
    coordination_cost: Annotated[
        float | None,
        typer.Option(help="Per hired creator, in --currency (default 150 EUR converted)."),
    ] = None,
    horizon_months: Annotated[
        int | None,
        typer.Option(
            help="An always-on programme over this many months (1–24); --budget is then the "
            "whole horizon's, and the plan is shown month by month."
        ),
    ] = None,
    posts_per_month: Annotated[
        int | None,
        typer.Option(help="Posts per creator and month of the programme (1–8, default 1)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the /v1/plan answer as JSON, not a table.")
    ] = False,
    home: Home = None,
) -> None:
    """A campaign plan under a budget, with the greedy and macro/mega-only plans beside it.

    With --horizon-months, an always-on programme shown month by month.
    The /v1/plan engine and answer; the model is in docs/planning.md.
    """
    from pydantic import ValidationError

    from api.match_answer import encode
    from api.plan_answer import plan_answer, plan_flags
    from api.plan_schemas import PlanRequest
    from api.routes.match import filters_from
    from api.routes.plan import constraints_from
    from matching.campaign import plan_for_brief
    from matching.planning import PlanError
    from matching.service import MatchService, NotReady
    from microtribe.tables import plan_table
    from models.guardrails import Guardrails

    if (brand_id is None) == (brief is None):
        _fail("give exactly one of --brand-id or --brief")
    try:
        given: dict[str, Any] = json.loads(constraints.read_text()) if constraints else {}
        flags = {"budget": budget, "currency": currency, "min_creators": min_creators,
                 "max_creators": max_creators, "max_overlap": max_overlap, "scope": scope,
                 "min_market_share": min_market_share, "min_advocacy": min_advocacy,
                 "coordination_cost": coordination_cost, "horizon_months": horizon_months,
                 "posts_per_month": posts_per_month}  # fmt: skip
        given.update({key: value for key, value in flags.items() if value is not None})
        if include:
            given["include_creator_ids"] = include
        if exclude:
            filters = given.setdefault("filters", {})
            filters["exclude_creator_ids"] = [*filters.get("exclude_creator_ids", []), *exclude]
        if brief is not None:
            given["brand"] = json.loads(brief.read_text())
        else:
            given["brand_id"] = brand_id
        request = PlanRequest.model_validate(given)
    except (OSError, ValueError, ValidationError) as exc:
        _fail(str(exc))
    settings = _settings(home)
    brand = _brand_of(settings, request)
    started = time.perf_counter()
    service = MatchService(settings)  # the server's pipeline, and its store for flag evidence
    try:
        pipeline = service.reload()
        campaign = plan_for_brief(
            pipeline,
            brand,
            constraints_from(request),
            filters_from(request.filters),
            request.currency,
            guardrails=Guardrails.parse(request.guardrail_policies()),
            policy=request.policy(),
            programme=request.programme(),
        )
        raised = plan_flags(service, pipeline, campaign)
    except NotReady as exc:
        _fail(str(exc))
    except PlanError as exc:
        _fail(f"no plan: {exc}")
    finally:
        service.close()
    took_ms = round((time.perf_counter() - started) * 1000, 3)
    answer = plan_answer(pipeline, campaign, request.budget, "cli", took_ms, raised)
    typer.echo(encode(answer).decode() if as_json else plan_table(answer))


def _brand_of(settings: Settings, request: Any) -> dict[str, Any]:
    if request.brand is not None:
        brand: dict[str, Any] = request.brand.model_dump(mode="json", exclude_none=True)
        return brand
    from matching.store import open_store

    store = open_store(settings)
    try:
        stored = store.brand(request.brand_id)
    finally:
        store.close()
    if stored is None:
        _fail(f"unknown brand_id {request.brand_id!r}")
    return stored  # type: ignore[return-value]


@app.command()
def similar(
    creator_id: Annotated[str, typer.Argument(help="A creator in the catalog.")],
    k: Annotated[int, typer.Option(min=1, max=200, help="How many lookalikes.")] = 10,
    filters: Annotated[
        str | None,
        typer.Option(help='Filters as JSON, as in /v1/match: \'{"tiers": ["nano"]}\'.'),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the lookalike answer as JSON, not a table.")
    ] = False,
    home: Home = None,
) -> None:
    """Creators like CREATOR_ID (content, audience and size), with the reasons for each."""
    from pydantic import ValidationError

    from api.match_answer import encode
    from api.plan_answer import similar_answer
    from api.routes.match import filters_from
    from api.schemas import FiltersIn
    from matching.service import MatchService, NotReady
    from matching.similar import UnknownCreator, similar_creators
    from microtribe.tables import similar_table

    try:
        given = FiltersIn.model_validate_json(filters) if filters else FiltersIn()
    except ValidationError as exc:
        _fail(str(exc))
    settings = _settings(home)
    started = time.perf_counter()
    service = MatchService(settings)  # the server's catalog, and its store for flag evidence
    try:
        catalog = service.reload().catalog
        found = similar_creators(catalog, creator_id, k, filters_from(given))
        ids = catalog.creators.creator_id[found.rows].tolist()
        raised = service.flags(ids, found.judgement, None)
    except NotReady as exc:
        _fail(str(exc))
    except UnknownCreator:
        _fail(f"unknown creator_id {creator_id!r}")
    finally:
        service.close()
    took_ms = round((time.perf_counter() - started) * 1000, 3)
    answer = similar_answer(catalog, creator_id, found, "cli", took_ms, raised)
    typer.echo(encode(answer).decode() if as_json else similar_table(answer))


MAX_WORKERS = 64
# With several workers the poll also carries a reload, an upsert or a delete from the worker
# that took it to the others (matching/generation.py): three small file reads a second.
MULTI_WORKER_POLL_SECONDS = 1.0
# A replica following a published directory reads two small pointer files a poll: 1 s keeps
# "published → served by every replica" within seconds.
FOLLOW_POLL_SECONDS = 1.0


# ---- monitoring: drift, the challenger, compare (issue 24 items 3 and 4) ------------------


@app.command()
def drift(
    window: Annotated[float, typer.Option(min=0.0, help="Days of served traffic to read.")] = 7.0,
    threshold: Annotated[
        float,
        typer.Option(
            min=0.0,
            help="PSI past which a feature (or the brief-language or category mix) counts as "
            "drifted and the command exits 1. 0.1–0.2: moderate; above 0.2: act.",
        ),
    ] = 0.2,
    min_rows: Annotated[
        int, typer.Option(min=1, help="Fewest served creators worth measuring (else exit 2).")
    ] = 500,
    rebuild_profile: Annotated[
        bool,
        typer.Option(
            "--rebuild-profile",
            help="First profile the champion's reference from the home's training data (for "
            "a bundle trained before profiles were stored).",
        ),
    ] = False,
    reference: Annotated[
        str,
        typer.Option(
            help="`training`: the champion's training set (its bundle's profile): skew. "
            "`baseline`: the champion's own served traffic saved by --save-baseline: drift "
            "over time, what a scheduled alert should watch.",
        ),
    ] = "training",
    save_baseline: Annotated[
        bool,
        typer.Option(
            "--save-baseline",
            help="Save the window's served traffic as the champion's `baseline` reference, "
            "then measure against it.",
        ),
    ] = False,
    no_mlflow: Annotated[
        bool, typer.Option("--no-mlflow", help="Do not log the report as an MLflow run.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
    home: Home = None,
) -> None:
    """PSI of served features vs the champion's training set; exits 1 past the threshold."""
    from training.drift import (
        REFERENCES,
        DriftError,
        champion,
        log_report,
        measure,
        write_report,
    )
    from training.drift import rebuild_profile as rebuild
    from training.drift import save_baseline as save

    if reference not in REFERENCES:
        _fail(f"unknown --reference {reference!r}; expected one of {sorted(REFERENCES)}")
    settings = _settings(home)
    try:
        if rebuild_profile:
            version = champion(settings)
            typer.echo(f"profiled model {version}: {rebuild(settings, version)}", err=True)
        if save_baseline:
            typer.echo(f"baseline saved: {save(settings, window, min_rows)}", err=True)
            reference = "baseline"
        report = measure(settings, window, threshold, min_rows, reference)
    except DriftError as exc:
        _fail(str(exc))
    path = write_report(settings, report)
    run_id = None if no_mlflow else log_report(settings, report)
    if as_json:
        typer.echo(json.dumps({**report.to_dict(), "mlflow_run_id": run_id, "file": str(path)}))
    else:
        _print_drift(report, run_id, str(path))
    if report.drifted:
        raise typer.Exit(1)


def _print_drift(report: Any, run_id: str | None, path: str) -> None:
    typer.echo(
        f"model {report.model_version}: {report.requests} requests, {report.served_rows} served "
        f"creators in the last {report.window_days:g} days vs {report.reference}; "
        f"threshold {report.threshold}"
    )
    typer.echo(f"{'feature':<28}{'PSI':>8}")
    named = {**report.psi, **{f"mix: {k}": v for k, v in report.mix_psi.items()}}
    for name, value in named.items():
        mark = "  DRIFT" if value > report.threshold else ""
        typer.echo(f"{name:<28}{value:>8.3f}{mark}")
    verdict = ", ".join(report.drifted) if report.drifted else "none"
    typer.echo(f"drifted: {verdict}")
    typer.echo(f"written to {path}" + (f"; MLflow run {run_id}" if run_id else ""))


@app.command()
def challenger(
    version: Annotated[
        str | None, typer.Option(help="Registered version to alias `challenger`.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the challenger.")] = False,
    home: Home = None,
) -> None:
    """Alias a version `challenger`: the server scores it on live traffic, never answers it.

    Without options: copy MLflow's alias `challenger` (set in its UI) to the server's pointer.
    """
    from training.challenger_alias import clear_challenger, mirror_challenger, set_challenger

    settings = _settings(home)
    if version is not None and clear:
        _fail("give --version or --clear, not both")
    try:
        if clear:
            clear_challenger(settings)
            chosen = None
        elif version is not None:
            set_challenger(settings, version)
            chosen = version
        else:
            chosen = mirror_challenger(settings)
    except ValueError as exc:
        _fail(str(exc))
    champion = (settings.models_dir / "CHAMPION").read_text().strip()
    typer.echo(json.dumps({"challenger": chosen, "champion": champion or None}))


@app.command()
def compare(
    window: Annotated[float, typer.Option(min=0.0, help="Days of served traffic to read.")] = 7.0,
    as_json: Annotated[bool, typer.Option("--json", help="The report as one JSON object.")] = False,
    home: Home = None,
) -> None:
    """Champion vs the `challenger` alias on served requests: rank agreement, predicted lift."""
    from training.compare import compare as compared
    from training.compare import table
    from training.served_window import read_window

    settings = _settings(home)
    result = compared(read_window(settings.home, window))
    if result.requests == 0:
        _fail(
            f"no challenger scores in the served log of the last {window:g} days: alias a "
            "version with `microtribe challenger --version V` and serve some traffic"
        )
    typer.echo(json.dumps(result.to_dict()) if as_json else table(result, window))


# ---- end of monitoring ---------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    insecure_no_auth: Annotated[
        bool, typer.Option("--insecure-no-auth", help="Serve without API keys (local only).")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            help="Log a line per request to stdout (uvicorn's access log). Off by default: "
            "it is CPU spent on every request, and /metrics and logs/served.jsonl already count "
            "and record every match."
        ),
    ] = False,
    catalog_from: Annotated[
        Path | None,
        typer.Option(
            "--catalog-from",
            help="Follow a directory that `build --publish DIR` publishes to: at start and on "
            "every poll (MICROTRIBE_POLL_SECONDS, "
            f"{FOLLOW_POLL_SECONDS:g} s by default with this option) a newly published version "
            "is copied into this home, its sha256 digests checked (a mismatch is refused and "
            "the old catalog keeps serving; /readyz says why), and reloaded safely. Writes of "
            "other replicas sharing MICROTRIBE_STORE_URL are caught up every "
            "MICROTRIBE_STORE_POLL_SECONDS (1 s by default).",
            metavar="DIR",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Server processes on the one host and port, each accepting on its own "
            "SO_REUSEPORT socket (uvicorn's supervisor restarts a worker that dies and stops "
            "them all on Ctrl-C or SIGTERM). Each maps the same catalog files (one copy in "
            "the page cache) and loads the model and embedder; an admin reload, upsert or delete "
            "taken by one reaches the others at their next poll (MICROTRIBE_POLL_SECONDS, "
            f"{MULTI_WORKER_POLL_SECONDS:g} s by default with more than one worker); they "
            "share logs/served.jsonl, and /metrics sums every worker's counts.",
        ),
    ] = 1,
    home: Home = None,
) -> None:
    """Serve the API (keys from MICROTRIBE_API_KEYS, e.g. admin:k1,read:k2)."""
    if catalog_from is not None:
        if not catalog_from.is_dir():
            _fail(f"--catalog-from {catalog_from}: not a directory (mount it, or publish first)")
        # the environment carries it to every worker, with a poll short enough to follow
        os.environ["MICROTRIBE_CATALOG_FROM"] = str(catalog_from.resolve())
        if not os.environ.get("MICROTRIBE_POLL_SECONDS", "").strip():
            os.environ["MICROTRIBE_POLL_SECONDS"] = f"{FOLLOW_POLL_SECONDS:g}"
    settings = _settings(home)
    if not os.environ.get("MICROTRIBE_API_KEYS") and not insecure_no_auth:
        _fail("no API keys: set MICROTRIBE_API_KEYS=role:key,… or pass --insecure-no-auth")
    _run_server(settings, host, port, access_log, workers)


def _run_server(
    settings: Settings, host: str, port: int, access_log: bool = False, workers: int = 1
) -> None:
    import uvicorn

    from microtribe.auth import KeyRing

    spec = os.environ.get("MICROTRIBE_API_KEYS", "")
    try:
        keys = KeyRing.parse(spec) if spec else None
    except ValueError as exc:
        _fail(str(exc))
    if workers == 1:
        from serve import create_app

        uvicorn.run(create_app(settings, keys), host=host, port=port, access_log=access_log)
        return
    _run_workers(settings, keys is None, host, port, access_log, workers)


def _run_workers(
    settings: Settings, no_auth: bool, host: str, port: int, access_log: bool, workers: int
) -> None:
    """N uvicorn worker processes, each building the app with `serve:app_from_env`.

    Everything a worker needs reaches it through the environment it inherits: the home, the
    keys (or the no-auth choice), the poll period, and a fresh metrics directory for this run.
    """
    import shutil
    import tempfile

    from api.reuseport import run_workers

    poll = os.environ.get("MICROTRIBE_POLL_SECONDS", "").strip()
    if not poll:
        os.environ["MICROTRIBE_POLL_SECONDS"] = f"{MULTI_WORKER_POLL_SECONDS:g}"
    elif settings.poll_seconds == 0:
        typer.secho(
            "warning: MICROTRIBE_POLL_SECONDS=0 with several workers: a reload, upsert or "
            "delete reaches only the worker that takes it (the others follow at restart)",
            fg=typer.colors.YELLOW,
            err=True,
        )
    os.environ["MICROTRIBE_HOME"] = str(settings.home)
    if no_auth:
        os.environ["MICROTRIBE_INSECURE_NO_AUTH"] = "1"
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:  # the operator's directory: emptied of what an earlier run left, then kept
        metrics_dir = Path(given)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        for stale in [*metrics_dir.glob("*.db"), *metrics_dir.glob("serving_*.json")]:
            stale.unlink(missing_ok=True)
    else:
        metrics_dir = Path(tempfile.mkdtemp(prefix="microtribe-metrics-"))
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    try:
        # each worker accepts on its own SO_REUSEPORT socket: the kernel spreads connections
        run_workers("serve:app_from_env", host, port, workers, access_log=access_log)
    finally:
        if not given:
            shutil.rmtree(metrics_dir, ignore_errors=True)


# a world sized for a first run: about 22,000 texts to embed (docs: README, "What the demo does")
DEMO_CREATORS, DEMO_BRANDS, DEMO_MAX_POSTS = 2000, 40, 10
DEMO_POLL_SECONDS = "5"


@app.command()
def demo(
    creators: Annotated[int, typer.Option(min=50, help="Creators in the world.")] = DEMO_CREATORS,
    brands: Annotated[int, typer.Option(min=10, help="Brands in the world.")] = DEMO_BRANDS,
    max_posts: Annotated[
        int,
        typer.Option(min=1, help="Each creator's N most recent posts (the texts to embed)."),
    ] = DEMO_MAX_POSTS,
    seed: Annotated[int, typer.Option(help="World seed.")] = 7,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    home: Home = None,
) -> None:
    """Generate a world, ingest, build, serve the documented prior at once, and train, register
    and promote the published recipe in the background (the server swaps it in)."""
    os.environ.setdefault("MICROTRIBE_POLL_SECONDS", DEMO_POLL_SECONDS)
    settings = _settings(home)
    world_dir = settings.home / f"world-{creators}-{brands}-{seed}-{max_posts}"
    started = time.perf_counter()
    with _stage("generate", started):
        generate(out=world_dir, creators=creators, brands=brands, seed=seed, max_posts=max_posts)
    with _stage("ingest", started):
        ingest(
            creators=world_dir / "creators.jsonl",
            brands=world_dir / "brands.jsonl",
            outcomes=world_dir / "outcomes.jsonl",
            home=settings.home,
        )
    with _stage("build", started):
        build(home=settings.home)
    trainer = _demo_model(settings, started)
    key = _demo_key(settings)
    typer.secho("== serve", bold=True)
    threading.Thread(target=_announce_ready, args=(host, port, key, started), daemon=True).start()
    try:
        _run_server(settings, host, port)
    finally:
        if trainer is not None and trainer.poll() is None:
            trainer.terminate()


def _announce_ready(host: str, port: int, key: str, started: float) -> None:
    """Once the server answers `/readyz`: the time since the demo started, a `curl` to paste
    and where the agency page is."""
    import httpx

    url = f"http://{host}:{port}/readyz"
    while True:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    typer.secho(
        f"== ready in {time.perf_counter() - started:.0f} s; serving on "
        f"http://{host}:{port} (docs at /docs)",
        bold=True,
    )
    typer.echo(_curl(host, port, key))
    typer.secho(_page_hint(host, port, key), bold=True)


@contextmanager
def _stage(name: str, started: float) -> Iterator[None]:
    """A demo stage: its name, then the seconds it took and since the demo started."""
    typer.secho(f"== {name}", bold=True)
    began = time.perf_counter()
    yield
    now = time.perf_counter()
    typer.secho(f"   {name}: {now - began:.1f} s ({now - started:.0f} s in)", dim=True)


def _demo_model(settings: Settings, started: float) -> subprocess.Popen[bytes] | None:
    """Serve the documented prior when the home has no champion, and train the published
    recipe (the world's outcomes plus six synthetic worlds, docs/ranking.md) in a background
    process that registers and promotes it; the server's poll swaps it in. None when the
    champion is already a trained model."""
    from training.fit import FitConfig
    from training.registry import champion_version, load_champion
    from training.run import register_prior

    if champion_version(settings) is None:
        with _stage("model: the documented prior, served until the recipe is trained", started):
            register_prior(settings, FitConfig(seed=42))
    champion = load_champion(settings)
    if champion is not None and champion.manifest.get("model") != "prior":
        return None
    log = settings.home / "logs" / "demo-train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "microtribe", "train", "--register", "--promote",
               "--seed", "42", "--worlds", "6", "--home", str(settings.home)]  # fmt: skip
    with log.open("ab") as out:
        trainer = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    typer.secho(
        f"== training the published recipe in the background (progress in {log}); the server "
        f"serves it once promoted (it polls every {settings.poll_seconds:g} s)",
        bold=True,
    )
    return trainer


def _page_hint(host: str, port: int, key: str) -> str:
    """The demo's last line: where the agency page is and which key to type in it."""
    url = f"http://{host}:{port}/"
    if key.startswith("<"):  # keys from MICROTRIBE_API_KEYS: never printed
        return f"== the agency page: open {url} and enter one of the keys in MICROTRIBE_API_KEYS"
    return (
        f"== the agency page: open {url} and enter the demo admin key printed above "
        f"(it starts with {key[:4]}…)"
    )


def _demo_key(settings: Settings) -> str:
    """The admin key of the demo: from MICROTRIBE_API_KEYS, else made once and kept in HOME."""
    if os.environ.get("MICROTRIBE_API_KEYS"):
        return "<your key>"
    path = settings.home / "demo-admin-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    key = path.read_text().strip()
    os.environ["MICROTRIBE_API_KEYS"] = f"admin:{key}"
    typer.echo(f"demo admin key (kept in {path}): {key}")
    return key


def _curl(host: str, port: int, key: str) -> str:
    body = {
        "brand": {
            "name": "EcoVeste",
            "category": "fashion",
            "values": "moda sostenibile, materiali riciclati, second hand, produzione etica",
            "markets": ["IT"],
            "languages": ["it"],
        },
        "k": 10,
        "explain": True,
    }
    return (
        f"curl -s http://{host}:{port}/v1/match -H 'Authorization: Bearer {key}' "
        f"-H 'Content-Type: application/json' -d '{json.dumps(body, ensure_ascii=False)}'"
    )


def _plain(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _print_metrics(metrics: dict[str, float]) -> None:
    model = {k[6:]: v for k, v in metrics.items() if k.startswith("model_")}
    rows = [("model", model)]
    for name in ("similarity", "engagement_sort", "follower_sort", "random"):
        prefix = f"baseline_{name}_"
        rows.append(
            (name, {k[len(prefix) :]: v for k, v in metrics.items() if k.startswith(prefix)})
        )
    columns = ("ndcg_at_10", "ndcg_at_20", "recall_at_50", "mrr")
    typer.echo(f"{'ranker':<16}" + "".join(f"{c:>14}" for c in columns))
    for name, values in rows:
        typer.echo(
            f"{name:<16}" + "".join(f"{values.get(c, float('nan')):>14.4f}" for c in columns)
        )
    for key in (
        "advocacy_auc",
        "advocacy_log_loss",
        "advocacy_ece",
        "engagement_spearman",
        "engagement_mae",
        "ndcg_at_20_vs_best_baseline",
        "sparse_brief_model_ndcg_at_20",
        "sparse_brief_baseline_similarity_ndcg_at_20",
        "sparse_brief_advocacy_auc",
        "time_split_model_ndcg_at_20",
        "time_split_baseline_similarity_ndcg_at_20",
        "time_split_advocacy_auc",
        "blended_ndcg_at_20",
    ):
        if key in metrics:
            typer.echo(f"{key:<44}{metrics[key]:.4f}")


def main() -> None:  # pragma: no cover - console entry point
    app(sys.argv[1:])
