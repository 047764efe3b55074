"""Schema fuzz as a real client does: schemathesis's CLI against a live `microtribe serve`.

Two concurrent workers drive every operation of the OpenAPI schema through the examples,
coverage, fuzzing and stateful phases (the stateful phase follows the schema's links: upsert a
creator, read it back, delete it; store a brand, read it), with an admin key so that generated
input reaches the handlers. The server must never answer 5xx, and every 4xx must carry the
documented error shape (`tests/fuzz_checks.py`). Seeded, so CI is reproducible;
`MICROTRIBE_FUZZ_RANDOM=1` explores fresh inputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.serve_load import Server

pytestmark = pytest.mark.slow
WORKERS = 2
MAX_EXAMPLES = 120  # per operation and phase; the coverage phase adds its own cases
MIN_CASES = 2_000
PHASES = "examples,coverage,fuzzing,stateful"


def _cases(events: Path) -> tuple[Counter[str], Counter[str], Counter[int]]:
    """Requests per scenario label ("POST /v1/match", "Stateful tests", …), per phase and per
    status code, from schemathesis's NDJSON event report."""
    labels: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    for line in events.read_text().splitlines():
        finished: dict[str, Any] | None = json.loads(line).get("ScenarioFinished")
        if not finished or "interactions" not in finished["recorder"]:
            continue
        recorder = finished["recorder"]
        for case_id, interaction in recorder["interactions"].items():
            labels[recorder["label"]] += 1
            meta = recorder["cases"].get(case_id, {}).get("value", {}).get("meta") or {}
            phases[(meta.get("phase") or {}).get("name", "?")] += 1
            if interaction["response"] is not None:
                statuses[int(interaction["response"]["status_code"])] += 1
    return labels, phases, statuses


def test_no_generated_request_gets_a_server_error(home: Path, tmp_path: Path) -> None:
    server = Server(home, poll=0, workdir=tmp_path)
    events = tmp_path / "events.ndjson"
    seed = [] if os.environ.get("MICROTRIBE_FUZZ_RANDOM") == "1" else ["--seed", "20261128"]
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/openapi.json",
        "--workers", str(WORKERS), "--phases", PHASES, "--max-examples", str(MAX_EXAMPLES),
        "--checks", "not_a_server_error,error_shape", "--header",
        f"Authorization: Bearer {server.admin_key}", "--generation-database", "none",
        "--suppress-health-check", "all", "--request-timeout", "120", "--no-color",
        "--report", "ndjson", "--report-ndjson-path", str(events), *seed,
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_checks"}
    try:
        server.wait_ready(timeout=180)
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    finally:
        server.stop()
    summary = run.stdout[-6000:]
    assert run.returncode == 0, f"{summary}\n{run.stderr[-3000:]}\nserver: {server.tail()}"
    labels, phases, statuses = _cases(events)
    assert sum(labels.values()) >= MIN_CASES, (labels, summary)
    for label in ("POST /v1/match", "POST /v1/creators", "DELETE /v1/creators/{creator_id}",
                  "POST /v1/brands", "POST /v1/feedback", "GET /v1/brands/{brand_id}",
                  "Stateful tests"):
        assert labels[label] > 0, (label, labels)  # fmt: skip
    assert all(phases[phase] > 0 for phase in ("coverage", "fuzzing", "stateful")), phases
    assert not [s for s in statuses if s >= 500], statuses
    # the fuzz must reach the handlers, not bounce off validation alone
    assert statuses[200] >= 300 and sum(n for s, n in statuses.items() if s >= 400) >= 300
