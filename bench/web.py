"""Web speed: server time per page and wrk load on a large library.

    .venv/bin/python bench/web.py [--articles 100000] [--seed-articles 200] [--duration 30]
        [--workers 1 2] [--connections 48] [--engines sqlite postgresql]

How the library is built: `--seed-articles` corpus posts go through the real pipeline
(extract, summary, embeddings, category and tags), then SQL copies them until there are
`--articles` rows, each copy with its own title suffix, content hash, URL and a publication
date spread over ten years, and its summary, vectors, category and tags copied along. The
category page measured is the library's largest category. The copies are real rows with real
bodies, so indexes, page sizes and the full-text index see a library of that size.

Reading state: a third of the articles are marked read and one in twenty archived before
measuring, and the category page is measured plain and with the unread filter.

Server time: sequential requests through the ASGI app in-process, timed inside the server
from the request entering the app to its last body byte (no network, no client), p50/p95
over `--samples` requests per route. Load: `distill serve` as a subprocess and wrk at
`--connections` (48) for `--duration` seconds per route (category, article, /v1/articles,
/v1/search), beside a static file from the same server.

Engines: `--engines sqlite postgresql` measures the same library on both. The library is
built on SQLite as above, then copied into a fresh database on the tests' PostgreSQL server
(tests/pg_server.py, started for the run: 127.0.0.1, durability off) by `distill migrate-db`'s
copy (store/copy.py: every table, verified); the server is stopped at the end. The wrk runs
alternate between the engines for each `--workers` value, so the machine's load falls on
both alike; the load average is printed before each.
Prints figures; never part of the test run's pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.config import load_settings  # noqa: E402
from distill.store import open_store  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from bulk import full_text_triggers_aside  # noqa: E402

from tests.web_support import build_library  # noqa: E402

STOP_GRACE_S = 20.0
# Articles the spread article-page load goes through in turn.
SPREAD_ARTICLES = 2000


def grow(home: Path, target: int) -> None:
    """Copy existing articles (and summaries) until the library has `target` rows."""
    store = open_store(home)
    conn = store.conn
    seed = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    with full_text_triggers_aside(conn):
        _copy(conn, seed, target)
    conn.execute("ANALYZE")
    store.close()


def _copy(conn: Any, seed: list[int], target: int) -> None:
    have = len(seed)
    conn.execute("BEGIN")
    copy = 0
    while have < target:
        source = seed[copy % len(seed)]
        copy += 1
        day = f"{2016 + copy % 10}-{1 + copy % 12:02d}-{1 + copy % 28:02d}"
        cursor = conn.execute(
            "INSERT INTO articles (source, url, canonical_url, title, authors, published, site,"
            " language, source_tags, description, blocks, body, word_count, content_hash)"
            " SELECT source, url || '?copy=' || :n, canonical_url || '?copy=' || :n,"
            " title || ' (copy ' || :n || ')', authors, :day, site, language, source_tags,"
            " description, blocks, body, word_count, content_hash || '-' || :n"
            " FROM articles WHERE id = :id",
            {"n": copy, "day": day, "id": source},
        )
        for table, columns in (
            ("summaries", "backend, version, sections"),
            ("article_categories", "category, confidence, origin"),
            ("article_tags", "tag, origin, removed, rank"),
            ("vectors", "kind, ordinal, heading, block, model, dimensions, vector"),
        ):
            conn.execute(
                f"INSERT INTO {table} (article_id, {columns})"
                f" SELECT ?, {columns} FROM {table} WHERE article_id = ?",
                (cursor.lastrowid, source),
            )
        have += 1
        if have % 20_000 == 0:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            print(f"  {have:,} articles", flush=True)
    conn.execute("COMMIT")


def largest_category(home: Path, url: str = "") -> tuple[str, int]:
    """(name, article count) of the category with the most articles."""
    store = open_store(home, url)
    try:
        row = store.conn.execute(
            "SELECT category, count(*) AS n FROM article_categories GROUP BY category"
            " ORDER BY n DESC LIMIT 1"
        ).fetchone()
    finally:
        store.close()
    return (str(row[0]), int(row[1])) if row else ("uncategorized", 0)


def mark_reading_states(home: Path, url: str = "") -> None:
    """A third of the articles read, one in twenty archived (once), so the unread filter
    has something to leave out, as in a library that is being read."""
    store = open_store(home, url)
    try:
        if store.conn.execute("SELECT 1 FROM reading_state LIMIT 1").fetchone() is None:
            store.conn.execute(
                "INSERT INTO reading_state (article_id, state) SELECT id,"
                " CASE WHEN id % 20 = 0 THEN 'archived' ELSE 'read' END FROM articles"
                " WHERE id % 3 = 0 OR id % 20 = 0"
            )
    finally:
        store.close()


def unread_in(home: Path, category: str, url: str = "") -> int:
    store = open_store(home, url)
    try:
        return int(
            store.conn.execute(
                "SELECT count(*) FROM article_categories c WHERE c.category = ? AND NOT EXISTS"
                " (SELECT 1 FROM reading_state rs WHERE rs.article_id = c.article_id)",
                (category,),
            ).fetchone()[0]
        )
    finally:
        store.close()


def server_times(home: Path, samples: int, url: str = "") -> dict[str, list[float]]:
    from fastapi.testclient import TestClient

    from distill.web.app import create_app

    app = create_app(load_settings(home).replace(database_url=url))
    durations: list[float] = []

    async def timed(scope, receive, send):  # type: ignore[no-untyped-def]
        """Server time: from the request entering the app to its last body byte."""
        start = time.perf_counter()
        await app(scope, receive, send)
        if scope["type"] == "http":
            durations.append((time.perf_counter() - start) * 1000)

    rng = random.Random(7)
    store = open_store(home, url)
    ids = [
        r[0]
        for r in store.conn.execute("SELECT id FROM articles ORDER BY random() LIMIT ?", (samples,))
    ]
    store.close()
    category, in_category = largest_category(home, url)
    pages = max(1, -(-in_category // 12))
    words = ["goroutine", "memory", "compiler", "release", "generics", "async", "cargo", "fuzzing"]
    unread_pages = max(1, -(-unread_in(home, category, url) // 12))
    article_ids = itertools.cycle(ids)
    routes = {
        "category page": lambda: f"/category/{category}?page={rng.randint(1, min(pages, 50))}",
        "category page, is=unread": lambda: (
            f"/category/{category}?is=unread&page={rng.randint(1, min(unread_pages, 50))}"
        ),
        "category page (deep, last page)": lambda: f"/category/{category}?page={pages}",
        # each sampled article once (the page reuses an article's related list for a while,
        # so a repeat would time the cache, not the page)
        "article page": lambda: f"/articles/{next(article_ids)}",
        "home page": lambda: "/",
        "search page": lambda: f"/search?q={rng.choice(words)}",
        "/v1/articles": lambda: "/v1/articles?limit=20",
    }
    out: dict[str, list[float]] = {}
    with TestClient(timed) as client:
        # First requests load what `distill serve` loads in the background at start
        # (MiniLM, the vector index, the home page's charts); timed apart.
        for name, make in routes.items():
            durations.clear()
            client.get(make())
            print(f"first request, {name}: {durations[0]:,.0f} ms")
        for name, make in routes.items():
            count = samples if name != "search page" else max(10, samples // 10)
            durations.clear()
            for _ in range(count):
                path = make()
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            out[name] = list(durations)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(
    url: str, duration: int, connections: int, paths: list[str] | None = None
) -> dict[str, str]:
    """wrk at `url`; with `paths`, each request takes the next of them (a Lua script)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    with tempfile.TemporaryDirectory(prefix="distill-wrk-") as folder:
        if paths:
            script = Path(folder) / "paths.lua"
            listed = ",".join(f'"{p}"' for p in paths)
            script.write_text(
                f"local paths = {{{listed}}}\n"
                "local i = math.random(#paths)\n"
                "request = function()\n"
                "  i = i % #paths + 1\n"
                '  return wrk.format("GET", paths[i])\n'
                "end\n"
            )
            command += ["-s", str(script)]
        result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    text = result.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = []
    if socket_errors:
        errors.append("socket " + socket_errors.group(1).strip())
    if non2xx:
        errors.append(f"{non2xx.group(1)} non-2xx")
    return {
        "rps": rps.group(1) if rps else "?",
        "p99": p99.group(1) if p99 else "?",
        "errors": "; ".join(errors) or "0",
    }


def load_test(
    home: Path, duration: int, workers: int, connections: int, url: str = ""
) -> dict[str, dict[str, str]]:
    port = _free_port()
    env = {**os.environ, "DISTILL_HOME": str(home), "DISTILL_DATABASE_URL": url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "distill", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its web processes and worker in one group, for stop()
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(300):
            try:
                httpx.get(base + "/static/style.css", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        routes = {
            "static file /static/style.css": "/static/style.css",
            "category page": f"/category/{largest_category(home, url)[0]}",
            "article page": f"/articles/{_an_article(home, url)}",
            "/v1/articles": "/v1/articles?limit=20",
            "/v1/search": "/v1/search?q=stream",
        }
        out = {name: wrk(base + path, duration, connections) for name, path in routes.items()}
        # A reader's traffic spreads over many articles: the page keeps an article's related
        # list for a while, so one article over and over would measure that cache.
        spread = [f"/articles/{i}" for i in _some_articles(home, url, SPREAD_ARTICLES)]
        out[f"article page, {len(spread):,} articles in turn"] = wrk(
            base + spread[0], duration, connections, spread
        )
        return out
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (serve stops its web processes and its worker), then SIGKILL to the whole
    group after a grace, so no web process or worker is left behind."""
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is still there


def _some_articles(home: Path, url: str, count: int) -> list[int]:
    store = open_store(home, url)
    try:
        rows = store.conn.execute("SELECT id FROM articles ORDER BY random() LIMIT ?", (count,))
        return [int(r[0]) for r in rows]
    finally:
        store.close()


def _an_article(home: Path, url: str = "") -> int:
    store = open_store(home, url)
    try:
        return int(store.conn.execute("SELECT max(id) FROM articles").fetchone()[0])
    finally:
        store.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(f"signal {signum}")  # so every `finally` stops what it started


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seed-articles", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--home", help="reuse a library folder (built if empty)")
    parser.add_argument("--no-wrk", action="store_true", help="server times only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, default=48, help="wrk connections")
    parser.add_argument(
        "--engines", nargs="+", default=["sqlite"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp()) / "library"
    if not (home / "library.sqlite3").exists():
        start = time.perf_counter()
        build_library(home, args.seed_articles, embed=True)
        grow(home, args.articles)
        print(f"built {args.articles:,} articles in {time.perf_counter() - start:.0f} s")
    mark_reading_states(home)
    size = (home / "library.sqlite3").stat().st_size / 1e6
    print(f"library: {home} ({size:,.0f} MB)")
    with contextlib.ExitStack() as stack:
        urls = {"sqlite": ""}
        if "postgresql" in args.engines:
            from tests.pg_server import running_server

            server = stack.enter_context(running_server())
            urls["postgresql"] = to_postgres(home, server.new_database())
        engines = [(engine, urls[engine]) for engine in args.engines]
        for engine, url in engines:
            measure_server_times(home, args.samples, engine, url)
        if shutil.which("wrk") and not args.no_wrk:
            for workers in args.workers:
                for engine, url in engines:
                    print(
                        f"\n{engine}: wrk -t2 -c{args.connections} -d{args.duration}s"
                        f" (distill serve --workers {workers});"
                        f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
                    )
                    print(f"{'route':34} {'req/s':>9} {'p99':>9}  errors")
                    rows = load_test(home, args.duration, workers, args.connections, url)
                    for name, row in rows.items():
                        print(f"{name:34} {row['rps']:>9} {row['p99']:>9}  {row['errors']}")
        elif not args.no_wrk:
            print("\nwrk not installed (apt-get install wrk): load test skipped")


def to_postgres(home: Path, url: str) -> str:
    """Copy the SQLite library into the (fresh) PostgreSQL database at `url`, as
    `distill migrate-db --to URL` does; returns the URL."""
    from distill.store.copy import copy_library

    start = time.perf_counter()
    source, target = open_store(home), open_store(home, url)
    try:
        copy_library(source, target)
        target.conn.execute("VACUUM ANALYZE")
    finally:
        source.close()
        target.close()
    print(f"copied to PostgreSQL (verified, VACUUM ANALYZE) in {time.perf_counter() - start:.0f} s")
    return url


def measure_server_times(home: Path, samples: int, engine: str, url: str) -> None:
    category, in_category = largest_category(home, url)
    print(f"\n{engine}: category page measured: /category/{category} ({in_category:,} articles)")
    print(f"{engine}: server time (in-process, sequential, timed inside the app), ms")
    print(f"{'route':34} {'n':>5} {'p50':>8} {'p95':>8}")
    for name, times in server_times(home, samples, url).items():
        print(f"{name:34} {len(times):5d} {statistics.median(times):8.1f} {pct(times, 0.95):8.1f}")


if __name__ == "__main__":
    main()
