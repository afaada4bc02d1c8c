"""Feeds benchmark: 400 feeds generated from the corpus, one full check cycle with ingestion.

The corpus's real articles (Flink rendered pages, Go and Rust Markdown) are spread over 400
RSS feeds on SITES local web servers (127.0.0.1, one port per "site", as 400 real
subscriptions would span many hosts). The servers run in a separate process so their CPU
is not counted. One worker (default settings: summarizer, embeddings on, worker_threads,
host_delay) then runs until idle. Printed: feeds/s, articles per hour end to end (fetch,
extract, summarize, embed, store), CPU seconds per article, peak memory.

    .venv/bin/python bench/feeds.py [--feeds 400] [--per-feed 2] [--sites 50]
"""

from __future__ import annotations

import argparse
import email.utils
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("DISTILL_CORPUS", REPO.parent / "shared" / "corpus")).resolve()


def corpus_rows() -> list[dict[str, str]]:
    rows = []
    for name in ("flink-blog", "go-blog", "rust-blog"):
        for line in (CORPUS / "_index" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            path = row.get("html_path") or row["path"]
            ctype = "text/html; charset=utf-8" if row.get("html_path") else "text/markdown"
            if (CORPUS / path).is_file() and int(row.get("words") or 0) >= 100:
                rows.append({"path": str(CORPUS / path), "ctype": ctype, "title": row["title"]})
    return rows


def serve(sites: int, feeds: int, per_feed: int, ready: multiprocessing.Queue) -> None:
    """Child process: SITES servers; feed i lives on site i % SITES."""
    from http.server import ThreadingHTTPServer

    from tests.feedsite import FeedSite, rss

    rows = corpus_rows()
    servers = [FeedSite() for _ in range(sites)]
    feed_urls = []
    n = 0
    for i in range(feeds):
        site = servers[i % sites]
        items = []
        for j in range(per_feed):
            row = rows[n % len(rows)]
            n += 1
            link = site.put(f"/p/{i}/{j}", Path(row["path"]).read_bytes(), row["ctype"])
            stamp = email.utils.formatdate(1_700_000_000 - n * 3600, usegmt=True)
            items.append({"title": row["title"], "link": link, "date": stamp})
        feed_urls.append(site.put(f"/feed/{i}.xml", rss(f"Feed {i}", site.url("/"), items)))
    assert isinstance(servers[0].server, ThreadingHTTPServer)
    ready.put((feed_urls, min(n, len(rows))))
    while True:
        time.sleep(3600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=400)
    parser.add_argument("--per-feed", type=int, default=2)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=0,
        help="Stop the cycle after this long (a shared machine) and report what was done.",
    )
    args = parser.parse_args()

    ready: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(args.sites, args.feeds, args.per_feed, ready), daemon=True
    )
    server.start()
    feed_urls, distinct = ready.get(timeout=300)

    home = Path(tempfile.mkdtemp(prefix="distill-bench-feeds-"))
    os.environ["DISTILL_HOME"] = str(home)
    os.environ["DISTILL_ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["DISTILL_FEED_FIRST_CHECK_MAX"] = str(max(args.per_feed, 1))
    from distill.config import load_settings
    from distill.embed import default_embedder
    from distill.store import open_store
    from distill.worker import Worker

    settings = load_settings(home)
    store = open_store(home)
    now = time.time()
    with store.transaction():
        for url in feed_urls:
            store.feeds.add_feed(url, "", "", settings.feed_interval, now)
    t_load = time.perf_counter()
    if settings.embed:
        default_embedder().embed(["warm up"])
    load_s = time.perf_counter() - t_load

    last_feed = [0.0]
    counts = {"added": 0, "duplicate": 0, "failed": 0, "feed_errors": 0}

    def on_event(event: dict) -> None:
        if event.get("event") != "job":
            return
        if event["kind"] == "fetch-feed":
            last_feed[0] = time.perf_counter()
            if (event.get("result") or {}).get("status") == "error":
                counts["feed_errors"] += 1
        elif event["state"] == "done":
            counts[event["result"]["status"]] += 1
        elif event["state"] == "failed":
            counts["failed"] += 1

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    worker = Worker(settings, until_idle=True, on_event=on_event)
    if args.max_seconds:
        threading.Timer(args.max_seconds, worker.stop).start()
    worker.run()
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    feeds_s = len(feed_urls) / (last_feed[0] - t0) if last_feed[0] > t0 else float("nan")
    added = counts["added"]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"feeds: {len(feed_urls)} on {args.sites} local sites, {args.per_feed} new entries each")
    print(
        f"settings: summarizer={settings.summarizer} embed={settings.embed}"
        f" worker_threads={settings.worker_threads} host_delay={settings.host_delay}"
    )
    print(f"model load (once per process, not in the cycle): {load_s:.1f} s")
    print(f"cycle wall time: {wall:.1f} s; all feeds checked after {last_feed[0] - t0:.1f} s")
    print(f"feeds/s: {feeds_s:.1f}")
    print(
        f"articles: {added} added, {counts['duplicate']} duplicate, {counts['failed']} failed,"
        f" {counts['feed_errors']} feed errors (corpus distinct: {distinct})"
    )
    per_article = cpu / max(added, 1)
    print(f"articles/hour end to end (measured wall clock): {added / wall * 3600:,.0f}")
    print(f"CPU s per article: {per_article:.3f} (worker process, {cpu:.1f} s total)")
    print(
        f"articles/hour if the worker had {os.cpu_count()} cores to itself (CPU-bound):"
        f" {(os.cpu_count() or 1) * 3600 / per_article:,.0f}"
    )
    load = os.getloadavg()
    print(f"load average during the run (other work on the machine): {load[0]:.1f}")
    print(f"peak memory (max RSS): {peak_mib:,.0f} MiB")
    print(f"cores: {os.cpu_count()}")
    server.terminate()


if __name__ == "__main__":
    main()
