"""Fuzz the query language, feed parsing and HTML extraction with many examples.

    python bench/fuzz.py [EXAMPLES]     # default 2000 per target

The same strategies as tests/test_fuzz.py (which runs 60 each on every test run). Prints,
per target, the examples run, how many ended in the documented error, the slowest example
and the total time; any other exception is a crash and is printed with its input.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from distill.config import load_settings
from distill.errors import InputError
from distill.feeds.reader import parse_feed
from distill.ingest.extract import from_html
from distill.web.queries import Library, search
from tests.fuzz_strategies import FEEDS, QUERIES, html_pages


def run(name: str, strategy: st.SearchStrategy[Any], target: Callable[[Any], None], n: int) -> None:
    stats = {"examples": 0, "input_errors": 0, "slowest_s": 0.0}
    started = time.perf_counter()

    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))
    @given(value=strategy)
    def check(value: Any) -> None:
        began = time.perf_counter()
        stats["examples"] += 1
        try:
            target(value)
        except InputError:
            stats["input_errors"] += 1
        stats["slowest_s"] = max(stats["slowest_s"], time.perf_counter() - began)

    check()
    total = time.perf_counter() - started
    print(
        f"{name:<8} {stats['examples']:>6} examples  {stats['input_errors']:>6} input errors  "
        f"slowest {stats['slowest_s'] * 1000:8.1f} ms  total {total:6.1f} s  no crash"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(load_settings(Path(tmp) / "lib").replace(embed=False, search_mode="text"))
        run("query", QUERIES, lambda q: search(lib, q[:1000]), n)
        lib.close()
    run("feed", FEEDS, lambda data: parse_feed(data, "http://127.0.0.1/feed"), n)
    run("html", html_pages(), lambda page: from_html(page, "http://127.0.0.1/p", "fuzz"), n)


if __name__ == "__main__":
    main()
