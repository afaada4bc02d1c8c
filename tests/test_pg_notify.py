"""LISTEN/NOTIFY on PostgreSQL: an idle worker wakes when a job is queued, not at its next poll.

The worker's poll interval is set far longer than the test waits, so a job can only be
picked up in time through the notification. PostgreSQL only: SQLite has no notification
channel, and its workers keep polling (the queue tests cover that on both engines).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL
from distill.store.postgres import PostgresStore
from tests.feedsite import corpus_articles, feed_site
from tests.pg_server import PgServer, worker_env

POLL_S = 600.0  # the worker's poll interval: far past anything the test waits for
# Generous upper bound for a notified worker to claim and finish one article (a loaded
# machine); well under POLL_S, so only the notification can make it.
PICKUP_S = 120.0


def next_event(events: queue.Queue[dict[str, Any]], name: str) -> dict[str, Any]:
    deadline = time.monotonic() + PICKUP_S
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=left)
        except queue.Empty:
            break
        if event.get("event") == name:
            return event
    raise AssertionError(f"no {name!r} event within {PICKUP_S} s")


def test_idle_worker_wakes_when_a_job_is_queued(pg_server: PgServer, tmp_path: Path) -> None:
    url = pg_server.new_database()
    env = worker_env(tmp_path / "lib", url, worker_poll_interval=str(POLL_S))
    arts = corpus_articles(2)
    events: queue.Queue[dict[str, Any]] = queue.Queue()
    store = PostgresStore(url)
    with feed_site() as site:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distill", "worker", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def read() -> None:
            for line in proc.stdout or ():
                events.put(json.loads(line))

        threading.Thread(target=read, daemon=True).start()
        try:
            waited = []
            for n, art in enumerate(arts):
                idle = next_event(events, "idle")  # nothing to do: it waits, listening
                assert idle["wakes_on"] == "notify"
                page = site.put(f"/a/{n}", Path(art["path"]).read_bytes(), art["ctype"])
                start = time.monotonic()
                store.jobs.insert_job(
                    INGEST_URL, {"url": page}, time.time(), key=page, host=host_key(page)
                )
                job = next_event(events, "job")
                waited.append(time.monotonic() - start)
                assert job["state"] == "done" and job["result"]["status"] == "added"
            stopping = time.monotonic()
            proc.terminate()  # a stop is not held up by the long poll interval either
            out, err = proc.communicate(timeout=PICKUP_S)
            stopped_in = time.monotonic() - stopping
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
            store.close()
    print(f"\nqueued to done: {[round(w, 2) for w in waited]} s; stopped in {stopped_in:.2f} s")
    assert proc.returncode == 0, err
    assert all(w < PICKUP_S for w in waited)
