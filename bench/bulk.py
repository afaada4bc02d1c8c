"""Bulk loading for the benchmarks' large libraries.

The full-text triggers tokenise an article three times when it is written row by row with
its summary (article in, then out and in again with the summary). For 100,000 copied
articles that is most of the build, so the benchmarks set those triggers aside, write the
rows, index everything once with the same rebuild `distill reindex` runs, and put the
triggers back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from distill.store.search_index import SearchStore


@contextmanager
def full_text_triggers_aside(conn: Any) -> Iterator[None]:
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND name LIKE 'search_%' AND tbl_name IN ('articles', 'summaries')"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for _, sql in triggers:
            conn.execute(sql)
    SearchStore(conn).rebuild()
