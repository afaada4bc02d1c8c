"""Search latency on a server already in use: one engine alone, warmed by other queries.

bench/search.py measures both engines in one process, one after the other, each query
first as a bare full-text query: at 1,000,000 articles the two libraries do not fit in
memory together and the bare queries of common words read the whole index, so its figures
are those of a cold cache. A server that answers searches all day keeps what they touch
in memory; this measures that case. 300 other queries of the same three classes (another
seed) go through `search()` first, then the 300 queries of bench/search.py once each, in
the given mode; prints p50/p95/p99 overall and per class, and the slowest queries.

    PYTHONPATH=$PWD .venv/bin/python bench/search_warm.py --home /tmp/distill-search-1m \
        [--postgres-url URL] [--mode hybrid|text|vector]

The library is one bench/search.py built; with --postgres-url the queries run on that
PostgreSQL database (loaded by bench/search.py). Run it from another checkout (its own
PYTHONPATH) to measure another version on the same database and cache. Query vectors are
computed beforehand, as in bench/search.py.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from search import CachedEmbedder, pct, queries  # noqa: E402

from distill.search.engine import search  # noqa: E402
from distill.store import open_store  # noqa: E402

WARM_SEED, MEASURED_SEED = 12, 11


def _queries(home: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Both query sets, drawn from the SQLite library's vocabulary once and kept beside it:
    reading the vocabulary of a million articles takes a minute and fills the page cache
    with SQLite's pages, which would then be measured as PostgreSQL's misses."""
    kept = home / "search_warm_queries.json"
    if not kept.exists():
        library = open_store(home)
        sets = {
            "warm": queries(library.conn, random.Random(WARM_SEED)),
            "measure": queries(library.conn, random.Random(MEASURED_SEED)),
        }
        library.close()
        kept.write_text(json.dumps(sets))
    sets = json.loads(kept.read_text())
    return [tuple(q) for q in sets["warm"]], [tuple(q) for q in sets["measure"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--mode", default="hybrid", choices=["text", "vector", "hybrid"])
    args = parser.parse_args()
    warm, measured = _queries(args.home)
    store = open_store(args.home, args.postgres_url)
    embedder = CachedEmbedder()
    embedder.embed([text for _, text in warm + measured])
    for _, text in warm:
        search(store, text, mode=args.mode, embedder=embedder)
    rows = []
    for kind, text in measured:
        started = time.perf_counter()
        search(store, text, mode=args.mode, embedder=embedder)
        rows.append(((time.perf_counter() - started) * 1000, kind, text))
    every = [ms for ms, _, _ in rows]
    engine = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"== {engine}, {args.mode} mode, {len(rows)} queries after {len(warm)} others")
    print(f"(distill from {Path(sys.modules['distill'].__file__ or '').parent})")
    print(f"p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  p99 {pct(every, 99):.1f} ms")
    for kind in ("rare", "common", "multi"):
        values = [ms for ms, k, _ in rows if k == kind]
        print(f"  {kind}: p50 {pct(values, 50):.1f}  p95 {pct(values, 95):.1f}")
    for ms, kind, text in sorted(rows, reverse=True)[:5]:
        print(f"  slowest: {ms:.0f} ms {kind} {text!r}")
    store.close()


if __name__ == "__main__":
    main()
