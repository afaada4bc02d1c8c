"""Shared fixtures: a real library folder, real settings, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from distill.config import Settings, load_settings
from distill.store import SQLStore, open_store
from tests.pg_server import PgServer, running_server

if TYPE_CHECKING:
    from tests.feedsite import FeedSite

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("DISTILL_CORPUS", REPO.parent / "shared" / "corpus")).resolve()
FLINK_PAGES = CORPUS / "flink-blog" / "content"


# Processes that belong to the test process itself and end with it: multiprocessing's
# forkserver and resource tracker (started for extraction children, distill/contain.py).
OWNED_HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")
# How long processes a test stopped get to finish exiting before they count as left behind.
LEFTOVER_GRACE_S = 15.0


def _marked_processes(marker: bytes) -> dict[int, str]:
    """pid -> command line of every live process whose environment carries `marker`, with
    the test that started it (pytest's PYTEST_CURRENT_TEST, inherited at the start)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
            if marker not in environ:
                continue
            started_by = next(
                (
                    v.split(b"=", 1)[1].decode()
                    for v in environ
                    if v.startswith(b"PYTEST_CURRENT_TEST=")
                ),
                "outside any test",
            )
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if "State:\tZ" in status or any(h in cmdline for h in OWNED_HELPERS):
            continue
        found[int(entry.name)] = f"{cmdline}\n      started by {started_by}"
    return found


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    """Fail the run when a test leaves a process running (a server, a worker, a child).

    Every process the tests start inherits a marker in its environment, so one that was
    re-parented after its parent died (the case that matters) is still found. Leftovers
    are listed, then killed so they do not outlive the run.
    """
    if not Path("/proc/self/environ").exists():
        yield
        return
    value = uuid.uuid4().hex
    os.environ["DISTILL_TEST_RUN"] = value
    marker = f"DISTILL_TEST_RUN={value}".encode()
    yield
    from distill.ingest.contain import stop_all

    stop_all()
    left = _marked_processes(marker)
    for _ in range(int(LEFTOVER_GRACE_S / 0.5)):
        if not left:
            break
        time.sleep(0.5)
        left = _marked_processes(marker)
    stacks = {pid: _dump_stack(pid) for pid in left}
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if left:
        listing = "\n".join(f"  {pid}: {cmd}{stacks[pid]}" for pid, cmd in sorted(left.items()))
        pytest.fail(f"tests left {len(left)} process(es) running:\n{listing}", pytrace=False)


def _dump_stack(pid: int) -> str:
    """Where a left-behind process is stuck: a server's worker writes its threads' stacks
    to its stderr on SIGUSR1 (faulthandler); when that is a file, its end is returned."""
    try:
        stderr = Path(os.readlink(f"/proc/{pid}/fd/2"))
        if b"worker" not in Path(f"/proc/{pid}/cmdline").read_bytes() or not stderr.is_file():
            return ""
        before = stderr.stat().st_size
        os.kill(pid, signal.SIGUSR1)
        time.sleep(1.0)
        with stderr.open("rb") as fh:
            fh.seek(before)
            dumped = fh.read(6000).decode("utf-8", "replace")
    except OSError:
        return ""
    return f"\n      its stack (from {stderr}):\n" + dumped.rstrip() if dumped else ""


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (set DISTILL_CORPUS)")
    return CORPUS


# The storage engines a test marked `pytest.mark.usefixtures("engine")` (or asking for
# `engine`) runs on: the SQLite file in the library folder, and a fresh database on the
# run's PostgreSQL server, selected the way a user selects it (DISTILL_DATABASE_URL), so the
# CLI, workers and web servers a test starts use the same database.
ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server with pgvector for the run, started on first use."""
    with running_server() as server:
        yield server


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param != "postgresql":
        monkeypatch.delenv("DISTILL_DATABASE_URL", raising=False)
        yield request.param
        return
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.new_database()
    monkeypatch.setenv("DISTILL_DATABASE_URL", url)
    yield request.param
    server.drop_database(url)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    if "engine" in request.fixturenames:  # choose the database before any settings load
        request.getfixturevalue("engine")
    path = tmp_path / "library"
    monkeypatch.setenv("DISTILL_HOME", str(path))
    monkeypatch.setenv("DISTILL_ALLOWED_HOSTS", "127.0.0.1")
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home)


def library_store(home: Path) -> SQLStore:
    """The store of this test's library on its engine (the database DISTILL_DATABASE_URL
    names when the test runs on PostgreSQL, else the SQLite file in `home`)."""
    return open_store(home, os.environ.get("DISTILL_DATABASE_URL", ""))


@pytest.fixture
def store(home: Path) -> Iterator[SQLStore]:
    s = library_store(home)
    yield s
    s.close()


class SiteState:
    """What the test server has done, so tests can assert on traffic it saw."""

    def __init__(self) -> None:
        self.bytes_sent: dict[str, int] = {}
        self.requests: list[str] = []
        self.extra: dict[str, tuple[int, str, bytes]] = {}  # path -> (status, ctype, body)


class _Handler(BaseHTTPRequestHandler):
    state: SiteState
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        self.state.requests.append(self.path)
        if path in self.state.extra:
            status, ctype, body = self.state.extra[path]
            self._send(status, body, ctype)
        elif path.startswith("/flink/"):
            file = (FLINK_PAGES / path.removeprefix("/flink/")).resolve()
            if file.is_dir():
                file = file / "index.html"
            if FLINK_PAGES in file.parents and file.is_file():
                self._send(200, file.read_bytes())
            else:
                self._send(404, b"<h1>not found</h1>")
        elif path == "/redirect":
            self._send(302, b"", headers={"Location": query["to"][0]})
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), b"<h1>error</h1>")
        elif path == "/slow":
            time.sleep(float(query.get("seconds", ["3"])[0]))
            self._send(200, b"<html><body><p>late</p></body></html>")
        elif path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50_000_000))
            self.end_headers()
        elif path == "/huge-streamed":
            self._stream_forever(path)
        else:
            self._send(404, b"<h1>not found</h1>")

    def _stream_forever(self, path: str) -> None:
        """50 MB with no Content-Length: the client must stop reading at its cap."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        sent = 0
        try:
            while sent < 50_000_000:
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.state.bytes_sent[path] = sent
        self.close_connection = True


class LocalSite:
    def __init__(self, server: ThreadingHTTPServer, state: SiteState) -> None:
        self.server = server
        self.state = state
        self.base = f"http://127.0.0.1:{server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(
        self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200
    ) -> str:
        self.state.extra[path] = (status, ctype, body)
        return self.url(path)


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """A real HTTP server on 127.0.0.1 serving the Flink pages and fault routes."""
    state = SiteState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalSite(server, state)
    server.shutdown()
    server.server_close()


def flink_page_paths(limit: int | None = None) -> list[Path]:
    require_corpus()
    pages = sorted(FLINK_PAGES.glob("*/*/*/*/index.html"))
    return pages[:limit] if limit else pages


@pytest.fixture
def feeds() -> Iterator[FeedSite]:
    """A feed host on 127.0.0.1 (tests/feedsite.py) for one test."""
    from tests.feedsite import feed_site

    with feed_site() as site:
        yield site


@pytest.fixture(scope="session")
def corpus_library() -> Path:
    """The 30-article web library (tests/web_support.py), built once per run. Read only:
    use `corpus_home` (a copy per module) or `own_home` (a copy per test) to write."""
    from tests.web_support import pristine_library

    require_corpus()
    return pristine_library()


def _library_env(home: Path) -> dict[str, str]:
    # Articles the tests add through the app are not embedded (the model costs ~12 s).
    return {"DISTILL_HOME": str(home), "DISTILL_EMBED": "false"}


@pytest.fixture(scope="module")
def corpus_home(corpus_library: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the web library for one module: its tests may read what earlier ones in
    the module left, but no other module sees it."""
    from tests.web_support import copy_library

    home = copy_library(tmp_path_factory.mktemp("web") / "library")
    with pytest.MonkeyPatch.context() as patch:
        for key, value in _library_env(home).items():
            patch.setenv(key, value)
        yield home


@pytest.fixture
def own_home(corpus_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the web library for one test that writes and does not undo."""
    from tests.web_support import copy_library

    home = copy_library(tmp_path / "own-library")
    for key, value in _library_env(home).items():
        monkeypatch.setenv(key, value)
    return home


@pytest.fixture
def worker_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library whose worker neither embeds nor waits between requests or retries."""
    monkeypatch.setenv("DISTILL_EMBED", "0")
    monkeypatch.setenv("DISTILL_HOST_DELAY", "0")
    monkeypatch.setenv("DISTILL_JOB_BACKOFF", "0")
    return home
