"""The duplicate check every add makes, timed on a large library.

    .venv/bin/python bench/dedupe_lookup.py [--articles 100000] [--lookups 200]

A fresh SQLite library (the real schema, through open_store) gets `--articles` rows written
with SQL (800-word bodies, distinct URLs and content hashes), then `Store.find_duplicate`
is timed for articles that are not stored (the common case: a new article) and for one
that is, by URL and by content hash. Prints the median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from distill.store import open_store  # noqa: E402

BODY = " ".join(["stream"] * 800)


def fill(home: Path, count: int) -> None:
    store = open_store(home)
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO articles (source, url, canonical_url, title, authors, source_tags,"
            " blocks, body, word_count, content_hash) VALUES (?, ?, ?, ?, '[]', '[]', '[]',"
            " ?, 800, ?)",
            (
                (f"https://example.org/{i}",) * 3 + (f"Title {i}", BODY, f"h{i:062d}")
                for i in range(count)
            ),
        )
    store.close()


def timed(fn: object, lookups: int) -> list[float]:
    times = []
    for n in range(lookups):
        start = time.perf_counter()
        fn(n)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp()) / "library"
    start = time.perf_counter()
    fill(home, args.articles)
    print(f"{args.articles:,} articles written in {time.perf_counter() - start:.1f} s")
    store = open_store(home)
    cases = {
        "new article (no match)": lambda n: store.find_duplicate(
            f"https://example.net/new/{n}", f"n{n:062d}"
        ),
        "same URL": lambda n: store.find_duplicate(f"https://example.org/{n}", "x"),
        "same text": lambda n: store.find_duplicate("", f"h{n:062d}"),
    }
    print(f"{'lookup':26} {'p50 ms':>8} {'p95 ms':>8}")
    for name, fn in cases.items():
        times = timed(fn, args.lookups)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"{name:26} {statistics.median(times):8.3f} {p95:8.3f}")
    store.close()


if __name__ == "__main__":
    main()
