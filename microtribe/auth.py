"""API keys with roles: `admin` implies `write` implies `read`; keys are kept only as hashes."""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

Role = Literal["read", "write", "admin"]
ROLE_RANK: dict[str, int] = {"read": 0, "write": 1, "admin": 2}


class KeyRing:
    """Verifies presented keys in constant time against the configured hashes."""

    def __init__(self, hashed: dict[str, Role]) -> None:
        self._hashed = hashed

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """`role:key,…` (MICROTRIBE_API_KEYS)."""
        hashed: dict[str, Role] = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            role, _, key = item.partition(":")
            if role not in ROLE_RANK or not key:
                raise ValueError(
                    f"bad API key entry starting {item[:6]!r}; expected role:key with role in "
                    f"{list(ROLE_RANK)}"
                )
            hashed[_digest(key)] = role  # type: ignore[assignment]
        if not hashed:
            raise ValueError("MICROTRIBE_API_KEYS holds no keys")
        return cls(hashed)

    def identify(self, key: str) -> tuple[str, Role] | None:
        """The key's identity (its hash, never the key itself) and role; None when unknown."""
        digest = _digest(key)
        granted: Role | None = None
        for known, role in self._hashed.items():  # no early exit: time does not leak the match
            if hmac.compare_digest(known, digest):
                granted = role
        return None if granted is None else (digest, granted)

    def role_of(self, key: str) -> Role | None:
        found = self.identify(key)
        return None if found is None else found[1]


def allows(granted: Role, needed: Role) -> bool:
    return ROLE_RANK[granted] >= ROLE_RANK[needed]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
