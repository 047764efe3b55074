"""Sealed catalog versions on shared storage, for replicas to follow (`build --publish DIR`).

Layout of a published directory (any POSIX mount every replica can read):

    DIR/CURRENT              the version replicas serve (one line)
    DIR/versions/<version>/  a sealed version: the catalog files and SHA256SUMS
    DIR/.staging-<version>-<pid>/   a publish in progress: never read, cleaned by the next one
    DIR/.publish.lock        publishers take turns on it (flock)

A version is copied into a hidden staging directory, every file flushed to disk, then sealed
by `SHA256SUMS` (the sha256 of every other file, `sha256sum -c` format), then renamed into
`versions/` (one atomic rename), and only then is `CURRENT` moved (written beside, renamed).
A reader that follows `CURRENT` therefore never sees a version half-written; a crash at any
point leaves staging junk, removed under the lock by the next publish. Versions are
immutable: publishing one that is already sealed copies nothing (it only moves `CURRENT`
to it when it is not current, e.g. a rollback).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIGESTS = "SHA256SUMS"
VERSIONS = "versions"
STAGING_PREFIX = ".staging-"
_VERSION_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")
_CHUNK = 1 << 20


class PublishedCorrupt(ValueError):
    """A published version whose files are not the ones its seal names."""


@dataclass(frozen=True, slots=True)
class Published:
    version: str
    directory: str
    copied: bool  # False: the version was already sealed there
    files: int
    bytes: int


def check_version_name(version: str) -> str:
    """`version` when it is a plain version name (no path, not hidden), else ValueError."""
    if not _VERSION_NAME.fullmatch(version):
        raise ValueError(f"{version!r} is not a catalog version name")
    return version


def read_pointer(directory: Path) -> str | None:
    """The version `directory/CURRENT` names (checked to be a plain name), or None."""
    try:
        text = (directory / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return None
    return check_version_name(text) if text else None


def write_pointer(directory: Path, version: str) -> None:
    """Make `directory/CURRENT` name `version`: written beside, flushed, renamed over."""
    staging = directory / f".CURRENT.{os.getpid()}.tmp"
    with staging.open("w") as handle:
        handle.write(version)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staging, directory / "CURRENT")
    fsync_directory(directory)


def fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (a rename is durable only once its directory is)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive `flock` on `path` (created if missing) for the duration of the block."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def copy_file(source: Path, target: Path, *algorithms: str) -> list[str]:
    """Copy `source` to a new file `target`, flushed to disk, with `source`'s modification
    time; return the hex digests (`algorithms`) of the bytes copied, read once."""
    hashers = [hashlib.new(name) for name in algorithms]
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(_CHUNK):
            for hasher in hashers:
                hasher.update(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    stat = source.stat()
    # the catalog's manifest records each file's mtime: a copy with the build's mtime loads
    # without being re-digested (matching/catalog.py `verify_version`)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return [hasher.hexdigest() for hasher in hashers]


def read_digests(version_dir: Path) -> dict[str, str]:
    """file name → sha256 from a sealed version's `SHA256SUMS` (PublishedCorrupt if absent)."""
    try:
        lines = (version_dir / DIGESTS).read_text().splitlines()
    except FileNotFoundError:
        raise PublishedCorrupt(f"published version {version_dir.name} has no {DIGESTS}") from None
    digests = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name or "/" in name:
            raise PublishedCorrupt(f"published version {version_dir.name}: bad line {line!r}")
        digests[name] = digest
    return digests


def _files(version_dir: Path) -> list[Path]:
    files = sorted(version_dir.iterdir())
    nested = [path.name for path in files if not path.is_file()]
    if nested:
        raise ValueError(f"catalog version {version_dir.name} holds non-files: {nested}")
    return files


def _stage(source: Path, staging: Path) -> tuple[int, int]:
    """Copy the version at `source` into `staging`, checking each file against the build's
    own digests as it goes, and seal it; (files, bytes)."""
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    built = manifest.get("files", {})
    staging.mkdir()
    sums, size = [], 0
    for path in _files(source):
        sha256, blake2b = copy_file(path, staging / path.name, "sha256", "blake2b")
        expected = built.get(path.name, {}).get("blake2b")
        if expected is not None and expected != blake2b:
            raise PublishedCorrupt(
                f"catalog version {source.name}: {path.name} differs from what its build "
                "wrote; not published (run `microtribe build` to rebuild)"
            )
        sums.append(f"{sha256}  {path.name}\n")
        size += path.stat().st_size
    with (staging / DIGESTS).open("x") as handle:
        handle.writelines(sums)
        handle.flush()
        os.fsync(handle.fileno())
    fsync_directory(staging)
    return len(sums), size


def publish_version(source: Path, directory: Path, keep: int = 3) -> Published:
    """Publish the built catalog version at `source` to `directory` and make it current."""
    version = check_version_name(source.name)
    versions = directory / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    with locked(directory / ".publish.lock"):
        for junk in directory.glob(f"{STAGING_PREFIX}*"):  # crashed publishes: none runs now
            shutil.rmtree(junk, ignore_errors=True)
        sealed = versions / version
        copied, files, size = False, 0, 0
        if not sealed.exists():
            staging = directory / f"{STAGING_PREFIX}{version}-{os.getpid()}"
            try:
                files, size = _stage(source, staging)
                staging.rename(sealed)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            fsync_directory(versions)
            copied = True
        if read_pointer(directory) != version:
            write_pointer(directory, version)
        _prune(versions, keep, version)
    return Published(version, str(directory), copied, files, size)


def _prune(versions: Path, keep: int, current: str) -> None:
    """Drop the oldest sealed versions past `keep` (never the current one). A replica copying
    one of them fails its copy and tries again on its next poll, from the new `CURRENT`."""
    held = sorted(path for path in versions.iterdir() if path.is_dir())
    for old in held[: max(len(held) - max(keep, 1), 0)]:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)


def fetch_version(directory: Path, version: str, target: Path) -> int:
    """Copy the sealed `version` from `directory` into the new directory `target`, checking
    every file's sha256 against the seal while copying; the bytes copied.

    Raises PublishedCorrupt (nothing is kept) when a file is missing, extra or differs.
    """
    sealed = directory / VERSIONS / check_version_name(version)
    digests = read_digests(sealed)
    present = {path.name for path in _files(sealed)} - {DIGESTS}
    if present != set(digests):
        raise PublishedCorrupt(
            f"published version {version}: files {sorted(present ^ set(digests))} "
            f"are not as {DIGESTS} names them"
        )
    target.mkdir()
    size = 0
    for name, expected in sorted(digests.items()):
        (found,) = copy_file(sealed / name, target / name, "sha256")
        if found != expected:
            raise PublishedCorrupt(
                f"published version {version}: {name} is corrupt (its sha256 differs from "
                f"the seal's)"
            )
        size += (target / name).stat().st_size
    fsync_directory(target)
    return size
