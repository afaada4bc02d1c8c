"""Losing the PostgreSQL connection: the server stops and starts again under an open store,
and under a running `distill worker` in the middle of a job.

The statement that meets the dead session fails with DatabaseUnavailable (its caller's job is
retried by the queue); a transaction it was in leaves nothing behind; the next statement
opens a new session. Each test has its own server, so stopping it disturbs no other test.
PostgreSQL only: a SQLite library has no connection to lose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from distill.errors import DatabaseUnavailable
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL
from distill.store.postgres import PostgresStore
from tests.feedsite import corpus_articles, feed_site
from tests.pg_server import PgServer, running_server, worker_env

# How long the test waits for something the worker must do (generous: a loaded machine).
PATIENCE_S = 180.0
# How long the server stays down while the worker is idle-waiting for it.
DOWN_S = 3.0


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    with running_server() as server:
        yield server


def restart(server: PgServer) -> None:
    server.stop()
    assert server._launch(), server.log.read_text()[-2000:]


def test_store_reconnects_after_the_server_restarts_and_nothing_is_half_written(
    own_server: PgServer,
) -> None:
    store = PostgresStore(own_server.new_database())
    try:
        store.jobs.insert_job("noop", {}, 1.0, key="before")
        restart(own_server)
        with pytest.raises(DatabaseUnavailable):
            store.jobs.counts()  # this statement met the dead session
        assert store.jobs.counts() == {"queued": 1}  # the next one has a new session

        with pytest.raises(DatabaseUnavailable), store.transaction():
            store.jobs.insert_job("noop", {}, 1.0, key="half")
            restart(own_server)
            store.jobs.insert_job("noop", {}, 1.0, key="never")
        assert store.jobs.counts() == {"queued": 1}  # the interrupted transaction left nothing
        assert store.jobs.insert_job("noop", {}, 1.0, key="after") is not None
        assert store.jobs.counts() == {"queued": 2}
    finally:
        store.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(what: str, check: Any, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while not check():
        assert proc.poll() is None, f"the worker exited ({proc.returncode}) waiting for {what}"
        assert time.monotonic() < deadline, f"waited {PATIENCE_S} s for {what}"
        time.sleep(0.05)


def test_worker_survives_the_server_restarting_mid_job(
    own_server: PgServer, tmp_path: Path
) -> None:
    """A job is fetching its page when the server stops: the job meets the dead session and
    is retried, the worker waits without spinning, reconnects when the server is back, and
    every article ends stored once with its summary."""
    url = own_server.new_database()
    env = worker_env(tmp_path / "lib", url, job_backoff="0")
    arts = corpus_articles(5)
    events: list[dict[str, Any]] = []
    with feed_site() as site:
        site.hold("/a/")  # page requests wait until the test lets them through
        store = PostgresStore(url)
        for i, art in enumerate(arts):
            page = site.put(f"/a/{i}", Path(art["path"]).read_bytes(), art["ctype"])
            store.jobs.insert_job(
                INGEST_URL, {"url": page}, time.time(), key=page, host=host_key(page)
            )
        store.close()
        proc = subprocess.Popen(
            [sys.executable, "-m", "distill", "worker", "--json", "--threads", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        reader = threading.Thread(
            target=lambda: events.extend(json.loads(line) for line in proc.stdout or ()),
            daemon=True,
        )
        reader.start()
        try:
            wait_for("a job to fetch its page", lambda: site.gate_waiting == 1, proc)
            own_server.stop()  # the job is between its claim and its write
            site.allow(1)  # its page arrives; its write meets the dead session
            wait_for(
                "the worker to notice",
                lambda: any(e.get("event") == "database-unavailable" for e in events),
                proc,
            )
            before, start = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(DOWN_S)  # the server stays down: the worker must wait, not spin
            spent, down = cpu_seconds(proc.pid) - before, time.monotonic() - start
            assert own_server._launch(), own_server.log.read_text()[-2000:]
            site.open_gate()
            check = PostgresStore(url)
            try:
                wait_for("every job to finish", lambda: check.jobs.counts() == {"done": 5}, proc)
                jobs = check.jobs.list_jobs()[0]
                articles = check.conn.execute(
                    "SELECT count(*), count(DISTINCT a.url), count(s.article_id)"
                    " FROM articles a LEFT JOIN summaries s ON s.article_id = a.id"
                ).fetchone()
            finally:
                check.close()
            assert proc.poll() is None  # still running, waiting for more work
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            reader.join(10)  # the reader alone reads stdout: its last lines are the stop
            err = proc.stderr.read() if proc.stderr else ""
    assert proc.returncode == 0, err
    print(f"\nworker CPU while the server was down: {spent:.2f} s in {down:.2f} s")
    assert spent < down / 2, "the worker spun while the database was down"
    assert tuple(articles) == (5, 5, 5)  # every article once, each with its summary
    assert sorted(j.attempts for j in jobs) == [1, 1, 1, 1, 2]  # the interrupted one re-ran
    names = [e.get("event") for e in events]
    assert names.index("database-unavailable") < names.index("database-back")
    retried = [e for e in events if e.get("event") == "job" and e["state"] == "queued"]
    assert len(retried) == 1 and "PostgreSQL" in retried[0]["error"]
    assert names[-1] == "stopped" and events[-1]["done"] == 5
