"""Request threads run BLAS and OpenMP (FAISS, LightGBM) at one thread, like the main thread.

OpenMP's limit is per thread, so the limit set at start-up did not reach the worker threads
that run `/v1/match`; `one_thread` is called in each of them.
"""

from __future__ import annotations

import threading

import faiss
from threadpoolctl import threadpool_info

from matching.service import one_thread


def _openmp_threads() -> list[int]:
    return [i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openmp"]


def test_one_thread_reaches_a_fresh_thread() -> None:
    import lightgbm  # noqa: F401  (loads its OpenMP runtime)

    seen: dict[str, object] = {}

    def worker() -> None:
        one_thread()
        one_thread()  # a second call in the same thread is a no-op
        seen["openmp"] = _openmp_threads()
        seen["faiss"] = faiss.omp_get_max_threads()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen["openmp"] and set(seen["openmp"]) == {1}  # type: ignore[arg-type]
    assert seen["faiss"] == 1
