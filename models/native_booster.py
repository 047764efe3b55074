"""A LightGBM model file scored through LightGBM's own C library, without `import lightgbm`.

`import lightgbm` imports scikit-learn, pandas and scipy (about 2.7 s here, most of a server's
start); serving only predicts from a saved model file. `NativeBooster` loads the same
`lib_lightgbm` shared library the Python package ships and calls the same C functions its
`Booster.predict` calls on a numpy matrix (`LGBM_BoosterCreateFromModelfile`,
`LGBM_BoosterPredictForMat`), with the same arguments, so its predictions are the package's,
bit for bit (tests/test_native_booster.py). The library is found from the package's location
(`importlib.util.find_spec` does not run the package).
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

# LightGBM's c_api.h
_DTYPE = {np.dtype(np.float32): 0, np.dtype(np.float64): 1}
_ROW_MAJOR = 1
_PREDICT_NORMAL, _PREDICT_RAW_SCORE, _PREDICT_CONTRIB = 0, 1, 3


class NativeBoosterError(RuntimeError):
    """LightGBM's C library reported an error (its message)."""


@cache
def _library() -> ctypes.CDLL:
    spec = importlib.util.find_spec("lightgbm")
    if spec is None or not spec.submodule_search_locations:
        raise NativeBoosterError("the lightgbm package is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    for candidate in (package / "lib", package / "bin", package.parent):
        path = candidate / "lib_lightgbm.so"
        if path.is_file():
            lib = ctypes.cdll.LoadLibrary(str(path))  # CDLL: calls release the GIL
            lib.LGBM_GetLastError.restype = ctypes.c_char_p
            return lib
    raise NativeBoosterError(f"lib_lightgbm.so not found under {package}")


def _check(code: int) -> None:
    if code != 0:
        raise NativeBoosterError(_library().LGBM_GetLastError().decode("utf-8", "replace"))


class NativeBooster:
    """`lightgbm.Booster(model_file=...)`'s `predict` on 2-D numpy matrices, nothing more.

    `predict(data, raw_score=, pred_contrib=, num_threads=)` returns what `Booster.predict`
    returns for the same arguments with every iteration (a model read from a file has no best
    iteration): shape (rows,), or (rows, features + 1) with `pred_contrib`.
    """

    def __init__(self, model_file: Path | str) -> None:
        self.model_file = str(model_file)
        self._lib = _library()
        self._handle = ctypes.c_void_p()
        iterations = ctypes.c_int(0)
        _check(
            self._lib.LGBM_BoosterCreateFromModelfile(
                self.model_file.encode("utf-8"),
                ctypes.byref(iterations),
                ctypes.byref(self._handle),
            )
        )
        self.iterations = iterations.value
        features = ctypes.c_int(0)
        _check(self._lib.LGBM_BoosterGetNumFeature(self._handle, ctypes.byref(features)))
        self.num_features = features.value
        classes = ctypes.c_int(0)
        _check(self._lib.LGBM_BoosterGetNumClasses(self._handle, ctypes.byref(classes)))
        self.num_classes = classes.value

    def num_feature(self) -> int:
        return self.num_features

    def dump_model(self) -> dict[str, Any]:
        """The model as `Booster.dump_model()` gives it (every iteration): the JSON of
        `LGBM_BoosterDumpModel`, which the compiled trees (models/compiled.py) read."""
        size = 1 << 20
        for _ in range(2):
            buffer = ctypes.create_string_buffer(size)
            needed = ctypes.c_int64(0)
            _check(
                self._lib.LGBM_BoosterDumpModel(
                    self._handle, ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_int(0),
                    ctypes.c_int64(size), ctypes.byref(needed), buffer,
                )
            )  # fmt: skip
            if needed.value <= size:
                return dict(json.loads(buffer.value.decode("utf-8")))
            size = needed.value
        raise NativeBoosterError("the model dump kept growing")

    def predict(
        self,
        data: np.ndarray,
        raw_score: bool = False,
        pred_contrib: bool = False,
        num_threads: int = 0,
    ) -> np.ndarray:
        """Scores of the rows of `data` (float32 or float64 are passed as they are, anything
        else as float32, as the package does)."""
        if data.ndim != 2:
            raise ValueError("Input numpy.ndarray or list must be 2 dimensional")
        dtype = data.dtype if data.dtype in _DTYPE else np.dtype(np.float32)
        matrix = np.ascontiguousarray(data, dtype=dtype)
        kind = (
            _PREDICT_CONTRIB
            if pred_contrib
            else _PREDICT_RAW_SCORE
            if raw_score
            else _PREDICT_NORMAL
        )
        rows, columns = matrix.shape
        parameters = f"num_threads={num_threads}".encode() if num_threads else b""
        wanted = ctypes.c_int64(0)
        _check(
            self._lib.LGBM_BoosterCalcNumPredict(
                self._handle, ctypes.c_int(rows), ctypes.c_int(kind), ctypes.c_int(0),
                ctypes.c_int(-1), ctypes.byref(wanted),
            )
        )  # fmt: skip
        out = np.empty(wanted.value, dtype=np.float64)
        written = ctypes.c_int64(0)
        _check(
            self._lib.LGBM_BoosterPredictForMat(
                self._handle, matrix.ctypes.data_as(ctypes.c_void_p), ctypes.c_int(_DTYPE[dtype]),
                ctypes.c_int32(rows), ctypes.c_int32(columns), ctypes.c_int(_ROW_MAJOR),
                ctypes.c_int(kind), ctypes.c_int(0), ctypes.c_int(-1), ctypes.c_char_p(parameters),
                ctypes.byref(written), out.ctypes.data_as(ctypes.POINTER(ctypes.c_double)),
            )
        )  # fmt: skip
        if written.value != wanted.value:
            raise NativeBoosterError("wrong length of the predictions")
        if rows and (out.size != rows or pred_contrib):
            return out.reshape(rows, -1)
        return out

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            self._lib.LGBM_BoosterFree(handle)
            handle.value = None
