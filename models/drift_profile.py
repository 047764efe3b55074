"""The reference profile stored with every bundle, and the population stability index (PSI).

A bundle carries `drift_profile.json`: for every ranker feature the bins of its training
distribution (deciles of the training rows, or the distinct values when a feature has few) with
the share of rows in each, the share of missing values, and the mix of brief languages and
brand categories the model was trained on. `microtribe drift` then needs the served log and the
bundle only, never the training set.

PSI = Σ (served − reference) · ln(served / reference) over the bins, with shares floored at
`FLOOR` so an empty bin does not give infinity. The usual reading: < 0.1 stable, 0.1–0.2 a
moderate shift, > 0.2 a shift worth acting on (`DEFAULT_THRESHOLD`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from features.categories import canonical_category

PROFILE_FILE = "drift_profile.json"  # the training set's
BASELINE_FILE = "drift_baseline.json"  # served traffic's, saved by `drift --save-baseline`
PROFILE_FORMAT = 1
BINS = 10  # deciles
FEW_VALUES = 10  # a feature with at most this many distinct values is binned by value
FLOOR = 1e-4
DEFAULT_THRESHOLD = 0.2
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class FeatureProfile:
    """One feature's reference: `edges` cut the finite values into bins (by value when
    `discrete`), `shares` hold each bin's share of the rows, `missing` the NaN share."""

    edges: tuple[float, ...]
    shares: tuple[float, ...]
    missing: float
    discrete: bool

    def bin_shares(self, values: np.ndarray) -> tuple[np.ndarray, float]:
        """The shares of `values` in this profile's bins (and beside them), and its NaN share."""
        values = np.asarray(values, dtype=np.float64)
        finite = values[np.isfinite(values)]
        missing = 1.0 - len(finite) / len(values) if len(values) else 0.0
        edges = np.asarray(self.edges)
        if self.discrete:  # one bin per reference value, one more for any other value
            found = np.searchsorted(edges, finite)
            hit = (found < len(edges)) & (edges[np.minimum(found, len(edges) - 1)] == finite)
            index = np.where(hit, found, len(edges))
        else:
            index = np.searchsorted(edges, finite, side="right")
        counts = np.bincount(index, minlength=len(self.shares)).astype(np.float64)
        return counts / max(len(values), 1), missing


@dataclass(frozen=True, slots=True)
class ReferenceProfile:
    features: Mapping[str, FeatureProfile]
    mixes: Mapping[str, Mapping[str, float]]  # "brief_language" | "category" → share by value
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": PROFILE_FORMAT,
            "rows": self.rows,
            "features": {
                name: {
                    "edges": list(p.edges),
                    "shares": list(p.shares),
                    "missing": p.missing,
                    "discrete": p.discrete,
                }
                for name, p in self.features.items()
            },
            "mixes": {name: dict(mix) for name, mix in self.mixes.items()},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ReferenceProfile:
        if raw.get("format_version") != PROFILE_FORMAT:
            raise ValueError(f"drift profile format {raw.get('format_version')!r} is not supported")
        features = {
            name: FeatureProfile(
                tuple(p["edges"]), tuple(p["shares"]), float(p["missing"]), bool(p["discrete"])
            )
            for name, p in raw["features"].items()
        }
        return cls(features, raw.get("mixes", {}), int(raw["rows"]))


def feature_profile(values: np.ndarray) -> FeatureProfile:
    """Deciles of the finite `values` (by value when there are few distinct ones)."""
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    distinct = np.unique(finite)
    if len(distinct) <= FEW_VALUES:
        edges, discrete = distinct, True
    else:
        quantiles = np.quantile(finite, np.linspace(0, 1, BINS + 1)[1:-1])
        edges, discrete = np.unique(quantiles), False
    draft = FeatureProfile(tuple(edges.tolist()), (0.0,) * (len(edges) + 1), 0.0, discrete)
    shares, missing = draft.bin_shares(values)
    return FeatureProfile(draft.edges, tuple(shares.tolist()), missing, discrete)


def brief_keys(brand: Mapping[str, Any]) -> tuple[str, str]:
    """A brief's language ("it", "en+it" …; "unknown" when it declares none) and category."""
    languages = sorted({str(lang).lower() for lang in brand.get("languages") or ()})
    category = canonical_category(str(brand.get("category") or ""))
    return "+".join(languages) or UNKNOWN, category or UNKNOWN


def mix(values: Iterable[str]) -> dict[str, float]:
    counts = Counter(values)
    total = sum(counts.values())
    return {key: count / total for key, count in sorted(counts.items())} if total else {}


def build_profile(
    features: np.ndarray,
    feature_names: Sequence[str],
    brief_languages: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> ReferenceProfile:
    """The reference of a training set: its feature matrix and its rows' brief keys."""
    profiles = {name: feature_profile(features[:, i]) for i, name in enumerate(feature_names)}
    mixes = {
        name: mix(values)
        for name, values in (("brief_language", brief_languages), ("category", categories))
        if len(values)
    }
    return ReferenceProfile(profiles, mixes, len(features))


def psi(reference: np.ndarray, served: np.ndarray) -> float:
    """PSI between two share vectors over the same bins."""
    expected = np.maximum(np.asarray(reference, dtype=np.float64), FLOOR)
    actual = np.maximum(np.asarray(served, dtype=np.float64), FLOOR)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def feature_psi(profile: FeatureProfile, values: np.ndarray) -> float:
    """PSI of served `values` against the profile; the missing share is one more bin."""
    shares, missing = profile.bin_shares(values)
    return psi(np.append(profile.shares, profile.missing), np.append(shares, missing))


def mix_psi(reference: Mapping[str, float], served: Mapping[str, float]) -> float:
    keys = sorted(set(reference) | set(served))
    return psi(
        np.array([reference.get(k, 0.0) for k in keys]),
        np.array([served.get(k, 0.0) for k in keys]),
    )


def save_profile(bundle_dir: Path, profile: ReferenceProfile, name: str = PROFILE_FILE) -> Path:
    path = bundle_dir / name
    path.write_text(json.dumps(profile.to_dict(), indent=1, sort_keys=True))
    return path


def load_profile(bundle_dir: Path, name: str = PROFILE_FILE) -> ReferenceProfile | None:
    """The bundle's profile, or None for a bundle written before profiles existed."""
    path = bundle_dir / name
    if not path.exists():
        return None
    return ReferenceProfile.from_dict(json.loads(path.read_text()))
