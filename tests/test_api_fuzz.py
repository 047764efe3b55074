"""Property-based fuzz of the OpenAPI schema (schemathesis): no generated request gets a 5xx.

Every operation is driven with requests that fit the schema (positive) and requests that break
it (negative), in-process, with an admin key so the generated input reaches the handlers.
Derandomised so CI is reproducible; `MICROTRIBE_FUZZ_RANDOM=1` explores fresh inputs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi

from microtribe.auth import KeyRing
from microtribe.limits import ApiLimits
from microtribe.settings import Settings
from serve import create_app

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": "Bearer adm"}
# Requests per operation and generation mode. Writes cost most (creators are embedded and
# indexed at once), reload reloads the whole model: they get fewer.
BUDGET: dict[tuple[str, str], int] = {
    ("POST", "/v1/match"): 110,
    ("POST", "/v1/creators"): 45,
    ("POST", "/v1/brands"): 45,
    ("POST", "/v1/feedback"): 45,
    ("GET", "/v1/creators/{creator_id}"): 30,
    ("DELETE", "/v1/creators/{creator_id}"): 30,
    ("GET", "/v1/brands/{brand_id}"): 30,
    ("POST", "/v1/admin/reload"): 2,
}
DEFAULT_BUDGET = 5  # routes without input: there is little to vary
MIN_REQUESTS = 500


@pytest.fixture(scope="module")
def app(trained_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    home = tmp_path_factory.mktemp("fuzz") / "home"
    shutil.copytree(trained_home, home)
    yield create_app(
        Settings.from_env(home), KeyRing.parse("admin:adm"), ApiLimits(rate_per_second=None)
    )
    asgi.shutdown_lifespans()  # schemathesis started the app's lifespan; end it with the module


def _operations(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path, takes input) of every operation in the schema."""
    found = []
    for path, methods in app.openapi()["paths"].items():
        for method, spec in methods.items():
            found.append(
                (method.upper(), path, bool(spec.get("parameters") or spec.get("requestBody")))
            )
    return found


def _check(response: Any, sent: Counter[int]) -> None:
    sent[response.status_code] += 1
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400:
        error = json.loads(response.text)["error"]
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
        assert all(set(d) == {"field", "problem"} for d in error["details"])


def test_no_generated_request_gets_a_server_error(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the lifespan
    sent: Counter[int] = Counter()
    derandomize = os.environ.get("MICROTRIBE_FUZZ_RANDOM") != "1"
    with asgi.get_client(app) as session:
        for method, path, takes_input in _operations(app):
            operation = schema[path][method]
            modes = [GenerationMode.POSITIVE] + [GenerationMode.NEGATIVE] * takes_input
            for mode in modes:

                @settings(
                    max_examples=BUDGET.get((method, path), DEFAULT_BUDGET),
                    deadline=None,
                    database=None,
                    derandomize=derandomize,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def send(case: Any) -> None:
                    _check(case.call(session=session, headers=ADMIN), sent)

                send()
    total = sum(sent.values())
    assert total >= MIN_REQUESTS, f"only {total} requests generated: {dict(sent)}"
    # the fuzz must reach the handlers, not bounce off validation alone
    assert sent[200] >= 100 and sum(n for s, n in sent.items() if 400 <= s < 500) >= 100, sent
