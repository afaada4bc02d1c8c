"""The queue's promises on each storage engine (a SQLite file, a PostgreSQL database): retry
with backoff, fail with the reason after the last attempt, retry on demand, leases that
expire and fence the old holder, a stop (SIGTERM) that finishes or releases what the worker
holds, and two processes draining one queue without a double claim."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import Settings, load_settings
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL, JobQueue, backoff_delay
from distill.store import SQLStore
from distill.worker import Worker
from tests.feedsite import corpus_articles, feed_site

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def quick(home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DISTILL_EMBED", "0")
    monkeypatch.setenv("DISTILL_HOST_DELAY", "0")
    monkeypatch.setenv("DISTILL_JOB_BACKOFF", "0")
    monkeypatch.setenv("DISTILL_JOB_MAX_ATTEMPTS", "3")
    return load_settings(home)


def cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout


def test_backoff_doubles_and_is_capped() -> None:
    delays = [backoff_delay(n, 30.0) for n in (1, 2, 3, 4)]
    assert all(0.9 * 30 * 2**i <= d <= 1.1 * 30 * 2**i for i, d in enumerate(delays))
    assert backoff_delay(40, 30.0) <= 86_400 * 1.1


def test_server_error_retries_then_fails_with_reason_then_retry_succeeds(
    quick: Settings, store: SQLStore
) -> None:
    art = corpus_articles(1)[0]
    with feed_site() as site:
        url = site.put("/post", b"<h1>down</h1>", status=503)
        queue = JobQueue(store, quick)
        job_id = queue.enqueue(INGEST_URL, {"url": url}, key="k", host=host_key(url))
        Worker(quick, until_idle=True).run()
        code, out = cli(quick.home, "jobs", "list", "--failed", "--json")
        (failed,) = json.loads(out)["jobs"]
        assert failed["id"] == job_id and failed["attempts"] == 3 == failed["max_attempts"]
        assert "HTTP 503" in failed["last_error"] and url in failed["last_error"]
        assert len([p for p, s in site.requests if p == "/post"]) == 3
        # the page comes back: `jobs retry --failed` queues it again and it lands
        site.put("/post", Path(art["path"]).read_bytes(), art["ctype"])
        code, out = cli(quick.home, "jobs", "retry", "--failed", "--json")
        assert code == 0 and json.loads(out) == {"retried": [job_id], "not_failed": []}
        Worker(quick, until_idle=True).run()
    job = queue.list_jobs()[0][0]
    assert job.state == "done" and job.result["status"] == "added"
    assert store.list_articles().total == 1
    code, out = cli(quick.home, "jobs", "retry", str(job_id), "--json")
    assert code == 1 and json.loads(out)["not_failed"] == [job_id]


def test_expired_lease_is_claimed_again_and_fences_the_old_holder(
    quick: Settings, store: SQLStore
) -> None:
    expired = JobQueue(store, quick.replace(job_lease=-1.0))  # leases that are already over
    job_id = expired.enqueue(INGEST_URL, {"url": "http://127.0.0.1:9/x"}, key="a")
    first = expired.claim("host-a:1:x")
    assert first is not None and first.id == job_id
    queue = JobQueue(store, quick)
    second = queue.claim("host-b:2:y")
    assert second is not None and second.id == job_id and second.attempts == 2
    assert queue.claim("host-c:3:z") is None  # held now, and nothing else is due
    assert not queue.finish(first, "host-a:1:x", {})  # the old holder cannot finish it
    assert queue.finish(second, "host-b:2:y", {"ok": True})


def test_stop_releases_a_job_still_running_after_grace(quick: Settings, store: SQLStore) -> None:
    art = corpus_articles(1)[0]
    with feed_site() as site:
        site.put("/post", Path(art["path"]).read_bytes(), art["ctype"])
        queue = JobQueue(store, quick)
        url = site.url("/slow/3/post")
        job_id = queue.enqueue(INGEST_URL, {"url": url}, key="k", host=host_key(url))
        worker = Worker(quick, grace=0)
        thread = threading.Thread(target=worker.run)
        thread.start()
        while not site.hits("/slow/"):
            time.sleep(0.05)
        worker.stop()
        thread.join()
    (job,), _ = queue.list_jobs()
    assert job.id == job_id and job.state == "queued" and job.lease_owner is None
    assert job.attempts == 0  # a release does not use up an attempt
    assert worker.stats["released"] == 1


def test_sigterm_lets_the_running_job_finish(quick: Settings, store: SQLStore) -> None:
    art = corpus_articles(1)[0]
    with feed_site() as site:
        site.put("/post", Path(art["path"]).read_bytes(), art["ctype"])
        url = site.url("/slow/2/post")
        JobQueue(store, quick).enqueue(INGEST_URL, {"url": url}, key="k", host=host_key(url))
        env = {**os.environ, "DISTILL_HOME": str(quick.home)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "distill", "worker", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        while not site.hits("/slow/"):
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["event"] == "stopped" and events[-1]["done"] == 1
    assert store.list_articles().total == 1


def test_robots_txt_respected_and_one_request_at_a_time_per_host(
    quick: Settings, store: SQLStore
) -> None:
    arts = corpus_articles(8)
    with feed_site() as site:
        site.put("/robots.txt", b"User-agent: *\nDisallow: /private/\n", "text/plain")
        queue = JobQueue(store, quick)
        urls = []
        for i, art in enumerate(arts):
            site.put(f"/a/{i}", Path(art["path"]).read_bytes(), art["ctype"])
            urls.append(site.url(f"/slow/0.2/a/{i}"))  # slow enough for requests to overlap
        site.put("/private/x", Path(arts[0]["path"]).read_bytes(), arts[0]["ctype"])
        urls.append(site.url("/private/x"))
        for url in urls:
            queue.enqueue(INGEST_URL, {"url": url}, key=url, host=host_key(url))
        Worker(quick, threads=4, until_idle=True).run()
        assert site.max_in_flight == 1  # four threads, one host: never two requests at once
        assert not site.hits("/private/")
        assert len(site.hits("/robots.txt")) == 1  # fetched once, then cached
    jobs = {j.payload["url"]: j for j in queue.list_jobs()[0]}
    private = jobs[site.url("/private/x")]
    assert private.state == "failed" and "robots.txt disallows" in private.last_error
    unfinished = {
        u: (j.state, j.attempts, j.last_error)
        for u, j in jobs.items()
        if u != private.payload["url"] and j.state != "done"
    }
    assert not unfinished, unfinished  # every article's job done (states shown otherwise)
    assert len(jobs) == len(arts) + 1


CLAIMER = """
import json, os, sys, time
from distill.store import open_store
from pathlib import Path
store = open_store(Path(sys.argv[1]), os.environ.get("DISTILL_DATABASE_URL", ""))
owner, claimed = sys.argv[2], []
print("ready", flush=True)
sys.stdin.readline()  # start together, so the two claim at the same time
while True:
    job = store.jobs.claim_one(owner, time.time(), 3600.0)
    if job is None:
        break
    claimed.append(job.id)
    assert store.jobs.finish(job.id, owner, time.time(), {"by": owner})
print(json.dumps(claimed))
"""


def test_two_processes_claiming_never_claim_one_job_twice(quick: Settings, store: SQLStore) -> None:
    """Two worker processes drain one queue at once: every job is claimed exactly once."""
    now = time.time()
    with store.transaction():
        ids = [store.jobs.insert_job("noop", {"n": n}, now) for n in range(300)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(quick.home), f"claimer-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        for n in range(2)
    ]
    for p in procs:  # both connected and waiting
        assert p.stdout is not None and p.stdout.readline().strip() == b"ready"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write(b"go\n")
        p.stdin.flush()
    claims = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    everything = claims[0] + claims[1]
    assert sorted(everything) == sorted(ids)  # each job once: no double claim, none missed
    assert store.jobs.counts() == {"done": 300}


def test_a_dead_workers_jobs_and_hosts_come_back_and_a_live_ones_stay(
    quick: Settings, store: SQLStore
) -> None:
    """Host leases are the queue's too: a worker on this machine whose process is gone gives
    back its job and its host at once; a live worker's are left alone."""
    machine = socket.gethostname()
    dead, live = f"{machine}:{2**22 + 1}:dead", f"{machine}:{os.getpid()}:live"  # no such pid
    queue = JobQueue(store, quick)
    for host in ("a.example", "b.example"):
        queue.enqueue(INGEST_URL, {"url": f"http://{host}/x"}, key=host, host=host)
    first, second = queue.claim(dead), queue.claim(live)
    assert first is not None and second is not None and first.host != second.host
    assert store.jobs.busy_hosts(time.time()) == {"a.example", "b.example"}
    assert queue.claim("someone:1:else") is None  # both hosts held
    assert queue.recover_dead_workers() == 1
    assert store.jobs.busy_hosts(time.time()) == {second.host}  # the dead one's host is free
    again = queue.claim("someone:1:else")
    assert again is not None and again.id == first.id and again.attempts == 2
    assert not queue.finish(first, dead, {})  # the dead owner's lease is gone
