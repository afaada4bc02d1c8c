"""Values remembered until the library's content changes (migration 0310's content_version).

Kept apart from the parts of the store because every part's counts use it, and it keys on
the connection's database file (or a PostgreSQL connection's `library_key`) so each library
(and each test's library) has its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

# (library file, key) -> (content version, computed at, value); shared by the connections
# of every thread of the process.
_MEMO: dict[tuple[str, Hashable], tuple[int, float, Any]] = {}
_MEMO_MAX = 1024
_MEMO_LOCK = threading.Lock()
T = TypeVar("T")


def remembered(conn: Any, key: Hashable, compute: Callable[[], T], reuse_for: float = 0) -> T:
    """compute(), remembered until the library's content changes (migration 0310).

    Counts walk whole indexes (a category's count is about 20 ms at 100,000 articles) and
    every page needs some, while most requests change nothing. With `reuse_for`, a value
    younger than that many seconds is reused even after a change: for chart data that
    takes seconds to aggregate at 100,000 articles and need not move with each new article.
    """
    library = getattr(conn, "library_key", None)  # a PostgreSQL database names itself
    if library is None:
        library, version = conn.execute(
            "SELECT (SELECT file FROM pragma_database_list WHERE name = 'main'),"
            " (SELECT n FROM content_version WHERE id = 1)"
        ).fetchone()
    else:
        version = conn.execute("SELECT n FROM content_version WHERE id = 1").fetchone()[0]
    slot = (str(library), key)
    hit = _MEMO.get(slot)
    now = time.monotonic()
    if hit is not None and (hit[0] == version or now - hit[1] < reuse_for):
        return cast(T, hit[2])
    value = compute()
    with _MEMO_LOCK:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        _MEMO[slot] = (int(version), now, value)
    return value
