"""Which content vector ranks creators best? Caption set, window, pooling, bio weight and brief
text, measured on three labelled sets with cosine similarity alone.

    .venv/bin/python bench/content_vectors.py [--datasets golden,alt,default]
        [--cache /work/homes/cv-cache.db] [--no-combine] [--out FILE]

Datasets (each ranks by cosine(brief vector, creator content vector) only):
  golden   tests/data/golden: 8 hand-written briefs x all 78 creators, grades 0-3.
           NDCG@10 and NDCG@20, exponential gain 2^grade - 1 (docs/golden-set.md).
  alt      `training.world_alt.generate_alt_world(1500, 20, seed=5)`: 20 brands x all 1500
           creators, rule-based grades 0-3 (absent = 0), same gain; NDCG@20.
  default  `training.world.generate_world(1500, 30, seed=2027)` as of 2026-06-01 (later posts
           dropped, as `bench/worlds.py --cutoff`): per brand, its completed outcomes with
           `advocate` set whose campaign started after the cutoff (observed_at - 60 days >=
           cutoff); relevance 1 = advocate; only those labelled creators are ranked; NDCG@20
           over brands with at least one advocate.
NDCG is `training.evaluate.ranking_metrics` (gains as given, 1/log2(rank+1) discount).

Variants (see `Variant`): captions all / organic among the latest N posts / latest N organic
posts; N = 10, 20, 30; pooling recency-weighted mean (half-life 10 posts, the catalog's) /
plain mean / joined text (bio + captions joined with " " and embedded as one text; "\n" on
golden only: the USE tokenizer reads it as a space); bio weight 0, 0.25, 0.5, 1, 2 (joined:
bio in or out); brief text values / values+description / values+description+category (the
catalog's) / name+values+description / values+category name in the brief's language.
Stage 1 varies one factor at a time from the catalog's configuration. Stage 2 (unless
--no-combine) crosses the two best levels of every factor (poolings: the two best plus the
best non-joined one). Stage x runs `CROSS_CHECKS` (values-only briefs as in the independent
Italian check, name briefs, the recommendation). The selection score is the mean of golden
NDCG@10, alt NDCG@20 and default NDCG@20 (the datasets that ran). Every record carries the
per-brief paired difference to the catalog's configuration (mean, 95 % bootstrap interval over
briefs, wins/losses); `vs_recommended` records compare the top five with `RECOMMENDED`.

Every text goes through `models.embedding_cache.CachedEmbedder` (USE multilingual v3), once:
captions and bios are embedded one by one and pooled in numpy; a joined text is embedded as a
whole. A `data` record per dataset (sizes, digest of the records read), one record per
(dataset, variant), `hand_rule` records (cosine x authentic share (0.85 when missing) x
(1 - sponsored share of the latest 30 posts), for the catalog's, the recommended and the best
content vector), then a summary with timings; two markdown tables at the end. Records are
printed and appended to --out (default bench/results/content_vectors.jsonl).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import itertools
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, Recorder, default_out, log
from bench.worlds import MAX_CAMPAIGN_DAYS, parse_time
from features.brand_profile import brand_profile
from features.categories import canonical_category
from features.text import is_disclosed
from features.vectors import l2_normalise
from models.embedder import load_embedder
from models.embedding_cache import CachedEmbedder
from training.evaluate import ranking_metrics

DEFAULT_CACHE = Path("/work/homes/cv-cache.db")
GOLDEN = ROOT / "tests" / "data" / "golden"
CUTOFF = "2026-06-01T00:00:00Z"
HALF_LIFE_POSTS = 10.0  # features.content.HALF_LIFE_POSTS
MAX_POSTS = 30  # features.creator_features.RECENT_POSTS
MISSING_AUTHENTIC = 0.85
DIM = 512

CaptionSet = Literal["all", "organic_window", "organic_latest"]
Pooling = Literal["recency", "mean", "joined"]
Brief = Literal["v", "vd", "vdc", "nvd", "vc_local"]
BRIEF_NAMES: dict[str, str] = {
    "v": "values",
    "vd": "values. description",
    "vdc": "values. description. category (catalog)",
    "nvd": "name. values. description",
    "vc_local": "values. category in the brief's language",
}
# The brief's category named in its own language (canonical niche -> word people would write).
LOCAL_CATEGORY: dict[str, dict[str, str]] = {
    "it": {
        "fashion": "moda e abbigliamento",
        "beauty": "bellezza e cosmetica",
        "food": "cucina e cibo",
        "travel": "viaggi",
        "fitness": "sport e allenamento",
        "parenting": "genitorialità e famiglia",
        "tech": "tecnologia",
        "gaming": "videogiochi e giochi",
        "sustainability": "sostenibilità",
        "home": "casa e arredamento",
        "pets": "animali domestici",
    },
    "en": {
        "fashion": "fashion and clothing",
        "beauty": "beauty and cosmetics",
        "food": "food and cooking",
        "travel": "travel",
        "fitness": "sport and fitness",
        "parenting": "parenting and family",
        "tech": "technology",
        "gaming": "gaming",
        "sustainability": "sustainability",
        "home": "home and interiors",
        "pets": "pets",
    },
    "es": {
        "fashion": "moda y ropa",
        "beauty": "belleza y cosmética",
        "food": "cocina y comida",
        "travel": "viajes",
        "fitness": "deporte y entrenamiento",
        "parenting": "crianza y familia",
        "tech": "tecnología",
        "gaming": "videojuegos y juegos",
        "sustainability": "sostenibilidad",
        "home": "hogar y decoración",
        "pets": "mascotas",
    },
}
MARKET_LANGUAGE = {"IT": "it", "SM": "it", "CH": "it", "ES": "es", "MX": "es", "AR": "es"}


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True, slots=True)
class Creators:
    ids: list[str]
    bios: list[str]
    captions: list[list[str]]  # newest first
    sponsored: list[np.ndarray]  # bool per caption: `sponsored` field, else disclosure
    authentic: np.ndarray  # audience.authentic_share, NaN when missing


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    creators: Creators
    brands: list[dict[str, Any]]
    pair_brand: np.ndarray  # index into brands, one per evaluated (brand, creator) pair
    pair_creator: np.ndarray  # index into creators
    gain: np.ndarray  # NDCG gain of the pair
    gain_rule: str
    metrics: tuple[str, ...]  # the figures the table shows, e.g. ("ndcg_at_10", "ndcg_at_20")
    digest: str  # of the records and labels read: the generators may change between runs
    note: str = ""


def creators_from_docs(docs: Sequence[Mapping[str, Any]], cutoff: dt.datetime | None) -> Creators:
    ids, bios, captions, sponsored, authentic = [], [], [], [], []
    for doc in docs:
        posts = [
            (parse_time(p["posted_at"]), p.get("caption") or "", p.get("sponsored"))
            for p in doc.get("posts") or ()
        ]
        if cutoff is not None:
            posts = [p for p in posts if p[0] <= cutoff]
        posts.sort(key=lambda p: p[0], reverse=True)
        ids.append(str(doc["creator_id"]))
        bios.append((doc.get("bio") or "").strip())
        captions.append([caption for _, caption, _ in posts])
        sponsored.append(
            np.array(
                [bool(s) if s is not None else is_disclosed(c) for _, c, s in posts], dtype=bool
            )
        )
        share = (doc.get("audience") or {}).get("authentic_share")
        authentic.append(np.nan if share is None else float(share))
    return Creators(ids, bios, captions, sponsored, np.array(authentic, dtype=np.float64))


def digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def exp_gain(grade: np.ndarray) -> np.ndarray:
    return np.power(2.0, grade) - 1.0


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_golden() -> Dataset:
    docs = read_jsonl(GOLDEN / "creators.jsonl")
    brands = read_jsonl(GOLDEN / "brands.jsonl")
    creators = creators_from_docs(docs, None)
    brand_at = {b["brand_id"]: i for i, b in enumerate(brands)}
    creator_at = {c: i for i, c in enumerate(creators.ids)}
    rows: list[tuple[int, int, int]] = []
    with (GOLDEN / "grades.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                (brand_at[row["brand_id"]], creator_at[row["creator_id"]], int(row["grade"]))
            )
    pairs = np.array(rows, dtype=np.int64)
    return Dataset(
        name="golden",
        creators=creators,
        brands=brands,
        pair_brand=pairs[:, 0],
        pair_creator=pairs[:, 1],
        gain=exp_gain(pairs[:, 2].astype(np.float64)),
        gain_rule="2^grade - 1",
        metrics=("ndcg_at_10", "ndcg_at_20"),
        digest=digest(docs, brands, rows),
    )


def load_alt(n_creators: int, n_brands: int, seed: int) -> Dataset:
    from training.world_alt import generate_alt_world

    alt = generate_alt_world(n_creators=n_creators, n_brands=n_brands, seed=seed)
    creators = creators_from_docs(alt.world.creators, None)
    brands = list(alt.world.brands)
    brand_at = {b["brand_id"]: i for i, b in enumerate(brands)}
    creator_at = {c: i for i, c in enumerate(creators.ids)}
    grade = np.zeros((len(brands), len(creators.ids)), dtype=np.float64)
    for brand_id, creator_id, g in alt.grades:
        grade[brand_at[brand_id], creator_at[creator_id]] = g
    pair_brand, pair_creator = (a.ravel() for a in np.indices(grade.shape))
    return Dataset(
        name="alt",
        creators=creators,
        brands=brands,
        pair_brand=pair_brand,
        pair_creator=pair_creator,
        gain=exp_gain(grade.ravel()),
        gain_rule="2^grade - 1",
        metrics=("ndcg_at_20",),
        digest=digest(alt.world.creators, brands, alt.grades),
        note=f"generate_alt_world({n_creators}, {n_brands}, seed={seed}); all posts kept",
    )


def load_default(n_creators: int, n_brands: int, seed: int, cutoff: str) -> Dataset:
    from training.world import generate_world

    world = generate_world(n_creators, n_brands, seed=seed)
    as_of = parse_time(cutoff)
    labelled: dict[tuple[str, str], bool] = {}
    for o in world.outcomes:
        if o.get("stage") != "completed" or o.get("advocate") is None:
            continue
        if parse_time(o["observed_at"]) - dt.timedelta(days=MAX_CAMPAIGN_DAYS) < as_of:
            continue
        key = (o["brand_id"], o["creator_id"])
        labelled[key] = labelled.get(key, False) or bool(o["advocate"])
    wanted = {creator_id for _, creator_id in labelled}
    docs = [doc for doc in world.creators if doc["creator_id"] in wanted]
    creators = creators_from_docs(docs, as_of)
    brands = [b for b in world.brands if any(k[0] == b["brand_id"] for k in labelled)]
    brand_at = {b["brand_id"]: i for i, b in enumerate(brands)}
    creator_at = {c: i for i, c in enumerate(creators.ids)}
    pairs = np.array(
        [(brand_at[b], creator_at[c], int(adv)) for (b, c), adv in sorted(labelled.items())],
        dtype=np.int64,
    )
    return Dataset(
        name="default",
        creators=creators,
        brands=brands,
        pair_brand=pairs[:, 0],
        pair_creator=pairs[:, 1],
        gain=pairs[:, 2].astype(np.float64),
        gain_rule="advocate 1/0",
        metrics=("ndcg_at_20",),
        digest=digest(docs, brands, sorted(labelled.items())),
        note=(
            f"generate_world({n_creators}, {n_brands}, seed={seed}) as of {cutoff}; "
            f"{len(pairs)} labelled pairs, {int(pairs[:, 2].sum())} advocates"
        ),
    )


# --------------------------------------------------------------------------- variants


@dataclass(frozen=True, slots=True)
class Variant:
    captions: CaptionSet = "all"
    n_posts: int = 30
    pooling: Pooling = "recency"
    bio_weight: float = 1.0  # joined: > 0 means the bio opens the joined text
    joiner: str = " "
    brief: Brief = "vdc"

    def label(self) -> str:
        caps = {"all": "all", "organic_window": "org-in-window", "organic_latest": "org-latest"}
        if self.pooling == "joined":
            bio = "+bio" if self.bio_weight > 0 else "-bio"
            joiner = "" if self.joiner == " " else "(\\n)"
            content = f"joined{self.n_posts}{joiner}{bio}"
        else:
            content = f"{self.pooling}{self.n_posts} bio{self.bio_weight:g}"
        return f"{caps[self.captions]} · {content} · brief:{self.brief}"

    def config(self) -> dict[str, Any]:
        return asdict(self)


CATALOG = Variant()  # what features/content.py + features/brand_profile.py do today
# The recommendation after the runs (see the report): the catalog's vector with the bio at a
# quarter of the weight. Cross-checked below against the best by score, per brief.
RECOMMENDED = replace(CATALOG, bio_weight=0.25)
# Stage "x": interactions the one-factor scan cannot show. The independent Italian check
# compared values-only briefs against bio + 10 captions joined: does joining help more with a
# terse brief, and does the lighter bio do the same?
CROSS_CHECKS: dict[str, Variant] = {
    "independent-eval setup (joined10, values brief)": replace(
        CATALOG, pooling="joined", n_posts=10, brief="v"
    ),
    "bio 0.25, values brief": replace(RECOMMENDED, brief="v"),
    "organic, bio 0.25, values brief": replace(RECOMMENDED, captions="organic_window", brief="v"),
    "bio 0.25, name brief": replace(RECOMMENDED, brief="nvd"),
    "joined10, name brief": replace(CATALOG, pooling="joined", n_posts=10, brief="nvd"),
    "plain mean, bio 0.25": replace(RECOMMENDED, pooling="mean"),
    "organic, bio 0.25": replace(RECOMMENDED, captions="organic_window"),
    "recommended": RECOMMENDED,
}


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a factor: the fields it sets on a variant."""

    name: str
    overrides: Mapping[str, Any]
    only: tuple[str, ...] = ()  # datasets it runs on (empty: all)

    def apply(self, variant: Variant) -> Variant:
        return replace(variant, **dict(self.overrides))


FACTORS: dict[str, list[Level]] = {
    "captions": [
        Level("all", {"captions": "all"}),
        Level("organic_window", {"captions": "organic_window"}),
        Level("organic_latest", {"captions": "organic_latest"}),
    ],
    "n_posts": [
        Level("30", {"n_posts": 30}),
        Level("20", {"n_posts": 20}),
        Level("10", {"n_posts": 10}),
    ],
    "pooling": [
        Level("recency", {"pooling": "recency"}),
        Level("mean", {"pooling": "mean"}),
        Level("joined10", {"pooling": "joined", "n_posts": 10}),
        Level("joined30", {"pooling": "joined", "n_posts": 30}),
        Level("joined10-nobio", {"pooling": "joined", "n_posts": 10, "bio_weight": 0.0}),
        Level(
            "joined10-newline",
            {"pooling": "joined", "n_posts": 10, "joiner": "\n"},
            only=("golden",),
        ),
    ],
    "bio_weight": [
        Level("1", {"bio_weight": 1.0}),
        Level("0", {"bio_weight": 0.0}),
        Level("0.25", {"bio_weight": 0.25}),
        Level("0.5", {"bio_weight": 0.5}),
        Level("2", {"bio_weight": 2.0}),
    ],
    "brief": [Level(k, {"brief": k}) for k in ("vdc", "v", "vd", "nvd", "vc_local")],
}


# --------------------------------------------------------------------------- embeddings


@dataclass
class Embeddings:
    """Text -> vector through the persistent cache, memoised in memory for this run."""

    cached: CachedEmbedder
    memo: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0
    embedded_chars: int = 0

    def ensure(self, texts: Sequence[str], what: str, chunk: int = 2048) -> None:
        todo = list(dict.fromkeys(t for t in texts if t and t not in self.memo))
        if not todo:
            return
        started = time.perf_counter()
        misses_before = self.cached.misses
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            vectors = self.cached.encode(part)
            self.memo.update(zip(part, vectors, strict=True))
            if len(todo) > chunk:
                log(
                    f"  {what}: {min(start + chunk, len(todo))}/{len(todo)} texts "
                    f"({time.perf_counter() - started:.0f}s)"
                )
        elapsed = time.perf_counter() - started
        self.seconds += elapsed
        self.embedded_chars += sum(map(len, todo))
        log(
            f"{what}: {len(todo)} texts in {elapsed:.1f}s "
            f"({self.cached.misses - misses_before} not in the cache)"
        )

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of `texts` (zero for an empty text); `ensure` them first."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            if text:
                out[row] = self.memo[text]
        return out


def picked(creators: Creators, row: int, variant: Variant) -> list[int]:
    """Indices (newest first) of the captions `variant` reads for creator `row`."""
    sponsored = creators.sponsored[row]
    total = len(sponsored)
    if variant.captions == "all":
        return list(range(min(variant.n_posts, total)))
    if variant.captions == "organic_window":
        return [i for i in range(min(variant.n_posts, total)) if not sponsored[i]]
    return [i for i in range(total) if not sponsored[i]][: variant.n_posts]


def joined_text(creators: Creators, row: int, variant: Variant) -> str:
    parts = [creators.captions[row][i] for i in picked(creators, row, variant)]
    if variant.bio_weight > 0 and creators.bios[row]:
        parts.insert(0, creators.bios[row])
    return variant.joiner.join(p for p in parts if p)


def creator_texts(dataset: Dataset, variant: Variant) -> list[str]:
    """Every distinct non-empty text `variant` embeds for the creators of `dataset`."""
    c = dataset.creators
    texts: list[str] = []
    for row in range(len(c.ids)):
        if variant.pooling == "joined":
            texts.append(joined_text(c, row, variant))
            continue
        if variant.bio_weight > 0:
            texts.append(c.bios[row])
        texts += [c.captions[row][i] for i in picked(c, row, variant)]
    return list(dict.fromkeys(t for t in texts if t))


def content_vectors(dataset: Dataset, variant: Variant, emb: Embeddings) -> np.ndarray:
    c = dataset.creators
    if variant.pooling == "joined":
        return l2_normalise(emb.vectors([joined_text(c, r, variant) for r in range(len(c.ids))]))
    out = np.zeros((len(c.ids), DIM), dtype=np.float32)
    for row in range(len(c.ids)):
        chosen = picked(c, row, variant)
        vector = np.zeros(DIM, dtype=np.float64)
        if chosen:
            captions = emb.vectors([c.captions[row][i] for i in chosen])
            ranks = np.arange(len(chosen), dtype=np.float64)
            if variant.pooling == "recency":
                weights = 0.5 ** (ranks / HALF_LIFE_POSTS)
            else:
                weights = np.ones(len(chosen))
            vector += weights @ captions / weights.sum()
        if variant.bio_weight > 0 and c.bios[row]:
            vector += variant.bio_weight * emb.vectors([c.bios[row]])[0]
        out[row] = vector
    return l2_normalise(out)


def brief_language(doc: Mapping[str, Any]) -> str:
    languages = [str(x).lower() for x in doc.get("languages") or ()]
    if languages and languages[0] in LOCAL_CATEGORY:
        return languages[0]
    for market in doc.get("markets") or ():
        if str(market).upper() in MARKET_LANGUAGE:
            return MARKET_LANGUAGE[str(market).upper()]
    return "en"


def brief_text(doc: Mapping[str, Any], kind: Brief) -> str:
    def joined(*parts: Any) -> str:
        return ". ".join(str(p).strip() for p in parts if p and str(p).strip())

    values, description = doc.get("values"), doc.get("description")
    if kind == "vdc":
        text = brand_profile(doc).text
    elif kind == "v":
        text = joined(values)
    elif kind == "vd":
        text = joined(values, description)
    elif kind == "nvd":
        text = joined(doc.get("name"), values, description)
    else:
        category = doc.get("category") or ""
        niche = canonical_category(category) if category else ""
        local = LOCAL_CATEGORY[brief_language(doc)].get(niche, category)
        text = joined(values, local)
    return text or brand_profile(doc).text or str(doc.get("name") or "")


# --------------------------------------------------------------------------- evaluation


def sponsored_share(creators: Creators, limit: int = MAX_POSTS) -> np.ndarray:
    return np.array(
        [float(s[:limit].mean()) if len(s) else 0.0 for s in creators.sponsored],
        dtype=np.float64,
    )


def cosine_scores(
    dataset: Dataset, creator_vectors: np.ndarray, brief_vectors: np.ndarray
) -> np.ndarray:
    return np.einsum(
        "ij,ij->i", brief_vectors[dataset.pair_brand], creator_vectors[dataset.pair_creator]
    ).astype(np.float64)


def metrics_of(dataset: Dataset, score: np.ndarray) -> dict[str, Any]:
    found = ranking_metrics(score, dataset.gain, dataset.pair_brand)
    out: dict[str, Any] = {k: round(found[k], 4) for k in ("ndcg_at_10", "ndcg_at_20", "mrr")}
    out["brands"] = int(found["brands"])
    by_language: dict[str, float] = {}
    languages = np.array([brief_language(b) for b in dataset.brands], dtype=object)
    for language in sorted(set(languages.tolist())):
        rows = np.flatnonzero(languages[dataset.pair_brand] == language)
        if dataset.gain[rows].sum() > 0:
            part = ranking_metrics(score[rows], dataset.gain[rows], dataset.pair_brand[rows])
            by_language[language] = round(part["ndcg_at_20"], 4)
    out["ndcg_at_20_by_brief_language"] = by_language
    return out


PRIMARY = {"golden": "ndcg_at_10", "alt": "ndcg_at_20", "default": "ndcg_at_20"}


def per_brief(dataset: Dataset, score: np.ndarray) -> np.ndarray:
    """The dataset's primary NDCG of each brief that has a relevant creator (brief order)."""
    out = []
    for brand in range(len(dataset.brands)):
        rows = np.flatnonzero(dataset.pair_brand == brand)
        if dataset.gain[rows].sum() > 0:
            found = ranking_metrics(score[rows], dataset.gain[rows], dataset.pair_brand[rows])
            out.append(found[PRIMARY[dataset.name]])
    return np.array(out, dtype=np.float64)


def paired(variant: np.ndarray, reference: np.ndarray, resamples: int = 4000) -> dict[str, Any]:
    """Mean per-brief difference with a 95 % bootstrap interval over briefs, wins and losses."""
    delta = variant - reference
    rng = np.random.default_rng(0)
    means = delta[rng.integers(0, len(delta), size=(resamples, len(delta)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {
        "delta": round(float(delta.mean()), 4),
        "ci95": [round(float(low), 4), round(float(high), 4)],
        "wins": int((delta > 1e-9).sum()),
        "losses": int((delta < -1e-9).sum()),
        "briefs": len(delta),
    }


@dataclass
class Result:
    dataset: str
    stage: str
    factor: str
    level: str
    variant: Variant
    metrics: dict[str, Any]
    texts: int
    chars: int
    briefs: np.ndarray  # per-brief primary metric
    vs_catalog: dict[str, Any]


def evaluate(
    dataset: Dataset, variant: Variant, emb: Embeddings
) -> tuple[dict[str, Any], int, int, np.ndarray, np.ndarray, np.ndarray]:
    texts = creator_texts(dataset, variant)
    briefs = [brief_text(b, variant.brief) for b in dataset.brands]
    emb.ensure(texts, f"{dataset.name} {variant.label()}")
    emb.ensure(briefs, f"{dataset.name} briefs:{variant.brief}")
    vectors = content_vectors(dataset, variant, emb)
    brief_vectors = l2_normalise(emb.vectors(briefs))
    score = cosine_scores(dataset, vectors, brief_vectors)
    distinct = texts + list(dict.fromkeys(briefs))
    return (
        metrics_of(dataset, score),
        len(distinct),
        sum(map(len, distinct)),
        vectors,
        brief_vectors,
        per_brief(dataset, score),
    )


def selection_score(results: Sequence[Result], variant: Variant) -> float:
    found = [
        r.metrics[PRIMARY[r.dataset]]
        for r in results
        if r.variant == variant and r.dataset in PRIMARY
    ]
    return float(np.mean(found)) if found else float("nan")


# --------------------------------------------------------------------------- driver


def stage_one() -> list[tuple[str, Level]]:
    plan: list[tuple[str, Level]] = [("catalog", Level("catalog", {}))]
    for factor, levels in FACTORS.items():
        plan += [(factor, level) for level in levels[1:]]  # levels[0] is the catalog's
    return plan


def best_levels(
    results: Sequence[Result], factor: str, top: int, datasets: Sequence[str]
) -> list[Level]:
    """The `top` levels of `factor` by selection score (its catalog level included)."""
    scored = []
    for level in FACTORS[factor]:
        if level.only and not set(datasets) <= set(level.only):
            continue  # a level measured on some datasets only is not comparable
        scored.append((selection_score(results, level.apply(CATALOG)), level))
    scored.sort(key=lambda pair: -pair[0])
    return [level for _, level in scored[:top]]


def stage_two(results: Sequence[Result], datasets: Sequence[str]) -> list[Variant]:
    """The two best levels of every factor crossed; poolings: the two best plus the best
    pooled (non-joined) one. A joined level fixes its own window and bio, so those combinations
    collapse; joined texts are new embeddings only for new caption sets."""
    top = {
        f: best_levels(results, f, 2, datasets)
        for f in ("captions", "n_posts", "bio_weight", "brief")
    }
    poolings = best_levels(results, "pooling", 2, datasets)
    pooled = [
        level
        for level in best_levels(results, "pooling", len(FACTORS["pooling"]), datasets)
        if level.overrides.get("pooling") != "joined"
    ]
    poolings += [level for level in pooled[:1] if level not in poolings]
    variants: list[Variant] = []
    for captions, window, bio, brief, pooling in itertools.product(
        top["captions"], top["n_posts"], top["bio_weight"], top["brief"], poolings
    ):
        variant = CATALOG
        for level in (captions, window, bio, brief):
            variant = level.apply(variant)
        if pooling.overrides.get("pooling") == "joined":
            variant = replace(variant, bio_weight=1.0)  # joined: bio in, unless the level says
        variant = pooling.apply(variant)
        if variant not in variants:
            variants.append(variant)
    return variants


def markdown_table(results: Sequence[Result], datasets: Sequence[str]) -> str:
    by_variant: dict[Variant, dict[str, Result]] = {}
    meta: dict[Variant, tuple[str, str, str]] = {}
    for r in results:
        by_variant.setdefault(r.variant, {})[r.dataset] = r
        meta.setdefault(r.variant, (r.stage, r.factor, r.level))
    columns = [
        ("golden", "ndcg_at_10"),
        ("golden", "ndcg_at_20"),
        ("alt", "ndcg_at_20"),
        ("default", "ndcg_at_20"),
    ]
    head = (
        "| stage | factor | variant | "
        + " | ".join(f"{d} @{m.split('_')[-1]}" for d, m in columns)
        + " | score | texts | chars |"
    )
    lines = [head, "|" + " --- |" * (len(columns) + 6)]
    for variant, per in by_variant.items():
        stage, factor, _ = meta[variant]
        cells = []
        for d, m in columns:
            found = per.get(d)
            cells.append(f"{found.metrics[m]:.3f}" if found is not None else "–")
        texts = sum(r.texts for r in per.values())
        chars = sum(r.chars for r in per.values())
        score = selection_score(results, variant)
        lines.append(
            f"| {stage} | {factor} | {variant.label()} | "
            + " | ".join(cells)
            + f" | {score:.3f} | {texts} | {chars / 1e6:.2f}M |"
        )
    return "\n".join(lines)


def delta_table(results: Sequence[Result], variants: Sequence[Variant]) -> str:
    """Per-brief paired difference to the catalog's configuration, primary metric per set."""
    sets = list(dict.fromkeys(r.dataset for r in results))
    head = "| variant | score | " + " | ".join(
        f"{d} Δ{PRIMARY[d].split('_')[-1]} [95% CI] W/L" for d in sets
    )
    lines = [head + " |", "|" + " --- |" * (len(sets) + 2)]
    for variant in variants:
        cells = []
        for d in sets:
            found = next((r for r in results if r.dataset == d and r.variant == variant), None)
            if found is None:
                cells.append("–")
                continue
            v = found.vs_catalog
            cells.append(
                f"{v['delta']:+.3f} [{v['ci95'][0]:+.3f}, {v['ci95'][1]:+.3f}] "
                f"{v['wins']}/{v['losses']}"
            )
        lines.append(
            f"| {variant.label()} | {selection_score(results, variant):.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", default="golden,alt,default")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-combine", action="store_true", help="stage 1 only")
    parser.add_argument("--out", type=Path, default=default_out("content_vectors"))
    args = parser.parse_args()
    wanted = [d.strip() for d in args.datasets.split(",") if d.strip()]
    recorder = Recorder("content_vectors", args.out)
    started = time.perf_counter()

    loaders: dict[str, Callable[[], Dataset]] = {
        "golden": load_golden,
        "default": lambda: load_default(1500, 30, 2027, CUTOFF),
        "alt": lambda: load_alt(1500, 20, 5),
    }
    datasets: list[Dataset] = []
    for name in wanted:
        try:
            dataset = loaders[name]()
        except ImportError as exc:  # training/world_alt may still be being written
            log(f"{name}: skipped ({exc})")
            recorder.emit({"dataset": name, "skipped": f"{type(exc).__name__}: {exc}"})
            continue
        recorder.emit(
            {
                "dataset": name,
                "stage": "data",
                "creators": len(dataset.creators.ids),
                "briefs": len(dataset.brands),
                "pairs": len(dataset.gain),
                "relevant_pairs": int((dataset.gain > 0).sum()),
                "gain": dataset.gain_rule,
                "digest": dataset.digest,
                "note": dataset.note,
            }
        )
        log(
            f"{name}: {len(dataset.creators.ids)} creators, {len(dataset.brands)} briefs, "
            f"{len(dataset.gain)} pairs; {dataset.note}"
        )
        datasets.append(dataset)
    names = [d.name for d in datasets]

    emb = Embeddings(
        CachedEmbedder(load_embedder("use-multilingual-v3", threads=args.threads), args.cache)
    )
    # the single texts every pooled variant reads, embedded once up front
    for dataset in datasets:
        c = dataset.creators
        singles = [b for b in c.bios if b]
        for row in range(len(c.ids)):
            rows = set(picked(c, row, replace(CATALOG, captions="all", n_posts=MAX_POSTS)))
            rows |= set(
                picked(c, row, replace(CATALOG, captions="organic_latest", n_posts=MAX_POSTS))
            )
            singles += [c.captions[row][i] for i in sorted(rows)]
        emb.ensure(singles, f"{dataset.name} bios+captions")

    focus: dict[str, float] = {}  # median |mean of the latest 30 caption vectors|
    for dataset in datasets:
        c = dataset.creators
        norms = [
            float(np.linalg.norm(emb.vectors(c.captions[row][:MAX_POSTS]).mean(axis=0)))
            for row in range(len(c.ids))
            if c.captions[row]
        ]
        focus[dataset.name] = round(float(np.median(norms)), 3)
    log(f"median norm of the mean caption vector (bio weight 1 adds a unit vector): {focus}")

    results: list[Result] = []

    def run(stage: str, factor: str, level: str, variant: Variant, only: Sequence[str]) -> None:
        for dataset in datasets:
            if only and dataset.name not in only:
                continue
            if any(r.dataset == dataset.name and r.variant == variant for r in results):
                continue
            t0 = time.perf_counter()
            metrics, n_texts, n_chars, _, _, briefs = evaluate(dataset, variant, emb)
            reference = next(
                (r.briefs for r in results if r.dataset == dataset.name and r.variant == CATALOG),
                briefs,
            )
            vs_catalog = paired(briefs, reference)
            results.append(
                Result(
                    dataset.name,
                    stage,
                    factor,
                    level,
                    variant,
                    metrics,
                    n_texts,
                    n_chars,
                    briefs,
                    vs_catalog,
                )
            )
            recorder.emit(
                {
                    "dataset": dataset.name,
                    "stage": stage,
                    "factor": factor,
                    "level": level,
                    "variant": variant.label(),
                    "config": variant.config(),
                    "metrics": metrics,
                    f"vs_catalog_{PRIMARY[dataset.name]}": vs_catalog,
                    "texts": n_texts,
                    "chars": n_chars,
                    "gain": dataset.gain_rule,
                    "digest": dataset.digest,
                    "creators": len(dataset.creators.ids),
                    "briefs": len(dataset.brands),
                    "seconds": round(time.perf_counter() - t0, 2),
                }
            )

    for factor, level in stage_one():
        run("1", factor, level.name, level.apply(CATALOG), level.only)
    if not args.no_combine:
        for variant in stage_two(results, names):
            run("2", "combined", "", variant, ())

    for name, variant in CROSS_CHECKS.items():
        run("x", "cross-check", name, variant, ())

    everywhere = [  # variants measured on every dataset (not the golden-only checks)
        v
        for v in dict.fromkeys(r.variant for r in results)
        if {r.dataset for r in results if r.variant == v} == set(names)
    ]
    ranked = sorted(everywhere, key=lambda v: -selection_score(results, v))
    best = ranked[0]
    log(f"best by selection score: {best.label()} ({selection_score(results, best):.4f})")

    # the top variants against the recommendation, brief by brief
    for variant in [v for v in ranked[:5] if v != RECOMMENDED]:
        for dataset in datasets:
            ours = next(r for r in results if r.dataset == dataset.name and r.variant == variant)
            ref = next(r for r in results if r.dataset == dataset.name and r.variant == RECOMMENDED)
            recorder.emit(
                {
                    "dataset": dataset.name,
                    "stage": "vs_recommended",
                    "variant": variant.label(),
                    "recommended": RECOMMENDED.label(),
                    f"delta_{PRIMARY[dataset.name]}": paired(ours.briefs, ref.briefs),
                }
            )

    # hand rule on golden (and the others, for context): cosine x authentic x (1 - sponsored)
    for dataset in datasets:
        c = dataset.creators
        quality = np.nan_to_num(c.authentic, nan=MISSING_AUTHENTIC) * (1.0 - sponsored_share(c))
        for which, variant in (
            ("catalog", CATALOG),
            ("recommended", RECOMMENDED),
            ("best by score", best),
        ):
            _, _, _, vectors, brief_vectors, _ = evaluate(dataset, variant, emb)
            cosine = cosine_scores(dataset, vectors, brief_vectors)
            recorder.emit(
                {
                    "dataset": dataset.name,
                    "stage": "hand_rule",
                    "content": which,
                    "variant": variant.label(),
                    "config": variant.config(),
                    "rule": "cosine * authentic_share(0.85 if missing) * (1 - sponsored share of "
                    "latest 30 posts)",
                    "metrics": metrics_of(dataset, cosine * quality[dataset.pair_creator]),
                    "cosine_only": metrics_of(dataset, cosine),
                }
            )

    recorder.emit(
        {
            "stage": "summary",
            "datasets": names,
            "top": [
                {
                    "variant": v.label(),
                    "config": v.config(),
                    "score": round(selection_score(results, v), 4),
                }
                for v in ranked[:5]
            ],
            "median_mean_caption_norm": focus,
            "embed_seconds": round(emb.seconds, 1),
            "embedded_texts": len(emb.memo),
            "embedded_chars": emb.embedded_chars,
            "cache_hits": emb.cached.hits,
            "cache_misses": emb.cached.misses,
            "total_seconds": round(time.perf_counter() - started, 1),
            "selection_score": "mean of golden NDCG@10, alt NDCG@20, default NDCG@20",
        }
    )
    emb.cached.close()
    print()
    print(markdown_table(results, names))
    print()
    shown = list(dict.fromkeys([*ranked[:12], *CROSS_CHECKS.values()]))
    print(delta_table(results, [v for v in shown if v in everywhere]))


if __name__ == "__main__":
    main()
