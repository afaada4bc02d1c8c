"""SQL for reading state (migration 0320): unread, read, archived.

An article without a `reading_state` row is unread, so new articles need no write. The
`is:` conditions are part of the one article filter (store/filters.py), so `is:unread`
means the same in a search, on a category page, in /v1 and in `distill list`.
"""

from __future__ import annotations

from ..errors import InputError, NotFound
from .filters import STATES, ArticleFilter
from .part import Part, immediate


def check_state(state: str) -> str:
    if state not in STATES:
        raise InputError(f"unknown reading state {state!r}; use one of {', '.join(STATES)}")
    return state


class ReadingStore(Part):
    """Reading state per article: unread (no row), read, archived."""

    def set_state(self, ids: list[int], state: str) -> int:
        """Give every article in `ids` the state; NotFound (and nothing written) if one is
        missing. Returns how many articles changed state."""
        check_state(state)
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return 0
        with immediate(self.conn):
            marks = ",".join("?" * len(ids))
            rows = self.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", ids)
            found = {int(r[0]) for r in rows}
            missing = [i for i in ids if i not in found]
            if missing:
                raise NotFound(f"no article with id {missing[0]}")
            before = self.states_for(ids)
            if state == "unread":
                self.conn.execute(f"DELETE FROM reading_state WHERE article_id IN ({marks})", ids)
            else:
                self.conn.executemany(
                    "INSERT INTO reading_state (article_id, state) VALUES (?, ?)"
                    " ON CONFLICT(article_id) DO UPDATE SET state = excluded.state,"
                    " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                    " WHERE reading_state.state <> excluded.state",
                    [(i, state) for i in ids],
                )
        return sum(1 for i in ids if before[i] != state)

    def mark_opened(self, article_id: int) -> bool:
        """Opening the article page: unread becomes read; read and archived stay as they are."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO reading_state (article_id, state)"
            " SELECT id, 'read' FROM articles WHERE id = ?",
            (article_id,),
        )
        return cursor.rowcount == 1

    def mark_read_where(self, filters: ArticleFilter) -> int:
        """Mark every unread article the filter selects read (a whole category, say)."""
        clause, params = filters.clause()
        with immediate(self.conn):
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO reading_state (article_id, state)"
                f" SELECT a.id, 'read' FROM articles a{clause}",
                params,
            )
        return max(0, cursor.rowcount)

    def states_for(self, ids: list[int]) -> dict[int, str]:
        """id -> state for each id (unread when there is no row)."""
        out = dict.fromkeys((int(i) for i in ids), "unread")
        if ids:
            rows = self.conn.execute(
                "SELECT article_id, state FROM reading_state"
                f" WHERE article_id IN ({','.join('?' * len(ids))})",
                list(ids),
            )
            out.update({int(r[0]): str(r[1]) for r in rows})
        return out

    def state_of(self, article_id: int) -> str:
        self.require_article(article_id)
        return self.states_for([article_id])[article_id]

    def unread_per_category(self) -> dict[str, int]:
        """category -> unread articles ('' for articles without a category row)."""
        rows = self.conn.execute(
            "SELECT coalesce(c.category, ''), count(*) FROM articles a"
            " LEFT JOIN article_categories c ON c.article_id = a.id"
            " WHERE NOT EXISTS (SELECT 1 FROM reading_state rs WHERE rs.article_id = a.id)"
            " GROUP BY 1"
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def state_counts(self) -> dict[str, int]:
        """How many articles are in each state."""
        total = int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        rows = dict(self.conn.execute("SELECT state, count(*) FROM reading_state GROUP BY state"))
        read, archived = int(rows.get("read", 0)), int(rows.get("archived", 0))
        return {"unread": total - read - archived, "read": read, "archived": archived}
