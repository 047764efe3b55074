"""Fit the caption-vector half of `features.stance`: a logistic regression on USE multilingual
v3 vectors of `features/data/stance_train.jsonl`, saved as `features/data/stance_weights.npz`.

The training captions are written apart from tests/data/captions (the evaluation set), so the
measured F1 is never on captions the weights have seen.

    PYTHONPATH=. python -m training.stance_fit
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from models.embedder import UseEmbedder

FEATURES_DATA = Path(__file__).resolve().parents[1] / "features" / "data"
TRAIN = FEATURES_DATA / "stance_train.jsonl"
WEIGHTS = FEATURES_DATA / "stance_weights.npz"
# Strong regularisation: 108 captions against 512 dimensions.
C = 1.0


def load_train(path: Path = TRAIN) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [row["caption"] for row in rows], np.array([row["critical"] for row in rows], bool)


def fit(vectors: np.ndarray, labels: np.ndarray, c: float = C) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(vectors, labels)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def main() -> None:
    captions, labels = load_train()
    vectors = UseEmbedder(threads=2).encode(captions)
    coef, intercept = fit(vectors, labels)
    np.savez_compressed(WEIGHTS, coef=coef, intercept=np.float32(intercept))
    summary = {"captions": len(captions), "critical": int(labels.sum()), "out": str(WEIGHTS)}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
