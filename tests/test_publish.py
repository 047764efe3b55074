"""Publishing sealed catalog versions and following them (matching/publish.py, follow.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from matching import publish as publish_module
from matching.catalog import FORMAT_VERSION, current_version
from matching.follow import CatalogFollower
from matching.publish import (
    DIGESTS,
    PublishedCorrupt,
    publish_version,
    read_digests,
    read_pointer,
)


def built_version(catalog_dir: Path, version: str, payload: bytes = b"vectors") -> Path:
    """A catalog version as a build leaves it: data files and a manifest with their digests."""
    path = catalog_dir / version
    path.mkdir(parents=True)
    files = {}
    for name, data in (("vectors.npy", payload * 1000), ("creator_id.npy", version.encode())):
        (path / name).write_bytes(data)
        stat = (path / name).stat()
        files[name] = {
            "bytes": stat.st_size,
            "blake2b": hashlib.blake2b(data).hexdigest(),
            "mtime_ns": stat.st_mtime_ns,
        }
    manifest = {"version": version, "format_version": FORMAT_VERSION, "files": files}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    return tmp_path / "builder" / "catalog"


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    return tmp_path / "shared"


@pytest.fixture
def replica(tmp_path: Path, shared: Path) -> CatalogFollower:
    return CatalogFollower(shared, tmp_path / "replica" / "catalog", keep=2)


def test_a_published_version_is_sealed_with_the_sha256_of_every_file(
    built: Path, shared: Path
) -> None:
    source = built_version(built, "20261207T100000.000000001")
    result = publish_version(source, shared)
    assert result.copied and result.version == source.name
    assert read_pointer(shared) == source.name
    sealed = shared / "versions" / source.name
    digests = read_digests(sealed)
    assert set(digests) == {"vectors.npy", "creator_id.npy", "manifest.json"}
    for name, digest in digests.items():
        assert hashlib.sha256((source / name).read_bytes()).hexdigest() == digest
        # the build's modification time travels with the file: a load need not re-digest it
        assert (sealed / name).stat().st_mtime_ns == (source / name).stat().st_mtime_ns
    assert sorted(p.name for p in shared.iterdir()) == [".publish.lock", "CURRENT", "versions"]


def test_publishing_a_version_already_there_copies_nothing(built: Path, shared: Path) -> None:
    first = built_version(built, "20261207T100000.000000001")
    second = built_version(built, "20261207T110000.000000001")
    publish_version(first, shared)
    publish_version(second, shared)
    sealed = shared / "versions" / second.name / "vectors.npy"
    inode = sealed.stat().st_ino
    again = publish_version(second, shared)
    assert not again.copied and sealed.stat().st_ino == inode
    assert read_pointer(shared) == second.name
    # an older sealed version published again is a rollback: only CURRENT moves
    back = publish_version(first, shared)
    assert not back.copied and read_pointer(shared) == first.name


def test_a_failed_publish_leaves_current_alone_and_no_version(
    built: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = built_version(built, "20261207T100000.000000001")
    publish_version(good, shared)
    failing = built_version(built, "20261207T110000.000000001")
    copies = 0
    real_copy = publish_module.copy_file

    def copy_then_fail(source: Path, target: Path, *algorithms: str) -> list[str]:
        nonlocal copies
        copies += 1
        if copies == 2:
            raise OSError(28, "No space left on device")
        return real_copy(source, target, *algorithms)

    monkeypatch.setattr(publish_module, "copy_file", copy_then_fail)
    with pytest.raises(OSError):
        publish_version(failing, shared)
    assert read_pointer(shared) == good.name
    assert not (shared / "versions" / failing.name).exists()


def test_staging_left_by_a_crash_is_never_followed_and_the_next_publish_cleans_it(
    built: Path, shared: Path, replica: CatalogFollower
) -> None:
    good = built_version(built, "20261207T100000.000000001")
    publish_version(good, shared)
    # a publisher killed mid-copy: a hidden staging directory with part of a version
    crashed = shared / ".staging-20261207T110000.000000001-4242"
    crashed.mkdir()
    (crashed / "vectors.npy").write_bytes(b"half")
    assert replica.sync()
    assert current_version(replica.catalog_dir) == good.name
    assert not (replica.catalog_dir / "20261207T110000.000000001").exists()
    publish_version(built_version(built, "20261207T120000.000000001"), shared)
    assert not crashed.exists()


def test_a_build_altered_on_disk_is_not_published(built: Path, shared: Path) -> None:
    source = built_version(built, "20261207T100000.000000001")
    flip_a_byte(source / "vectors.npy")
    with pytest.raises(PublishedCorrupt, match=r"vectors\.npy"):
        publish_version(source, shared)
    assert read_pointer(shared) is None
    assert not list((shared / "versions").iterdir())
    assert not list(shared.glob(".staging-*"))


def test_old_published_versions_are_pruned_but_never_the_current_one(
    built: Path, shared: Path
) -> None:
    names = [f"20261207T1{hour}0000.000000001" for hour in range(4)]
    for name in names:
        publish_version(built_version(built, name), shared, keep=2)
    assert sorted(p.name for p in (shared / "versions").iterdir()) == names[-2:]
    publish_version(built / names[0], shared, keep=2)  # a rollback to a pruned version
    assert read_pointer(shared) == names[0]
    assert names[0] in {p.name for p in (shared / "versions").iterdir()}


def test_a_replica_copies_the_published_version_and_makes_it_current(
    built: Path, shared: Path, replica: CatalogFollower
) -> None:
    assert not replica.sync()  # nothing published yet: nothing to do, nothing wrong
    source = built_version(built, "20261207T100000.000000001")
    publish_version(source, shared)
    assert replica.sync()
    held = replica.catalog_dir / source.name
    assert current_version(replica.catalog_dir) == source.name
    for path in source.iterdir():
        assert (held / path.name).read_bytes() == path.read_bytes()
        assert (held / path.name).stat().st_mtime_ns == path.stat().st_mtime_ns
    assert not replica.sync()  # already current
    assert replica.status()["published_version"] == source.name
    assert replica.status()["refused"] is None


def test_a_corrupt_published_version_is_refused_once_and_the_old_one_kept(
    built: Path, shared: Path, replica: CatalogFollower, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = built_version(built, "20261207T100000.000000001")
    publish_version(good, shared)
    assert replica.sync()
    bad = built_version(built, "20261207T110000.000000001")
    publish_version(bad, shared)
    flip_a_byte(shared / "versions" / bad.name / "vectors.npy")  # bit rot on the mount
    assert not replica.sync()
    assert current_version(replica.catalog_dir) == good.name
    assert not (replica.catalog_dir / bad.name).exists()
    assert not list(replica.catalog_dir.glob(".fetching-*"))
    refused = replica.status()["refused"]
    assert isinstance(refused, dict) and refused["version"] == bad.name
    assert "vectors.npy" in refused["reason"] and "sha256" in refused["reason"]

    fetched: list[str] = []
    real_fetch = publish_module.fetch_version
    monkeypatch.setattr(
        "matching.follow.fetch_version",
        lambda d, v, t: fetched.append(v) or real_fetch(d, v, t),
    )
    assert not replica.sync()
    assert fetched == []  # the same refused version is not copied again every poll

    fixed = built_version(built, "20261207T120000.000000001")
    publish_version(fixed, shared)
    assert replica.sync()
    assert current_version(replica.catalog_dir) == fixed.name
    assert replica.status()["refused"] is None


@pytest.mark.parametrize("damage", ["unsealed", "extra file", "missing file"])
def test_a_version_that_does_not_match_its_seal_is_refused(
    built: Path, shared: Path, replica: CatalogFollower, damage: str
) -> None:
    source = built_version(built, "20261207T100000.000000001")
    publish_version(source, shared)
    sealed = shared / "versions" / source.name
    if damage == "unsealed":
        (sealed / DIGESTS).unlink()
    elif damage == "extra file":
        (sealed / "stray.npy").write_bytes(b"x")
    else:
        (sealed / "creator_id.npy").unlink()
    assert not replica.sync()
    assert current_version(replica.catalog_dir) is None
    assert replica.refused is not None and replica.refused.version == source.name


def test_a_pointer_naming_a_path_is_not_followed(shared: Path, replica: CatalogFollower) -> None:
    shared.mkdir()
    (shared / "CURRENT").write_text("../../etc")
    assert not replica.sync()
    assert replica.error is not None and "not a catalog version name" in replica.error
    assert current_version(replica.catalog_dir) is None


def test_local_versions_are_pruned_as_the_replica_follows(
    built: Path, shared: Path, replica: CatalogFollower
) -> None:
    names = [f"20261207T1{hour}0000.000000001" for hour in range(4)]
    for name in names:
        publish_version(built_version(built, name), shared, keep=5)
        assert replica.sync()
    held = sorted(p.name for p in replica.catalog_dir.iterdir() if p.is_dir())
    assert held == names[-2:]  # keep=2, the current one among them
