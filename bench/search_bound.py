"""The many-matches bound of text ranking, on and off, on one library in one run.

bench/search.py measures each engine after the other's 300 queries, and at 1,000,000
articles the two libraries do not fit in memory together, so its before/after figures move
with the page cache as much as with the code. Here each of the same 300 queries (same
seed) goes through `search()` twice in a random order, once with the bound (the store's
`many_matches` as shipped) and once without it (set out of reach), so both arms meet the
same cache and load. Query vectors are computed once beforehand (a pass in vector mode,
which also touches the vector index), so the figures are the search's own.

    PYTHONPATH=$PWD .venv/bin/python bench/search_bound.py --home /tmp/distill-search-1m \
        [--postgres-url URL] [--mode hybrid]

The library is one bench/search.py built (`--home`); with `--postgres-url` the queries run
on that PostgreSQL database (loaded by bench/search.py), else on the SQLite file.
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from search import pct, queries  # noqa: E402

from distill.embed import default_embedder  # noqa: E402
from distill.store import open_store  # noqa: E402

# `distill.search` is also the name of the public search function, so the module is
# reached through importlib.
engine = importlib.import_module("distill.search.engine")
OUT_OF_REACH = 10**12


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--mode", default="hybrid", choices=["text", "hybrid"])
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    store = open_store(args.home, args.postgres_url)
    qs = queries(open_store(args.home).conn, random.Random(11))
    embedder = default_embedder()
    engine.QUERY_VECTOR_CACHE = len(qs) + 10
    for _cls, text in qs:
        engine.search(store, text, mode="vector", embedder=embedder)
    shipped = type(store.search).many_matches
    order = random.Random(args.seed)
    times: dict[str, dict[str, list[float]]] = {"off": {}, "on": {}}
    for cls, text in qs:
        arms = ["off", "on"]
        order.shuffle(arms)
        for arm in arms:
            type(store.search).many_matches = shipped if arm == "on" else OUT_OF_REACH
            started = time.perf_counter()
            engine.search(store, text, mode=args.mode, embedder=embedder)
            times[arm].setdefault(cls, []).append((time.perf_counter() - started) * 1000)
    type(store.search).many_matches = shipped
    print(f"== {args.mode} mode, {len(qs)} queries, bound on and off in random order")
    classes = list(times["on"])
    print("| bound | p50 ms | p95 ms | p99 ms | " + " | ".join(f"{c} p95" for c in classes) + " |")
    for arm in ("off", "on"):
        every = [v for values in times[arm].values() for v in values]
        by_class = " | ".join(f"{pct(times[arm][c], 95):.1f}" for c in classes)
        print(
            f"| {arm} | {pct(every, 50):.1f} | {pct(every, 95):.1f} | {pct(every, 99):.1f}"
            f" | {by_class} |"
        )


if __name__ == "__main__":
    main()
