"""The agency page: `/` and `/app`, its static files under `/app/…`, public.

The page is plain HTML, CSS and JavaScript shipped inside the package (`api/static/`); it calls
the `/v1` API from the browser with the key the person enters, so serving it needs no key and
no model. A strict Content-Security-Policy keeps that key to scripts of this origin only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse, Response

from features.text import (
    DENIAL_PHRASES,
    DISCLOSURE_PHRASES,
    DISCLOSURE_TAGS,
    EVIDENT_PHRASES,
    GIFT_PHRASES,
)

router = APIRouter()

JAVASCRIPT = "text/javascript; charset=utf-8"
# The page's ES modules (app.js imports the others) and the rest of its files
MODULES = ("app", "api", "brief", "constraints", "creator", "csv", "dom", "errors", "flags",
           "i18n", "plan", "shortlist", "state", "text")  # fmt: skip
ASSETS = {
    **{f"{module}.js": JAVASCRIPT for module in MODULES},
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
HEADERS = {
    # no inline script or style, no other origin: the key in sessionStorage stays with this page
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidated, so a new release shows at the next load
}


@cache
def _asset(name: str) -> bytes:
    return files("api").joinpath("static", name).read_bytes()


@router.get("/", include_in_schema=False)
@router.get("/app", include_in_schema=False)
def page() -> Response:
    """The agency page."""
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/app/disclosures.json", include_in_schema=False)
def disclosures() -> JSONResponse:
    """The sponsorship disclosures the features detect, so the page marks the same posts."""
    body = {
        "tags": list(DISCLOSURE_TAGS),
        "phrases": list(DISCLOSURE_PHRASES),
        "evident": list(EVIDENT_PHRASES),
        "gifts": list(GIFT_PHRASES),  # count only with a brand @handle in the caption
        "denials": list(DENIAL_PHRASES),  # cut out before the others are searched
    }
    return JSONResponse(body, headers=HEADERS)


@router.get("/app/{name}", include_in_schema=False)
def asset(name: str) -> Response:
    """One of the page's static files."""
    if name not in ASSETS:
        raise HTTPException(404, f"no page asset {name!r}")
    return Response(_asset(name), media_type=ASSETS[name], headers=HEADERS)
