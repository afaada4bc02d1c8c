"""Real `distill serve` and `distill worker` processes against slow servers and faults.

Waits are bounded polls (attempt counts) or generous process timeouts that only matter
when the behaviour is broken; the slow servers give up by themselves (tests/hostile_servers).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from distill.config import load_settings
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL, JobQueue
from distill.store import open_store

from .hostile_servers import trickle_server
from .test_serve_worker import free_port, get_json, poll, stop
from .web_support import make_token

# Seconds a process gets to exit once it should; far above the real need (about a second),
# so only a process that does not stop at all fails.
EXIT_WITHIN_S = 60


def _serve(home: Path, host: str, port: int, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "distill", "--home", str(home), "serve", "--port", str(port)]
    return subprocess.Popen(
        [*cmd, "--host", host, *extra, "--json"],
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def _status(url: str, headers: dict[str, str] | None = None) -> int | None:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310 - 127.0.0.1
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_on_every_interface_needs_a_token_for_reads(worker_home: Path) -> None:
    port = free_port()
    proc = _serve(worker_home, "", port, "--no-worker")
    try:
        line = proc.stdout.readline() if proc.stdout else b""
        assert json.loads(line)["reads_need_token"] is True
        status = poll(lambda: _status(f"http://127.0.0.1:{port}/v1/articles"), attempts=120)
        assert status == 401
    finally:
        stop(proc)


def test_worker_stops_on_sigterm_while_a_fetch_hangs(
    worker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTILL_WORKER_STOP_GRACE", "1")
    monkeypatch.setenv("DISTILL_TOTAL_TIMEOUT", "300")
    monkeypatch.setenv("DISTILL_READ_TIMEOUT", "60")
    with trickle_server(interval=0.5, stop_after=200.0) as slow:
        url = slow.url("/never-ending-article")
        store = open_store(worker_home)
        try:
            job_id = JobQueue(store, load_settings(worker_home)).enqueue(
                INGEST_URL, {"url": url}, host=host_key(url)
            )
        finally:
            store.close()
        cmd = [sys.executable, "-m", "distill", "--home", str(worker_home), "worker"]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert poll(lambda: slow.connections > 0, attempts=240)
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(EXIT_WITHIN_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert code == 0
    store = open_store(worker_home)
    try:
        state = store.conn.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
    finally:
        store.close()
    assert state[0] == "queued"  # released for the next worker, not stuck as running


# A process that stops on SIGTERM while a burst of them arrives (systemd signals the whole
# group and the server signals its worker too). Each round waits on the event its stop sets,
# the way the worker loop does, while a thread sends 2,000 SIGTERMs; a handler that set the
# event itself deadlocked in most runs of 20 rounds, inside the event's own lock.
SIGNAL_BURST_SCRIPT = """
import os, signal, threading
from distill.lifeline import stop_on_signals

stops = 0
for _ in range(20):
    stopped = threading.Event()
    def stop():
        global stops
        stops += 1
        stopped.set()
    burst = threading.Thread(
        target=lambda: [os.kill(os.getpid(), signal.SIGTERM) for _ in range(2000)]
    )
    with stop_on_signals(stop):
        burst.start()
        while burst.is_alive() or not stopped.is_set():
            stopped.wait(0.0001)
    burst.join()
print(stops)
"""


def test_a_burst_of_sigterms_stops_a_process_once_without_deadlock() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SIGNAL_BURST_SCRIPT],
        capture_output=True,
        text=True,
        timeout=EXIT_WITHIN_S * 2,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["20"]  # stop ran once per round, however many signals


def test_worker_exits_when_the_server_is_killed(worker_home: Path) -> None:
    port = free_port()
    proc = _serve(worker_home, "127.0.0.1", port)
    try:
        assert poll(lambda: get_json(f"http://127.0.0.1:{port}/v1/articles"), attempts=240)
        workers = poll(lambda: _children(proc.pid), attempts=60)
        assert workers, "serve started no worker process"
        proc.kill()  # SIGKILL: no handler in the server runs
        proc.wait()
        assert poll(lambda: not any(_alive(pid) for pid in workers), attempts=EXIT_WITHIN_S * 2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_slow_adds_do_not_hold_the_page_handlers(
    worker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four adds of a URL whose server trickles its headers (more than web_threads can
    hold at once) while a reader asks for the article list: the reader is answered."""
    monkeypatch.setenv("DISTILL_TOTAL_TIMEOUT", "120")
    monkeypatch.setenv("DISTILL_READ_TIMEOUT", "60")
    token = make_token(worker_home, "slow-adds")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with trickle_server(interval=0.5, stop_after=90.0) as slow:
        proc = _serve(worker_home, "127.0.0.1", port, "--no-worker")
        posts: list[threading.Thread] = []
        try:
            assert poll(lambda: get_json(base + "/v1/articles"), attempts=240)

            def add(n: int) -> None:
                body = json.dumps({"url": slow.url(f"/slow/{n}")}).encode()
                request = urllib.request.Request(
                    base + "/v1/articles",
                    data=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                # the server is stopped under it at the end of the test
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(request, timeout=150).close()  # noqa: S310

            posts = [threading.Thread(target=add, args=(n,), daemon=True) for n in range(4)]
            for thread in posts:
                thread.start()
            assert poll(lambda: slow.connections >= 2, attempts=240)
            with urllib.request.urlopen(base + "/v1/articles", timeout=30) as resp:  # noqa: S310
                assert resp.status == 200
            assert _status(base + "/") == 200
        finally:
            stop(proc)
            for thread in posts:
                thread.join(10)


def test_a_stuck_worker_still_ends_after_its_server_dies(tmp_path: Path) -> None:
    """The last resort: a server's worker whose main thread never comes back to look at its
    stop flag (stuck in a call) ends once its server has been gone for the grace period."""
    child = (
        "import sys, threading, time\n"
        "from distill.worker import _exit_when_orphaned\n"
        "threading.Thread(target=_exit_when_orphaned, args=(int(sys.argv[1]), 0.5),"
        " daemon=True).start()\n"
        "print('stuck', flush=True)\n"
        "time.sleep(3600)  # the stuck main thread\n"
    )
    pid_file = tmp_path / "worker.pid"
    parent = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child!r}, str(os.getpid())])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(3600)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", parent])
    try:
        assert poll(lambda: pid_file.exists() and pid_file.read_text(), attempts=240)
        worker = int(pid_file.read_text())
        assert _alive(worker)
        proc.kill()  # the server dies without a word
        proc.wait()
        assert poll(lambda: not _alive(worker), attempts=EXIT_WITHIN_S * 2)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
