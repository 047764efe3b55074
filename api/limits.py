"""Request limits of the HTTP API: body size, per-key rate, CORS origins.

Read from the environment when the app is created (`ApiLimits.from_env`), never at import:

- `MICROTRIBE_MAX_BODY_BYTES`: largest request body, default 5 MiB.
- `MICROTRIBE_RATE_LIMIT`: `RATE/BURST` requests a second per API key, default `100/200`;
  `off` disables it. The default sits above the 50 requests/s the server is sized for, so
  one well-behaved client never sees a 429; it exists to stop a runaway loop.
- `MICROTRIBE_CORS_ORIGINS`: comma-separated origins allowed by CORS; unset means CORS off.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_RATE_LIMIT = "100/200"


@dataclass(frozen=True, slots=True)
class ApiLimits:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rate_per_second: float | None = 100.0  # None: no rate limit
    burst: int = 200
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ApiLimits:
        env = os.environ if environ is None else environ
        rate, burst = _parse_rate(env.get("MICROTRIBE_RATE_LIMIT") or DEFAULT_RATE_LIMIT)
        body = env.get("MICROTRIBE_MAX_BODY_BYTES") or str(DEFAULT_MAX_BODY_BYTES)
        if not body.isdigit() or int(body) < 1:
            raise ValueError(f"MICROTRIBE_MAX_BODY_BYTES={body!r}; expected a positive integer")
        origins = env.get("MICROTRIBE_CORS_ORIGINS", "")
        return cls(
            max_body_bytes=int(body),
            rate_per_second=rate,
            burst=burst,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )


def _parse_rate(spec: str) -> tuple[float | None, int]:
    if spec.strip().lower() == "off":
        return None, 0
    rate, _, burst = spec.partition("/")
    try:
        per_second, most = float(rate), int(burst or max(1, round(float(rate))))
    except ValueError:
        per_second, most = 0.0, 0
    if not (per_second > 0 and math.isfinite(per_second)) or most < 1:
        raise ValueError(
            f"MICROTRIBE_RATE_LIMIT={spec!r}; expected RATE/BURST such as '50/100', or 'off'"
        )
    return per_second, most


class RateLimiter:
    """A token bucket per identity: `rate` tokens a second, at most `burst` saved up.

    Identities are known API keys only (auth runs first), so the table cannot grow without
    bound from clients inventing keys.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # identity → (tokens, when)
        self._lock = threading.Lock()

    def acquire(self, identity: str) -> float:
        """Take a token: 0.0 when granted, else the seconds until the next one."""
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(identity, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens >= 1.0:
                self._buckets[identity] = (tokens - 1.0, now)
                return 0.0
            self._buckets[identity] = (tokens, now)
            return (1.0 - tokens) / self.rate


class BodySizeLimit:
    """ASGI middleware refusing request bodies over `max_bytes` with a 413.

    It checks `Content-Length` before reading anything, and counts the bytes of chunked
    bodies as they stream in. It raises from `receive`, inside routing, so the 413 goes
    through the app's error handlers (DESIGN.md error shape) and the route is known to
    the metrics.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared is not None and declared > self.max_bytes:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited_receive, send)

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"the request body is larger than {self.max_bytes} bytes")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
