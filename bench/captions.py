"""Reading captions: paid-post and critical-stance detection on the hand-labelled caption set.

    .venv/bin/python bench/captions.py [--threads 2] [--out FILE]

Data: tests/data/captions/captions.jsonl (Italian, English, Spanish; `part` dev or test,
assigned when the captions were written, before any detector). For each part, precision,
recall and F1 of:
  paid      `features.text.is_disclosed` (declared + evident, denials cut out), and the
            baseline: `is_disclosed` as it was before (hashtags and phrases only), frozen below;
  critical  `features.stance.critical_posts` with caption vectors (the shipped detector), the
            lexicon rules alone (no vectors) and the vector model alone (score >= 0.5).
A third part, `blind` (tests/data/captions/blind.jsonl, 85 captions written after the
detectors were frozen, never tuned on), says how far the figures carry to phrasings the rules
were not written around. Also a `stance_train` record: the rules on
features/data/stance_train.jsonl, captions written after the rules were (an out-of-sample
check of the lexicon), and a `speed` record: captions/s
of `disclosed_many` and `rule_scores` on the set repeated to 100k captions.
Vectors: USE multilingual v3 (`models.embedder.UseEmbedder`). Records are printed and
appended to --out (default bench/results/captions.jsonl).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, Recorder, default_out, log
from features import stance
from features.text import disclosed_many

CAPTIONS = ROOT / "tests" / "data" / "captions" / "captions.jsonl"
BLIND = ROOT / "tests" / "data" / "captions" / "blind.jsonl"
STANCE_TRAIN = ROOT / "features" / "data" / "stance_train.jsonl"

# The detector before this work (features/text.py at 5a0b31f), frozen as the baseline.
_OLD_TAGS = frozenset(
    ("ad", "ads", "adv", "advertising", "advertisement", "sponsored", "sponsor",
     "sponsorizzato", "partner", "partnership", "paidpartnership", "gifted", "giftedby",
     "suppliedby", "pubblicita", "publi", "publicidad", "colaboracion", "collab",
     "collaborazione", "inserzioneapagamento")
)  # fmt: skip
_OLD_PHRASE_RE = re.compile(
    r"paid partnership|sponsored by|in partnership with|gifted by|in collaborazione con|"
    r"sponsorizzato da|prodotto (?:offerto|regalato) da|contenuto sponsorizzato|"
    r"partnership retribuita|inserzione a pagamento|publicidad|patrocinado por|"
    r"en colaboraci[oó]n con|colaboraci[oó]n pagada",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def baseline_disclosed(caption: str) -> bool:
    tags = {_fold(tag) for tag in re.findall(r"#(\w+)", caption)}
    return bool(tags & _OLD_TAGS) or _OLD_PHRASE_RE.search(caption) is not None


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def scores(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float | int]:
    tp = int((predicted & truth).sum())
    fp = int((predicted & ~truth).sum())
    fn = int((~predicted & truth).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}  # fmt: skip


def misses(captions: Sequence[str], predicted: np.ndarray, truth: np.ndarray) -> list[str]:
    return [("FP " if p else "FN ") + c for c, p, t in zip(captions, predicted, truth, strict=True)
            if p != t]  # fmt: skip


def part_records(rows: list[dict[str, Any]], vectors: np.ndarray, part: str) -> dict[str, Any]:
    index = [i for i, row in enumerate(rows) if row["part"] == part]
    captions = [rows[i]["caption"] for i in index]
    paid = np.array([rows[i]["paid"] for i in index], dtype=bool)
    critical = np.array([rows[i]["critical"] for i in index], dtype=bool)
    found_paid = disclosed_many(captions)
    found_critical = stance.critical_posts(captions, vectors[index])
    return {
        "part": part,
        "captions": len(captions),
        "paid_share": round(float(paid.mean()), 4),
        "critical_share": round(float(critical.mean()), 4),
        "paid": scores(found_paid, paid),
        "paid_baseline": scores(np.array([baseline_disclosed(c) for c in captions]), paid),
        "critical": scores(found_critical, critical),
        "critical_rules_only": scores(stance.critical_posts(captions), critical),
        "critical_vectors_only": scores(stance.vector_scores(vectors[index]) >= 0.5, critical),
        "paid_misses": misses(captions, found_paid, paid),
        "critical_misses": misses(captions, found_critical, critical),
    }


def speed(captions: list[str], total: int = 100_000) -> dict[str, float]:
    many = (captions * (total // len(captions) + 1))[:total]
    started = time.perf_counter()
    disclosed_many(many)
    paid_s = time.perf_counter() - started
    started = time.perf_counter()
    stance.rule_scores(many)
    rules_s = time.perf_counter() - started
    return {
        "captions": total,
        "paid_per_s": round(total / paid_s),
        "rules_per_s": round(total / rules_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=default_out("captions"))
    args = parser.parse_args()
    recorder = Recorder("captions", args.out)
    rows = load(CAPTIONS) + load(BLIND)
    from models.embedder import UseEmbedder

    log(f"embedding {len(rows)} captions (USE multilingual v3, threads={args.threads})")
    vectors = UseEmbedder(threads=args.threads).encode([row["caption"] for row in rows])
    for part in ("dev", "test", "blind"):
        recorder.emit({"kind": "part", **part_records(rows, vectors, part)})
    train = load(STANCE_TRAIN)
    truth = np.array([row["critical"] for row in train], dtype=bool)
    found = stance.critical_posts([row["caption"] for row in train])
    record = {"kind": "stance_train", "captions": len(train), "rules_only": scores(found, truth)}
    recorder.emit(record)
    recorder.emit({"kind": "speed", **speed([row["caption"] for row in rows])})


if __name__ == "__main__":
    main()
