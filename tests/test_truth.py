"""The world's truth file: written by both generators, read only by bench/ and tests/."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from matching.store import CatalogStore
from microtribe.cli import app
from training.world import World, generate_world, write_world
from training.world.truth import TRUTH_FILE, read_truth
from training.world_alt import AltWorld, generate_alt_world, write_alt_world
from training.world_alt.effects import DEFAULT as ALT_DEFAULT

ROOT = Path(__file__).resolve().parents[1]
# Modules allowed to name the truth: the one that defines it and the generators that write it.
WRITERS = {"training/world/truth.py", "training/world/world.py", "training/world_alt/generate.py"}
READERS = ("bench", "tests")  # benchmarks and tests judge with it
TRUTH_NAMES = re.compile(
    r"truth\.npz|TRUTH_FILE|read_truth|WorldTruth|latent_truth|training\.world\.truth|\.truth\b"
)
# sha256 of creators, brands and outcomes of two small worlds, computed before the truth was
# added: computing it must not consume a random number (other tests depend on these seeds).
# Update only with a change that is meant to alter the worlds.
DIGEST_A = "c41205a8a6e3dd5d3fcb661b62febb7374700e713539859325d443918e89ed26"  # (80, 4, seed 5)
DIGEST_B = "22abd854ab08b1dfc0e17697553dd98dfb6ab4a74ca74ce0ff9d9675a12f7518"  # (160, 8, seed 5)


def _digest(world: World) -> str:
    h = hashlib.sha256()
    for part in (world.creators, world.brands, world.outcomes):
        h.update(json.dumps(part, ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny_a() -> World:
    return generate_world(80, 4, seed=5)


@pytest.fixture(scope="module")
def world_a() -> World:
    return generate_world(400, 8, seed=3)


@pytest.fixture(scope="module")
def world_b() -> AltWorld:
    return generate_alt_world(300, 8, seed=3)


def test_truth_draws_no_random_numbers(tiny_a: World) -> None:
    assert _digest(tiny_a) == DIGEST_A
    assert _digest(generate_alt_world(160, 8, seed=5).world) == DIGEST_B


def test_both_generators_write_every_pair_and_it_reads_back(
    world_a: World, world_b: AltWorld, tmp_path: Path
) -> None:
    counts_a = write_world(world_a, tmp_path / "a")
    counts_b = write_alt_world(world_b, tmp_path / "b")
    assert counts_a["truth_pairs"] == 400 * 8 and counts_b["truth_pairs"] == 300 * 8
    for directory, world in ((tmp_path / "a", world_a), (tmp_path / "b", world_b.world)):
        truth = read_truth(directory)
        assert truth.creator_ids.tolist() == [c["creator_id"] for c in world.creators]
        assert truth.brand_ids.tolist() == [b["brand_id"] for b in world.brands]
        assert truth.advocacy.dtype == np.float32
        assert ((truth.advocacy > 0) & (truth.advocacy < 1)).all()
        assert (truth.engagement_rate > 0).all()
        assert world.truth is not None
        np.testing.assert_array_equal(truth.advocacy, world.truth.advocacy)


def _labelled(world: World) -> Iterator[tuple[int, int, dict[str, Any]]]:
    assert world.truth is not None
    for outcome in world.outcomes:
        row = world.truth.brand_row(outcome["brand_id"])
        column = int(world.truth.columns(np.array([outcome["creator_id"]]))[0])
        yield row, column, outcome


def test_family_a_truth_predicts_its_own_outcomes(world_a: World) -> None:
    """Advocates are drawn with the truth's probability; campaign rates scatter around it."""
    assert world_a.truth is not None
    p, label, ratio = [], [], []
    for row, column, outcome in _labelled(world_a):
        if "advocate" in outcome:
            p.append(world_a.truth.advocacy[row, column])
            label.append(outcome["advocate"])
        if "engagement_rate" in outcome:
            ratio.append(outcome["engagement_rate"] / world_a.truth.engagement_rate[row, column])
    assert abs(np.mean(label) - np.mean(p)) < 0.06
    assert np.mean(np.array(p)[np.array(label)]) > np.mean(np.array(p)[~np.array(label)]) + 0.15
    assert abs(np.median(ratio) - 1.0) < 0.1


def test_family_b_truth_is_the_probability_of_each_grade(world_b: AltWorld) -> None:
    truth = world_b.world.truth
    assert truth is not None
    grades = np.zeros(truth.advocacy.shape, dtype=np.int64)
    for brand_id, creator_id, grade in world_b.grades:
        grades[truth.brand_row(brand_id), truth.columns(np.array([creator_id]))[0]] = grade
    expected = ALT_DEFAULT.advocate_p()[grades].astype(np.float32)
    np.testing.assert_array_equal(truth.advocacy, expected)


def _source_files() -> Iterator[Path]:
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") for part in parts) or parts[0] in READERS:
            continue
        yield path


def test_no_feature_ingest_training_or_serving_module_reads_the_truth() -> None:
    offenders = []
    for path in _source_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in WRITERS:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TRUTH_NAMES.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "only bench/ and tests/ may read the truth:\n" + "\n".join(offenders)


def test_the_scan_would_see_a_reader() -> None:
    """The pattern finds the writers' own lines, so an empty scan above means something."""
    for relative in WRITERS:
        assert TRUTH_NAMES.search((ROOT / relative).read_text(encoding="utf-8")), relative
    assert TRUTH_NAMES.search("truth = read_truth(world_dir)")
    assert TRUTH_NAMES.search('np.load(world_dir / "truth.npz")')


class _OpenedFiles:
    """Paths opened while armed (sys.addaudithook cannot be removed, so it is disarmed)."""

    def __init__(self) -> None:
        self.armed = False
        self.paths: list[str] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.armed and event == "open" and isinstance(args[0], str | bytes | Path):
            self.paths.append(str(args[0]))


def test_ingest_of_a_world_dir_ignores_the_truth(tiny_a: World, tmp_path: Path) -> None:
    world_dir, home = tmp_path / "world", tmp_path / "home"
    write_world(tiny_a, world_dir)
    assert (world_dir / TRUTH_FILE).exists()
    opened = _OpenedFiles()
    sys.addaudithook(opened)
    args = ["ingest", "--home", str(home)]
    for kind in ("creators", "brands", "outcomes"):
        args += [f"--{kind}", str(world_dir / f"{kind}.jsonl")]
    opened.armed = True
    try:
        result = CliRunner().invoke(app, args)
    finally:
        opened.armed = False
    assert result.exit_code == 0, result.output
    assert any(path.endswith("creators.jsonl") for path in opened.paths)  # the hook saw opens
    assert not [path for path in opened.paths if TRUTH_FILE in path]
    store = CatalogStore(home / "catalog.db")
    try:
        counts = store.counts()
    finally:
        store.close()
    assert counts["creators"] == 80 and counts["outcomes"] == len(tiny_a.outcomes)
