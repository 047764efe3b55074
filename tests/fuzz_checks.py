"""A schemathesis check (loaded with SCHEMATHESIS_HOOKS=tests.fuzz_checks): every error the API
answers has the documented shape `{"error": {"code", "message", "details": [{"field",
"problem"}]}}`."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code < 400:
        return None
    error = json.loads(response.text)["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), error
    assert all(set(detail) == {"field", "problem"} for detail in error["details"]), error
    return True
