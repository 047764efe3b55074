"""A replica follows a published directory (`microtribe serve --catalog-from DIR`).

At start and on every poll (`MatchService.poll_once`) the follower reads `DIR/CURRENT`
(matching/publish.py). A version the home does not hold is copied into a hidden
`catalog/.fetching-*` directory, every file's sha256 checked against the version's seal as it
is copied, renamed into `catalog/<version>` and made the home's `catalog/CURRENT`; the
service's poll then loads it through the usual safe reload (the old catalog serves until the
new one has loaded). A version whose files differ from its seal is refused: nothing of it is
kept, the old catalog keeps serving, the refusal is logged once and shown by `/readyz`, and
it is not copied again until `DIR/CURRENT` names another version. Server processes sharing a
home (`--workers N`) take turns on a lock, so one copies and the others find it there.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from matching.catalog import CatalogFormatOld, current_version, prune_versions, read_manifest
from matching.publish import (
    PublishedCorrupt,
    fetch_version,
    locked,
    read_pointer,
    write_pointer,
)

log = logging.getLogger("microtribe.follow")
FETCHING_PREFIX = ".fetching-"


@dataclass(frozen=True, slots=True)
class Refusal:
    version: str
    reason: str


class CatalogFollower:
    """Keeps `catalog_dir/CURRENT` on the version `source/CURRENT` names."""

    def __init__(self, source: Path, catalog_dir: Path, keep: int = 3) -> None:
        self.source = source
        self.catalog_dir = catalog_dir
        self.keep = keep
        self.published: str | None = None  # what `source/CURRENT` named at the last look
        self.refused: Refusal | None = None  # the published version not taken, and why
        self.error: str | None = None  # why the last look failed (retried on the next one)

    def status(self) -> dict[str, object]:
        """For `/readyz`: the directory followed, its current version, any refusal."""
        return {
            "dir": str(self.source),
            "published_version": self.published,
            "refused": None
            if self.refused is None
            else {"version": self.refused.version, "reason": self.refused.reason},
            "error": self.error,
        }

    def sync(self) -> bool:
        """Bring the published version home and make it current; True when CURRENT moved."""
        try:
            version = read_pointer(self.source)
        except (OSError, ValueError) as exc:
            self._failed(f"cannot read {self.source / 'CURRENT'}: {exc}")
            return False
        self.published = version
        if self.refused is not None and self.refused.version != version:
            self.refused = None  # the directory moved on (or back): that refusal is over
        if version is None or version == current_version(self.catalog_dir):
            self.error = None
            return False
        if self.refused is not None and self.refused.version == version:
            return False
        try:
            self.catalog_dir.mkdir(parents=True, exist_ok=True)
            with locked(self.catalog_dir / ".follow.lock"):
                self._take(version)
        except (PublishedCorrupt, CatalogFormatOld) as exc:
            self.refused = Refusal(version, str(exc))
            log.error("published catalog %s refused, the old one keeps serving: %s", version, exc)
            return False
        except OSError as exc:  # the mount, the disk: tried again on the next poll
            self._failed(f"published catalog {version} not copied: {exc}")
            return False
        self.refused, self.error = None, None
        log.info("following %s: catalog %s is now current", self.source, version)
        return True

    def _take(self, version: str) -> None:
        """Under the lock: fetch `version` unless the home holds it, then point CURRENT at it."""
        for junk in self.catalog_dir.glob(f"{FETCHING_PREFIX}*"):  # crashed copies
            shutil.rmtree(junk, ignore_errors=True)
        held = self.catalog_dir / version
        if not (held / "manifest.json").exists():
            staging = self.catalog_dir / f"{FETCHING_PREFIX}{version}"
            try:
                copied = fetch_version(self.source, version, staging)
                read_manifest(staging)  # a format this server cannot map is refused here
                staging.rename(held)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            log.info("copied published catalog %s (%d bytes)", version, copied)
        if current_version(self.catalog_dir) != version:
            write_pointer(self.catalog_dir, version)
        prune_versions(self.catalog_dir, self.keep, version)

    def _failed(self, reason: str) -> None:
        if reason != self.error:  # once per reason, not once per poll
            log.warning("%s; the catalog in service keeps serving", reason)
        self.error = reason
