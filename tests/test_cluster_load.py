"""One web server and three workers on one library at once, under load: no error, no lost write.

What a team library looks like: `distill serve --no-worker` answers readers while three
`distill worker` processes ingest a feed's articles and writers post articles through /v1,
all against the same database (both engines). Readers loop over the pages and the API the
whole time; every answer must be a 200, every post must be stored, and at the end every
article is there exactly once with its summary, and no job is left running or leased.

Waits are bounded by attempts or by progress, never asserted on time: the test ends when
the work is done, however fast or busy the machine is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import library_store
from tests.feedsite import FeedSite, corpus_articles, serve_articles
from tests.test_serve_worker import free_port, get_json, poll, stop
from tests.web_support import make_token

pytestmark = pytest.mark.usefixtures("engine")

FEED_ARTICLES = 45
POSTED_ARTICLES = 12
WORKERS = 3
READERS = 3
READ_PATHS = ("/", "/v1/articles?limit=20", "/search?q=stream", "/feeds", "/v1/search?q=go")
# A worker with no finished job for this many polls of half a second is reported.
STALL_POLLS = 600


# Each process's error output, by pid: a file, never a pipe nobody reads (a full pipe
# blocks the writer, and a blocked process outlives its test).
LOGS: dict[int, Path] = {}


def _spawn(home: Path, *args: str) -> subprocess.Popen[bytes]:
    path = home.parent / f"{args[0]}-{len(LOGS)}.log"
    with open(path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "distill", "--home", str(home), *args],
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    LOGS[proc.pid] = path
    return proc


def _log_of(proc: subprocess.Popen[bytes]) -> str:
    return LOGS[proc.pid].read_text(errors="replace")[-3000:]


def _read_status(url: str) -> int | str:
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 - 127.0.0.1 only
            resp.read()
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def _post_markdown(base: str, token: str, markdown: str, source_url: str) -> int | str:
    body = json.dumps({"markdown": markdown, "source_url": source_url}).encode()
    request = urllib.request.Request(
        base + "/v1/articles",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=300) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return f"{exc.code}: {exc.read()[:300]!r}"
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"


def _finished_jobs(home: Path) -> int:
    store = library_store(home)
    try:
        counts = store.jobs.counts()
    finally:
        store.close()
    return counts.get("done", 0) + counts.get("failed", 0)


def _jobs(home: Path) -> dict[str, object]:
    """What the queue holds, for a failure message: counts and the unfinished jobs."""
    store = library_store(home)
    try:
        conn = store.conn
        counts = conn.execute("SELECT kind, state, count(*) FROM jobs GROUP BY kind, state")
        unfinished = conn.execute(
            "SELECT kind, state, attempts, last_error, payload FROM jobs"
            " WHERE state <> 'done' ORDER BY id LIMIT 5"
        )
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        return {
            "counts": [tuple(r) for r in counts.fetchall()],
            "unfinished": [tuple(r) for r in unfinished.fetchall()],
            "articles": articles,
        }
    finally:
        store.close()


def test_web_and_three_workers_under_load_lose_nothing(
    worker_home: Path, feeds: FeedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = worker_home
    monkeypatch.setenv("DISTILL_ALLOWED_HOSTS", "127.0.0.1")
    monkeypatch.setenv("DISTILL_FEED_FIRST_CHECK_MAX", str(FEED_ARTICLES))
    pool = corpus_articles(250)  # Flink pages first, then Go Markdown posts
    fed = pool[:FEED_ARTICLES]
    posted = [a for a in pool[FEED_ARTICLES:] if a["ctype"].startswith("text/markdown")]
    posted = posted[:POSTED_ARTICLES]
    assert len(posted) == POSTED_ARTICLES
    feed_url = serve_articles(feeds, fed, "/feed.xml")
    token = make_token(home, "load")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = _spawn(home, "serve", "--port", str(port), "--no-worker")
    workers: list[subprocess.Popen[bytes]] = []
    statuses: list[tuple[str, int | str]] = []
    post_results: list[tuple[str, int | str]] = []
    stop_reading = threading.Event()
    try:
        assert poll(lambda: get_json(base + "/v1/articles"), attempts=240), "web never answered"
        added = subprocess.run(
            [sys.executable, "-m", "distill", "--home", str(home), "feeds", "add", feed_url],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert added.returncode == 0, added.stderr
        workers = [_spawn(home, "worker", "--threads", "2") for _ in range(WORKERS)]

        def read() -> None:
            n = 0
            while not stop_reading.is_set():
                path = READ_PATHS[n % len(READ_PATHS)]
                statuses.append((path, _read_status(base + path)))
                n += 1

        def write(batch: list[dict[str, str]]) -> None:
            for article in batch:
                text = Path(article["path"]).read_text(encoding="utf-8")
                source = f"https://example.org/posted/{article['slug']}"
                post_results.append((article["slug"], _post_markdown(base, token, text, source)))

        readers = [threading.Thread(target=read, daemon=True) for _ in range(READERS)]
        writers = [
            threading.Thread(target=write, args=(posted[i::2],), daemon=True) for i in range(2)
        ]
        for thread in readers + writers:
            thread.start()

        # progress-bounded wait: until the feed check and one ingest job per article are
        # finished (done or failed: a failed one is reported below, not waited on)
        target, seen, still = FEED_ARTICLES + 1, -1, 0
        while (finished := _finished_jobs(home)) < target:
            for proc in workers:
                assert proc.poll() is None, _log_of(proc)
            seen, still = (finished, 0) if finished != seen else (seen, still + 1)
            assert still < STALL_POLLS, f"no job ended for {STALL_POLLS} polls: {_jobs(home)}"
            time.sleep(0.5)
        for thread in writers:
            thread.join(600)
        stop_reading.set()
        for thread in readers:
            thread.join(300)
    finally:
        stop_reading.set()
        for proc in workers:
            stop(proc)
        stop(web)

    failures = [s for s in statuses if s[1] != 200]
    print(f"\n{len(statuses)} reads, {len(post_results)} posts, workers {WORKERS}")
    assert len(statuses) >= READERS * len(READ_PATHS) and not failures, failures[:10]
    assert sorted(post_results) == sorted((a["slug"], 201) for a in posted)

    store = library_store(home)
    try:
        conn = store.conn
        articles = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
        summaries = conn.execute("SELECT count(*) FROM summaries").fetchone()[0]
        states = dict(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
        leased = conn.execute(
            "SELECT count(*) FROM jobs WHERE state = 'running' OR lease_owner IS NOT NULL"
        ).fetchone()[0]
    finally:
        store.close()
    total = FEED_ARTICLES + POSTED_ARTICLES
    assert tuple(articles) == (total, total)  # every article once
    assert summaries == total
    assert states == {"done": FEED_ARTICLES + 1} and leased == 0, _jobs(home)
