"""What the SQLite and PostgreSQL stores share: every article statement that reads the same
in both dialects.

An engine subclasses `SQLStore`, opens its connection (one that takes `?` placeholders and
gives rows read by name or position; see store/postgres/connection.py), builds the parts on
it, and adds what differs: which exception a unique index raises, and how vectors are
written and read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from ..errors import DuplicateArticle, NotFound
from ..models import (
    Article,
    Document,
    DocumentVectors,
    Labels,
    Summary,
    blocks_from_json,
    blocks_to_json,
)
from .base import ArticlePage, Store
from .filters import ArticleFilter
from .jobs import JobSignal
from .memo import remembered
from .part import immediate

T = TypeVar("T")


class SQLStore(Store):
    """The article statements both engines run; `conn` is set by the engine."""

    applied: list[str]  # migration steps this open applied (`distill migrate` reports them)

    conn: Any
    # What the driver raises when a unique index refuses a row (a duplicate article).
    integrity_error: type[Exception] = Exception

    def add_article(
        self,
        doc: Document,
        content_hash: str,
        summary: Summary | None,
        vectors: DocumentVectors | None = None,
        model: str = "",
        labels: Labels | None = None,
    ) -> int:
        try:
            return self._insert_article(doc, content_hash, summary, vectors, model, labels)
        except self.integrity_error as exc:
            existing = self.find_duplicate(doc.canonical_url, content_hash)
            if existing is None:
                raise
            raise DuplicateArticle(f"duplicate of #{existing}", existing) from exc

    @contextmanager
    def transaction(self) -> Iterator[SQLStore]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

        Every part shares the store's one connection, so whatever the parts write inside
        the block commits or rolls back together.
        """
        with immediate(self.conn):
            yield self

    def find_duplicate(self, canonical_url: str, content_hash: str) -> int | None:
        # `canonical_url <> ''` is spelled on the column, not the parameter, so the planner
        # can use the partial index on canonical_url: with the test on the parameter every
        # add scanned the table (326 ms at 100,000 articles, docs/benchmarks.md).
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?"
            " OR (canonical_url = ? AND canonical_url <> '') ORDER BY id LIMIT 1",
            (content_hash, canonical_url),
        ).fetchone()
        return int(row[0]) if row else None

    def _insert_article(
        self,
        doc: Document,
        content_hash: str,
        summary: Summary | None,
        vectors: DocumentVectors | None,
        model: str,
        labels: Labels | None = None,
    ) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO articles (source, url, canonical_url, title, authors, published,"
                " site, language, source_tags, description, blocks, body, word_count,"
                " content_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.source,
                    doc.url,
                    doc.canonical_url,
                    doc.title,
                    json.dumps(doc.authors),
                    doc.date,
                    doc.site,
                    doc.language,
                    json.dumps(doc.tags),
                    doc.description,
                    json.dumps(blocks_to_json(doc.blocks)),
                    doc.text,
                    doc.word_count,
                    content_hash,
                ),
            )
            article_id = int(cursor.lastrowid)
            if summary is not None:
                self._write_summary(article_id, summary)
            if vectors is not None:
                self.write_vectors(article_id, vectors, model)
            if labels is not None:
                self.labels.write_auto(
                    article_id,
                    labels.category,
                    labels.confidence,
                    labels.tags,
                    labels.candidates,
                )
        return article_id

    def _write_summary(self, article_id: int, summary: Summary) -> None:
        self.conn.execute(
            "INSERT INTO summaries (article_id, backend, version, sections) VALUES (?,?,?,?)"
            " ON CONFLICT(article_id) DO UPDATE SET backend = excluded.backend,"
            " version = excluded.version, sections = excluded.sections,"
            " created_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (
                article_id,
                summary.backend,
                summary.version,
                json.dumps(summary.to_dict()["sections"]),
            ),
        )

    def save_summary(self, article_id: int, summary: Summary) -> None:
        with self.transaction():
            self.require_article(article_id)
            self._write_summary(article_id, summary)

    def delete_article(self, article_id: int) -> None:
        with self.transaction():
            cursor = self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            if cursor.rowcount == 0:
                raise NotFound(f"no article with id {article_id}")

    def article_ids(self) -> list[int]:
        return [int(r[0]) for r in self.conn.execute("SELECT id FROM articles ORDER BY id")]

    _SELECT = (
        "SELECT a.*, s.backend AS s_backend, s.version AS s_version, s.sections AS s_sections"
        " FROM articles a LEFT JOIN summaries s ON s.article_id = a.id"
    )

    def get_article(self, article_id: int) -> Article:
        row = self.conn.execute(self._SELECT + " WHERE a.id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id}")
        article = _article_from_row(row)
        self.labels.attach([article])
        self._attach_state([article])
        if article.summary is not None:  # why an LLM backend did not write it, if it did not
            fallback = self.fallbacks.get_fallback(article_id)
            if fallback is not None:
                article.summary.fallback = {"backend": fallback.backend, "reason": fallback.reason}
        return article

    def list_articles(
        self, limit: int = 20, offset: int = 0, filters: ArticleFilter | None = None
    ) -> ArticlePage:
        clause, params = (filters or ArticleFilter()).clause()
        total = self.conn.execute("SELECT count(*) FROM articles a" + clause, params).fetchone()[0]
        rows = self.conn.execute(
            self._SELECT + clause + " ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        articles = [_article_from_row(r) for r in rows]
        self.labels.attach(articles)
        self._attach_state(articles)
        return ArticlePage(articles, int(total))

    def remove_articles(self, ids: list[int]) -> list[dict[str, Any]]:
        """Remove every article in `ids`, or none (NotFound naming the first missing id);
        [{id, title}] of what was removed, in the order given.

        Deleting the `articles` row cascades to the summary, vectors, labels, stars, visits,
        reading state and fallback rows; triggers take it out of the full-text index and
        log it in `vector_changes`. Feed entries that brought it stay, marked `removed`, so
        the next check of that feed does not bring the article back.
        """
        ids = list(dict.fromkeys(int(i) for i in ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with immediate(self.conn):
            titles = {
                int(r[0]): str(r[1])
                for r in self.conn.execute(
                    f"SELECT id, title FROM articles WHERE id IN ({marks})", ids
                )
            }
            missing = [i for i in ids if i not in titles]
            if missing:
                raise NotFound(f"no article with id {missing[0]}; nothing was removed")
            self.conn.execute(
                f"UPDATE feed_entries SET state = 'removed' WHERE article_id IN ({marks})", ids
            )
            self.conn.execute(f"DELETE FROM articles WHERE id IN ({marks})", ids)
        return [{"id": i, "title": titles[i]} for i in ids]

    def article_exists(self, article_id: int) -> bool:
        return self.web.article_exists(article_id)

    def require_article(self, article_id: int) -> None:
        self.web.require_article(article_id)

    def summary_versions(self) -> dict[int, tuple[str, str]]:
        """article id -> (backend, version) for every article; ("", "") when it has none.

        `distill resummarize` reads this to skip articles whose summary is already current,
        which makes an interrupted batch resumable without re-reading every article.
        """
        rows = self.conn.execute(
            "SELECT a.id, coalesce(s.backend, ''), coalesce(s.version, '')"
            " FROM articles a LEFT JOIN summaries s ON s.article_id = a.id ORDER BY a.id"
        )
        return {int(r[0]): (str(r[1]), str(r[2])) for r in rows}

    def write_vectors(self, article_id: int, vectors: DocumentVectors, model: str) -> None:
        """Replace an article's vectors; call inside the article's transaction."""
        self.conn.execute("DELETE FROM vectors WHERE article_id = ?", (article_id,))
        rows = [("article", 0, "", 0, vectors.article)] + [
            ("section", ordinal, heading, block, vector)
            for ordinal, (heading, block, vector) in enumerate(vectors.sections, start=1)
        ]
        self.conn.executemany(
            "INSERT INTO vectors (article_id, kind, ordinal, heading, block, model, dimensions,"
            " vector) VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    article_id,
                    kind,
                    ordinal,
                    heading,
                    block,
                    model,
                    len(v),
                    v.astype("<f4").tobytes(),
                )
                for kind, ordinal, heading, block, v in rows
            ],
        )

    def article_vector(self, article_id: int) -> np.ndarray | None:
        row = self.conn.execute(
            "SELECT vector FROM vectors WHERE article_id = ? AND kind = 'article'", (article_id,)
        ).fetchone()
        return np.frombuffer(row[0], dtype="<f4") if row else None

    def columns_of(self, table: str) -> list[str]:
        """The table's column names, in order (the engine's export store knows how)."""
        return list(self.export.columns(table))

    def after_copy(self) -> None:
        """Called by store/copy.py once rows were copied in with their ids kept."""

    def _attach_state(self, articles: list[Article]) -> None:
        states = self.reading.states_for([a.id for a in articles])
        for article in articles:
            article.state = states[article.id]

    def remembered(self, key: Hashable, compute: Callable[[], T], reuse_for: float = 0) -> T:
        """compute(), remembered until the library's content changes (see store/memo.py)."""
        return remembered(self.conn, key, compute, reuse_for)

    def job_signal(self) -> JobSignal | None:
        """Something an idle worker can wait on to wake when a job is queued, or None when
        the engine has nothing of the kind (SQLite: its workers poll)."""
        return None

    def close(self) -> None:
        self.conn.close()


def _article_from_row(row: Any) -> Article:
    doc = Document(
        title=row["title"],
        blocks=blocks_from_json(json.loads(row["blocks"])),
        url=row["url"],
        canonical_url=row["canonical_url"] or "",
        authors=json.loads(row["authors"]),
        date=row["published"],
        site=row["site"],
        language=row["language"],
        tags=json.loads(row["source_tags"]),
        description=row["description"],
        source=row["source"],
    )
    summary = None
    if row["s_sections"] is not None:
        summary = Summary.from_dict(
            {
                "backend": {"name": row["s_backend"], "version": row["s_version"]},
                "sections": json.loads(row["s_sections"]),
            }
        )
    return Article(
        id=int(row["id"]),
        document=doc,
        summary=summary,
        content_hash=row["content_hash"],
        created_at=row["created_at"],
    )
