"""SQL behind the web pages and the /v1 API: cards, stars, views, tokens, secrets.

Listings pick the ids of one page first, then read those cards with the one card reader
(cards.py), so a page of 12 cards stays cheap on a 100,000-article library. Everything is
parameterised; callers pass plain values and get plain dicts back.
"""

from __future__ import annotations

import secrets
from typing import Any

from .cards import card_from_row, card_rows
from .filters import ArticleFilter
from .memo import remembered
from .part import Part, immediate

SORTS = ("newest", "oldest", "most_read")

_ORDER = {
    "newest": " ORDER BY a.published DESC, a.id DESC",
    "oldest": " ORDER BY a.published ASC, a.id ASC",
    "most_read": " ORDER BY coalesce(r.views, 0) DESC, a.published DESC, a.id DESC",
    "added": " ORDER BY a.id DESC",  # feeds: what arrived in the library most recently
}


def _keyset(sort: str, key: tuple[Any, ...]) -> tuple[str, list[Any]]:
    if sort == "newest":
        return "(a.published, a.id) < (?, ?)", list(key)
    if sort == "oldest":
        return "(a.published, a.id) > (?, ?)", list(key)
    raise ValueError(f"no keyset for sort {sort!r}")  # most_read has its own path


def cursor_key(sort: str, card: dict[str, Any]) -> list[Any]:
    """The keyset position just after `card`, for the next page's cursor."""
    if sort == "most_read":
        return [card["views"], card["date"], card["id"]]
    return [card["date"], card["id"]]


# --- stars -------------------------------------------------------------------------------


# --- views -------------------------------------------------------------------------------


# --- charts and facets ---------------------------------------------------------------------


# --- tokens and secrets --------------------------------------------------------------------


class WebStateStore(Part):
    """What the pages show: cards, stars, visits, tokens, secrets."""

    def count_cards(self, filters: ArticleFilter) -> int:
        """How many articles pass `filters` (remembered until the database changes)."""
        clause, params = filters.clause()
        sql = f"SELECT count(*) FROM articles a{clause}"
        return remembered(
            self.conn,
            ("count", sql, tuple(params)),
            lambda: int(self.conn.execute(sql, params).fetchone()[0]),
        )

    def list_cards(
        self,
        filters: ArticleFilter,
        sort: str = "newest",
        limit: int = 12,
        offset: int = 0,
        after_key: tuple[Any, ...] | None = None,
    ) -> list[dict[str, Any]]:
        """One page of cards. `after_key` is a keyset position (see cursor_key) for the API."""
        # Pick the page's ids first from the indexes alone, then read just those rows: with
        # OFFSET, SQLite still builds every skipped row, and card rows carry summary JSON.
        if sort == "most_read":
            ids = self._most_read_ids(filters, limit, offset, after_key)
        else:
            clause, params = filters.clause()
            if after_key is not None:
                keyset, extra = _keyset(sort, after_key)
                clause = (clause + " AND " if clause else " WHERE ") + keyset
                params = [*params, *extra]
            ids = self._ids("FROM articles a" + clause + _ORDER[sort], params, limit, offset)
        cards = self.cards_by_ids(ids)
        return [cards[i] for i in ids if i in cards]

    def _ids(self, tail: str, params: list[Any], limit: int, offset: int) -> list[int]:
        rows = self.conn.execute(f"SELECT a.id {tail} LIMIT ? OFFSET ?", [*params, limit, offset])
        return [int(r[0]) for r in rows]

    def _most_read_ids(
        self, filters: ArticleFilter, limit: int, offset: int, after_key: tuple[Any, ...] | None
    ) -> list[int]:
        """Most read first without sorting the whole library: read articles (few, from
        article_reads) in view order, then the never-read ones by the date index."""
        clause, params = filters.clause()
        and_ = " AND " if clause else " WHERE "
        read_tail = (
            # CROSS JOIN keeps article_reads (the few read articles) as the outer loop
            "FROM article_reads r CROSS JOIN articles a ON a.id = r.article_id" + clause + and_
        )
        unread_tail = (
            "FROM articles a" + clause + and_ + "NOT EXISTS (SELECT 1 FROM article_reads r"
            " WHERE r.article_id = a.id AND r.views > 0)"
        )
        order_read = " ORDER BY r.views DESC, a.published DESC, a.id DESC"
        order_unread = " ORDER BY a.published DESC, a.id DESC"
        if after_key is not None:
            views, published, last_id = after_key
            if views > 0:
                ids = self._ids(
                    read_tail
                    + "r.views > 0 AND (r.views, a.published, a.id) < (?, ?, ?)"
                    + order_read,
                    [*params, views, published, last_id],
                    limit,
                    0,
                )
                if len(ids) < limit:
                    ids += self._ids(unread_tail + order_unread, params, limit - len(ids), 0)
                return ids
            return self._ids(
                unread_tail + " AND (a.published, a.id) < (?, ?)" + order_unread,
                [*params, published, last_id],
                limit,
                0,
            )
        read_count = int(
            self.conn.execute(f"SELECT count(*) {read_tail} r.views > 0", params).fetchone()[0]
        )
        ids = []
        if offset < read_count:
            ids = self._ids(read_tail + "r.views > 0" + order_read, params, limit, offset)
        if len(ids) < limit:
            ids += self._ids(
                unread_tail + order_unread,
                params,
                limit - len(ids),
                max(0, offset - read_count),
            )
        return ids

    def cards_by_ids(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        return {int(r["id"]): card_from_row(r) for r in card_rows(self.conn, ids)}

    def set_starred(self, article_id: int, starred: bool) -> None:
        self.require_article(article_id)
        if starred:
            self.conn.execute("INSERT OR IGNORE INTO stars (article_id) VALUES (?)", (article_id,))
        else:
            self.conn.execute("DELETE FROM stars WHERE article_id = ?", (article_id,))

    def is_starred(self, article_id: int) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM stars WHERE article_id = ?", (article_id,)).fetchone()
            is not None
        )

    def record_visit(self, article_id: int, day: str, visitor: str) -> bool:
        """Count a view unless this visitor already viewed this article today; True if counted."""
        with immediate(self.conn):
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO article_visits (article_id, day, visitor) VALUES (?,?,?)",
                (article_id, day, visitor),
            )
            counted = cursor.rowcount == 1
            if counted:
                self.conn.execute(
                    "INSERT INTO article_reads (article_id, views) VALUES (?, 1)"
                    " ON CONFLICT(article_id) DO UPDATE SET views = article_reads.views + 1",
                    (article_id,),
                )
        return counted

    def visits_since(self, first_day: str) -> list[tuple[int, str, int]]:
        """(article_id, day, distinct visitors) for every day on or after `first_day`."""
        rows = self.conn.execute(
            "SELECT article_id, day, count(*) FROM article_visits WHERE day >= ?"
            " GROUP BY article_id, day",
            (first_day,),
        ).fetchall()
        return [(int(r[0]), r[1], int(r[2])) for r in rows]

    def views_of(self, article_id: int) -> int:
        row = self.conn.execute(
            "SELECT views FROM article_reads WHERE article_id = ?", (article_id,)
        ).fetchone()
        return int(row[0]) if row else 0

    def articles_per_month(self, ids: list[int] | None = None) -> list[tuple[str, int]]:
        """(YYYY-MM, count) over publication dates, oldest first; undated articles left out."""
        clause, params = ArticleFilter(ids=ids).clause()
        clause = (clause + " AND " if clause else " WHERE ") + "a.published <> ''"
        rows = self.conn.execute(
            "SELECT substr(a.published, 1, 7) AS month, count(*) FROM articles a"
            + clause
            + " GROUP BY month ORDER BY month",
            params,
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def total_articles(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    def top_sites(self, limit: int = 10) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT site, count(*) AS n FROM articles WHERE site <> '' GROUP BY site"
            " ORDER BY n DESC, site LIMIT ?",
            (limit,),
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def create_token(self, name: str, token_hash: str) -> None:
        self.conn.execute(
            "INSERT INTO api_tokens (name, token_hash) VALUES (?, ?)", (name, token_hash)
        )

    def token_name(self, token_hash: str) -> str | None:
        row = self.conn.execute(
            "SELECT name FROM api_tokens WHERE token_hash = ?", (token_hash,)
        ).fetchone()
        return str(row[0]) if row else None

    def touch_token(self, name: str) -> None:
        self.conn.execute(
            "UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
            " WHERE name = ?",
            (name,),
        )

    def list_tokens(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT name, created_at, last_used_at FROM api_tokens ORDER BY name"
        ).fetchall()
        return [{"name": r[0], "created_at": r[1], "last_used_at": r[2]} for r in rows]

    def delete_token(self, name: str) -> bool:
        return bool(self.conn.execute("DELETE FROM api_tokens WHERE name = ?", (name,)).rowcount)

    def token_exists(self, name: str) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM api_tokens WHERE name = ?", (name,)).fetchone()
            is not None
        )

    def secret(self, name: str) -> str:
        """A per-library random secret, created on first use (INSERT OR IGNORE wins races)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO web_secrets (name, value) VALUES (?, ?)",
            (name, secrets.token_hex(32)),
        )
        return str(
            self.conn.execute("SELECT value FROM web_secrets WHERE name = ?", (name,)).fetchone()[0]
        )
