"""Never lose, never double: real worker processes killed with SIGKILL, and two at once;
on PostgreSQL, four at once with kills among them and politeness held across all four.

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
from typing import Any

import sqlean

from distill.config import load_settings
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL, JobQueue
from distill.store import open_store
from distill.store.postgres import PostgresStore
from tests.feedsite import FeedSite, corpus_articles, feed_site, rss, serve_articles
from tests.pg_server import PgServer

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
    """Both workers get work whatever the machine's speed: the pages wait at the gate until
    each worker's two threads hold a job (four requests waiting; a worker holds at most
    two), so a worker that starts first cannot run every job before the other starts."""
    home = tmp_path / "lib"
    env = worker_env(home)
    # held pages must not time out while the other worker starts
    env.update(DISTILL_READ_TIMEOUT="600", DISTILL_TOTAL_TIMEOUT="600")
    monkeypatch.setenv("DISTILL_HOME", str(home))
    with feed_site() as site:
        serve_articles(site, corpus_articles(60), "/feed.xml")
        site.hold("/a/")
        store = open_store(home)
        queue = JobQueue(store, load_settings(home))
        host = host_key(site.base)
        for n, path in enumerate(p for p in list(site.routes) if p.startswith("/a/")):
            # a politeness key per page: on one host only one job at a time could run, and
            # the four threads could not all hold one
            queue.enqueue(INGEST_URL, {"url": site.url(path)}, key=path, host=f"{host}#{n}")
        store.close()
        a = start_worker(env, "--threads", "2", "--json")
        b = start_worker(env, "--threads", "2", "--json")
        deadline = time.monotonic() + STALL_SECONDS  # a liveness bound, not a speed limit
        while site.gate_waiting < 4:
            ended = [p for p in (a, b) if p.poll() is not None]
            assert not ended, f"a worker ended before holding jobs: {ended[0].stderr.read()}"
            assert time.monotonic() < deadline, f"{site.gate_waiting} requests at the gate"
            time.sleep(POLL_SECONDS)
        site.open_gate()
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


# Four worker processes on one PostgreSQL database, pages on three hosts (three ports).
CLUSTER_WORKERS = 4
CLUSTER_THREADS = 2  # per worker: eight job threads in all, more than there are hosts
CLUSTER_HOSTS = 3
CLUSTER_ARTICLES = 180
CLUSTER_MOST_JOBS_PER_ROUND = 6
# A round's gate allowance beyond the jobs it must finish: pages the killed worker's jobs
# had fetched and must fetch again (at most its threads), pages held at the gate for each
# host, and two more. Pages let through in all before the last kill are at most
# MIN_KILLS * (6 + 2 + 3 + 2) = 130 < CLUSTER_ARTICLES: work is left at every kill.
CLUSTER_SLACK = CLUSTER_THREADS + CLUSTER_HOSTS + 2
PAGE_S = 0.2  # each article page is answered this late (see the test)


def cluster_env(home: Path, url: str) -> dict[str, str]:
    return {**worker_env(home), "DISTILL_DATABASE_URL": url}


def start_cluster_worker(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    """A long-running worker; its stderr goes to `log` (a pipe nobody reads could fill)."""
    with open(log, "a") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "distill", "worker", "--threads", str(CLUSTER_THREADS)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )


def kill_and_reap(proc: subprocess.Popen[str], site: FeedSite) -> None:
    """SIGKILL, then drop the dead worker's requests still held at the gate before reaping
    the process: while it is a zombie its sockets are closed but its PID still answers, so
    no other worker takes back its leases (hosts included) before the site forgets it."""
    proc.send_signal(signal.SIGKILL)
    stat = Path(f"/proc/{proc.pid}/stat")
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z":
        time.sleep(0.005)
    site.reap()
    proc.wait()


def test_four_postgresql_workers_killed_at_random_lose_double_and_overlap_nothing(
    tmp_path: Path, pg_server: PgServer
) -> None:
    """Four `distill worker` processes share one PostgreSQL database; one of them, chosen at
    random, is killed with SIGKILL at random points (by progress) and started again. In the
    end every article is stored once with its summary, no job or host is left leased, and
    no host was ever sent two requests at once by the whole cluster."""
    url = pg_server.new_database()
    home = tmp_path / "lib"
    env = cluster_env(home, url)
    seed = int(os.environ.get("DISTILL_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"\ncluster kill test seed {seed} (rerun with DISTILL_KILL_SEED={seed})")
    check = PostgresStore(url)

    def done() -> int:
        return check.jobs.counts().get("done", 0)

    try:
        with feed_site(hosts=CLUSTER_HOSTS) as site:
            items = []
            for n, art in enumerate(corpus_articles(CLUSTER_ARTICLES)):
                site.put(f"/a/{n}", Path(art["path"]).read_bytes(), art["ctype"])
                # On every host, each answered after PAGE_S: requests last long enough that
                # two workers fetching from one host at once would be seen overlapping.
                link = site.url(f"/slow/{PAGE_S}/a/{n}", host=n % CLUSTER_HOSTS)
                items.append({"title": art["title"], "link": link, "date": ""})
            feed = site.put("/feed.xml", rss("Corpus", site.url("/"), items), "application/rss+xml")
            site.hold("/slow/")  # the article pages; the feed and robots.txt are not held
            result = distill(env, "feeds", "add", feed)
            assert result.returncode == 0, result.stderr
            logs = [tmp_path / f"worker-{n}.log" for n in range(CLUSTER_WORKERS)]
            workers = [start_cluster_worker(env, log) for log in logs]
            kills: list[int] = []
            try:
                while len(kills) < MIN_KILLS:
                    target = done() + rng.randint(1, CLUSTER_MOST_JOBS_PER_ROUND)
                    site.allow(target - done() + CLUSTER_SLACK)
                    wait_for_cluster(done, target, workers, logs)
                    time.sleep(rng.uniform(0.0, 0.05))  # inside the next jobs' work
                    victim = rng.randrange(CLUSTER_WORKERS)
                    kill_and_reap(workers[victim], site)
                    kills.append(done())
                    workers[victim] = start_cluster_worker(env, logs[victim])
                print(f"SIGKILL with this many jobs done: {kills}")
                site.open_gate()
                wait_for_cluster(done, CLUSTER_ARTICLES + 1, workers, logs)
            finally:
                codes = stop_all(workers)
            assert codes == [0] * CLUSTER_WORKERS, [log.read_text()[-2000:] for log in logs]
            overlap = dict(site.max_in_flight_by_host)
        articles = check.conn.execute(
            "SELECT count(*), count(DISTINCT url) FROM articles"
        ).fetchone()
        summaries = check.conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
        entries = check.conn.execute(
            "SELECT count(*), count(DISTINCT article_id), count(*) - count(article_id)"
            " FROM feed_entries"
        ).fetchone()
        states = check.jobs.counts()
        stuck = check.conn.execute(
            "SELECT count(*) FROM jobs WHERE state = 'running' OR lease_owner IS NOT NULL"
        ).fetchone()[0]
        held = check.conn.execute(
            "SELECT count(*) FROM host_leases WHERE holder IS NOT NULL"
        ).fetchone()[0]
        retried = check.conn.execute("SELECT count(*) FROM jobs WHERE attempts > 1").fetchone()[0]
    finally:
        check.close()
    print(f"articles {tuple(articles)}, summaries {summaries}, jobs {states}, re-run {retried}")
    print(f"most requests at once per host: {overlap}")
    assert len(kills) >= MIN_KILLS
    assert tuple(articles) == (CLUSTER_ARTICLES, CLUSTER_ARTICLES)  # each article once
    assert summaries == CLUSTER_ARTICLES
    assert tuple(entries) == (CLUSTER_ARTICLES, CLUSTER_ARTICLES, 0)
    assert states == {"done": CLUSTER_ARTICLES + 1} and stuck == 0 and held == 0
    assert sorted(overlap) == sorted(site.bases)  # every host was fetched from
    assert set(overlap.values()) == {1}, overlap  # never two requests at once to one host


def stop_all(workers: list[subprocess.Popen[str]]) -> list[int]:
    """SIGTERM every worker (a clean stop), SIGKILL one that does not exit; exit codes."""
    for proc in workers:
        proc.terminate()
    codes = []
    for proc in workers:
        try:
            codes.append(proc.wait(120))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    return codes


def wait_for_cluster(
    done: Any, target: int, workers: list[subprocess.Popen[str]], logs: list[Path]
) -> None:
    """Poll until `target` jobs are done; a worker that exits or no progress fails the test."""
    seen, last_change = -1, time.monotonic()
    while (now := done()) < target:
        for proc, log in zip(workers, logs, strict=True):
            if proc.poll() is not None:
                raise AssertionError(f"worker exited ({proc.returncode}): {log.read_text()}")
        if now != seen:
            seen, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            raise AssertionError(f"no job finished in {STALL_SECONDS} s at {now}/{target}")
        time.sleep(POLL_SECONDS * 5)
