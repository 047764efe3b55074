"""MICROTRIBE_STORE_URL end to end: `microtribe ingest` into PostgreSQL, read back by another
process; the password in the URL is never printed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from matching.store import open_store
from microtribe.settings import Settings
from tests.factories import make_creator

_READ = """
import json
from matching.store import open_store
from microtribe.settings import Settings
store = open_store(Settings.from_env())
print(json.dumps({"counts": store.counts(), "hashes": store.creator_hashes(),
                  "seq": store.last_change_seq(), "store": store.describe()}))
store.close()
"""


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    return path


def test_ingest_into_postgres_then_another_process_reads_it(tmp_path: Path, pg_url: str) -> None:
    url = pg_url.replace("postgres@", "postgres:s3cret@")  # trust auth: never asked for
    creators = _jsonl(tmp_path / "creators.jsonl",
                      [make_creator(f"ig:c{i}", bio="moda sostenibile ♻️") for i in range(5)])
    brands = _jsonl(tmp_path / "brands.jsonl",
                    [{"brand_id": "eco", "name": "Eco", "values": "riuso"}])
    outcomes = _jsonl(tmp_path / "outcomes.jsonl",
                      [{"brand_id": "eco", "creator_id": "ig:c1", "stage": "completed",
                        "observed_at": "2026-11-20T00:00:00Z", "advocate": True}])  # fmt: skip
    home = tmp_path / "home"
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "MICROTRIBE_STORE_URL": url}
    command = [sys.executable, "-m", "microtribe", "ingest", "--creators", str(creators),
               "--brands", str(brands), "--outcomes", str(outcomes)]  # fmt: skip
    ingest = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    assert "s3cret" not in ingest.stdout + ingest.stderr
    said = json.loads(ingest.stdout.splitlines()[-1])
    assert said["stored"] == {"brands.jsonl": 1, "creators.jsonl": 5, "outcomes.jsonl": 1}
    assert said["store"].startswith("postgresql://postgres:***@127.0.0.1:")
    assert not (home / "catalog.db").exists()  # nothing went to the SQLite store

    read = subprocess.run([sys.executable, "-c", _READ], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert read.returncode == 0, read.stderr[-3000:]
    seen = json.loads(read.stdout)
    assert seen["counts"] == {"creators": 5, "brands": 1, "outcomes": 1}
    assert seen["seq"] == 5 and "s3cret" not in read.stdout
    store = open_store(Settings(home=home, store_url=url))
    assert seen["hashes"] == store.creator_hashes()
    assert store.outcomes()[0]["advocate"] is True
    store.close()
