"""The agency page as the API serves it (fast: no model, no browser; the browser tests are in
test_page_browser.py)."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from fastapi.testclient import TestClient

from api.limits import ApiLimits
from api.routes.page import ASSETS
from features.text import is_disclosed
from microtribe.auth import KeyRing
from microtribe.cli import _page_hint
from microtribe.settings import Settings
from serve import create_app


def _client(home: Path) -> TestClient:
    home.mkdir(parents=True, exist_ok=True)
    limits = ApiLimits(rate_per_second=None)
    return TestClient(create_app(Settings.from_env(home), KeyRing.parse("read:r"), limits))


def test_the_page_is_public_at_root_and_app_with_a_strict_policy(tmp_path: Path) -> None:
    client = _client(tmp_path)
    for path in ("/", "/app"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert '<script type="module" src="/app/app.js">' in answer.text


def test_every_asset_the_page_names_is_served_from_the_package(tmp_path: Path) -> None:
    client = _client(tmp_path)
    html = client.get("/").text
    named = set(re.findall(r'(?:src|href)="/app/([^"]+)"', html))
    for module in [name for name in ASSETS if name.endswith(".js")]:  # what the modules import
        source = files("api").joinpath("static", module).read_text()
        named |= set(re.findall(r'^import .* from "\./([\w.]+)";$', source, re.M))
    shipped = {path.name for path in files("api").joinpath("static").iterdir()} - {"index.html"}
    assert named == set(ASSETS) == shipped, (named, set(ASSETS), shipped)
    for name, media_type in ASSETS.items():
        answer = client.get(f"/app/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"] == media_type
        assert answer.content == files("api").joinpath("static", name).read_bytes()


def test_an_unknown_asset_is_a_404_in_the_error_shape(tmp_path: Path) -> None:
    answer = _client(tmp_path).get("/app/secrets.py")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_the_page_is_not_an_api_operation(tmp_path: Path) -> None:
    paths = _client(tmp_path).get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path == "/" or path.startswith("/app")]


def test_disclosures_mark_the_posts_the_features_count_as_sponsored(tmp_path: Path) -> None:
    rules = _client(tmp_path).get("/app/disclosures.json").json()
    tags, phrase = set(rules["tags"]), re.compile("|".join(rules["phrases"]), re.IGNORECASE)
    # the page's rule (app.js isSponsored), replayed on captions the features judge
    for caption, sponsored in [
        ("Nuovo cappotto #adv @ecoveste", True),
        ("In collaborazione con EcoVeste", True),
        ("Paid partnership with Brand", True),
        ("#Colaboración con Marca", True),
        ("Il mio cappotto vintage ♻️ #secondhand", False),
        ("Adventure time #advent", False),
    ]:
        folded = {t.lower().replace("ó", "o") for t in re.findall(r"#(\w+)", caption)}
        page_says = bool(folded & tags) or phrase.search(caption) is not None
        assert page_says == is_disclosed(caption) == sponsored, caption


def test_the_demo_ends_with_the_page_and_a_hint_of_its_key() -> None:
    hint = _page_hint("127.0.0.1", 8000, "s3cretKeyMadeByTheDemo")
    assert "http://127.0.0.1:8000/" in hint and "s3cr…" in hint
    assert "s3cretKeyMadeByTheDemo" not in hint  # printed once, above, not twice
    assert "MICROTRIBE_API_KEYS" in _page_hint("0.0.0.0", 9000, "<your key>")
