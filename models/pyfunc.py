"""The bundle as an MLflow pyfunc model: `predict` takes brand×creator feature rows.

Imported only by training and by MLflow itself (`mlflow models serve`, `spark_udf`); the API
server loads bundle files directly and never imports mlflow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel

from models.bundle import Bundle, load_bundle
from models.ranker import DEFAULT_RANK_BY


class MicrotribeModel(PythonModel):
    """DataFrame with the bundle's feature columns → advocacy_fit, expected rate, score.

    `params={"rank_by": "advocacy" | "engagement" | "value"}` picks what `score` holds, as in
    `/v1/match` (default `advocacy`).
    """

    def load_context(self, context: Any) -> None:
        self.bundle: Bundle = load_bundle(Path(context.artifacts["bundle"]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        names = self.bundle.ranker.feature_names_in_
        missing = [name for name in names if name not in model_input.columns]
        if missing:
            raise ValueError(f"input lacks feature columns {missing}")
        features = model_input[names].to_numpy(dtype=np.float32, na_value=np.nan)
        rank_by = str((params or {}).get("rank_by", DEFAULT_RANK_BY))
        out = self.bundle.ranker.predict(features, rank_by)
        return pd.DataFrame(
            {
                "advocacy_fit": out.advocacy_fit,
                "expected_engagement_rate": out.expected_engagement_rate,
                "score": out.score,
            }
        )
