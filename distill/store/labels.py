"""SQL for categories, tags and candidate tags (tables of migration 0100).

Rule kept here, in one place: an automatic pass writes only rows whose origin is 'auto';
a row a user wrote (a category, an added tag, or a removed tag kept as a tombstone) is
never changed by one, only by the user again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import NotFound
from ..models import Article

_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


@dataclass
class ArticleLabels:
    category: str = ""
    category_origin: str = ""
    confidence: float | None = None
    tags: list[str] = field(default_factory=list)
    tag_origins: dict[str, str] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)


def require_article(conn: Any, article_id: int) -> None:
    if not conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
        raise NotFound(f"no article with id {article_id}")


def merged_name(conn: Any, tag: str) -> str:
    """The tag a merged-away name now stands for (itself if never merged)."""
    row = conn.execute("SELECT tag FROM tag_merges WHERE alias = ?", (tag,)).fetchone()
    return str(row[0]) if row else tag


def write_auto(
    conn: Any,
    article_id: int,
    category: str,
    confidence: float,
    tags: Sequence[str],
    candidates: Sequence[str] = (),
) -> bool:
    """Store an automatic result inside the caller's transaction; user rows stay as they are.

    Returns whether the article's category changed.
    """
    before = conn.execute(
        "SELECT category FROM article_categories WHERE article_id = ?", (article_id,)
    ).fetchone()
    conn.execute(
        "INSERT INTO article_categories (article_id, category, confidence, origin)"
        " VALUES (?, ?, ?, 'auto') ON CONFLICT(article_id) DO UPDATE SET"
        " category = excluded.category, confidence = excluded.confidence,"
        f" updated_at = {_NOW} WHERE article_categories.origin = 'auto'",
        (article_id, category, confidence),
    )
    conn.execute("DELETE FROM article_tags WHERE article_id = ? AND origin = 'auto'", (article_id,))
    folded = list(dict.fromkeys(merged_name(conn, t) for t in tags))
    conn.executemany(
        "INSERT OR IGNORE INTO article_tags (article_id, tag, origin, rank)"
        " VALUES (?, ?, 'auto', ?)",
        [(article_id, tag, rank) for rank, tag in enumerate(folded)],
    )
    conn.execute("DELETE FROM candidate_tags WHERE article_id = ?", (article_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO candidate_tags (article_id, term, rank) VALUES (?, ?, ?)",
        [(article_id, term, rank) for rank, term in enumerate(candidates)],
    )
    return before is None or before[0] != category


def set_user_category(conn: Any, article_id: int, category: str) -> None:
    require_article(conn, article_id)
    conn.execute(
        "INSERT INTO article_categories (article_id, category, confidence, origin)"
        " VALUES (?, ?, 1.0, 'user') ON CONFLICT(article_id) DO UPDATE SET"
        f" category = excluded.category, confidence = 1.0, origin = 'user', updated_at = {_NOW}",
        (article_id, category),
    )


def edit_tags(conn: Any, article_id: int, add: Iterable[str], remove: Iterable[str]) -> None:
    """A user's tag edit: added tags and removal tombstones are both 'user' rows."""
    require_article(conn, article_id)
    top = conn.execute(
        "SELECT coalesce(max(rank), -1) FROM article_tags WHERE article_id = ?", (article_id,)
    ).fetchone()[0]
    for offset, tag in enumerate(add, start=1):
        conn.execute(
            "INSERT INTO article_tags (article_id, tag, origin, removed, rank)"
            " VALUES (?, ?, 'user', 0, ?) ON CONFLICT(article_id, tag) DO UPDATE SET"
            " origin = 'user', removed = 0",
            (article_id, tag, int(top) + offset),
        )
        conn.execute(
            "DELETE FROM candidate_tags WHERE article_id = ? AND term = ?", (article_id, tag)
        )
    for tag in remove:
        conn.execute(
            "INSERT INTO article_tags (article_id, tag, origin, removed) VALUES (?, ?, 'user', 1)"
            " ON CONFLICT(article_id, tag) DO UPDATE SET origin = 'user', removed = 1",
            (article_id, tag),
        )


def labels_for(conn: Any, ids: Sequence[int]) -> dict[int, ArticleLabels]:
    """Category, tags and candidates of these articles, in one query per table."""
    out = {i: ArticleLabels() for i in ids}
    if not ids:
        return out
    marks = ",".join("?" * len(ids))
    for row in conn.execute(
        "SELECT article_id, category, origin, confidence FROM article_categories"
        f" WHERE article_id IN ({marks})",
        list(ids),
    ):
        labels = out[int(row[0])]
        labels.category, labels.category_origin, labels.confidence = row[1], row[2], row[3]
    for row in conn.execute(
        "SELECT article_id, tag, origin FROM article_tags"
        f" WHERE removed = 0 AND article_id IN ({marks}) ORDER BY article_id, rank, tag",
        list(ids),
    ):
        labels = out[int(row[0])]
        labels.tags.append(row[1])
        labels.tag_origins[row[1]] = row[2]
    for row in conn.execute(
        f"SELECT article_id, term FROM candidate_tags WHERE article_id IN ({marks})"
        " ORDER BY article_id, rank",
        list(ids),
    ):
        out[int(row[0])].candidates.append(row[1])
    return out


def attach(conn: Any, articles: Sequence[Article]) -> None:
    """Fill `Article.category` and `Article.tags` (the library's, not the source's)."""
    found = labels_for(conn, [a.id for a in articles])
    for article in articles:
        labels = found[article.id]
        article.category = labels.category
        article.tags = labels.tags


def user_examples(conn: Any) -> tuple[np.ndarray | None, list[str], list[int]]:
    """Article vectors and categories of every article a user categorised: few-shot input."""
    rows = conn.execute(
        "SELECT c.article_id, c.category, v.vector FROM article_categories c"
        " JOIN vectors v ON v.article_id = c.article_id AND v.kind = 'article'"
        " WHERE c.origin = 'user' ORDER BY c.article_id"
    ).fetchall()
    if not rows:
        return None, [], []
    matrix = np.vstack([np.frombuffer(r[2], dtype="<f4") for r in rows])
    return matrix, [str(r[1]) for r in rows], [int(r[0]) for r in rows]


def user_labels_version(conn: Any) -> int:
    """Changes whenever a user's categories change: the few-shot cache key."""
    rows = conn.execute(
        "SELECT article_id, category FROM article_categories WHERE origin = 'user'"
        " ORDER BY article_id"
    ).fetchall()
    return hash(tuple((int(r[0]), str(r[1])) for r in rows))


def tag_counts(conn: Any) -> list[tuple[str, int]]:
    """Every tag in use and on how many articles, most used first."""
    rows = conn.execute(
        "SELECT tag, count(*) AS n FROM article_tags WHERE removed = 0"
        " GROUP BY tag ORDER BY n DESC, tag"
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def candidate_counts(conn: Any, limit: int = 50) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT term, count(*) AS n FROM candidate_tags GROUP BY term"
        " ORDER BY n DESC, term LIMIT ?",
        (limit,),
    ).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def merge_tags(conn: Any, old: str, new: str) -> int:
    """Fold tag `old` into `new` on every article; return how many articles changed.

    Origins are kept (an automatic tag stays automatic), a user's removal tombstone moves
    with the name, and the merge is remembered so later automatic tags fold too.
    """
    rows = conn.execute(
        "SELECT article_id, origin, removed, rank FROM article_tags WHERE tag = ?", (old,)
    ).fetchall()
    changed = 0
    for article_id, origin, removed, rank in rows:
        existing = conn.execute(
            "SELECT removed FROM article_tags WHERE article_id = ? AND tag = ?",
            (article_id, new),
        ).fetchone()
        conn.execute("DELETE FROM article_tags WHERE article_id = ? AND tag = ?", (article_id, old))
        if existing is None:
            conn.execute(
                "INSERT INTO article_tags (article_id, tag, origin, removed, rank)"
                " VALUES (?, ?, ?, ?, ?)",
                (article_id, new, origin, removed, rank),
            )
        changed += 0 if removed else 1
    conn.execute("UPDATE tag_merges SET tag = ? WHERE tag = ?", (new, old))
    conn.execute(
        "INSERT INTO tag_merges (alias, tag) VALUES (?, ?)"
        " ON CONFLICT(alias) DO UPDATE SET tag = excluded.tag",
        (old, new),
    )
    conn.execute("DELETE FROM tag_merges WHERE alias = tag")
    return changed


def known_tag(conn: Any, tag: str) -> str | None:
    """The spelling the library already uses for `tag`, ignoring case."""
    row = conn.execute(
        "SELECT tag FROM article_tags WHERE lower(tag) = lower(?) ORDER BY removed LIMIT 1",
        (tag,),
    ).fetchone()
    return str(row[0]) if row else None
