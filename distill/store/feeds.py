"""SQL for subscriptions (tables `feeds` and `feed_entries`, migration 0400)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import NotFound
from .part import Part


@dataclass
class FeedRow:
    id: int
    url: str
    title: str
    site_url: str
    etag: str
    last_modified: str
    interval_s: float
    last_checked: float | None
    next_check: float
    last_status: str
    last_new: int
    last_error: str
    error_count: int
    entries: int = 0
    articles: int = 0


def _feed(row: Any) -> FeedRow:
    keys = row.keys()
    return FeedRow(
        id=int(row["id"]),
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        interval_s=float(row["interval_s"]),
        last_checked=row["last_checked"],
        next_check=float(row["next_check"]),
        last_status=row["last_status"],
        last_new=int(row["last_new"]),
        last_error=row["last_error"],
        error_count=int(row["error_count"]),
        entries=int(row["n_entries"]) if "n_entries" in keys else 0,
        articles=int(row["n_articles"]) if "n_articles" in keys else 0,
    )


_SELECT = (
    "SELECT f.*, (SELECT count(*) FROM feed_entries e WHERE e.feed_id = f.id) AS n_entries,"
    " (SELECT count(*) FROM feed_entries e WHERE e.feed_id = f.id"
    " AND e.article_id IS NOT NULL) AS n_articles FROM feeds f"
)


class FeedStore(Part):
    """Subscriptions and the entries read from them."""

    def add_feed(
        self, url: str, title: str, site_url: str, interval_s: float, now: float
    ) -> tuple[int, bool]:
        """(id, created): an already subscribed URL returns its id and False."""
        row = self.conn.execute("SELECT id FROM feeds WHERE url = ?", (url,)).fetchone()
        if row:
            return int(row[0]), False
        cursor = self.conn.execute(
            "INSERT INTO feeds (url, title, site_url, interval_s, next_check, created_at)"
            " VALUES (?,?,?,?,?,?)",
            (url, title, site_url, interval_s, now, now),
        )
        return int(cursor.lastrowid), True

    def get_feed(self, feed_id: int) -> FeedRow:
        row = self.conn.execute(_SELECT + " WHERE f.id = ?", (feed_id,)).fetchone()
        if row is None:
            raise NotFound(f"no feed with id {feed_id}")
        return _feed(row)

    def list_feeds(self) -> list[FeedRow]:
        return [_feed(r) for r in self.conn.execute(_SELECT + " ORDER BY f.id").fetchall()]

    def remove_feed(self, feed_id: int) -> None:
        """Unsubscribe; the articles it brought stay in the library."""
        cursor = self.conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
        if cursor.rowcount == 0:
            raise NotFound(f"no feed with id {feed_id}")

    def due_feed_ids(self, now: float) -> list[int]:
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM feeds WHERE next_check <= ? ORDER BY next_check", (now,)
            )
        ]

    def set_due(self, feed_ids: list[int], now: float) -> None:
        self.conn.executemany(
            "UPDATE feeds SET next_check = ? WHERE id = ?", [(now, i) for i in feed_ids]
        )

    def record_check(
        self,
        feed_id: int,
        *,
        now: float,
        next_check: float,
        status: str,
        new: int,
        error: str = "",
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        site_url: str | None = None,
    ) -> None:
        """Store the outcome of one check; an error increments error_count, success resets it."""
        self.conn.execute(
            "UPDATE feeds SET last_checked = ?, next_check = ?, last_status = ?, last_new = ?,"
            " last_error = ?, error_count = CASE WHEN ? = '' THEN 0 ELSE error_count + 1 END,"
            " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified),"
            " title = CASE WHEN coalesce(?, '') = '' THEN title ELSE ? END,"
            " site_url = CASE WHEN coalesce(?, '') = '' THEN site_url ELSE ? END WHERE id = ?",
            (
                now,
                next_check,
                status,
                new,
                error,
                error,
                etag,
                last_modified,
                title,
                title,
                site_url,
                site_url,
                feed_id,
            ),
        )

    def known_guids(self, feed_id: int) -> set[str]:
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT guid FROM feed_entries WHERE feed_id = ?", (feed_id,)
            )
        }

    def entry_count(self, feed_id: int) -> int:
        return int(
            self.conn.execute(
                "SELECT count(*) FROM feed_entries WHERE feed_id = ?", (feed_id,)
            ).fetchone()[0]
        )

    def insert_entry(
        self,
        feed_id: int,
        guid: str,
        url: str,
        title: str,
        published: str,
        content: str,
        state: str,
        now: float,
    ) -> int | None:
        cursor = self.conn.execute(
            "INSERT INTO feed_entries (feed_id, guid, url, title, published, content, state,"
            " created_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (feed_id, guid) DO NOTHING",
            (feed_id, guid, url, title, published, content, state, now),
        )
        return int(cursor.lastrowid) if cursor.rowcount else None

    def get_entry(self, entry_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM feed_entries WHERE id = ?", (entry_id,)).fetchone()
        return dict(zip(row.keys(), tuple(row), strict=True)) if row else None

    def mark_entry(
        self, entry_id: int, state: str, article_id: int | None, error: str = ""
    ) -> None:
        self.conn.execute(
            "UPDATE feed_entries SET state = ?, article_id = coalesce(?, article_id), error = ?"
            " WHERE id = ?",
            (state, article_id, error, entry_id),
        )
