"""A throw-away PostgreSQL cluster for tests and benches: `initdb` + `pg_ctl` in a temp dir.

It listens on 127.0.0.1 on a free port (its socket in its own directory), trusts local
connections (nothing else can reach it), and runs as the unprivileged `postgres` user when this
process is root (PostgreSQL refuses to run as root; Debian's package creates that user).
`pg_ctl start -w` returns once the server accepts connections, then `pg_isready` confirms it:
no fixed sleeps. Each test takes its own database (`create_database`, a copy of template1).

The binaries are looked up in `MICROTRIBE_PG_BIN`, on PATH, then in Debian's
/usr/lib/postgresql/<version>/bin; `make postgres` installs them (`apt-get install postgresql`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "postgres"  # the unprivileged user a root process runs the server as


def find_pg_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and pg_isready, or None when not installed."""
    candidates = [os.environ.get("MICROTRIBE_PG_BIN", "")]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    candidates += [str(p) for p in reversed(debian)]
    for candidate in filter(None, candidates):
        folder = Path(candidate)
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "pg_isready")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgCluster:
    bin_dir: Path
    root: Path
    port: int
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        """The maintenance database's URL (the superuser `postgres`, no password: trust)."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{name}"

    @classmethod
    def start(cls, bin_dir: Path, fsync: bool = True) -> PgCluster:
        root = Path(tempfile.mkdtemp(prefix="microtribe-pg-"))
        cluster = cls(bin_dir, root, _free_port())
        try:
            cluster._init_and_start(fsync)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}\n{tail}")

    def _init_and_start(self, fsync: bool) -> None:
        (self.root / "socket").mkdir()
        if os.geteuid() == 0:
            user = pwd.getpwnam(USER)  # KeyError: no `postgres` user (install the package)
            for path in (self.root, self.root / "socket"):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root / 'socket'} -c max_connections=200 "
            f"-c fsync={'on' if fsync else 'off'} -c shared_buffers=64MB"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "-t", "120", "start",
        )  # fmt: skip
        self._run(str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-t", "60")  # fmt: skip

    def create_database(self, prefix: str = "t") -> str:
        """A new, empty database of this cluster; its URL."""
        import psycopg

        name = f"{prefix}{next(self._names)}_{os.getpid()}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.database_url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                      "stop")  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
