"""Training across worlds: many small synthetic worlds, each with its own drawn effect sizes.

A model trained on one generated world learns that world's exact weights. A `WorldRecipe`
asks for several worlds from both generator families (`training.world`, family A, and
`training.world_alt`, family B), each drawn with its own effects (`draw_effects` of either
family: the signs the domain fixes, magnitudes within documented ranges), and joins their
training sets. Brand and creator ids are prefixed by the world (`w03B/ecoveste`), so a split
by brand never mixes worlds, and every row carries its world in `TrainingSet.world`.

    recipe = WorldRecipe(worlds=6, creators=600, brands=20, max_posts=12, seed=0)
    data = recipe_training_set(recipe, embedder, progress=print)

Same recipe, same dataset: world k's seed and effects come from `numpy.random.SeedSequence
(recipe.seed)` spawned per world, never from a global state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from models.embedding_cache import CachedEmbedder
from training.dataset import TrainingSet, build_training_set

FAMILIES = ("A", "B")
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class WorldRecipe:
    """How many synthetic worlds, of which families, and how big.

    Worlds alternate over `families` (A, B, A, B, … by default). Family B shortlists about
    creators/40 candidates per brand where family A takes creators/10, so a B world has
    `alt_brand_factor` times `brands` brands: both families then give about as many labelled
    rows per world.
    """

    worlds: int = 6
    families: tuple[str, ...] = FAMILIES
    creators: int = 600
    brands: int = 20
    max_posts: int = 12
    seed: int = 0
    alt_brand_factor: int = 4

    def __post_init__(self) -> None:
        sizes = (self.creators, self.brands, self.max_posts, self.alt_brand_factor)
        if self.worlds < 0 or min(sizes) < 1:
            raise ValueError(f"a recipe needs worlds >= 0 and positive sizes: {self}")
        unknown = set(self.families) - set(FAMILIES)
        if not self.families or unknown:
            raise ValueError(f"families must be among {FAMILIES}, got {self.families}")

    def plan(self) -> list[WorldPlan]:
        """Each world's family, generator seed and drawn effects."""
        children = np.random.SeedSequence(self.seed).spawn(self.worlds)
        plans = []
        for k, child in enumerate(children):
            family = self.families[k % len(self.families)]
            rng = np.random.default_rng(child)
            seed = int(rng.integers(2**31))
            plans.append(WorldPlan(k, family, seed, _draw(family, rng)))
        return plans

    def describe(self) -> dict[str, Any]:
        """The recipe and every world's drawn effects, for manifests and bench records."""
        return {**asdict(self), "families": list(self.families),
                "world_plans": [p.describe() for p in self.plan()]}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WorldPlan:
    index: int
    family: str  # "A" (training.world) or "B" (training.world_alt)
    seed: int
    effects: Any  # WorldEffects (A) or AltEffects (B)

    @property
    def name(self) -> str:
        return f"w{self.index:02d}{self.family}"

    def describe(self) -> dict[str, Any]:
        return {"world": self.name, "family": self.family, "seed": self.seed,
                "effects": _describe(self.family, self.effects)}  # fmt: skip


def _draw(family: str, rng: np.random.Generator) -> Any:
    if family == "A":
        from training.world.effects import draw_effects

        return draw_effects(rng)
    from training.world_alt.effects import draw_effects as draw_alt_effects

    return draw_alt_effects(rng)


def _describe(family: str, effects: Any) -> dict[str, Any]:
    if family == "A":
        from training.world.effects import describe

        return describe(effects)
    from training.world_alt.effects import describe as describe_alt

    return describe_alt(effects)


@dataclass(frozen=True, slots=True)
class WorldRecords:
    creators: list[dict[str, Any]]
    brands: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]


def generate(plan: WorldPlan, recipe: WorldRecipe) -> WorldRecords:
    """One planned world's records, with each creator's feed thinned to `recipe.max_posts`."""
    if plan.family == "A":
        from training.world import generate_world

        world = generate_world(recipe.creators, recipe.brands, plan.seed, effects=plan.effects)
    else:
        from training.world_alt import generate_alt_world

        brands = recipe.brands * recipe.alt_brand_factor
        world = generate_alt_world(recipe.creators, brands, plan.seed, effects=plan.effects).world
    creators = [
        {**creator, "posts": thin_posts(creator.get("posts") or [], recipe.max_posts)}
        for creator in world.creators
    ]
    return WorldRecords(creators, world.brands, world.outcomes)


# Both generators' "now" and a window that covers their histories (A: 365 days, B: 420).
FEED_END = datetime(2026, 11, 1, tzinfo=UTC).timestamp()
FEED_DAYS = 430


def thin_posts(posts: Sequence[dict[str, Any]], keep: int) -> list[dict[str, Any]]:
    """At most `keep` posts, newest first: the earliest post of each of `keep` equal time bins.

    The bins are fixed (the `FEED_DAYS` before `FEED_END`; older posts fall in the first), and
    within a bin the earliest post wins, so whether a post is kept never depends on posts
    published after it. Thinning by rank instead (every k-th post of the feed) let the posts a
    campaign adds after the decision time, and the advocates' unpaid mentions afterwards,
    change which earlier posts survive: a label leak through `posts_per_week`. Keeping the
    newest posts would leave outcomes decided early in the year with no posts at all.
    """
    if len(posts) <= keep:
        return sorted(posts, key=lambda post: str(post["posted_at"]), reverse=True)
    start, width = FEED_END - FEED_DAYS * DAY, FEED_DAYS * DAY / keep
    first: dict[int, tuple[str, int]] = {}
    for i, post in enumerate(posts):
        when = str(post["posted_at"])
        at = datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()
        slot = int(min(max((at - start) // width, 0), keep - 1))
        if slot not in first or (when, i) < first[slot]:
            first[slot] = (when, i)
    kept = sorted(first.values(), reverse=True)
    return [posts[i] for _, i in kept]


def prefixed(data: TrainingSet, world: str) -> TrainingSet:
    """`data` with brand and creator ids prefixed by `world` and every row labelled with it."""
    return replace(
        data,
        brand_id=np.array([f"{world}/{b}" for b in data.brand_id.tolist()], dtype=object),
        creator_id=np.array([f"{world}/{c}" for c in data.creator_id.tolist()], dtype=object),
        world=np.full(len(data), world, dtype=object),
    )


def concat(parts: Sequence[TrainingSet]) -> TrainingSet:
    """Rows of every part, in order. Rows without a world label get "" (a home's own)."""
    if not parts:
        raise ValueError("nothing to concatenate")
    names = parts[0].feature_names
    if any(part.feature_names != names for part in parts):
        raise ValueError("training sets with different feature lists cannot be joined")

    def joined(field: str) -> np.ndarray:
        return np.concatenate([getattr(part, field) for part in parts])

    worlds = [
        part.world if part.world is not None else np.full(len(part), "", dtype=object)
        for part in parts
    ]
    return TrainingSet(
        features=joined("features"),
        advocate=joined("advocate"),
        engagement_rate=joined("engagement_rate"),
        brand_id=joined("brand_id"),
        creator_id=joined("creator_id"),
        observed_at=joined("observed_at"),
        language=joined("language"),
        tier=joined("tier"),
        sparse_brief=joined("sparse_brief"),
        feature_names=names,
        world=np.concatenate(worlds),
    )


def world_training_set(
    plan: WorldPlan, recipe: WorldRecipe, embedder: CachedEmbedder
) -> TrainingSet:
    records = generate(plan, recipe)
    data = build_training_set(records.creators, records.brands, records.outcomes, embedder)
    return prefixed(data, plan.name)


def recipe_training_set(
    recipe: WorldRecipe,
    embedder: CachedEmbedder,
    progress: Callable[[str], None] | None = None,
    families: Sequence[str] | None = None,
) -> TrainingSet:
    """Every world of the recipe (or only those of `families`), built and joined.

    Each world's training set is `build_training_set` on its records (features as of each
    outcome's decision time); `progress` gets one line per world.
    """
    plans = [p for p in recipe.plan() if families is None or p.family in families]
    if not plans:
        raise ValueError(f"the recipe holds no world of families {families}")
    parts = []
    for plan in plans:
        started = time.perf_counter()
        part = world_training_set(plan, recipe, embedder)
        parts.append(part)
        if progress is not None:
            labelled = int((~np.isnan(part.advocate)).sum()) // 2
            progress(
                f"world {plan.index + 1}/{recipe.worlds} {plan.name} (family {plan.family}, "
                f"seed {plan.seed}): {len(part)} rows, {labelled} advocacy labels, "
                f"{time.perf_counter() - started:.1f}s"
            )
    return concat(parts)
