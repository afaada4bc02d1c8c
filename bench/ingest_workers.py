"""Ingest throughput of 1, 2 and 4 `distill worker` processes, SQLite beside PostgreSQL.

    PYTHONPATH=. .venv/bin/python bench/ingest_workers.py [--articles 150]
        [--embed-articles 60] [--workers 1 2 4] [--hosts 4] [--embed off on]

Everything is real and local: a feed site on 127.0.0.1 (tests/feedsite.py) serving corpus
articles from `--hosts` ports (politeness allows one request at a time per host in the whole
cluster, so one host would serialise the fetches of every worker), the tests' PostgreSQL
server (tests/pg_server.py, started for the run: 127.0.0.1, durability off), and worker
processes started as a user starts them (`python -m distill worker --json`, default
threads), with the environment of tests/pg_server.py's `worker_env` (127.0.0.1 allowed, no
politeness delay). Jobs are queued the normal way: `distill feeds add URL`, whose feed check
queues one ingest job per entry.

One run = a fresh library (SQLite folder, or a fresh PostgreSQL database), W workers started
and waited on until idle, then a warm-up feed of W x (threads + 1) other articles (so each
worker has loaded what it loads lazily: extraction children, the embedding model, robots.txt
of each host), then the measured feed of `--articles` articles, timed from `feeds add`
returning until no job is queued or running. CPU is read from /proc over the workers'
process trees (each process's own time plus that of its reaped children: the extraction
children and their forkserver are in it) between just before `feeds add` and the end; on
PostgreSQL the server's CPU (postmaster and its backends) is reported beside it.

The engines alternate inside each (embeddings, workers) setting, and the order flips from
one setting to the next, so the machine's load falls on both alike; `os.getloadavg()` is
printed before each run. Nothing here asserts a time: it prints figures. Every process
started is stopped at the end (SIGTERM, SIGKILL after a grace), on a failure too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.store import open_store  # noqa: E402
from tests.feedsite import FeedSite, corpus_articles, feed_site, rss  # noqa: E402
from tests.pg_server import PgServer, running_server, worker_env  # noqa: E402

THREADS = 4  # the `worker_threads` default; each worker runs with it, as a user's does
START_TIMEOUT_S = 120.0  # a worker's start (imports, migrations check) until its first idle
RUN_TIMEOUT_S = 900.0  # one run's ceiling: the bench stops by itself even if a run stalls
STOP_GRACE_S = 30.0
POLL_S = 0.2
TICK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, CPU ticks of the process plus its reaped children)."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # after the name: state, ppid, ..., utime (14th field), stime, cutime, cstime
        ticks = sum(int(f) for f in fields[11:15])
        table[int(entry)] = (int(fields[1]), ticks)
    return table


def tree_cpu(roots: list[int]) -> float:
    """CPU seconds of the processes `roots` and all their descendants (each one's own time
    and that of the children it reaped: a child that ended between two readings is in its
    parent's count)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0, [r for r in roots if r in table], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo += children.get(pid, [])
    return total / TICK


class Workers:
    """W `distill worker --json` processes; their JSON events are read from files."""

    def __init__(self, count: int, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder = env, folder
        self.outs = [folder / f"worker-{n}.jsonl" for n in range(count)]
        self.procs: list[subprocess.Popen[bytes]] = []
        for out in self.outs:
            with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
                self.procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "distill", "worker", "--json"],
                        env=env,
                        stdout=stdout,
                        stderr=stderr,
                        stdin=subprocess.DEVNULL,
                    )
                )

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def events(self, n: int) -> list[dict[str, Any]]:
        out = []
        for line in self.outs[n].read_text().splitlines():
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
        return out

    def check_alive(self) -> None:
        for n, proc in enumerate(self.procs):
            if proc.poll() is not None:
                err = self.outs[n].with_suffix(".err").read_text()[-2000:]
                raise RuntimeError(f"worker {n} exited ({proc.returncode}): {err}")

    def wait_idle(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(
            any(e.get("event") == "idle" for e in self.events(n)) for n in range(len(self.outs))
        ):
            self.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not idle within {START_TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)

    def ingest_jobs_by_worker(self) -> list[int]:
        return [
            sum(
                1
                for e in self.events(n)
                if e.get("event") == "job" and e.get("kind") == "ingest-url"
            )
            for n in range(len(self.outs))
        ]

    def stop(self) -> list[int | None]:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes: list[int | None] = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(STOP_GRACE_S))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                codes.append(None)
        return codes


def serve_feed(site: FeedSite, name: str, articles: list[dict[str, str]], hosts: int) -> str:
    """Put `articles` on the site, spread over the hosts, and a feed listing them."""
    items = []
    for n, art in enumerate(articles):
        site.put(f"/{name}/{n}", Path(art["path"]).read_bytes(), art["ctype"])
        link = site.url(f"/{name}/{n}", host=n % hosts)
        items.append({"title": art["title"], "link": link, "date": ""})
    return site.put(f"/{name}.xml", rss(name, site.url("/"), items), "application/rss+xml")


def wait_empty(store: Any, expected_done: int, workers: Workers) -> dict[str, int]:
    """Poll until no job is queued or running and `expected_done` jobs have ended."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    empty_since = None
    while True:
        counts = store.jobs.counts()
        ended = counts.get("done", 0) + counts.get("failed", 0)
        empty = not counts.get("queued") and not counts.get("running")
        if ended >= expected_done and empty:
            return dict(counts)
        empty_since = (empty_since or time.monotonic()) if empty else None
        workers.check_alive()
        if time.monotonic() > deadline or (empty_since and time.monotonic() - empty_since > 30):
            raise RuntimeError(f"{expected_done} jobs expected, the queue holds {counts}")
        time.sleep(POLL_S)


def distill_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "distill", *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def one_run(
    engine: str,
    count: int,
    embed: bool,
    feeds: tuple[str, int, str, int],
    server: PgServer,
    folder: Path,
) -> dict[str, Any]:
    warm_url, warm_n, feed_url, feed_n = feeds
    url = server.new_database() if engine == "postgresql" else ""
    home = folder / "library"
    # A new feed's first check takes only `feed_first_check_max` (20) entries: here all.
    env = worker_env(home, url, embed="1" if embed else "0", feed_first_check_max="100000")
    env["PYTHONPATH"] = str(REPO)
    open_store(home, url).close()  # the library exists (migrated) before the workers start
    store = open_store(home, url)
    load = os.getloadavg()
    workers = Workers(count, env, folder)
    try:
        workers.wait_idle()
        distill_cli(env, "feeds", "add", warm_url)
        wait_empty(store, warm_n + 1, workers)
        warm_jobs = workers.ingest_jobs_by_worker()
        roots = workers.pids
        pg_root = [server.process.pid] if engine == "postgresql" and server.process else []
        cpu0, pg0 = tree_cpu(roots), tree_cpu(pg_root)
        distill_cli(env, "feeds", "add", feed_url)
        start = time.perf_counter()
        counts = wait_empty(store, warm_n + 1 + feed_n + 1, workers)
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
        cpu, pg = tree_cpu(roots) - cpu0, tree_cpu(pg_root) - pg0
        jobs = [a - b for a, b in zip(workers.ingest_jobs_by_worker(), warm_jobs, strict=True)]
        stored = int(store.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    finally:
        codes = workers.stop()
        store.close()
        if url:
            with contextlib.suppress(Exception):
                server.drop_database(url)
    return {
        "engine": engine,
        "workers": count,
        "embed": embed,
        "articles": feed_n,
        "stored": stored - warm_n,
        "failed": counts.get("failed", 0),
        "seconds": round(wall, 1),
        "articles_per_hour": round(feed_n / wall * 3600),
        "worker_cpu_ms_per_article": round(1000 * cpu / feed_n, 1),
        "server_cpu_ms_per_article": round(1000 * pg / feed_n, 1),
        "cpu_cores_busy": round((cpu + pg) / wall, 2),
        "warmup_jobs_per_worker": warm_jobs,
        "jobs_per_worker": jobs,
        "exit_codes": codes,
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in load_after],
    }


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(f"signal {signum}")  # so every `finally` stops what it started


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=150, help="per run, embeddings off")
    parser.add_argument("--embed-articles", type=int, default=60, help="per run, embeddings on")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--embed", nargs="+", default=["off", "on"], choices=["off", "on"])
    parser.add_argument("--hosts", type=int, default=4, help="site ports (politeness hosts)")
    args = parser.parse_args()
    most = max(args.workers) * (THREADS + 1)
    pool = corpus_articles(most + max(args.articles, args.embed_articles))
    tmp = Path(tempfile.mkdtemp(prefix="distill-ingest-workers-"))
    results = []
    try:
        with running_server() as server, feed_site(hosts=args.hosts) as site:
            flip = False
            for embed_name in args.embed:
                embed = embed_name == "on"
                size = args.embed_articles if embed else args.articles
                for count in args.workers:
                    warm = count * (THREADS + 1)
                    warm_url = serve_feed(site, f"warm{count}", pool[:warm], args.hosts)
                    feed = pool[most : most + size]
                    feed_url = serve_feed(site, f"feed{size}", feed, args.hosts)
                    engines = list(reversed(args.engines)) if flip else list(args.engines)
                    flip = not flip
                    for engine in engines:
                        folder = tmp / f"{engine}-{count}-{embed_name}"
                        folder.mkdir()
                        feeds = (warm_url, warm, feed_url, len(feed))
                        result = one_run(engine, count, embed, feeds, server, folder)
                        results.append(result)
                        print(json.dumps(result), flush=True)
                        shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(
        f"{'embed':>5} {'workers':>7} {'engine':>10} {'articles':>8} {'s':>7} {'art/hour':>9}"
        f" {'worker cpu ms/art':>17} {'server cpu ms/art':>17} {'cores busy':>10} {'load':>6}"
    )
    for r in results:
        print(
            f"{'on' if r['embed'] else 'off':>5} {r['workers']:>7} {r['engine']:>10}"
            f" {r['articles']:>8} {r['seconds']:>7.1f} {r['articles_per_hour']:>9,}"
            f" {r['worker_cpu_ms_per_article']:>17.1f} {r['server_cpu_ms_per_article']:>17.1f}"
            f" {r['cpu_cores_busy']:>10.2f} {r['load_before'][0]:>5.1f}-{r['load_after'][0]:<5.1f}"
        )


if __name__ == "__main__":
    main()
