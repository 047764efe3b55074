"""Every error the API answers in the DESIGN.md shape, and how each is documented in OpenAPI.

`{"error": {"code", "message", "details": [{"field", "problem"}]}}`: bad input is always a 4xx
with details; a genuine bug is a 500 whose traceback stays in the server log, tagged with an
incident id that the client can quote.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.schemas import ErrorResponse
from matching.store import StoreBusy

log = logging.getLogger("microtribe.serve")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal",
    503: "not_ready",
}
DESCRIPTIONS = {
    400: "The body is not valid JSON (NaN, Infinity and lone surrogates included)",
    401: "No API key, or an unknown one",
    403: "The key's role does not allow this route",
    404: "Unknown id",
    409: "Refused: the request conflicts with the state of the server",
    413: "The request body is larger than the configured limit",
    415: "The body is not sent as `Content-Type: application/json`",
    422: "The body or a parameter is invalid; `details` names each field and problem",
    429: "The API key's rate limit is exhausted; retry after `Retry-After` seconds",
    500: "Internal error: logged on the server under the incident id in the message",
    503: "No catalog or model loaded yet, or the store stayed locked by another process; "
    "retry after `Retry-After` seconds",
}
BODY_ERRORS = (400, 413, 415, 422)
NOT_JSON = "send the body as JSON with `Content-Type: application/json`"


def error_responses(statuses: Iterable[int]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses."""
    return {
        status: {"model": ErrorResponse, "description": DESCRIPTIONS[status]}
        for status in sorted(set(statuses))
    }


def error_response(
    status: int,
    message: str,
    details: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    body = {
        "error": {"code": code or CODES.get(status, "error"), "message": message,
                  "details": details or []}
    }  # fmt: skip
    return JSONResponse(status_code=status, content=body, headers=headers)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    # Starlette's HTTPException, so the router's own 404/405 and FastAPI's body errors too.
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


async def _invalid_request(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    for error in errors:
        if error["type"] == "json_invalid":
            problem = error.get("ctx", {}).get("error", "invalid JSON")
            where = f"{problem} (at character {error['loc'][-1]})"
            details = [{"field": "body", "problem": where}]
            return error_response(400, "the body is not valid JSON", details, code="invalid_json")
        # FastAPI hands the raw bytes on when the content type is not JSON.
        if error["loc"][:1] == ("body",) and isinstance(error.get("input"), bytes):
            return error_response(415, NOT_JSON)
    details = [
        {"field": ".".join(str(p) for p in error["loc"][1:]) or "body", "problem": error["msg"]}
        for error in errors
    ]
    return error_response(422, "the request is invalid", details)


async def _store_busy(_: Request, exc: Exception) -> JSONResponse:
    # another process (an ingest, a build) held the store's write lock past the busy timeout:
    # nothing of this request was stored, and retrying later succeeds
    log.warning("store busy: %s", exc)
    message = "the store is busy with another writer; nothing was stored, retry later"
    return error_response(503, message, headers={"Retry-After": "5"}, code="store_busy")


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    incident = uuid.uuid4().hex[:12]
    log.error(
        "internal error %s on %s %s", incident, request.method, request.url.path, exc_info=exc
    )
    return error_response(500, f"internal error {incident}; the details are in the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StoreBusy, _store_busy)
    # FastAPI runs the handler of `Exception` in its outermost middleware: last resort only.
    app.add_exception_handler(Exception, _internal_error)
