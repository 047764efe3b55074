"""A very large serving home, grown at the catalog level from a built one (no embedding, no build).

    .venv/bin/python bench/scaled_catalog.py --base /work/benchhome/h100k \\
        --out /work/benchhome/h1m --creators 1000000

`bench/scaled_home.py` grows a home through its store and a full `microtribe build`: at 1M
creators that is about an hour of both cores and tens of GB. For serving benchmarks this
script instead writes the catalog version directly, from the rows of --base's current
catalog, in minutes:

- Rows. Every base row is kept as it is. The other rows are replicas: output row i is a copy
  of base row src(i) (the base rows taken in turn, replica j = 1, 2, ... of each), with
  - id `<base id with "~" as "-">-m<j>` (checked unique and against the contract's
    identifier pattern) and handle `<base handle>_m<j>`;
  - followers × s, s ~ U(0.8, 1.25), and every post's likes and comments × t, t ~ U(0.7,
    1.4), both per replica (--seed); the features that depend on them are recomputed with
    the project's definitions (`features.creator_features`, `features.tiers`): log
    followers, tier, following ratio, engagement rate mean and median (× t·f/f'), engagement
    vs tier, the estimated authenticity when none is declared, the estimated post cost when
    there is no rate card. Features that do not depend on them (posting rhythm, recency,
    sponsored share, comments per like, reply rate, niche focus, audience, country,
    language, categories, rate card ...) and `last_post_at` are the source row's;
  - content vector l2norm(v_src + sigma·g), g ~ N(0, I), sigma = --noise-sigma (0.0245, the
    recipe of `bench/retrieval.py` and `bench/peer.py`: cosine to the source ≈ 0.875);
  - the source's brand-mention postings (the same organic posts mention the same brands).
  Rows are laid out in creator_id order, as a build lays them out.
- Index: `matching.index.build_index` with `IndexConfig().factory_for(N)` (IVF1024,Flat at
  1M, searched with the default nprobe), i.e. what `microtribe build` would make for N rows.
- Version: written by `matching.catalog.write_version` (same files, manifest and
  FORMAT_VERSION as a build); the manifest keeps the base's embedder, feature list,
  reference time, brand-key digest and feature fingerprint, and says how it was grown
  (`grown`); `build_seconds` is the time this script took to make the version.
- Store: `catalog.db` is the base's (brands, outcomes, base creators), plus one PROFILE
  document per replica: the source's stored document with the new id, handle and followers
  and WITHOUT its posts (with them the store would be ~8 GB at 1M). The catalog's
  `content_hash` of every row is the store's hash of its document, so the server's start-up
  catch-up finds nothing to apply and upserts, deletes and `brand_id` requests work as on a
  built home. A `microtribe build` on the grown home would re-feature replicas from their
  profiles alone: the home is for serving benchmarks, not for build benchmarks.
- From the rest of the base home only `models/` is copied (the champion bundle and
  `models/CHAMPION`, all that serving loads). Not copied: its catalog versions, its
  embedding cache (serving embeds briefs directly; the cache starts empty), its served logs,
  its generated world, and its MLflow registry (`mlflow.db` names the base's artifact
  directory: training in the copy would write there; `microtribe train` on the grown home
  starts a fresh registry).

One JSON object describing the home is printed and written to `--out/scaled_catalog.json`.
Memory: about 3 × N × dim × 4 bytes at the peak (the vectors, the IVF lists, the float32 copy
`write_version` saves); 6 GB at 1M.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from features.creator_features import size_features
from features.creator_table import CreatorColumns, take_creator_columns
from features.mentions import MentionIndex
from features.tiers import PLATFORMS
from matching.catalog import Catalog, load_catalog, write_version
from matching.index import IndexConfig, build_index
from matching.store import CatalogStore
from microtribe.contract import ID_PATTERN
from microtribe.settings import Settings

CHUNK = 50_000  # rows per chunk when generating vectors or store documents
FOLLOWERS_JITTER = (0.8, 1.25)
ENGAGEMENT_JITTER = (0.7, 1.4)
# copied separately (the store), or left out (catalog versions, the embedding cache, logs)
NOT_COPIED = (
    "catalog", "catalog.db", "catalog.db-wal", "catalog.db-shm", "embeddings.db",
    "embeddings.db-wal", "embeddings.db-shm", "logs", "mlflow.db", "mlartifacts", "world",
    "bench-world.json", "scaled_home.json", "scaled_catalog.json",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Recipe:
    """How replicas differ from their source row (defaults: the 5k stress recipe)."""

    # noise added to the vector before normalising: "isotropic", sigma per dimension; or
    # "covariance", shaped as the base vectors vary (the directions real creators differ
    # in), of norm sigma, or when sigma is None calibrated so that a replica is as close to
    # its source as a base row to its nearest other base row (sigma = √(1 / cos² - 1))
    noise: str = "isotropic"
    sigma: float | None = 0.0245
    followers_jitter: tuple[float, float] = FOLLOWERS_JITTER
    followers_log_uniform: bool = False  # factor log-uniform in the range, else uniform
    neighbours: int = 0  # > 0: market and platform may come from one of the nearest rows
    market_share: float = 0.0  # replicas taking that neighbour's country and language
    platform_share: float = 0.0  # replicas taking that neighbour's platform

    def describe(self) -> str:
        followers = (f"followers x {'log-' if self.followers_log_uniform else ''}U"
                     f"{self.followers_jitter}")  # fmt: skip
        if self.noise == "isotropic":
            vector = f"vector l2norm(v_r + {self.sigma} * N(0, I))"
        else:
            spread = "calibrated" if self.sigma is None else self.sigma
            vector = (f"vector l2norm(v_r + s g), g ~ N(0, Cov(base vectors)) / √trace, s "
                      f"{spread} (cos to the source ≈ a base row's to its nearest)")  # fmt: skip
        market = "country, language and platform the source's"
        if self.neighbours:
            market = (
                f"country and language those of n, one of r's {self.neighbours} nearest base "
                f"rows at random, with probability {self.market_share}, platform n's with "
                f"probability {self.platform_share}, else r's"
            )
        return (f"base rows kept; replica j of base row r: id <r id>-m<j>, {followers}, "
                f"likes/comments x U{ENGAGEMENT_JITTER} (features that depend on them "
                f"recomputed), {vector}, {market}, the same mentions; store: profile "
                f"documents without posts")  # fmt: skip


STRESS = Recipe()  # the 1M grown from 5k: 200 replicas a source, noise only
# grown from a real build (≤ 10 replicas a source): each replica moves from its source along
# the directions real creators differ in, as far as real neighbours are from each other, so
# replicas do not form tight balls around their sources (the stress recipe's 200 replicas
# at cos 0.875 did: 90 % of a replica's 10 nearest were its siblings); some take a real
# neighbour's market or platform, and the follower factor spans tiers
FROM_REAL = Recipe(
    noise="covariance", sigma=None, followers_jitter=(0.5, 2.0), followers_log_uniform=True,
    neighbours=10, market_share=0.3, platform_share=0.3,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each output row comes from, in output (creator_id) order."""

    source: np.ndarray  # int64 base row
    replica: np.ndarray  # int64: 0 = the base row itself, j ≥ 1 = replica j
    creator_id: np.ndarray  # object
    handle: np.ndarray  # object
    followers_factor: np.ndarray  # float64, 1 for base rows
    engagement_factor: np.ndarray  # float64, 1 for base rows
    # the base rows a row's market (country, language) and platform come from
    market_from: np.ndarray  # int64 base row
    platform_from: np.ndarray  # int64 base row


def replica_id(base_id: str, j: int) -> str:
    return f"{base_id.replace('~', '-')}-m{j}"


def replicas_needed(n: int, n_base: int) -> int:
    """Replicas of the most replicated base row when `n` rows are grown from `n_base`."""
    return max(0, -(-n // n_base) - 1)


def layout(base: Catalog, n: int, rng: np.random.Generator,
           neighbours: np.ndarray | None = None, max_replicas: int | None = None,
           recipe: Recipe | None = None) -> Layout:  # fmt: skip
    """`n` rows: the base rows, then replicas of them in turn, sorted by creator_id.

    `neighbours` (base rows × m, each row's nearest other base rows): a replica takes the
    country and language (with probability `recipe.market_share`) and the platform
    (`recipe.platform_share`) of one of its source's, picked at random; without it the
    source's own (the stress recipe)."""
    recipe = recipe or Recipe()
    n_base = len(base)
    if n < n_base:
        raise ValueError(f"--creators {n} is below the base catalog's {n_base} rows")
    if max_replicas is not None and replicas_needed(n, n_base) > max_replicas:
        raise ValueError(
            f"{n:,} rows from {n_base:,} need {replicas_needed(n, n_base)} replicas of a "
            f"source, above --max-replicas {max_replicas}"
        )
    source = np.arange(n, dtype=np.int64) % n_base
    replica = np.arange(n, dtype=np.int64) // n_base
    base_ids, base_handles = base.creators.creator_id.tolist(), base.creators.handle.tolist()
    ids = [
        base_ids[s] if j == 0 else replica_id(base_ids[s], j)
        for s, j in zip(source.tolist(), replica.tolist(), strict=True)
    ]
    handles = [
        base_handles[s] if j == 0 else f"{base_handles[s]}_m{j}"
        for s, j in zip(source.tolist(), replica.tolist(), strict=True)
    ]
    pattern = re.compile(ID_PATTERN)
    for creator_id in ids[n_base:]:
        if not pattern.match(creator_id):
            raise ValueError(f"replica id {creator_id!r} does not match {ID_PATTERN}")
    if len(set(ids)) != n:
        raise ValueError("replica ids collide with existing ones")
    is_replica = replica > 0
    followers = np.where(is_replica, rng.uniform(*recipe.followers_jitter, size=n), 1.0)
    if recipe.followers_log_uniform:
        low, high = np.log(recipe.followers_jitter)
        followers = np.where(is_replica, np.exp(rng.uniform(low, high, size=n)), 1.0)
    engagement = np.where(is_replica, rng.uniform(*ENGAGEMENT_JITTER, size=n), 1.0)
    market_from, platform_from = source.copy(), source.copy()
    if neighbours is not None and is_replica.any():
        neighbour = neighbours[source, rng.integers(neighbours.shape[1], size=n)]
        market = is_replica & (rng.random(n) < recipe.market_share)
        market_from = np.where(market, neighbour, source)
        platform = is_replica & (rng.random(n) < recipe.platform_share)
        platform_from = np.where(platform, neighbour, source)
    order = np.argsort(np.asarray(ids, dtype=str), kind="stable")  # a build's row order
    id_array = np.asarray(ids, dtype=object)
    handle_array = np.asarray(handles, dtype=object)
    return Layout(source[order], replica[order], id_array[order], handle_array[order],
                  followers[order], engagement[order], market_from[order],
                  platform_from[order])  # fmt: skip


def base_neighbours(base: Catalog, count: int, nprobe: int = 16) -> tuple[np.ndarray, float]:
    """Each base row's `count` nearest other base rows by cosine (base rows × count), from
    the base catalog's own index (an IVF visits `nprobe` lists: near enough for a recipe),
    and the mean cosine of a base row to its nearest other one."""
    import faiss

    vectors = np.ascontiguousarray(base.vectors, dtype=np.float32)
    module: Any = faiss
    params = module.SearchParametersIVF() if isinstance(
        faiss.downcast_index(base.index), faiss.IndexIVF) else None  # fmt: skip
    if params is not None:
        params.nprobe = nprobe
    found = np.empty((len(vectors), count), dtype=np.int64)
    nearest = np.empty(len(vectors))
    for start in range(0, len(vectors), CHUNK):
        block = vectors[start : start + CHUNK]
        scores, rows = base.index.search(block, count + 1, params=params)
        for i, (row, score) in enumerate(zip(rows, scores, strict=True)):
            own = start + i
            other = (row != own) & (row >= 0)
            others = row[other][:count]
            nearest[own] = score[other][0] if other.any() else 1.0
            if len(others) < count:  # an index that ran dry: pad with the row itself
                others = np.r_[others, np.full(count - len(others), own)]
            found[own] = others
    return found, float(nearest.mean())


def replica_features(base: Catalog, rows: Layout, followers: np.ndarray) -> dict[str, np.ndarray]:
    """The base rows' features, with those that depend on followers or engagement redone."""
    src = rows.source
    features = {name: values[src] for name, values in base.features.items()}
    platform = base.creators.platform[rows.platform_from]
    features["platform"] = platform.astype(np.float64)
    old = np.maximum(base.creators.followers[src], 1.0)
    rate_scale = rows.engagement_factor * old / np.maximum(followers, 1.0)
    features["engagement_rate_mean"] = features["engagement_rate_mean"] * rate_scale
    features["engagement_rate_median"] = features["engagement_rate_median"] * rate_scale
    features.update(
        size_features(
            followers,
            base.creators.following[src],
            platform,
            features["engagement_rate_median"],
            base.creators.authentic_share[src],
            base.creators.rate_post[src],
        )
    )
    return features


def noise_basis(base_vectors: np.ndarray, rng: np.random.Generator, rows: int = 1024
                ) -> np.ndarray:  # fmt: skip
    """(rows, dim): `rows` centred base vectors scaled so that w @ basis, w ~ N(0, I), is
    Gaussian with the base vectors' covariance divided by its trace (expected norm² 1)."""
    picked = rng.choice(len(base_vectors), size=min(rows, len(base_vectors)), replace=False)
    sample = np.asarray(base_vectors[np.sort(picked)], dtype=np.float32)
    centred = sample - sample.mean(axis=0)
    return (centred / np.sqrt(float((centred**2).sum()))).astype(np.float32)


def calibrated_spread(nearest_cos: float) -> float:
    """The noise norm s at which l2norm(v + s g), g a unit-norm direction orthogonal to v,
    has cosine `nearest_cos` to v."""
    return float(np.sqrt(1.0 / min(max(nearest_cos, 0.05), 0.999) ** 2 - 1.0))


def replica_vectors(
    base_vectors: np.ndarray, rows: Layout, sigma: float, rng: np.random.Generator,
    progress: bool, basis: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:  # fmt: skip
    """Base rows' vectors as they are, replicas' l2norm(v_source + noise): sigma · N(0, I),
    or with `basis` sigma · (w @ basis), w ~ N(0, I); (vectors, mean cos of a replica to its
    source)."""
    n, dim = len(rows.source), base_vectors.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    cos_sum, n_replicas = 0.0, 0
    for start in tqdm(range(0, n, CHUNK), desc="vectors", unit="chunk", disable=None if progress
                      else True):  # fmt: skip
        stop = min(start + CHUNK, n)
        block = out[start:stop]
        real = np.asarray(base_vectors[rows.source[start:stop]], dtype=np.float32)
        if basis is None:
            rng.standard_normal(size=block.shape, dtype=np.float32, out=block)
        else:
            weights = rng.standard_normal(size=(stop - start, len(basis)), dtype=np.float32)
            np.matmul(weights, basis, out=block)
        block *= np.float32(sigma)
        block += real
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        keep = rows.replica[start:stop] == 0
        block[keep] = real[keep]
        cos = np.einsum("ij,ij->i", block, real)
        cos_sum += float(cos[~keep].sum())
        n_replicas += int((~keep).sum())
    return out, cos_sum / max(n_replicas, 1)


def neighbour_check(vectors: np.ndarray, rows: Layout, sample: int, k: int,
                    rng: np.random.Generator) -> dict[str, float]:  # fmt: skip
    """Whether replicas form clusters a real catalog lacks: for `sample` replica rows, their
    exact top `k` neighbours (themselves excluded) in the grown catalog, the share that are
    siblings (rows grown from the same source, the source included) and the mean cosine to
    the nearest; the same cosine for base rows among base rows only (the real catalog)."""
    replicas = np.flatnonzero(rows.replica > 0)
    base_rows = np.flatnonzero(rows.replica == 0)
    picked = rng.choice(replicas, size=min(sample, len(replicas)), replace=False)
    queries = np.asarray(vectors[picked], dtype=np.float32)
    top_scores, top_rows = _top_neighbours(vectors, queries, k + 1, np.arange(len(vectors)))
    sibling, first = [], []
    for query_row, found, scores in zip(picked, top_rows, top_scores, strict=True):
        keep = found != query_row
        found, scores = found[keep][:k], scores[keep][:k]
        sibling.append(float(np.mean(rows.source[found] == rows.source[query_row])))
        first.append(float(scores[0]))
    real_picked = rng.choice(base_rows, size=min(sample, len(base_rows)), replace=False)
    real_scores, real_rows = _top_neighbours(
        vectors, np.asarray(vectors[real_picked], dtype=np.float32), 2, base_rows
    )
    real_first = [float(s[r != q][0]) for q, r, s in zip(real_picked, real_rows, real_scores,
                                                         strict=True)]  # fmt: skip
    return {
        "replicas_sampled": len(picked),
        "k": k,
        "sibling_share_of_top_k": round(float(np.mean(sibling)), 4),
        "replica_nearest_cos": round(float(np.mean(first)), 4),
        "base_nearest_cos_among_base": round(float(np.mean(real_first)), 4),
    }


def _top_neighbours(vectors: np.ndarray, queries: np.ndarray, k: int,
                    among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Exact top `k` (scores, rows) of each query among rows `among`, a chunk at a time."""
    best_scores = np.full((len(queries), 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    for start in range(0, len(among), CHUNK):
        chunk = among[start : start + CHUNK]
        scores = queries @ np.asarray(vectors[chunk], dtype=np.float32).T
        best_scores = np.hstack([best_scores, scores])
        best_rows = np.hstack([best_rows, np.broadcast_to(chunk, scores.shape)])
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
        best_rows = np.take_along_axis(best_rows, keep, axis=1)
    return best_scores, best_rows


def replica_mentions(mentions: MentionIndex, rows: Layout) -> MentionIndex:
    """Each output row gets its source row's postings (token → count of organic posts)."""
    table = mentions.to_table()  # sorted by token: from_table's stable sort stays cheap
    by_source = np.argsort(rows.source, kind="stable")
    counts = np.bincount(rows.source, minlength=mentions.n_rows)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    per_entry = counts[table["row"]]
    offsets = np.arange(per_entry.sum()) - np.repeat(np.cumsum(per_entry) - per_entry, per_entry)
    new_rows = by_source[np.repeat(starts[table["row"]], per_entry) + offsets]
    return MentionIndex.from_table(
        np.repeat(table["token"], per_entry), new_rows, np.repeat(table["count"], per_entry),
        len(rows.source),
    )  # fmt: skip


def copy_home(base: Path, out: Path) -> None:
    """The base home minus its catalog, embedding cache and logs; the store via SQLite backup."""
    shutil.copytree(base, out, symlinks=True, ignore=lambda d, names: [
        n for n in names if Path(d) == base and n in NOT_COPIED])  # fmt: skip
    source = sqlite3.connect(f"file:{base / 'catalog.db'}?mode=ro", uri=True)
    target = sqlite3.connect(out / "catalog.db")
    try:
        source.backup(target)  # consistent even if the base has a WAL
    finally:
        source.close()
        target.close()


def store_replicas(store: CatalogStore, base_db: Path, rows: Layout, columns: CreatorColumns,
                   progress: bool) -> int:  # fmt: skip
    """One profile document per replica: the source's with the replica's id, handle,
    followers, platform, country and language (`columns`, in output order), no posts."""
    wanted = set(rows.creator_id[rows.replica == 0].tolist())
    profiles: dict[str, dict[str, Any]] = {}
    connection = sqlite3.connect(f"file:{base_db}?mode=ro", uri=True)
    try:
        for creator_id, text in connection.execute("SELECT creator_id, doc FROM creators"):
            if creator_id in wanted:
                doc = json.loads(text)
                doc.pop("posts", None)
                profiles[creator_id] = doc
    finally:
        connection.close()
    missing = wanted - set(profiles)
    if missing:
        raise ValueError(f"base store lacks {len(missing)} catalog creators, e.g. {min(missing)!r}")
    base_ids = rows.creator_id[rows.replica == 0]
    by_row = dict(zip(rows.source[rows.replica == 0].tolist(), base_ids.tolist(), strict=True))
    picked = np.flatnonzero(rows.replica > 0)
    written = 0
    bar = tqdm(total=len(picked), desc="store", unit="creator", disable=None if progress else True)
    with bar:
        for start in range(0, len(picked), CHUNK):
            docs = []
            for i in picked[start : start + CHUNK].tolist():
                doc = dict(profiles[by_row[int(rows.source[i])]])
                doc["creator_id"] = rows.creator_id[i]
                doc["handle"] = rows.handle[i]
                doc["followers"] = int(columns.followers[i])
                doc["platform"] = PLATFORMS[int(columns.platform[i])]
                doc["country"] = str(columns.country[i])
                doc["language"] = str(columns.language[i])
                docs.append(doc)
            written += store.upsert_creators(docs)
            bar.update(len(docs))
    return written


def grow(
    base: Path, out: Path, creators: int, seed: int = 3, recipe: Recipe = STRESS,
    config: IndexConfig | None = None, progress: bool = True, max_replicas: int | None = None,
    check_sample: int = 200,
) -> dict[str, Any]:  # fmt: skip
    """Make `out`, a home whose catalog holds `creators` rows grown from `base`'s catalog by
    `recipe`, at most `max_replicas` replicas a source (None: no limit); `check_sample`
    replicas go through `neighbour_check` (0: none)."""
    started = time.perf_counter()
    config = config or IndexConfig()
    if out.exists():
        raise FileExistsError(f"--out {out} exists; choose a new directory")
    base_settings = Settings.from_env(base)
    base_catalog = load_catalog(base_settings.catalog_dir)
    if base_catalog.n_base != len(base_catalog):
        raise ValueError(f"{base}: the base catalog has unapplied upserts")
    rng = np.random.default_rng(seed)
    if max_replicas is not None and replicas_needed(creators, len(base_catalog)) > max_replicas:
        layout(base_catalog, creators, rng, max_replicas=max_replicas)  # raises, says why
    neighbours, nearest_cos = None, None
    if recipe.neighbours or recipe.sigma is None:
        neighbours, nearest_cos = base_neighbours(base_catalog, max(recipe.neighbours, 1))
    rows = layout(base_catalog, creators, rng, neighbours if recipe.neighbours else None,
                  max_replicas, recipe)  # fmt: skip
    sigma = recipe.sigma
    if sigma is None:
        sigma = calibrated_spread(nearest_cos if nearest_cos is not None else 0.8)
    basis = noise_basis(base_catalog.vectors, rng) if recipe.noise == "covariance" else None
    followers = np.where(
        rows.replica > 0,
        np.maximum(np.round(base_catalog.creators.followers[rows.source] * rows.followers_factor),
                   1.0),
        base_catalog.creators.followers[rows.source],
    )  # fmt: skip
    features = replica_features(base_catalog, rows, followers)
    vectors, mean_cos = replica_vectors(base_catalog.vectors, rows, sigma, rng, progress, basis)
    check = neighbour_check(vectors, rows, check_sample, 10, rng) if check_sample else {}
    mentions = replica_mentions(base_catalog.mentions, rows)
    last_post_at = np.asarray(base_catalog.last_post_at, dtype=np.float64)[rows.source]

    market = take_creator_columns(base_catalog.creators, rows.market_from)
    columns = replace(
        take_creator_columns(base_catalog.creators, rows.source),
        creator_id=rows.creator_id,
        handle=rows.handle,
        followers=followers,
        platform=base_catalog.creators.platform[rows.platform_from],
        country=market.country,
        language=market.language,
    )
    copy_home(base, out)
    settings = Settings.from_env(out)
    store = CatalogStore(settings.store_path)
    try:
        stored = store_replicas(store, base / "catalog.db", rows, columns, progress)
        hashes, store_seq = store.creator_hashes_and_seq()
    finally:
        store.close()
    missing = [cid for cid in rows.creator_id.tolist() if cid not in hashes]
    if missing or len(hashes) != creators:
        raise ValueError(f"store holds {len(hashes)} creators for {creators} rows "
                         f"({len(missing)} rows without a document)")  # fmt: skip
    factory = config.factory_for(creators)
    index_started = time.perf_counter()
    index = build_index(vectors, factory, config)
    index_s = time.perf_counter() - index_started
    manifest = {key: value for key, value in base_catalog.manifest.items()
                if key not in ("version", "format_version", "files", "dictionaries")}  # fmt: skip
    manifest["store_seq"] = store_seq  # the server catches up on later changes only
    replicas = replicas_needed(creators, len(base_catalog))
    manifest.update(
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        creators=creators,
        posts_read=0,
        index_factory=factory,
        creators_reused=len(base_catalog),
        creators_featured=0,
        build_seconds=round(time.perf_counter() - started, 3),
        grown={
            "script": "bench/scaled_catalog.py",
            "base": str(base),
            "base_version": base_catalog.version,
            "base_creators": len(base_catalog),
            "seed": seed,
            "noise_sigma": sigma,
            "base_nearest_cos": nearest_cos,
            "max_replicas_per_source": replicas,
            "recipe": recipe.describe(),
            "recipe_parameters": json.loads(json.dumps(asdict(recipe))),  # tuples as lists
            "neighbour_check": check,
        },
    )
    version = write_version(
        settings.catalog_dir, columns, [hashes[c] for c in rows.creator_id.tolist()], features,
        vectors, index, mentions, last_post_at, manifest,
    )  # fmt: skip
    record = {
        "bench": "scaled_catalog",
        "base": str(base),
        "base_version": base_catalog.version,
        "home": str(out),
        "creators": creators,
        "base_creators": len(base_catalog),
        "replicas_stored": stored,
        "version": version,
        "index_factory": factory,
        "index_build_s": round(index_s, 2),
        "seconds": round(time.perf_counter() - started, 2),
        "noise_sigma": round(sigma, 4),
        "base_nearest_cos": None if nearest_cos is None else round(nearest_cos, 4),
        "mean_cos_replica_to_source": round(mean_cos, 4),
        "max_replicas_per_source": replicas,
        "neighbour_check": check,
        "seed": seed,
        "recipe_name": "from-real" if recipe.neighbours else "stress",
        "recipe": recipe.describe(),
        "recipe_parameters": json.loads(json.dumps(asdict(recipe))),  # tuples as lists
    }
    (out / "scaled_catalog.json").write_text(json.dumps(record, indent=2))
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, required=True, help="a built, trained home")
    parser.add_argument("--out", type=Path, required=True, help="new home (must not exist)")
    parser.add_argument("--creators", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--from-real",
        action="store_true",
        help="the recipe for a real base (FROM_REAL: covariance-shaped noise calibrated to the "
        "base's nearest-neighbour cosine; markets, platforms and "
        "tiers varied); default: the stress recipe (noise only, attributes the source's)",
    )
    parser.add_argument("--noise-sigma", type=float, default=None, help="the recipe's own")
    parser.add_argument(
        "--max-replicas",
        type=int,
        default=None,
        help="refuse to grow more than this many replicas a source (default: 10 with "
        "--from-real, no limit otherwise)",
    )
    parser.add_argument("--check-sample", type=int, default=200, help="replicas checked")
    args = parser.parse_args(argv)
    if args.out.exists():
        parser.error(f"--out {args.out} exists; choose a new directory")
    recipe = FROM_REAL if args.from_real else STRESS
    if args.noise_sigma is not None:
        recipe = replace(recipe, sigma=args.noise_sigma)
    max_replicas = args.max_replicas
    if max_replicas is None and args.from_real:
        max_replicas = 10
    record = grow(args.base.resolve(), args.out.resolve(), args.creators, args.seed, recipe,
                  max_replicas=max_replicas, check_sample=args.check_sample)  # fmt: skip
    print(json.dumps(record))


if __name__ == "__main__":
    main()
