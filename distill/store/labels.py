"""SQL for categories, tags and candidate tags (tables of migration 0100).

Rule kept here, in one place: an automatic pass writes only rows whose origin is 'auto';
a row a user wrote (a category, an added tag, or a removed tag kept as a tombstone) is
never changed by one, only by the user again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..models import Article
from .memo import remembered
from .part import Part

_NOW = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"


@dataclass
class ArticleLabels:
    category: str = ""
    category_origin: str = ""
    confidence: float | None = None
    tags: list[str] = field(default_factory=list)
    tag_origins: dict[str, str] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)


# Read side for pages: counts and months over the label tables (remembered, they scan).


class LabelStore(Part):
    """Categories, technology tags, candidate tags and merges.

    A row a user wrote is never changed by an automatic pass.
    """

    def merged_name(self, tag: str) -> str:
        """The tag a merged-away name now stands for (itself if never merged)."""
        row = self.conn.execute("SELECT tag FROM tag_merges WHERE alias = ?", (tag,)).fetchone()
        return str(row[0]) if row else tag

    def write_auto(
        self,
        article_id: int,
        category: str,
        confidence: float,
        tags: Sequence[str],
        candidates: Sequence[str] = (),
    ) -> bool:
        """Store an automatic result inside the caller's transaction; user rows stay as they are.

        Returns whether the article's category changed.
        """
        before = self.conn.execute(
            "SELECT category FROM article_categories WHERE article_id = ?", (article_id,)
        ).fetchone()
        self.conn.execute(
            "INSERT INTO article_categories (article_id, category, confidence, origin)"
            " VALUES (?, ?, ?, 'auto') ON CONFLICT(article_id) DO UPDATE SET"
            " category = excluded.category, confidence = excluded.confidence,"
            f" updated_at = {_NOW} WHERE article_categories.origin = 'auto'",
            (article_id, category, confidence),
        )
        self.conn.execute(
            "DELETE FROM article_tags WHERE article_id = ? AND origin = 'auto'", (article_id,)
        )
        folded = list(dict.fromkeys(self.merged_name(t) for t in tags))
        self.conn.executemany(
            "INSERT OR IGNORE INTO article_tags (article_id, tag, origin, rank)"
            " VALUES (?, ?, 'auto', ?)",
            [(article_id, tag, rank) for rank, tag in enumerate(folded)],
        )
        self.conn.execute("DELETE FROM candidate_tags WHERE article_id = ?", (article_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO candidate_tags (article_id, term, rank) VALUES (?, ?, ?)",
            [(article_id, term, rank) for rank, term in enumerate(candidates)],
        )
        return before is None or before[0] != category

    def set_user_category(self, article_id: int, category: str) -> None:
        self.require_article(article_id)
        self.conn.execute(
            "INSERT INTO article_categories (article_id, category, confidence, origin)"
            " VALUES (?, ?, 1.0, 'user') ON CONFLICT(article_id) DO UPDATE SET"
            " category = excluded.category, confidence = 1.0, origin = 'user',"
            f" updated_at = {_NOW}",
            (article_id, category),
        )

    def edit_tags(self, article_id: int, add: Iterable[str], remove: Iterable[str]) -> None:
        """A user's tag edit: added tags and removal tombstones are both 'user' rows."""
        self.require_article(article_id)
        top = self.conn.execute(
            "SELECT coalesce(max(rank), -1) FROM article_tags WHERE article_id = ?", (article_id,)
        ).fetchone()[0]
        for offset, tag in enumerate(add, start=1):
            self.conn.execute(
                "INSERT INTO article_tags (article_id, tag, origin, removed, rank)"
                " VALUES (?, ?, 'user', 0, ?) ON CONFLICT(article_id, tag) DO UPDATE SET"
                " origin = 'user', removed = 0",
                (article_id, tag, int(top) + offset),
            )
            self.conn.execute(
                "DELETE FROM candidate_tags WHERE article_id = ? AND term = ?", (article_id, tag)
            )
        for tag in remove:
            self.conn.execute(
                "INSERT INTO article_tags (article_id, tag, origin, removed)"
                " VALUES (?, ?, 'user', 1)"
                " ON CONFLICT(article_id, tag) DO UPDATE SET origin = 'user', removed = 1",
                (article_id, tag),
            )

    def labels_for(self, ids: Sequence[int]) -> dict[int, ArticleLabels]:
        """Category, tags and candidates of these articles, in one query per table."""
        out = {i: ArticleLabels() for i in ids}
        if not ids:
            return out
        marks = ",".join("?" * len(ids))
        for row in self.conn.execute(
            "SELECT article_id, category, origin, confidence FROM article_categories"
            f" WHERE article_id IN ({marks})",
            list(ids),
        ):
            labels = out[int(row[0])]
            labels.category, labels.category_origin, labels.confidence = row[1], row[2], row[3]
        for row in self.conn.execute(
            "SELECT article_id, tag, origin FROM article_tags"
            f" WHERE removed = 0 AND article_id IN ({marks}) ORDER BY article_id, rank, tag",
            list(ids),
        ):
            labels = out[int(row[0])]
            labels.tags.append(row[1])
            labels.tag_origins[row[1]] = row[2]
        for row in self.conn.execute(
            f"SELECT article_id, term FROM candidate_tags WHERE article_id IN ({marks})"
            " ORDER BY article_id, rank",
            list(ids),
        ):
            out[int(row[0])].candidates.append(row[1])
        return out

    def attach(self, articles: Sequence[Article]) -> None:
        """Fill `Article.category` and `Article.tags` (the library's, not the source's)."""
        found = self.labels_for([a.id for a in articles])
        for article in articles:
            labels = found[article.id]
            article.category = labels.category
            article.tags = labels.tags

    def user_examples(self) -> tuple[np.ndarray | None, list[str], list[int]]:
        """Article vectors and categories of every article a user categorised: few-shot input."""
        rows = self.conn.execute(
            "SELECT c.article_id, c.category, v.vector FROM article_categories c"
            " JOIN vectors v ON v.article_id = c.article_id AND v.kind = 'article'"
            " WHERE c.origin = 'user' ORDER BY c.article_id"
        ).fetchall()
        if not rows:
            return None, [], []
        matrix = np.vstack([np.frombuffer(r[2], dtype="<f4") for r in rows])
        return matrix, [str(r[1]) for r in rows], [int(r[0]) for r in rows]

    def user_labels_version(self) -> int:
        """Changes whenever a user's categories change: the few-shot cache key."""
        rows = self.conn.execute(
            "SELECT article_id, category FROM article_categories WHERE origin = 'user'"
            " ORDER BY article_id"
        ).fetchall()
        return hash(tuple((int(r[0]), str(r[1])) for r in rows))

    def tag_counts(self) -> list[tuple[str, int]]:
        """Every tag in use and on how many articles, most used first."""
        rows = self.conn.execute(
            "SELECT tag, count(*) AS n FROM article_tags WHERE removed = 0"
            " GROUP BY tag ORDER BY n DESC, tag"
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def candidate_counts(self, limit: int = 50) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            "SELECT term, count(*) AS n FROM candidate_tags GROUP BY term"
            " ORDER BY n DESC, term LIMIT ?",
            (limit,),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def merge_tags(self, old: str, new: str) -> int:
        """Fold tag `old` into `new` on every article; return how many articles changed.

        Origins are kept (an automatic tag stays automatic), a user's removal tombstone moves
        with the name, and the merge is remembered so later automatic tags fold too.
        """
        rows = self.conn.execute(
            "SELECT article_id, origin, removed, rank FROM article_tags WHERE tag = ?", (old,)
        ).fetchall()
        changed = 0
        for article_id, origin, removed, rank in rows:
            existing = self.conn.execute(
                "SELECT removed FROM article_tags WHERE article_id = ? AND tag = ?",
                (article_id, new),
            ).fetchone()
            self.conn.execute(
                "DELETE FROM article_tags WHERE article_id = ? AND tag = ?", (article_id, old)
            )
            if existing is None:
                self.conn.execute(
                    "INSERT INTO article_tags (article_id, tag, origin, removed, rank)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (article_id, new, origin, removed, rank),
                )
            changed += 0 if removed else 1
        self.conn.execute("UPDATE tag_merges SET tag = ? WHERE tag = ?", (new, old))
        self.conn.execute(
            "INSERT INTO tag_merges (alias, tag) VALUES (?, ?)"
            " ON CONFLICT(alias) DO UPDATE SET tag = excluded.tag",
            (old, new),
        )
        self.conn.execute("DELETE FROM tag_merges WHERE alias = tag")
        return changed

    def known_tag(self, tag: str) -> str | None:
        """The spelling the library already uses for `tag`, ignoring case."""
        row = self.conn.execute(
            "SELECT tag FROM article_tags WHERE lower(tag) = lower(?) ORDER BY removed LIMIT 1",
            (tag,),
        ).fetchone()
        return str(row[0]) if row else None

    def category_counts(self) -> dict[str, int]:
        """Articles per category (remembered until the database changes: a full scan)."""

        def count() -> dict[str, int]:
            rows = self.conn.execute(
                "SELECT c.category, count(*) FROM article_categories c"
                " JOIN articles a ON a.id = c.article_id GROUP BY c.category"
            ).fetchall()
            return {str(r[0]): int(r[1]) for r in rows}

        return remembered(self.conn, "category_counts", count)

    def uncategorized_count(self) -> int:
        return remembered(
            self.conn,
            "uncategorized_count",
            lambda: int(
                self.conn.execute(
                    "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                    " (SELECT 1 FROM article_categories c WHERE c.article_id = a.id)"
                ).fetchone()[0]
            ),
        )

    def has_category(self, name: str) -> bool:
        """Whether any article is filed under `name` (one index probe)."""
        row = self.conn.execute(
            "SELECT 1 FROM article_categories WHERE category = ? LIMIT 1", (name,)
        ).fetchone()
        return row is not None

    def category_months(self) -> list[tuple[str, str, int]]:
        """(category or '', YYYY-MM, count) over publication dates; '' for uncategorized."""
        rows = self.conn.execute(
            "SELECT coalesce(c.category, ''), substr(a.published, 1, 7) AS month, count(*)"
            " FROM articles a LEFT JOIN article_categories c ON c.article_id = a.id"
            " WHERE a.published <> '' GROUP BY 1, 2 ORDER BY 2"
        ).fetchall()
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    def tag_count(self, tag: str) -> int:
        return int(
            self.conn.execute(
                "SELECT count(*) FROM article_tags WHERE tag = ? AND removed = 0", (tag,)
            ).fetchone()[0]
        )

    def co_tags(self, tag: str, limit: int = 12) -> list[tuple[str, int]]:
        """Tags that appear on the same articles as `tag`, most shared first."""
        rows = self.conn.execute(
            "SELECT o.tag, count(*) AS n FROM article_tags t"
            " JOIN article_tags o ON o.article_id = t.article_id AND o.tag <> t.tag"
            " AND o.removed = 0"
            " WHERE t.tag = ? AND t.removed = 0 GROUP BY o.tag ORDER BY n DESC, o.tag LIMIT ?",
            (tag, limit),
        ).fetchall()
        return [(str(r[0]), int(r[1])) for r in rows]

    def tag_months(self) -> list[tuple[str, str, int]]:
        """(tag, YYYY-MM, count) over publication dates, for the rising-technologies chart."""
        rows = self.conn.execute(
            "SELECT t.tag, substr(a.published, 1, 7) AS month, count(*) FROM article_tags t"
            " JOIN articles a ON a.id = t.article_id"
            " WHERE t.removed = 0 AND a.published <> '' GROUP BY 1, 2 ORDER BY 2"
        ).fetchall()
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
