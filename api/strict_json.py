"""Strict JSON request bodies: what Python's `json` module accepts but JSON does not is refused.

`json.loads` takes `NaN`, `Infinity` and lone UTF-16 surrogates (`"\\ud800"`). None of them is
valid JSON, and a lone surrogate cannot even be written back as UTF-8, so it would fail deep
inside the store or the response encoder as a 500. Raising `JSONDecodeError` here makes
FastAPI report them like any other malformed body (a 400 from our error handlers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

# An escaped surrogate half: the only way a lone surrogate can reach json.loads, since the
# body is decoded as strict UTF-8 first. Pairs also match, so a hit is then checked exactly.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def strict_loads(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("the body is not valid UTF-8", "", exc.start) from exc
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # from _no_constants
        raise json.JSONDecodeError(str(exc), text, 0) from exc
    except RecursionError as exc:
        raise json.JSONDecodeError("the body is nested too deeply", text, 0) from exc
    found = _SURROGATE_ESCAPE.search(text)
    if found is not None:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise json.JSONDecodeError(
                "a string holds a lone UTF-16 surrogate", text, found.start()
            ) from exc
    return value


class StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_loads(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """An APIRoute whose handlers parse JSON bodies with `strict_loads`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
