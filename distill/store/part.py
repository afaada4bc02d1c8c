"""What every part of the store shares: the connection, one transaction helper, one
"does this article exist" check.

The parts (labels, search, feeds, jobs, web, fallbacks) run on the store's one connection
in autocommit mode; `immediate` is the single place that opens, commits and rolls back a
write transaction, for the store and for the few part methods that need their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import NotFound


@contextmanager
def immediate(conn: Any) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: the write lock up front (no upgrade deadlock between
    two writers), rolled back on any exception, including KeyboardInterrupt."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class Part:
    """One area's SQL over the store's shared connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def article_exists(self, article_id: int) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def require_article(self, article_id: int) -> None:
        """NotFound naming the id unless the article exists."""
        if not self.article_exists(article_id):
            raise NotFound(f"no article with id {article_id}")
