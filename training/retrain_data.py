"""The retrain dataset: the window's stored outcomes joined to the served log, then the recipe's
synthetic worlds, and a hash of its rows.

Feedback rows come first (`RetrainData.feedback_rows`), as `training.run.recipe_split`
expects. An outcome a shortlist showed (training/served_join.py) takes its decision time from
the serve: both its rows (full and sparse brief, training/dataset.py) are built as of that
moment, and the full-brief row then takes the feature values logged as served (a feature the
log lacks, from an older server, keeps the value built as of the serve). `served_rank` holds the
shortlist rank beside each row; it is never a feature.

The hash is taken over the rows as a set (each row's bytes hashed, the digests sorted), so the
same window over the same store and log gives the same hash in any row order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import ValidationError

from microtribe.contract import Outcome
from models.embedding_cache import CachedEmbedder
from training.dataset import TrainingSet, _epoch, build_training_set, labelled_outcomes
from training.served_join import Served, ServedIndex, latest_served

FEEDBACK = "feedback"


@dataclass(frozen=True, slots=True)
class Window:
    """Outcomes observed in [since, until); None leaves that side open."""

    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(f"--since {self.since:%Y-%m-%d} is not before --until {self.until}")

    def contains(self, observed: float) -> bool:
        after = self.since is None or observed >= self.since.timestamp()
        return after and (self.until is None or observed < self.until.timestamp())

    def describe(self) -> str:
        since = self.since.isoformat() if self.since else "the first outcome"
        until = self.until.isoformat() if self.until else "the last stored outcome"
        return f"outcomes observed from {since} until {until}"


def parse_date(text: str, option: str) -> datetime:
    """`2026-11-01` or an RFC 3339 time; a date or a time without a zone is UTC."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{option} {text!r}: expected a date (2026-11-01) or an RFC 3339 time"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def window_outcomes(docs: Sequence[Mapping[str, Any]], window: Window) -> list[dict[str, Any]]:
    """The stored outcomes of `window`, each checked against the Outcome contract."""
    chosen = []
    for position, doc in enumerate(docs):
        try:
            outcome = Outcome.model_validate(doc)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(record)"
            keys = {k: doc.get(k) for k in ("brand_id", "creator_id", "campaign_id", "stage")}
            raise ValueError(
                f"stored outcome #{position} {keys}: field {field!r}: {first['msg']}"
            ) from None
        if window.contains(outcome.observed_at.timestamp()):
            chosen.append(outcome.model_dump(mode="json", exclude_none=True))
    return chosen


@dataclass(frozen=True, slots=True)
class FeedbackRows:
    data: TrainingSet  # rows 0..n-1 full briefs, n..2n-1 the same outcomes' sparse briefs
    served_rank: np.ndarray  # float, NaN when no shortlist showed the outcome's creator
    labelled: int  # labelled outcomes of the window
    skipped: tuple[str, ...]  # labelled outcomes of unknown creators or brands


def feedback_rows(
    creators: Sequence[Mapping[str, Any]],
    brands: Sequence[Mapping[str, Any]],
    outcomes: Sequence[Mapping[str, Any]],
    served: ServedIndex,
    embedder: CachedEmbedder,
) -> FeedbackRows:
    """The window's labelled outcomes as training rows, served ones as served."""
    creator_ids = {d["creator_id"] for d in creators}
    brand_ids = {d["brand_id"] for d in brands}
    labelled = sorted(labelled_outcomes(outcomes), key=lambda o: o["observed_at"])
    stored = [o["creator_id"] in creator_ids and o["brand_id"] in brand_ids for o in labelled]
    known = [o for o, ok in zip(labelled, stored, strict=True) if ok]
    skipped = tuple(
        f"{o['brand_id']}/{o['creator_id']}"
        for o, ok in zip(labelled, stored, strict=True)
        if not ok
    )
    if not known:
        raise ValueError(
            "no labelled outcome (stage posted/completed with advocate or engagement_rate) of a "
            "stored creator and brand in the window"
        )
    decided = _epoch([o.get("started_at") or o["observed_at"] for o in known])
    shown = [
        latest_served(served, o["brand_id"], o["creator_id"], float(at))
        for o, at in zip(known, decided, strict=True)
    ]
    as_served = [
        o if s is None else {**o, "started_at": _rfc3339(s.time)}
        for o, s in zip(known, shown, strict=True)
    ]
    data = build_training_set(creators, brands, as_served, embedder)
    if data.creator_id[: len(known)].tolist() != [o["creator_id"] for o in known]:
        raise AssertionError("training rows are not in the order of the outcomes")
    features = _logged_features(data, shown)
    rank = np.array([np.nan if s is None else float(s.rank) for s in shown])
    return FeedbackRows(
        replace(data, features=features), np.concatenate([rank, rank]), len(labelled), skipped
    )


def _rfc3339(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def _logged_features(data: TrainingSet, shown: Sequence[Served | None]) -> np.ndarray:
    features = data.features.copy()
    column = {name: j for j, name in enumerate(data.feature_names)}
    for row, served in enumerate(shown):
        if served is None:
            continue
        for name, value in served.features.items():
            if name in column:
                features[row, column[name]] = np.nan if value is None else value
    return features


def dataset_hash(data: TrainingSet, served_rank: np.ndarray) -> str:
    """sha256 of the rows as a set: every feature, label, id, time, flag and served rank."""
    features = np.where(np.isnan(data.features), np.float32(np.nan), data.features)
    numbers = np.column_stack(
        [data.advocate, data.engagement_rate, data.observed_at, data.sparse_brief, served_rank]
    ).astype(np.float64)
    numbers = np.where(np.isnan(numbers), np.nan, numbers)
    world = data.world if data.world is not None else np.full(len(data), "", dtype=object)
    digests = []
    for i in range(len(data)):
        text = "\x1f".join(
            str(v[i]) for v in (data.brand_id, data.creator_id, data.language, data.tier, world)
        )
        row = features[i].tobytes() + numbers[i].tobytes() + text.encode("utf-8")
        digests.append(hashlib.sha256(row).digest())
    total = hashlib.sha256("\x1f".join(data.feature_names).encode("utf-8"))
    for digest in sorted(digests):
        total.update(digest)
    return total.hexdigest()
