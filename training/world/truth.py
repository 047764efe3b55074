"""The world's own truth about every brand–creator pair, for evaluation only.

Both generators know, for each pair, the probability that a campaign makes the creator an
advocate and the engagement rate its campaign post is expected to reach: the latent
quantities their outcomes are drawn from. They write them to `truth.npz` beside
creators/brands/outcomes.jsonl so that benchmarks can judge a plan by what the world would
really do, including for the many creators the world never shortlisted.

Only `bench/` and `tests/` read it. Features, ingest, training and serving never do
(`tests/test_truth.py` scans the source tree and runs `microtribe ingest` to check): a
model that saw it would be graded on its own answers.

Format: one compressed NumPy archive with `brand_ids` (b,), `creator_ids` (c,) and two dense
float32 matrices (b, c), `advocacy` and `engagement_rate`, every brand × every creator. At
100k creators × 60 brands that is 6M pairs, 48 MB before compression: small beside the
creators' feeds, and dense keeps lookups a plain index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TRUTH_FILE = "truth.npz"


@dataclass(frozen=True, slots=True, eq=False)
class WorldTruth:
    """Latent truth, brands × creators (rows follow `brand_ids`, columns `creator_ids`)."""

    brand_ids: np.ndarray  # (b,) str
    creator_ids: np.ndarray  # (c,) str
    advocacy: np.ndarray  # (b, c) P(the creator becomes an advocate | a completed campaign)
    engagement_rate: np.ndarray  # (b, c) expected (likes+comments)/followers of the paid post

    def __post_init__(self) -> None:
        shape = (len(self.brand_ids), len(self.creator_ids))
        if self.advocacy.shape != shape or self.engagement_rate.shape != shape:
            raise ValueError(
                f"truth matrices must be brands × creators {shape}, got "
                f"{self.advocacy.shape} and {self.engagement_rate.shape}"
            )

    def __eq__(self, other: object) -> bool:
        """Same ids and same values (arrays compare whole, so `World == World` works)."""
        if not isinstance(other, WorldTruth):
            return NotImplemented
        names = ("brand_ids", "creator_ids", "advocacy", "engagement_rate")
        return all(np.array_equal(getattr(self, n), getattr(other, n)) for n in names)

    def brand_row(self, brand_id: str) -> int:
        rows = np.flatnonzero(self.brand_ids == brand_id)
        if len(rows) == 0:
            raise KeyError(f"brand {brand_id!r} is not in the truth file")
        return int(rows[0])

    def columns(self, creator_ids: np.ndarray) -> np.ndarray:
        """Column of each creator id; KeyError naming the first unknown one."""
        order = np.argsort(self.creator_ids, kind="stable")
        ids = np.asarray(creator_ids, dtype=self.creator_ids.dtype)
        at = np.searchsorted(self.creator_ids, ids, sorter=order)
        at = np.minimum(at, len(order) - 1)
        columns = order[at]
        missing = self.creator_ids[columns] != ids
        if missing.any():
            raise KeyError(f"creator {ids[missing][0]!r} is not in the truth file")
        return np.asarray(columns, dtype=np.int64)


def write_truth(truth: WorldTruth, out_dir: Path) -> int:
    """Write `out_dir/truth.npz` (atomically); returns the number of pairs."""
    target = Path(out_dir) / TRUTH_FILE
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("wb") as out:
        np.savez_compressed(
            out,
            brand_ids=np.asarray(truth.brand_ids, dtype=str),
            creator_ids=np.asarray(truth.creator_ids, dtype=str),
            advocacy=truth.advocacy.astype(np.float32),
            engagement_rate=truth.engagement_rate.astype(np.float32),
        )
    os.replace(temporary, target)
    return int(truth.advocacy.size)


def read_truth(path: Path) -> WorldTruth:
    """A world directory's truth (or the file itself)."""
    path = Path(path)
    if path.is_dir():
        path = path / TRUTH_FILE
    with np.load(path, allow_pickle=False) as archive:
        return WorldTruth(
            brand_ids=archive["brand_ids"],
            creator_ids=archive["creator_ids"],
            advocacy=archive["advocacy"],
            engagement_rate=archive["engagement_rate"],
        )
