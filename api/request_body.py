"""A JSON request body read and validated the way FastAPI does it, for a route that reads its
own body (`/v1/match`: see `api/routes/match.py`).

The errors are the ones FastAPI raises, so the app's handlers answer them in the same shape:
no body → 422 `body: Field required`; a content type other than `application/json` (or
`application/*+json`) or none → 415; JSON that `strict_loads` refuses → 400; a body that does
not fit the model → 422 with one detail per field.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from json import JSONDecodeError
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.errors import NOT_JSON
from api.strict_json import strict_loads

M = TypeVar("M", bound=BaseModel)


def is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def parse_body(raw: bytes, content_type: str | None, model: type[M]) -> M:
    """The body as `model`, or the error FastAPI would raise for it."""
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    if not is_json(content_type):
        raise HTTPException(415, NOT_JSON)
    try:
        value = strict_loads(raw)
    except JSONDecodeError as exc:
        invalid = {
            "type": "json_invalid",
            "loc": ("body", exc.pos),
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": exc.msg},
        }
        raise RequestValidationError([invalid], body=exc.doc) from exc
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        errors = [
            {**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors, body=value) from exc


def served_by(handler: Callable[[Request], Coroutine[Any, Any, Response]]) -> type[APIRoute]:
    """A route class whose requests go straight to `handler`.

    The route is still declared with an endpoint whose signature FastAPI documents (body model,
    security, responses), but none of FastAPI's per-request machinery runs: `handler` does the
    authentication, reads the body (`parse_body`) and answers. Used for the hot route only.
    """

    class Route(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            return handler

    return Route
