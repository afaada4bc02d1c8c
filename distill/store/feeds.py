"""SQL for subscriptions (tables `feeds` and `feed_entries`, migration 0400)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import NotFound
from .part import Part, immediate


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

    # How a scheduler holds the due feeds it read until its jobs are queued: SQLite's write
    # transaction already excludes every other writer; PostgreSQL locks the rows (below).
    DUE_ROW_LOCK = ""

    def due_feed_ids(self, now: float) -> list[int]:
        """Feeds due for a check. Inside a transaction (enqueue_due_feeds), a feed whose
        check another session is writing right now is left out, not read as still due."""
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM feeds WHERE next_check <= ? AND paused = 0"
                " ORDER BY next_check, id" + self.DUE_ROW_LOCK,
                (now,),
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

    # --- managing subscriptions (migration 0410): pause, interval, unsubscribe

    def _require_feed(self, feed_id: int) -> None:
        if self.conn.execute("SELECT 1 FROM feeds WHERE id = ?", (feed_id,)).fetchone() is None:
            raise NotFound(f"no feed with id {feed_id}")

    def set_paused(self, feed_id: int, paused: bool, now: float) -> None:
        """Pause (the scheduler skips it) or resume (due at once, errors forgiven)."""
        self._require_feed(feed_id)
        if paused:
            self.conn.execute(
                "UPDATE feeds SET paused = 1, paused_at = coalesce(paused_at, ?) WHERE id = ?",
                (now, feed_id),
            )
        else:
            self.conn.execute(
                "UPDATE feeds SET paused = 0, paused_at = NULL, next_check = ?,"
                " error_count = 0 WHERE id = ? AND paused = 1",
                (now, feed_id),
            )

    def set_interval(self, feed_id: int, interval_s: float) -> None:
        """A new interval; the next check moves to last check + interval (or stays due)."""
        self._require_feed(feed_id)
        self.conn.execute(
            "UPDATE feeds SET interval_s = ?,"
            " next_check = CASE WHEN last_checked IS NULL THEN next_check"
            " ELSE last_checked + ? END WHERE id = ?",
            (interval_s, interval_s, feed_id),
        )

    def feed_extras(self) -> dict[int, dict[str, Any]]:
        """feed id -> {paused, paused_at, unread}: unread counts the feed's articles that are
        in the library and have no reading state row."""
        out = {
            int(r[0]): {"paused": bool(r[1]), "paused_at": r[2], "unread": 0}
            for r in self.conn.execute("SELECT id, paused, paused_at FROM feeds")
        }
        rows = self.conn.execute(
            "SELECT e.feed_id, count(DISTINCT e.article_id) FROM feed_entries e"
            " WHERE e.article_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM reading_state rs WHERE rs.article_id = e.article_id)"
            " GROUP BY e.feed_id"
        )
        for feed_id, unread in rows:
            if int(feed_id) in out:
                out[int(feed_id)]["unread"] = int(unread)
        return out

    def article_ids_of(self, feed_id: int) -> list[int]:
        """Articles the feed brought in (for unsubscribing with its articles)."""
        self._require_feed(feed_id)
        return [
            int(r[0])
            for r in self.conn.execute(
                "SELECT DISTINCT article_id FROM feed_entries WHERE feed_id = ?"
                " AND article_id IS NOT NULL ORDER BY article_id",
                (feed_id,),
            )
        ]

    def unsubscribe(self, feed_id: int, delete_articles: bool) -> list[int]:
        """Remove the feed (its entries go with it); with `delete_articles`, also the articles
        it brought that no other feed brought too. One transaction; returns removed ids."""
        with immediate(self.conn):
            removed: list[int] = []
            if delete_articles:
                removed = [
                    int(r[0])
                    for r in self.conn.execute(
                        "SELECT DISTINCT e.article_id FROM feed_entries e WHERE e.feed_id = ?"
                        " AND e.article_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feed_entries o"
                        " WHERE o.article_id = e.article_id AND o.feed_id <> e.feed_id)",
                        (feed_id,),
                    )
                ]
                self.conn.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in removed])
            if self.conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)).rowcount == 0:
                raise NotFound(f"no feed with id {feed_id}")
        return removed
