"""Never lose, never double: real worker processes killed with SIGKILL, and two at once.

300 real corpus articles are served from 127.0.0.1 behind one RSS feed. `distill worker`
runs as a subprocess and is killed with SIGKILL at random moments (seeded; the seed and
every delay are printed), restarted each time, then run to the end. Embeddings are off
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
from pathlib import Path

import sqlean

from distill.config import load_settings
from distill.feeds.politeness import host_key
from distill.jobs import INGEST_URL, JobQueue
from distill.store import open_store
from tests.feedsite import FeedSite, corpus_articles, feed_site, serve_articles

ARTICLES = 300
MIN_KILLS = 10


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


def test_sigkill_at_random_moments_loses_and_doubles_nothing(tmp_path: Path) -> None:
    home = tmp_path / "lib"
    env = worker_env(home)
    seed = int(os.environ.get("DISTILL_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    print(f"\nkill test seed {seed} (rerun with DISTILL_KILL_SEED={seed})")
    with feed_site() as site:
        subscribe(site, env, ARTICLES)
        kills: list[float] = []
        while len(kills) < MIN_KILLS:
            proc = start_worker(env, "--threads", "4")
            delay = rng.uniform(1.0, 5.0)
            try:
                proc.wait(delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills.append(round(delay, 2))
                continue
            raise AssertionError(f"work finished after {len(kills)} kills; make the load larger")
        print(f"SIGKILL after {kills} s of each run")
        final = start_worker(env, "--threads", "4", "--json")
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
