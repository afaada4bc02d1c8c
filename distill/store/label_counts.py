"""Read-side SQL the web needs over the label tables of migration 0100 (counts, months).

Writes stay in store/labels.py (the classify feature's rules); this module only reads.
"""

from __future__ import annotations

from typing import Any

from .cards import remembered


def category_counts(conn: Any) -> dict[str, int]:
    """Articles per category (remembered until the database changes: a full scan)."""

    def count() -> dict[str, int]:
        rows = conn.execute(
            "SELECT c.category, count(*) FROM article_categories c"
            " JOIN articles a ON a.id = c.article_id GROUP BY c.category"
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    return remembered(conn, "category_counts", count)


def uncategorized_count(conn: Any) -> int:
    return remembered(
        conn,
        "uncategorized_count",
        lambda: int(
            conn.execute(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM article_categories c WHERE c.article_id = a.id)"
            ).fetchone()[0]
        ),
    )


def has_category(conn: Any, name: str) -> bool:
    """Whether any article is filed under `name` (one index probe)."""
    row = conn.execute(
        "SELECT 1 FROM article_categories WHERE category = ? LIMIT 1", (name,)
    ).fetchone()
    return row is not None


def category_months(conn: Any) -> list[tuple[str, str, int]]:
    """(category or '', YYYY-MM, count) over publication dates; '' for uncategorized."""
    rows = conn.execute(
        "SELECT coalesce(c.category, ''), substr(a.published, 1, 7) AS month, count(*)"
        " FROM articles a LEFT JOIN article_categories c ON c.article_id = a.id"
        " WHERE a.published <> '' GROUP BY 1, 2 ORDER BY 2"
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def tag_count(conn: Any, tag: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM article_tags WHERE tag = ? AND removed = 0", (tag,)
        ).fetchone()[0]
    )


def co_tags(conn: Any, tag: str, limit: int = 12) -> list[tuple[str, int]]:
    """Tags that appear on the same articles as `tag`, most shared first."""
    rows = conn.execute(
        "SELECT o.tag, count(*) AS n FROM article_tags t"
        " JOIN article_tags o ON o.article_id = t.article_id AND o.tag <> t.tag AND o.removed = 0"
        " WHERE t.tag = ? AND t.removed = 0 GROUP BY o.tag ORDER BY n DESC, o.tag LIMIT ?",
        (tag, limit),
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def tag_months(conn: Any) -> list[tuple[str, str, int]]:
    """(tag, YYYY-MM, count) over publication dates, for the rising-technologies chart."""
    rows = conn.execute(
        "SELECT t.tag, substr(a.published, 1, 7) AS month, count(*) FROM article_tags t"
        " JOIN articles a ON a.id = t.article_id"
        " WHERE t.removed = 0 AND a.published <> '' GROUP BY 1, 2 ORDER BY 2"
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
