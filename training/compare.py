"""`microtribe compare`: champion vs challenger on the requests actually served.

Reads the `route: "challenger"` lines of the served log (matching/challenger.py): for each
request, both models' ranks and predictions for every creator in either model's top k.

- rank agreement: Kendall tau-b of the two rankings over the creators in either top k that
  both models kept, and the overlap of the two top 10s (shared creators / 10);
- predicted lift: the mean advocacy_fit each model predicts for its own top k, challenger
  minus champion (and the same with the champion as the only judge, which a better-calibrated
  challenger cannot win by calibration alone);
- where they disagree most: the requests with the lowest tau, and the creators most often in
  one model's top k and not the other's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from training.served_window import ServedWindow

TOP = 10
SHOWN = 5  # requests and creators listed as disagreeing most


@dataclass(frozen=True, slots=True)
class RequestAgreement:
    request_id: str
    brand_id: str
    kendall_tau: float | None  # None: fewer than two creators ranked by both
    top10_overlap: float
    champion_advocacy: float  # mean, champion's own top k, as the champion predicts
    challenger_advocacy: float  # mean, challenger's own top k, as the challenger predicts
    champion_judged_lift: float  # champion's predictions: challenger's top k minus its own


@dataclass(frozen=True, slots=True)
class Comparison:
    champion_versions: list[str]
    challenger_versions: list[str]
    requests: int
    kendall_tau: float | None
    top10_overlap: float | None
    champion_advocacy: float | None
    challenger_advocacy: float | None
    predicted_lift: float | None
    champion_judged_lift: float | None
    disagree_requests: list[dict[str, Any]] = field(default_factory=list)
    disagree_creators: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float | None:
    """Kendall tau-b of two rankings of the same items (ties allowed), O(n²) over ≤ 2k items."""
    if len(a) < 2:
        return None
    da = np.sign(a[:, None] - a[None, :])
    db = np.sign(b[:, None] - b[None, :])
    upper = np.triu_indices(len(a), 1)
    da, db = da[upper], db[upper]
    concordance = float(np.sum(da * db))
    norm = np.sqrt(float(np.sum(da != 0)) * float(np.sum(db != 0)))
    return concordance / norm if norm else None


def _mean(values: Sequence[float | None]) -> float:
    finite = [v for v in values if v is not None]
    return float(np.mean(finite)) if finite else float("nan")


def agreement(line: dict[str, Any]) -> RequestAgreement:
    """One challenger line's agreement figures."""
    rows, k = line["matches"], int(line["k"])
    both = [r for r in rows if r["champion_rank"] and r["challenger_rank"]]
    tau = kendall_tau(
        np.array([r["champion_rank"] for r in both], dtype=np.float64),
        np.array([r["challenger_rank"] for r in both], dtype=np.float64),
    )
    champion_top = [r for r in rows if r["champion_rank"] and r["champion_rank"] <= k]
    challenger_top = [r for r in rows if r["challenger_rank"] and r["challenger_rank"] <= k]
    top = min(TOP, k)
    shared = {r["creator_id"] for r in champion_top if r["champion_rank"] <= top} & {
        r["creator_id"] for r in challenger_top if r["challenger_rank"] <= top
    }
    return RequestAgreement(
        request_id=line["request_id"],
        brand_id=line["brand_id"],
        kendall_tau=tau,
        top10_overlap=len(shared) / top,
        champion_advocacy=_mean([r["champion_advocacy_fit"] for r in champion_top]),
        challenger_advocacy=_mean([r["challenger_advocacy_fit"] for r in challenger_top]),
        champion_judged_lift=_mean([r["champion_advocacy_fit"] for r in challenger_top])
        - _mean([r["champion_advocacy_fit"] for r in champion_top]),
    )


def _nanmean(values: Sequence[float | None]) -> float | None:
    finite = np.array([v for v in values if v is not None], dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(finite.mean()) if len(finite) else None


def _disagreeing_creators(lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Creators most often in one model's top k and not the other's."""
    only_challenger: Counter[str] = Counter()
    only_champion: Counter[str] = Counter()
    for line in lines:
        k = int(line["k"])
        for r in line["matches"]:
            in_champion = bool(r["champion_rank"]) and r["champion_rank"] <= k
            in_challenger = bool(r["challenger_rank"]) and r["challenger_rank"] <= k
            if in_challenger and not in_champion:
                only_challenger[r["creator_id"]] += 1
            elif in_champion and not in_challenger:
                only_champion[r["creator_id"]] += 1
    total = only_challenger + only_champion
    return [
        {
            "creator_id": creator_id,
            "only_in_challenger_top_k": only_challenger[creator_id],
            "only_in_champion_top_k": only_champion[creator_id],
        }
        for creator_id, _ in total.most_common(SHOWN)
    ]


def compare(window: ServedWindow) -> Comparison:
    """The comparison over every challenger line in `window`."""
    lines = window.challenger
    rows = [agreement(line) for line in lines]
    champion = _nanmean([r.champion_advocacy for r in rows])
    challenger = _nanmean([r.challenger_advocacy for r in rows])
    worst = sorted(rows, key=lambda r: (r.kendall_tau is None, r.kendall_tau or 0.0))
    return Comparison(
        champion_versions=sorted({str(line["champion_version"]) for line in lines}),
        challenger_versions=sorted({str(line["model_version"]) for line in lines}),
        requests=len(rows),
        kendall_tau=_nanmean([r.kendall_tau for r in rows]),
        top10_overlap=_nanmean([r.top10_overlap for r in rows]),
        champion_advocacy=champion,
        challenger_advocacy=challenger,
        predicted_lift=None if champion is None or challenger is None else challenger - champion,
        champion_judged_lift=_nanmean([r.champion_judged_lift for r in rows]),
        disagree_requests=[asdict(r) for r in worst[:SHOWN]],
        disagree_creators=_disagreeing_creators(lines),
    )


def _figure(value: float | None, digits: int = 3, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def table(result: Comparison, window_days: float) -> str:
    """The readable report."""
    lines = [
        f"champion {','.join(result.champion_versions)} vs challenger "
        f"{','.join(result.challenger_versions)}: {result.requests} requests, "
        f"last {window_days:g} days",
        "",
        f"{'rank agreement, Kendall tau (mean)':<44}{_figure(result.kendall_tau):>10}",
        f"{'top-10 overlap (mean share)':<44}{_figure(result.top10_overlap):>10}",
        f"{'mean advocacy_fit, champion top k':<44}{_figure(result.champion_advocacy):>10}",
        f"{'mean advocacy_fit, challenger top k':<44}{_figure(result.challenger_advocacy):>10}",
        f"{'predicted lift (challenger - champion)':<44}"
        f"{_figure(result.predicted_lift, signed=True):>10}",
        f"{'lift judged by the champion alone':<44}"
        f"{_figure(result.champion_judged_lift, signed=True):>10}",
        "",
        "requests where they disagree most (lowest tau):",
        f"  {'request_id':<34}{'brand_id':<20}{'tau':>8}{'top10':>8}",
    ]
    for r in result.disagree_requests:
        lines.append(
            f"  {r['request_id']:<34}{r['brand_id'][:19]:<20}"
            f"{_figure(r['kendall_tau']):>8}{_figure(r['top10_overlap'], 2):>8}"
        )
    lines += [
        "creators most often in one top k only:",
        f"  {'creator_id':<34}{'challenger only':>16}{'champion only':>15}",
    ]
    for c in result.disagree_creators:
        lines.append(
            f"  {c['creator_id'][:33]:<34}{c['only_in_challenger_top_k']:>16}"
            f"{c['only_in_champion_top_k']:>15}"
        )
    return "\n".join(lines)
