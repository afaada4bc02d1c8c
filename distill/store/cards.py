"""SQL behind the web pages and the /v1 API: cards, stars, views, tokens, secrets.

Listing queries select only what a card shows (never the article body or blocks), so a
page of 12 cards stays cheap on a 100,000-article library. Everything is parameterised;
callers pass plain values and get plain dicts back.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from ..errors import NotFound

SORTS = ("newest", "oldest", "most_read")

_CARD_SELECT = (
    "SELECT a.id, a.title, a.url, a.canonical_url, a.site, a.published, a.created_at,"
    " a.word_count, a.authors, s.sections AS s_sections, s.backend AS s_backend,"
    " s.version AS s_version, (st.article_id IS NOT NULL) AS starred,"
    " coalesce(r.views, 0) AS views"
    " FROM articles a"
    " LEFT JOIN summaries s ON s.article_id = a.id"
    " LEFT JOIN stars st ON st.article_id = a.id"
    " LEFT JOIN article_reads r ON r.article_id = a.id"
)

_ORDER = {
    "newest": " ORDER BY a.published DESC, a.id DESC",
    "oldest": " ORDER BY a.published ASC, a.id ASC",
    "most_read": " ORDER BY coalesce(r.views, 0) DESC, a.published DESC, a.id DESC",
    "added": " ORDER BY a.id DESC",  # feeds: what arrived in the library most recently
}


@dataclass
class Filters:
    """What a listing is narrowed by; empty values mean no filter."""

    site: str = ""
    after: str = ""
    before: str = ""
    starred: bool | None = None
    ids: list[int] | None = None  # restrict to these (for example a category's members)
    extra_sql: list[tuple[str, list[Any]]] = field(default_factory=list)

    def clause(self) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if self.site:
            where.append("(a.site = ? OR a.site LIKE '%.' || ?)")
            params += [self.site, self.site]
        if self.after:
            where.append("a.published >= ?")
            params.append(self.after)
        if self.before:
            where.append("a.published <> '' AND a.published < ?")
            params.append(self.before)
        if self.starred is True:
            where.append("st.article_id IS NOT NULL")
        elif self.starred is False:
            where.append("st.article_id IS NULL")
        if self.ids is not None:
            where.append(f"a.id IN ({','.join('?' * len(self.ids))})" if self.ids else "0")
            params += self.ids
        for sql, extra in self.extra_sql:
            where.append(sql)
            params += extra
        return (" WHERE " + " AND ".join(where)) if where else "", params


def card_from_row(row: Any) -> dict[str, Any]:
    """A card: what a listing shows of one article (summary sections parsed)."""
    sections = json.loads(row["s_sections"]) if row["s_sections"] else None
    return {
        "id": int(row["id"]),
        "title": row["title"],
        "url": row["canonical_url"] or row["url"],
        "site": row["site"],
        "date": row["published"],
        "created_at": row["created_at"],
        "words": int(row["word_count"]),
        "authors": json.loads(row["authors"]),
        "starred": bool(row["starred"]),
        "views": int(row["views"]),
        "summary": None
        if sections is None
        else {
            "backend": {"name": row["s_backend"], "version": row["s_version"]},
            "sections": sections,
        },
    }


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
    library, version = conn.execute(
        "SELECT (SELECT file FROM pragma_database_list WHERE name = 'main'),"
        " (SELECT n FROM content_version WHERE id = 1)"
    ).fetchone()
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


def count_cards(conn: Any, filters: Filters) -> int:
    """How many articles pass `filters` (remembered until the database changes)."""
    clause, params = filters.clause()
    joins = " LEFT JOIN stars st ON st.article_id = a.id" if "st." in clause else ""
    sql = f"SELECT count(*) FROM articles a{joins}{clause}"
    return remembered(
        conn, ("count", sql, tuple(params)), lambda: int(conn.execute(sql, params).fetchone()[0])
    )


def list_cards(
    conn: Any,
    filters: Filters,
    sort: str = "newest",
    limit: int = 12,
    offset: int = 0,
    after_key: tuple[Any, ...] | None = None,
) -> list[dict[str, Any]]:
    """One page of cards. `after_key` is a keyset position (see cursor_key) for the API."""
    # Pick the page's ids first from the indexes alone, then read just those rows: with
    # OFFSET, SQLite still builds every skipped row, and card rows carry summary JSON.
    if sort == "most_read":
        ids = _most_read_ids(conn, filters, limit, offset, after_key)
    else:
        clause, params = filters.clause()
        if after_key is not None:
            keyset, extra = _keyset(sort, after_key)
            clause = (clause + " AND " if clause else " WHERE ") + keyset
            params = [*params, *extra]
        joins = " LEFT JOIN stars st ON st.article_id = a.id" if "st." in clause else ""
        ids = _ids(conn, "FROM articles a" + joins + clause + _ORDER[sort], params, limit, offset)
    cards = cards_by_ids(conn, ids)
    return [cards[i] for i in ids if i in cards]


def _ids(conn: Any, tail: str, params: list[Any], limit: int, offset: int) -> list[int]:
    rows = conn.execute(f"SELECT a.id {tail} LIMIT ? OFFSET ?", [*params, limit, offset])
    return [int(r[0]) for r in rows]


def _most_read_ids(
    conn: Any, filters: Filters, limit: int, offset: int, after_key: tuple[Any, ...] | None
) -> list[int]:
    """Most read first without sorting the whole library: read articles (few, from
    article_reads) in view order, then the never-read ones by the date index."""
    clause, params = filters.clause()
    joins = " LEFT JOIN stars st ON st.article_id = a.id" if "st." in clause else ""
    and_ = " AND " if clause else " WHERE "
    read_tail = (
        # CROSS JOIN keeps article_reads (the few read articles) as the outer loop
        "FROM article_reads r CROSS JOIN articles a ON a.id = r.article_id" + joins + clause + and_
    )
    unread_tail = (
        "FROM articles a" + joins + clause + and_ + "NOT EXISTS (SELECT 1 FROM article_reads r"
        " WHERE r.article_id = a.id AND r.views > 0)"
    )
    order_read = " ORDER BY r.views DESC, a.published DESC, a.id DESC"
    order_unread = " ORDER BY a.published DESC, a.id DESC"
    if after_key is not None:
        views, published, last_id = after_key
        if views > 0:
            ids = _ids(
                conn,
                read_tail + "r.views > 0 AND (r.views, a.published, a.id) < (?, ?, ?)" + order_read,
                [*params, views, published, last_id],
                limit,
                0,
            )
            if len(ids) < limit:
                ids += _ids(conn, unread_tail + order_unread, params, limit - len(ids), 0)
            return ids
        return _ids(
            conn,
            unread_tail + " AND (a.published, a.id) < (?, ?)" + order_unread,
            [*params, published, last_id],
            limit,
            0,
        )
    read_count = int(conn.execute(f"SELECT count(*) {read_tail} r.views > 0", params).fetchone()[0])
    ids = []
    if offset < read_count:
        ids = _ids(conn, read_tail + "r.views > 0" + order_read, params, limit, offset)
    if len(ids) < limit:
        ids += _ids(
            conn,
            unread_tail + order_unread,
            params,
            limit - len(ids),
            max(0, offset - read_count),
        )
    return ids


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


def cards_by_ids(conn: Any, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = conn.execute(
        _CARD_SELECT + f" WHERE a.id IN ({','.join('?' * len(ids))})", ids
    ).fetchall()
    return {int(r["id"]): card_from_row(r) for r in rows}


def article_exists(conn: Any, article_id: int) -> bool:
    return conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def _require(conn: Any, article_id: int) -> None:
    if not article_exists(conn, article_id):
        raise NotFound(f"no article with id {article_id}")


# --- stars -------------------------------------------------------------------------------


def set_starred(conn: Any, article_id: int, starred: bool) -> None:
    _require(conn, article_id)
    if starred:
        conn.execute("INSERT OR IGNORE INTO stars (article_id) VALUES (?)", (article_id,))
    else:
        conn.execute("DELETE FROM stars WHERE article_id = ?", (article_id,))


def is_starred(conn: Any, article_id: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM stars WHERE article_id = ?", (article_id,)).fetchone()
        is not None
    )


# --- views -------------------------------------------------------------------------------


def record_visit(conn: Any, article_id: int, day: str, visitor: str) -> bool:
    """Count a view unless this visitor already viewed this article today; True if counted."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        cursor = conn.execute(
            "INSERT OR IGNORE INTO article_visits (article_id, day, visitor) VALUES (?,?,?)",
            (article_id, day, visitor),
        )
        counted = cursor.rowcount == 1
        if counted:
            conn.execute(
                "INSERT INTO article_reads (article_id, views) VALUES (?, 1)"
                " ON CONFLICT(article_id) DO UPDATE SET views = views + 1",
                (article_id,),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return counted


def visits_since(conn: Any, first_day: str) -> list[tuple[int, str, int]]:
    """(article_id, day, distinct visitors) for every day on or after `first_day`."""
    rows = conn.execute(
        "SELECT article_id, day, count(*) FROM article_visits WHERE day >= ?"
        " GROUP BY article_id, day",
        (first_day,),
    ).fetchall()
    return [(int(r[0]), r[1], int(r[2])) for r in rows]


def views_of(conn: Any, article_id: int) -> int:
    row = conn.execute(
        "SELECT views FROM article_reads WHERE article_id = ?", (article_id,)
    ).fetchone()
    return int(row[0]) if row else 0


# --- charts and facets ---------------------------------------------------------------------


def articles_per_month(conn: Any, ids: list[int] | None = None) -> list[tuple[str, int]]:
    """(YYYY-MM, count) over publication dates, oldest first; undated articles left out."""
    clause, params = Filters(ids=ids).clause()
    clause = (clause + " AND " if clause else " WHERE ") + "a.published <> ''"
    rows = conn.execute(
        "SELECT substr(a.published, 1, 7) AS month, count(*) FROM articles a"
        + clause
        + " GROUP BY month ORDER BY month",
        params,
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


def total_articles(conn: Any) -> int:
    return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def top_sites(conn: Any, limit: int = 10) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT site, count(*) AS n FROM articles WHERE site <> '' GROUP BY site"
        " ORDER BY n DESC, site LIMIT ?",
        (limit,),
    ).fetchall()
    return [(r[0], int(r[1])) for r in rows]


# --- tokens and secrets --------------------------------------------------------------------


def create_token(conn: Any, name: str, token_hash: str) -> None:
    conn.execute("INSERT INTO api_tokens (name, token_hash) VALUES (?, ?)", (name, token_hash))


def token_name(conn: Any, token_hash: str) -> str | None:
    row = conn.execute("SELECT name FROM api_tokens WHERE token_hash = ?", (token_hash,)).fetchone()
    return str(row[0]) if row else None


def touch_token(conn: Any, name: str) -> None:
    conn.execute(
        "UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE name = ?",
        (name,),
    )


def list_tokens(conn: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT name, created_at, last_used_at FROM api_tokens ORDER BY name"
    ).fetchall()
    return [{"name": r[0], "created_at": r[1], "last_used_at": r[2]} for r in rows]


def delete_token(conn: Any, name: str) -> bool:
    return bool(conn.execute("DELETE FROM api_tokens WHERE name = ?", (name,)).rowcount)


def token_exists(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM api_tokens WHERE name = ?", (name,)).fetchone() is not None


def secret(conn: Any, name: str) -> str:
    """A per-library random secret, created on first use (INSERT OR IGNORE wins races)."""
    conn.execute(
        "INSERT OR IGNORE INTO web_secrets (name, value) VALUES (?, ?)",
        (name, secrets.token_hex(32)),
    )
    return str(conn.execute("SELECT value FROM web_secrets WHERE name = ?", (name,)).fetchone()[0])
