"""Read contract records from JSON Lines or Parquet files, reporting every problem at once.

A user fixing an export wants the whole list of what is wrong, not one error per run, so
readers validate every record and raise a single `RecordError` carrying all problems.
"""

import json
import math
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pydantic_core
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet",)
MAX_PROBLEMS = 1000  # kept in memory; further problems are only counted
MAX_RENDERED = 20
PARQUET_BATCH_ROWS = 4096


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file; `line` is 1-based (0: the file as a whole)."""

    file: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.problem}"


class RecordError(ValueError):
    """Input records failed validation; `problems` lists them, `total` counts them all."""

    def __init__(self, problems: Sequence[Problem], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = len(self.problems) if total is None else total
        super().__init__(self.problems)

    def __str__(self) -> str:
        lines = [str(problem) for problem in self.problems[:MAX_RENDERED]]
        if self.total > len(lines):
            lines.append(f"… and {self.total - len(lines)} more")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A line that never became a record (bad bytes, bad JSON, not an object)."""

    field: str
    problem: str


def read_records(path: Path, model: type[M]) -> list[M]:
    """Read and validate every record of a `.jsonl`/`.ndjson`/`.json` or `.parquet` file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in JSON_LINES_SUFFIXES:
        rows = _json_lines(path)
    elif suffix in PARQUET_SUFFIXES:
        rows = _parquet_rows(path)
    else:
        expected = sorted(JSON_LINES_SUFFIXES + PARQUET_SUFFIXES)
        message = f"unsupported file type {suffix or '(none)'!r}; expected one of {expected}"
        raise RecordError([Problem(path.name, 0, "", message)])
    return _validate(path.name, rows, model)


def _validate(file: str, rows: Iterable[tuple[int, Any]], model: type[M]) -> list[M]:
    records: list[M] = []
    problems: list[Problem] = []
    total = 0
    id_field: str | None = getattr(model, "id_field", None)
    first_line: dict[Any, int] = {}

    def report(line: int, field: str, problem: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(file, line, field, problem))

    for line, row in rows:
        if isinstance(row, _Unreadable):
            report(line, row.field, row.problem)
            continue
        try:
            record = model.model_validate(row)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                report(line, ".".join(str(part) for part in error["loc"]), error["msg"])
            continue
        if id_field is not None:
            record_id = getattr(record, id_field)
            if record_id in first_line:
                first = first_line[record_id]
                problem = f"duplicate {id_field} {record_id!r} (first at line {first})"
                report(line, id_field, problem)
                continue
            first_line[record_id] = line
        if not total:  # once the file is known bad, stop holding records
            records.append(record)
    if total:
        raise RecordError(problems, total)
    return records


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    # Binary lines decoded one at a time: memory stays flat and a bad byte costs one line.
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").lstrip("\ufeff").strip()
            except UnicodeDecodeError as exc:
                yield line_number, _Unreadable("<encoding>", f"not UTF-8: {exc.reason}")
                continue
            if not text:
                continue
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                hint = " (a JSON array? expected one object per line)" if text == "[" else ""
                problem = f"invalid JSON: {exc.msg} at column {exc.colno}{hint}"
                yield line_number, _Unreadable("<json>", problem)
                continue
            if not isinstance(value, dict):
                problem = f"expected a JSON object, got {type(value).__name__}"
                yield line_number, _Unreadable("<record>", problem)
                continue
            yield line_number, value


def _parquet_rows(path: Path) -> Iterator[tuple[int, Any]]:
    import pyarrow as pa  # imported here so JSON-only callers never pay for pyarrow
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except pa.ArrowInvalid as exc:
        problem = Problem(path.name, 0, "", f"not a readable Parquet file: {exc}")
        raise RecordError([problem]) from exc
    row_number = 0
    for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS):
        for row in batch.to_pylist(maps_as_pydicts="lossy"):
            row_number += 1
            yield row_number, _without_nulls(row)


def _without_nulls(value: Any) -> Any:
    """Map NaN to None and drop null struct fields, so a Parquet null reads as 'absent'.

    Arrow widens structs to the union of keys across rows (`countries: {IT, CH, FR}`), and
    pandas writes missing numbers as NaN; both must read back like the JSON they came from.
    """
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        cleaned = {key: _without_nulls(item) for key, item in value.items()}
        return {key: item for key, item in cleaned.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def write_jsonl(path: Path, records: Iterable[BaseModel | dict[str, Any]]) -> int:
    """Write records as JSON Lines atomically (temp file, then rename); return how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    count = 0
    try:
        with temporary.open("xb") as handle:
            for record in records:
                if isinstance(record, BaseModel):
                    handle.write(record.model_dump_json().encode())
                else:
                    handle.write(pydantic_core.to_json(record))
                handle.write(b"\n")
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
