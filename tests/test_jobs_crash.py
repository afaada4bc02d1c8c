"""Never lose, never double: real worker processes killed with SIGKILL, and two at once.

300 real corpus articles are served from 127.0.0.1 behind one RSS feed. `distill worker`
runs as a subprocess and is killed with SIGKILL at random moments, restarted each time,
then run to the end. The moments are chosen by progress, not by the clock: each run is
killed once a random number of further jobs is done (seeded; the seed and every kill point
are printed), and the article pages sit behind a gate on the test server that lets through
only a few more pages than that number, so no worker can finish the work before its kill
however fast the machine is. Embeddings are off
(DISTILL_EMBED=0): loading the model costs ~12 s per process start and vectors are written
in the same transaction as the article, so the crash behaviour under test is unchanged.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlean

from distill.config import load_settings
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL, JobQueue
from distill.store import open_store
from tests.feedsite import FeedSite, corpus_articles, feed_site, serve_articles

ARTICLES = 300
MIN_KILLS = 10
THREADS = 4  # worker threads: up to this many jobs are in flight when a kill lands
# Jobs each run must finish before its kill: a random number from 1 to this.
MOST_JOBS_PER_RUN = 12
# A run's gate allowance beyond the jobs it must finish: pages for the other threads' jobs
# in flight at the kill point (THREADS - 1) and two more, so a run never waits at the gate
# before its kill point. Pages let through in all before the last kill are at most
# MIN_KILLS * (12 + 6 + THREADS held by the previous run) = 220 < ARTICLES: work is left.
GATE_SLACK = THREADS + 2
POLL_SECONDS = 0.01  # how often the test reads the done count while a run works
STALL_SECONDS = 300  # a run with no new finished job for this long is reported, not waited on


def worker_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DISTILL_HOME=str(home),
        DISTILL_ALLOWED_HOSTS="127.0.0.1",
        DISTILL_EMBED="0",
        DISTILL_HOST_DELAY="0",
        DISTILL_FEED_FIRST_CHECK_MAX=str(ARTICLES),
    )
    return env


def distill(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "distill", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def start_worker(env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "distill", "worker", "--until-idle", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def subscribe(site: FeedSite, env: dict[str, str], count: int) -> None:
    url = serve_articles(site, corpus_articles(count), "/feed.xml")
    result = distill(env, "feeds", "add", url)
    assert result.returncode == 0, result.stderr


def done_jobs(home: Path) -> int:
    conn = sqlean.connect(str(home / "library.sqlite3"), timeout=30)
    try:
        return int(conn.execute("SELECT count(*) FROM jobs WHERE state = 'done'").fetchone()[0])
    finally:
        conn.close()


def wait_until_done(home: Path, target: int, proc: subprocess.Popen[str]) -> None:
    """Poll until `target` jobs are done; a worker that exits or stalls fails the test."""
    seen, last_change = -1, time.monotonic()
    while (done := done_jobs(home)) < target:
        if proc.poll() is not None:
            raise AssertionError(f"worker exited ({proc.returncode}) early: {proc.stderr.read()}")
        if done != seen:
            seen, last_change = done, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            proc.kill()
            raise AssertionError(f"no job finished in {STALL_SECONDS} s at {done}/{target}")
        time.sleep(POLL_SECONDS)


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    home = tmp_path / "lib"
    env = worker_env(home)
    seed = int(os.environ.get("DISTILL_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"\nkill test seed {seed} (rerun with DISTILL_KILL_SEED={seed})")
    with feed_site() as site:
        site.hold("/a/")  # article pages; the feed itself and robots.txt are not held
        subscribe(site, env, ARTICLES)
        kills: list[int] = []  # jobs done (all runs) when each kill was sent
        while len(kills) < MIN_KILLS:
            target = done_jobs(home) + rng.randint(1, MOST_JOBS_PER_RUN)
            with site.lock:  # pages a killed run asked for are still queued: let them drain
                backlog = site.gate_waiting
            site.allow(backlog + (target - done_jobs(home)) + GATE_SLACK)
            proc = start_worker(env, "--threads", str(THREADS))
            wait_until_done(home, target, proc)
            time.sleep(rng.uniform(0.0, 0.05))  # a random point inside the next jobs' work
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills.append(done_jobs(home))
        print(f"SIGKILL with this many jobs done: {kills}")
        site.open_gate()
        final = start_worker(env, "--threads", str(THREADS), "--json")
        out, err = final.communicate(timeout=600)
        assert final.returncode == 0, err
        assert site.hits("/robots.txt")  # robots.txt consulted (404 here: no rules)

    conn = sqlean.connect(str(home / "library.sqlite3"))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    articles = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    summaries = conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
    entries = conn.execute(
        "SELECT count(*), count(DISTINCT article_id), sum(article_id IS NULL) FROM feed_entries"
    ).fetchone()
    states = dict(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    stuck = conn.execute(
        "SELECT count(*) FROM jobs WHERE state = 'running' OR lease_owner IS NOT NULL"
    ).fetchone()[0]
    retried = conn.execute("SELECT count(*) FROM jobs WHERE attempts > 1").fetchone()[0]
    print(f"articles {articles}, summaries {summaries}, jobs {states}, re-run {retried}")
    assert articles == (ARTICLES, ARTICLES)  # every article once, each from its own page
    assert summaries == ARTICLES
    assert entries == (ARTICLES, ARTICLES, 0)  # every entry points at its own article
    assert states == {"done": ARTICLES + 1} and stuck == 0


def test_two_workers_claim_disjoint_jobs(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "lib"
    env = worker_env(home)
    monkeypatch.setenv("DISTILL_HOME", str(home))
    with feed_site() as site:
        serve_articles(site, corpus_articles(60), "/feed.xml")
        store = open_store(home)
        queue = JobQueue(store, load_settings(home))
        for path in [p for p, _ in site.routes.items() if p.startswith("/a/")]:
            queue.enqueue(INGEST_URL, {"url": site.url(path)}, key=path, host=host_key(site.base))
        store.close()
        a = start_worker(env, "--threads", "2", "--json")
        b = start_worker(env, "--threads", "2", "--json")
        outputs = [p.communicate(timeout=600)[0] for p in (a, b)]
    done = []
    for out in outputs:
        events = [json.loads(line) for line in out.splitlines()]
        done.append({e["job"] for e in events if e.get("event") == "job" and e["state"] == "done"})
    print(f"\nworker A ran {len(done[0])} jobs, worker B ran {len(done[1])}")
    assert done[0] and done[1], "both workers should have had work"
    assert not (done[0] & done[1])
    conn = sqlean.connect(str(home / "library.sqlite3"))
    ingest_ids = {r[0] for r in conn.execute("SELECT id FROM jobs WHERE kind = 'ingest-url'")}
    assert done[0] | done[1] == ingest_ids and len(ingest_ids) == 60
    assert conn.execute("SELECT max(attempts) FROM jobs").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 60
