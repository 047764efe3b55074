"""Several uvicorn workers, each accepting on its own `SO_REUSEPORT` socket.

uvicorn's own `--workers` binds one socket in the supervisor and hands it to every worker.
Each worker's event loop then accepts whole bursts of connections at once, so one worker took
most of the connections (and their keep-alive traffic): 1,015 answers against 325, and at
40 requests/s all 320 on one worker. Here each worker binds its own socket on the same
address with `SO_REUSEPORT`, and the kernel spreads new connections over the workers' sockets
by a hash of the connection. Supervision (restarting a dead or hung worker, stopping all on
SIGINT/SIGTERM, replacing all on SIGHUP) is uvicorn's `Multiprocess`, unchanged: only the
worker's socket differs.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess


def reuseport_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class ReusePortProcess(multiprocess.Process):
    """A uvicorn worker that binds its own `SO_REUSEPORT` socket instead of the parent's."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        super().target([reuseport_socket(self.config.host, self.config.port)])


def run_workers(app: str, host: str, port: int, workers: int, **config: Any) -> None:
    """Serve the `app` factory import string with `workers` processes on host:port."""
    settings = uvicorn.Config(app, factory=True, host=host, port=port, workers=workers, **config)
    # fail here, in the supervisor, when the address is taken (each worker binds its own)
    reuseport_socket(host, port).close()
    original = multiprocess.Process
    multiprocess.Process = ReusePortProcess  # type: ignore[misc]
    try:
        multiprocess.Multiprocess(settings, sockets=[]).run()
    finally:
        multiprocess.Process = original  # type: ignore[misc]
