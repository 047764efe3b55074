"""Domain-randomised worlds: effects as data, the multi-world recipe, leave-one-family-out."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from models.embedder import HashingEmbedder
from models.embedding_cache import CachedEmbedder
from training.world import effects as world_effects
from training.world import generate_world
from training.world.advocacy import AdvocacyCoefficients
from training.world_alt import effects as alt_effects
from training.world_alt import generate_alt_world
from training.worlds import WorldRecipe, recipe_training_set, thin_posts


def digest(*parts: Any) -> str:
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fake_embedder() -> CachedEmbedder:
    return CachedEmbedder(HashingEmbedder(), None)


# --- defaults are today's worlds, byte for byte ----------------------------------------------

# Digests of the records both generators wrote before effects became data (commit 5a0b31f).
# If a generator's intended output changes, regenerate them and say why in the commit.
FAMILY_A_DIGEST = "6d8f10a7084215fd"  # generate_world(300, 8, seed=5)
FAMILY_B_DIGEST = "ef09994acce7fd6e"  # generate_alt_world(300, 8, seed=5), grades included


def test_family_a_defaults_are_byte_identical_to_before() -> None:
    world = generate_world(300, 8, seed=5)
    assert digest(world.creators, world.brands, world.outcomes) == FAMILY_A_DIGEST
    explicit = generate_world(300, 8, seed=5, effects=world_effects.WorldEffects())
    assert explicit == world


def test_family_b_defaults_are_byte_identical_to_before() -> None:
    alt = generate_alt_world(300, 8, seed=5)
    assert digest(alt.world.creators, alt.world.brands, alt.world.outcomes, alt.grades) == (
        FAMILY_B_DIGEST
    )
    assert generate_alt_world(300, 8, seed=5, effects=alt_effects.AltEffects()) == alt


def test_advocacy_coefficients_are_the_default_effects() -> None:
    assert AdvocacyCoefficients.of(world_effects.DEFAULT) == AdvocacyCoefficients()


# --- drawn effects ----------------------------------------------------------------------------


@pytest.mark.parametrize("module", [world_effects, alt_effects], ids=["A", "B"])
def test_every_drawn_effect_is_inside_its_range(module: Any) -> None:
    names = {f.name for f in fields(module.DEFAULT)}
    assert set(module.RANGES) <= names
    for seed in range(50):
        drawn = module.draw_effects(np.random.default_rng(seed)).as_dict()
        for name, span in module.RANGES.items():
            assert span.low <= drawn[name] <= span.high, (seed, name, drawn[name])
            assert span.why, name


@pytest.mark.parametrize("module", [world_effects, alt_effects], ids=["A", "B"])
def test_default_values_sit_inside_the_ranges(module: Any) -> None:
    default = module.DEFAULT.as_dict()
    for name, span in module.RANGES.items():
        assert span.low <= default[name] <= span.high, name


@pytest.mark.parametrize("module", [world_effects, alt_effects], ids=["A", "B"])
def test_drawn_effects_are_deterministic_per_seed(module: Any) -> None:
    first = module.draw_effects(np.random.default_rng(3))
    assert first == module.draw_effects(np.random.default_rng(3))
    assert first != module.draw_effects(np.random.default_rng(4))


def test_family_a_intercept_follows_the_coefficients() -> None:
    """The drawn intercept re-centres z: the mean logit moves only by the base-rate shift."""
    for seed in range(20):
        drawn = world_effects.draw_effects(np.random.default_rng(seed))

        def mean_z(effects: world_effects.WorldEffects) -> float:
            total = effects.intercept
            for name, mean in world_effects.TERM_MEANS.items():
                sign = -1.0 if name in world_effects.NEGATIVE_TERMS else 1.0
                total += sign * getattr(effects, name) * mean
            return total

        shift = mean_z(drawn) - mean_z(world_effects.DEFAULT)
        span = world_effects.BASE_RATE_SHIFT
        assert span.low - 1e-9 <= shift <= span.high + 1e-9


def test_alt_rules_keep_their_order_in_every_drawn_world() -> None:
    for seed in range(50):
        e = alt_effects.draw_effects(np.random.default_rng(seed))
        assert e.max_clean_saturation < e.saturated and e.fake < e.min_real
        assert list(e.advocate_p()) == sorted(e.advocate_p())
        assert isinstance(e.min_category_mentions, int)


def test_drawn_effects_change_the_world() -> None:
    drawn = world_effects.draw_effects(np.random.default_rng(1))
    assert generate_world(200, 6, seed=3, effects=drawn) != generate_world(200, 6, seed=3)
    alt = alt_effects.draw_effects(np.random.default_rng(1))
    assert generate_alt_world(200, 6, seed=3, effects=alt) != generate_alt_world(200, 6, seed=3)


def test_advocate_rate_stays_plausible_in_drawn_worlds() -> None:
    rates = []
    for seed in range(3):
        drawn = world_effects.draw_effects(np.random.default_rng(seed))
        world = generate_world(1_000, 12, seed=seed, effects=drawn, max_posts=3)
        labels = [o["advocate"] for o in world.outcomes if o["stage"] == "completed"]
        rates.append(float(np.mean(labels)))
    assert all(0.12 <= rate <= 0.55 for rate in rates), rates


# --- the recipe -------------------------------------------------------------------------------

TINY = WorldRecipe(worlds=2, creators=150, brands=5, max_posts=6, seed=4)


@pytest.fixture(scope="module")
def tiny_set() -> Any:
    return recipe_training_set(TINY, fake_embedder())


def test_recipe_alternates_families_with_their_own_effects() -> None:
    plans = WorldRecipe(worlds=4, seed=1).plan()
    assert [p.family for p in plans] == ["A", "B", "A", "B"]
    assert isinstance(plans[0].effects, world_effects.WorldEffects)
    assert isinstance(plans[1].effects, alt_effects.AltEffects)
    assert plans[0].effects != plans[2].effects and plans[0].seed != plans[2].seed
    assert WorldRecipe(worlds=4, seed=1).plan() == plans
    assert WorldRecipe(worlds=4, seed=2).plan() != plans
    only_b = WorldRecipe(worlds=2, families=("B",), seed=1).plan()
    assert [p.family for p in only_b] == ["B", "B"]


def test_recipe_refuses_unknown_families() -> None:
    with pytest.raises(ValueError, match="families"):
        WorldRecipe(families=("C",))


def test_recipe_training_set_is_deterministic(tiny_set: Any) -> None:
    lines: list[str] = []
    again = recipe_training_set(TINY, fake_embedder(), progress=lines.append)
    assert len(lines) == TINY.worlds and "w00A" in lines[0] and "w01B" in lines[1]
    np.testing.assert_array_equal(tiny_set.features, again.features)
    np.testing.assert_array_equal(tiny_set.advocate, again.advocate)
    assert tiny_set.brand_id.tolist() == again.brand_id.tolist()
    assert tiny_set.creator_id.tolist() == again.creator_id.tolist()


def test_recipe_rows_are_prefixed_by_their_world(tiny_set: Any) -> None:
    assert tiny_set.world is not None
    assert set(tiny_set.world.tolist()) == {"w00A", "w01B"}
    for world, brand, creator in zip(tiny_set.world, tiny_set.brand_id, tiny_set.creator_id,
                                     strict=True):  # fmt: skip
        assert brand.startswith(f"{world}/") and creator.startswith(f"{world}/")
    # a brand belongs to one world only, so brand-grouped splits never mix worlds
    owners: dict[str, set[str]] = {}
    for world, brand in zip(tiny_set.world, tiny_set.brand_id, strict=True):
        owners.setdefault(brand, set()).add(world)
    assert all(len(worlds) == 1 for worlds in owners.values())
    assert (~np.isnan(tiny_set.advocate)).sum() > 0


def test_families_filter_keeps_only_those_worlds() -> None:
    data = recipe_training_set(TINY, fake_embedder(), families=("B",))
    assert data.world is not None and set(data.world.tolist()) == {"w01B"}


def _post(i: int, day: int) -> dict[str, Any]:
    at = datetime(2025, 10, 1, tzinfo=UTC) + timedelta(days=day, hours=i % 24)
    return {"post_id": str(i), "posted_at": at.strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_thin_posts_spreads_over_the_history() -> None:
    posts = [_post(i, 12 * i) for i in range(32)]  # one post every 12 days for a year
    kept = thin_posts(posts, 8)
    assert 6 <= len(kept) <= 8
    stamps = [p["posted_at"] for p in kept]
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] > "2026-08" and stamps[-1] < "2025-12"  # both ends of the year survive
    few = posts[:3]
    assert thin_posts(few, 5) == sorted(few, key=lambda p: p["posted_at"], reverse=True)


def test_later_posts_never_change_which_earlier_posts_are_kept() -> None:
    """The label's own events (campaign post, afterglow) come after the decision time."""
    posts = [_post(i, 9 * i) for i in range(30)]
    cut = "2026-04-01"
    later = [_post(100 + i, 185 + 2 * i) for i in range(12)]  # a burst after `cut`
    before = [p for p in thin_posts(posts, 10) if p["posted_at"] < cut]
    after = [p for p in thin_posts(posts + later, 10) if p["posted_at"] < cut]
    assert before == after and before


# --- leave one family out ---------------------------------------------------------------------


def test_lofo_smoke() -> None:
    from bench.lofo import run_lofo

    record = run_lofo(fake_embedder(), worlds=1, eval_worlds=1, creators=200, brands=6,
                      max_posts=6, seed=0, eval_seed=1000)  # fmt: skip
    assert set(record["lofo"]) == {"A->B", "B->A"}
    assert {"A->A", "B->B", "AB->A", "AB->B"} <= set(record["directions"])
    for figures in record["lofo"].values():
        assert 0.0 < figures["model_ndcg_at_20"] <= 1.0
        assert 0.0 < figures["similarity_ndcg_at_20"] <= 1.0
        ratio = figures["model_ndcg_at_20"] / figures["similarity_ndcg_at_20"]
        assert math.isclose(figures["ratio"], ratio, abs_tol=1e-3)
    assert record["min_ratio"] == min(d["ratio"] for d in record["lofo"].values())
    held_out = {plan["seed"] for plan in record["eval_recipe"]["world_plans"]}
    trained = {plan["seed"] for plan in record["train_recipe"]["world_plans"]}
    assert held_out.isdisjoint(trained)


def test_recipe_split_holds_out_only_the_homes_brands(tiny_set: Any) -> None:
    from training.fit import FitConfig
    from training.run import recipe_split
    from training.worlds import concat

    brands = np.array([f"home-{b}" for b in tiny_set.brand_id], dtype=object)
    home = replace(tiny_set, world=None, brand_id=brands)
    data = concat([home, tiny_set])
    assert data.world is not None and set(data.world[: len(home)].tolist()) == {""}
    split = recipe_split(data, len(home), FitConfig())
    assert len(split.test) > 0 and split.test.max() < len(home)
    synthetic = np.arange(len(home), len(data))
    assert np.isin(synthetic, np.concatenate([split.train, split.validation])).all()
    assert sorted(np.concatenate([split.train, split.validation, split.test]).tolist()) == list(
        range(len(data))
    )
    assert all(b.startswith("home-") for b in split.test_brands)
