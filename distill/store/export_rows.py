"""SQL for exporting a library as rows and putting those rows back (issue 14).

An export record carries table rows exactly as stored (text columns that hold JSON stay
strings, BLOBs become base64), so importing it into an empty library gives back the same
bytes. Which tables carry user data, and so travel, is written down here once:

- per article: ARTICLE_TABLES (summary, vectors, labels, star, reading state, views, why
  an LLM did not summarise it);
- per library: feeds with their entries, tag merges.

Not exported: the job queue (transient), API tokens and web secrets (secrets stay with the
library they were made for), per-visitor visit rows (hashed with that library's secret),
and what triggers derive (full-text index, vector change log, content version).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import InputError
from .filters import ArticleFilter
from .part import Part

ARTICLE_TABLES = (
    "summaries",
    "vectors",
    "article_categories",
    "article_tags",
    "candidate_tags",
    "stars",
    "reading_state",
    "article_reads",
    "llm_fallbacks",
)
# Articles are read this many at a time: memory stays flat in the size of the library,
# and one IN (...) query per table per batch keeps the export fast.
BATCH = 500


def table_columns(conn: Any, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")]


def encode(value: Any) -> Any:
    return {"$b64": base64.b64encode(value).decode("ascii")} if isinstance(value, bytes) else value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$b64"}:
        return base64.b64decode(value["$b64"])
    return value


# Tables with BLOB columns; only their rows are scanned for bytes to encode (the check on
# every value of every row was a fifth of the export's time).
_BLOB_TABLES = ("vectors",)


def _rows(conn: Any, sql: str, params: list[Any], blobs: bool = False) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    if blobs:
        return [{n: encode(v) for n, v in zip(names, row, strict=True)} for row in cursor]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def count_articles(conn: Any, where: str, params: list[Any]) -> int:
    clause = f" WHERE {where}" if where else ""
    return int(conn.execute(f"SELECT count(*) FROM articles a{clause}", params).fetchone()[0])


def article_batches(
    conn: Any,
    where: str,
    params: list[Any],
    batch: int = BATCH,
    row_order: str = "rowid",
    derived: dict[str, tuple[str, ...]] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Articles passing `where` (over alias a) in id order, `batch` at a time, each
    {"article": row, "tables": {table: [rows]}}; an article's rows of one table in the order
    they are stored (`row_order`: SQLite's rowid, PostgreSQL's ctid). `derived` names
    columns an engine keeps beside the exported ones, made again on import (not exported)."""
    last = 0
    extra = f" AND {where}" if where else ""
    while True:
        articles = _rows(
            conn,
            f"SELECT a.* FROM articles a WHERE a.id > ?{extra} ORDER BY a.id LIMIT ?",
            [last, *params, batch],
        )
        if not articles:
            return
        ids = [int(a["id"]) for a in articles]
        marks = ",".join("?" * len(ids))
        related: dict[int, dict[str, list[dict[str, Any]]]] = {i: {} for i in ids}
        for table in ARTICLE_TABLES:
            order = f" ORDER BY {row_order}" if table != "vectors" else ""
            for row in _rows(
                conn,
                f"SELECT * FROM {table} WHERE article_id IN ({marks}){order}",
                ids,
                blobs=table in _BLOB_TABLES,
            ):
                for column in (derived or {}).get(table, ()):
                    row.pop(column, None)
                related[int(row["article_id"])].setdefault(table, []).append(row)
        yield [{"article": a, "tables": related[int(a["id"])]} for a in articles]
        last = ids[-1]


def feeds_with_entries(conn: Any) -> Iterator[dict[str, Any]]:
    for feed in _rows(conn, "SELECT * FROM feeds ORDER BY id", []):
        entries = _rows(
            conn, "SELECT * FROM feed_entries WHERE feed_id = ? ORDER BY id", [feed["id"]]
        )
        yield {"feed": feed, "entries": entries}


def tag_merges(conn: Any) -> list[dict[str, Any]]:
    return _rows(conn, "SELECT * FROM tag_merges ORDER BY alias", [])


# --- putting rows back ---------------------------------------------------------------------


class RowWriter:
    """Inserts exported rows, checking their columns against this library's tables."""

    def __init__(self, conn: Any, engine: ExportStore | None = None) -> None:
        self.conn = conn
        self.engine = engine or ExportStore(conn)
        self._columns: dict[str, set[str]] = {}

    def insert(self, table: str, row: dict[str, Any], where: str, replace: bool = False) -> int:
        """Insert the row; its id (0 for a table without one). `replace`: a row with the same
        key is overwritten."""
        known = self._columns.get(table)
        if known is None:
            known = self._columns[table] = set(self.engine.columns(table))
        unknown = sorted(set(row) - known)
        if unknown:
            raise InputError(f"{where}: table {table} has no column {unknown[0]!r}")
        names = list(row)
        sql = self.engine.insert_sql(table, names, replace)
        if "id" in known:  # the id the row took (given, or made by the table)
            sql += " RETURNING id"
        cursor = self.conn.execute(sql, [decode(row[n]) for n in names])
        return int(cursor.fetchone()[0]) if "id" in known else 0

    def id_taken(self, table: str, row_id: int) -> bool:
        return (
            self.conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (row_id,)).fetchone()
            is not None
        )


class RowRestore:
    """Puts one export's rows back in batched transactions; a record that does not fit is
    rolled back to its savepoint alone."""

    def __init__(self, conn: Any, engine: ExportStore | None = None) -> None:
        self.conn = conn
        self.engine = engine or ExportStore(conn)
        self.rows = RowWriter(conn, self.engine)

    def begin(self) -> None:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def finish(self) -> None:
        """After the last commit: what the engine derives from rows that came in with their
        ids (PostgreSQL moves its identities past them and indexes the vectors)."""
        self.engine.after_restore()

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def duplicate_of(self, canonical_url: str, content_hash: str) -> int | None:
        """The store's dedupe rule as two index probes. (The one-query form,
        `content_hash = ? OR (? <> '' AND canonical_url = ?)`, cannot use the partial
        canonical_url index and scans every article: 20 ms an article at 2,000.)"""
        row = self.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        if row is None and canonical_url:
            row = self.conn.execute(
                "SELECT id FROM articles WHERE canonical_url = ? AND canonical_url <> ''"
                " ORDER BY id LIMIT 1",
                (canonical_url,),
            ).fetchone()
        return int(row[0]) if row else None

    def article(self, row: dict[str, Any], tables: dict[str, Any], where: str) -> int:
        """Insert the article row (keeping its id when free) and its per-article rows; the
        new id. Any error leaves nothing of this record behind and is raised."""
        row = dict(row)
        if self.rows.id_taken("articles", int(row["id"])):
            del row["id"]
        self.conn.execute("SAVEPOINT article")
        try:
            new_id = self.rows.insert("articles", row, where)
            for table, extra_rows in tables.items():
                for extra in extra_rows:
                    self.rows.insert(table, {**extra, "article_id": new_id}, where)
        except BaseException:
            self.conn.execute("ROLLBACK TO article")
            self.conn.execute("RELEASE article")
            raise
        self.conn.execute("RELEASE article")
        return new_id

    def feed(
        self, feed: dict[str, Any], entries: list[dict[str, Any]], ids: dict[int, int], where: str
    ) -> None:
        """A subscription and its entries; a feed already subscribed here keeps this
        library's own state. `ids` maps exported article ids to this library's."""
        if self.conn.execute("SELECT 1 FROM feeds WHERE url = ?", (feed["url"],)).fetchone():
            return
        feed = dict(feed)
        if self.rows.id_taken("feeds", int(feed["id"])):
            del feed["id"]
        feed_id = self.rows.insert("feeds", feed, where)
        for entry in entries:
            entry = {**entry, "feed_id": feed_id}
            if self.rows.id_taken("feed_entries", int(entry["id"])):
                del entry["id"]
            old = entry.get("article_id")
            entry["article_id"] = ids.get(int(old)) if old is not None else None
            self.rows.insert("feed_entries", entry, where)

    def tag_merges(self, rows: list[dict[str, Any]], where: str) -> None:
        for row in rows:
            self.rows.insert("tag_merges", row, where, replace=True)


class ExportStore(Part):
    """The library's rows as an export carries them, and the way back in.

    What differs between engines (PostgreSQL's part overrides): how a table's columns are
    listed, the order rows are stored in, how a row replaces one with the same key, and
    what must be derived after rows came in with their ids.
    """

    ROW_ORDER = "rowid"
    DERIVED: dict[str, tuple[str, ...]] = {}  # table -> columns made again on import

    def __init__(self, conn: Any, after_restore: Callable[[], None] | None = None) -> None:
        super().__init__(conn)
        self._after_restore = after_restore

    def columns(self, table: str) -> list[str]:
        return table_columns(self.conn, table)

    def insert_sql(self, table: str, names: list[str], replace: bool) -> str:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        return f"{verb} INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"

    def after_restore(self) -> None:
        if self._after_restore is not None:
            self._after_restore()

    def count_articles(self, filters: ArticleFilter) -> int:
        where, params = filters.sql()
        return count_articles(self.conn, where, params)

    def article_batches(
        self, filters: ArticleFilter, batch: int = BATCH
    ) -> Iterator[list[dict[str, Any]]]:
        where, params = filters.sql()
        return article_batches(self.conn, where, params, batch, self.ROW_ORDER, self.DERIVED)

    def feeds_with_entries(self) -> Iterator[dict[str, Any]]:
        return feeds_with_entries(self.conn)

    def tag_merges(self) -> list[dict[str, Any]]:
        return tag_merges(self.conn)

    def restorer(self) -> RowRestore:
        return RowRestore(self.conn, self)
