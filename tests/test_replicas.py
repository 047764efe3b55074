"""Two replicas on two homes, one shared store and one published directory (real servers).

A builder home runs `microtribe build --publish DIR`; replicas A and B run `microtribe serve
--catalog-from DIR` on homes of their own and share the store named by `MICROTRIBE_STORE_URL`.
A write taken by A reaches B's `/v1/match` through the store's change log; a published version
reaches both without a failed request; a version that does not match its seal, or one still
being written, is never served.

The store comes from the `store_url` fixture: a SQLite file shared by both homes (replicas on
one host), and a database of the session's throw-away PostgreSQL cluster (tests/pg_cluster.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.replicas import SwitchClients
from bench.serve_load import Server
from matching.publish import publish_version, read_pointer, write_pointer
from tests.conftest import copy_home
from tests.factories import make_creator, make_post

pytestmark = pytest.mark.slow
BRIEF = {"brand": {"name": "Miele Vivo", "values": "apicoltura, miele artigianale, api"}, "k": 5}
# a country no generated creator has: the filter leaves the test's creator alone to find
RARE = {**BRIEF, "filters": {"countries": ["IS"]}}


def microtribe(home: Path, store_url: str, *args: str) -> str:
    env = {**os.environ, "MICROTRIBE_HOME": str(home), "MICROTRIBE_STORE_URL": store_url}
    done = subprocess.run(
        [sys.executable, "-m", "microtribe", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def until(check: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    """Poll `check` until it returns something true; fail naming `what` past `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.2)


@dataclass
class Cluster:
    builder: Path
    published: Path
    store_url: str
    replicas: list[Server]
    versions: list[str] = field(default_factory=list)  # published, in order

    def build(self, publish: bool = True) -> str:
        args = ["build", "--publish", str(self.published)] if publish else ["build"]
        out = microtribe(self.builder, self.store_url, *args)
        version = (self.builder / "catalog" / "CURRENT").read_text().strip()
        assert version in out
        if publish:
            self.versions.append(version)
        return version


def readyz(server: Server) -> dict[str, Any]:
    answer = httpx.get(f"{server.url}/readyz", timeout=10)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def match(server: Server, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(f"{server.url}/v1/match", json=body, headers=server.read(), timeout=60)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def serving(server: Server, version: str) -> bool:
    return bool(readyz(server)["catalog_version"] == version)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty store both replicas and the builder share."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_cluster").create_database())
    return f"sqlite:///{tmp_path_factory.mktemp('store') / 'shared.db'}"


@pytest.fixture(scope="module")
def cluster(
    trained_home: Path, store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("replicas")
    builder = copy_home(trained_home, root / "builder")
    world = trained_home / "world"
    microtribe(
        builder, store_url, "ingest",
        "--brands", str(world / "brands.jsonl"), "--creators", str(world / "creators.jsonl"),
    )  # fmt: skip
    published = root / "published"
    published.mkdir()
    cluster = Cluster(builder, published, store_url, [])
    first = cluster.build()
    try:
        for name in ("a", "b"):
            home = copy_home(trained_home, root / name)
            # the models every replica follows: one directory on the shared mount (here the
            # builder's), where `train --promote` installs bundles and moves CHAMPION
            shutil.rmtree(home / "models")
            (home / "models").symlink_to(builder / "models", target_is_directory=True)
            workdir = root / f"{name}-run"
            workdir.mkdir()
            server = Server(
                home, 1.0, workdir,
                args=["--catalog-from", str(published)],
                env={"MICROTRIBE_STORE_URL": store_url},
            )  # fmt: skip
            cluster.replicas.append(server)
        for server in cluster.replicas:
            server.wait_ready(300)
            assert serving(server, first), readyz(server)  # the published one, not its home's
        yield cluster
    finally:
        for server in cluster.replicas:
            server.stop()


def test_a_creator_written_to_one_replica_is_matched_by_the_other(cluster: Cluster) -> None:
    a, b = cluster.replicas
    post = make_post("p1", "2026-10-01T10:00:00Z", "Miele dalle mie arnie #apicoltura", 400, 30)
    creator = make_creator(
        "ig:replica.bee", followers=8_000, country="IS", language="it", bio="apicoltrice",
        posts=[post],
    )  # fmt: skip
    assert "ig:replica.bee" not in {m["creator_id"] for m in match(b, RARE)["matches"]}
    written = httpx.post(f"{a.url}/v1/creators", json=[creator], headers=a.admin(), timeout=60)
    assert written.status_code == 200, written.text
    until(
        lambda: "ig:replica.bee" in {m["creator_id"] for m in match(b, RARE)["matches"]},
        "B matches the creator A took",
    )
    for server in (a, b):  # both have applied every change the store holds
        until(lambda s=server: readyz(s)["store"]["changes_behind"] == 0, "caught up")
        store = readyz(server)["store"]
        assert store["applied_seq"] == store["last_seq"] > 0
        assert store["seconds_since_caught_up"] is not None

    deleted = httpx.delete(f"{b.url}/v1/creators/ig:replica.bee", headers=b.admin(), timeout=60)
    assert deleted.status_code in (200, 204), deleted.text
    until(
        lambda: "ig:replica.bee" not in {m["creator_id"] for m in match(a, RARE)["matches"]},
        "A no longer matches the creator B deleted",
    )


def test_a_published_version_is_served_by_both_without_a_failed_request(
    cluster: Cluster,
) -> None:
    with SwitchClients(cluster.replicas) as clients:
        until(lambda: clients.sent >= 4, "matches answered before the switch")
        version = cluster.build()
        for server in cluster.replicas:
            until(lambda s=server: serving(s, version), f"{server.url} serves {version}")
        after = clients.sent
        until(lambda: clients.sent >= after + 4, "matches answered after the switch")
    assert clients.failed == []
    for server in cluster.replicas:
        status = readyz(server)
        assert status["catalog_from"]["published_version"] == version
        assert status["catalog_from"]["refused"] is None
        assert status["model_version"]
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert f'published_version="{version}"' in metrics
        assert "microtribe_store_changes_behind" in metrics
        assert "microtribe_catalog_refused 0.0" in metrics


def test_a_corrupt_published_version_is_refused_and_the_old_one_keeps_serving(
    cluster: Cluster, tmp_path: Path
) -> None:
    served = cluster.versions[-1]
    version = cluster.build(publish=False)
    # sealed elsewhere, then damaged on its way to the mount (bit rot, a bad copy)
    publish_version(cluster.builder / "catalog" / version, tmp_path)
    sealed = tmp_path / "versions" / version
    largest = max(sealed.iterdir(), key=lambda p: p.stat().st_size)
    data = bytearray(largest.read_bytes())
    data[len(data) // 2] ^= 0x01
    largest.write_bytes(bytes(data))
    shutil.move(sealed, cluster.published / "versions" / version)
    write_pointer(cluster.published, version)

    for server in cluster.replicas:
        refused = until(
            lambda s=server: readyz(s)["catalog_from"]["refused"], f"{server.url} refuses"
        )
        assert refused["version"] == version and largest.name in refused["reason"]
        assert serving(server, served)
        assert match(server, BRIEF)["catalog_version"] == served
        assert not (server.home / "catalog" / version).exists()
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert "microtribe_catalog_refused 1.0" in metrics

    publish_version(cluster.builder / "catalog" / served, cluster.published)  # roll back
    for server in cluster.replicas:
        until(lambda s=server: readyz(s)["catalog_from"]["refused"] is None, "refusal cleared")


def test_a_version_still_being_written_is_never_picked_up(cluster: Cluster) -> None:
    served = cluster.versions[-1]
    half = "29991231T235959.999999999"  # newer than any build: the one to take, were it sealed
    staging = cluster.published / f".staging-{half}-4242"
    shutil.copytree(cluster.published / "versions" / served, staging)
    (staging / "SHA256SUMS").unlink()
    assert read_pointer(cluster.published) == served
    version = cluster.build()  # the replicas poll many times meanwhile, then take this one
    for server in cluster.replicas:
        until(lambda s=server: serving(s, version), f"{server.url} serves {version}")
        assert not (server.home / "catalog" / half).exists()
    assert not staging.exists()  # the publish cleaned what a crashed publisher left


def test_a_champion_promoted_in_the_shared_models_directory_is_served_by_both(
    cluster: Cluster,
) -> None:
    from microtribe.settings import Settings
    from training.registry import install_bundle

    models = cluster.builder / "models"
    champion = (models / "CHAMPION").read_text().strip()
    version = f"{int(champion) + 100}"  # what `promote` does: install, then move the pointer
    install_bundle(Settings.from_env(cluster.builder), models / champion, version, "test")
    write_pointer_file = models / ".CHAMPION.test"
    write_pointer_file.write_text(version)
    write_pointer_file.replace(models / "CHAMPION")
    try:
        for server in cluster.replicas:
            until(lambda s=server: readyz(s)["model_version"] == version, f"{server.url} serves")
            assert match(server, BRIEF)["model_version"] == version
    finally:
        pointer = models / ".CHAMPION.back"
        pointer.write_text(champion)
        pointer.replace(models / "CHAMPION")
        for server in cluster.replicas:
            until(lambda s=server: readyz(s)["model_version"] == champion, "back to the champion")
