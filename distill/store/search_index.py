"""SQL for search: the FTS5 index, the vector index's entry points and article filters.

The indexes are kept in step by triggers (see schema/0200_search.sql), so this module only
reads them, checks that they agree with the articles, and rebuilds them on request.
Which articles a search covers is an `ArticleFilter` (store/filters.py), the same one the
listings use, turned into SQL by the caller and passed in as `where` and `params`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .cards import card_from_row, card_rows, lead_of
from .part import Part, immediate
from .vector_index import vector_index

# BM25 column weights: a word in the title says most about what an article is about, a word
# in the summary (chosen sentences) more than one somewhere in the body.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
VECTOR_DIMENSIONS = 384
# Highlight markers inside snippets; control characters never found in stored text, turned
# into escaped HTML or terminal styling by the caller.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_TOKENS = 28

# ---- consistency ------------------------------------------------------------------------


@dataclass
class IndexState:
    articles: tuple[int, int]  # (count, sum of ids)
    fts: tuple[int, int]
    vectors: tuple[int, int]  # article vectors stored
    vec_index: tuple[int, int]  # article vectors indexed

    @property
    def in_step(self) -> bool:
        return self.articles == self.fts and self.vectors == self.vec_index


# ---- full text -----------------------------------------------------------------------------

_RANK = f"bm25(search_fts, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {BODY_WEIGHT})"


_STEMMER_LOCK = threading.Lock()


# ---- vectors -------------------------------------------------------------------------------


# ---- articles ------------------------------------------------------------------------------


@dataclass
class ArticleCard:
    id: int
    title: str
    url: str
    site: str
    date: str
    lead: str  # the first summary line, else the start of the body
    tags: list[str]


class SearchStore(Part):
    """The full-text index, the in-memory vector index's entry points and article filters."""

    # Over this many matches, text ranking covers only the newest of them (search/engine.py).
    # FTS5 ranks 20,000 matches of a million-article library in well under a second.
    many_matches = 20_000

    def index_state(self) -> IndexState:
        """Counts and id sums on both sides; each read is an index or small-table scan."""

        def pair(sql: str) -> tuple[int, int]:
            row = self.conn.execute(sql).fetchone()
            return int(row[0]), int(row[1] or 0)

        vectors = vector_index(self.conn)
        return IndexState(
            articles=pair("SELECT count(*), sum(id) FROM articles"),
            fts=pair("SELECT count(*), sum(id) FROM search_fts_docsize"),
            vectors=pair(
                "SELECT count(*), sum(article_id) FROM vectors"
                f" WHERE kind = 'article' AND dimensions = {VECTOR_DIMENSIONS}"
            ),
            vec_index=(len(vectors), sum(vectors.row_of)),
        )

    def rebuild(self) -> None:
        """Refill the full-text index from the articles and summaries, atomically, and reload
        this process's vector index from the stored vectors."""
        with immediate(self.conn):
            self.conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            self.conn.execute(
                "INSERT INTO search_fts(rowid, title, summary, body)"
                " SELECT id, title, summary, body FROM search_content"
            )
            self.conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        vector_index(self.conn, reload=True)

    def text_hits(
        self, match: str, where: str, params: list[Any], limit: int, min_id: int = 0
    ) -> list[tuple[int, float]]:
        """(article id, score) best first; score is -bm25 (higher is better).

        `min_id` limits ranking to articles with ids from there on (FTS5 seeks to it). It
        stays a condition on the FTS table alone: joined to `articles` without a filter, the
        planner walked the articles' id range and probed the index once per article (3 s
        instead of 3 ms at a million articles).
        """
        since = f" AND f.rowid >= {int(min_id)}" if min_id else ""
        if where:
            sql = (
                f"SELECT f.rowid, {_RANK} AS r FROM search_fts f JOIN articles a ON a.id = f.rowid"
                f" WHERE search_fts MATCH ?{since} AND {where} ORDER BY r LIMIT ?"
            )
        else:
            sql = (
                f"SELECT f.rowid, {_RANK} AS r FROM search_fts f"
                f" WHERE search_fts MATCH ?{since} ORDER BY r LIMIT ?"
            )
        return [(int(r[0]), -float(r[1])) for r in self.conn.execute(sql, [match, *params, limit])]

    def text_ranked(
        self, match: str, where: str, params: list[Any], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """text_hits, and how many articles match in all (counted only when there are more
        than `limit`)."""
        ranked = self.text_hits(match, where, params, limit)
        if len(ranked) < limit:
            return ranked, len(ranked)
        return ranked, self.text_count(match, where, params)

    def text_count(self, match: str, where: str, params: list[Any]) -> int:
        if where:
            sql = (
                "SELECT count(*) FROM search_fts f JOIN articles a ON a.id = f.rowid"
                f" WHERE search_fts MATCH ? AND {where}"
            )
        else:
            sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?"
        return int(self.conn.execute(sql, [match, *params]).fetchone()[0])

    def snippets(self, match: str, ids: list[int]) -> dict[int, str]:
        """The best-matching passage of each article (any column), matched words marked."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT rowid, snippet(search_fts, -1, ?, ?, '…', {SNIPPET_TOKENS}) FROM search_fts"
            f" WHERE search_fts MATCH ? AND rowid IN ({marks})",
            [MARK_START, MARK_END, match, *ids],
        )
        return {int(r[0]): str(r[1] or "") for r in rows}

    def index_terms(self, words: list[str]) -> list[str]:
        """The index's own (porter-stemmed) term for each word, by the index's tokenizer.

        A per-connection TEMP FTS5 table with the same tokenizer is the only exact way to ask
        SQLite how it stems a word.
        """
        if not words:
            return []
        with _STEMMER_LOCK:
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stemmer USING fts5(x,"
                " tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            self.conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stemmer_terms"
                " USING fts5vocab(temp, search_stemmer, instance)"
            )
            self.conn.execute("DELETE FROM temp.search_stemmer")
            self.conn.executemany(
                "INSERT INTO temp.search_stemmer(rowid, x) VALUES (?, ?)", list(enumerate(words))
            )
            stems = dict(
                (int(r[0]), str(r[1]))
                for r in self.conn.execute("SELECT doc, term FROM temp.search_stemmer_terms")
            )
        return [stems.get(n, w) for n, w in enumerate(words)]

    def newest_threshold(self, match: str, count: int) -> int:
        """The id such that `count` of the newest matching articles are at or above it; else 0."""
        row = self.conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
            " ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, count - 1),
        ).fetchone()
        return int(row[0]) if row else 0

    def newest_ranked(
        self, match: str, depth: int, count: int, expected: int = 0
    ) -> tuple[list[tuple[int, float]], int]:
        """The best `depth` of the newest `count` articles matching (no filter), and the id
        those newest reach back to (0 when fewer match: then every match was ranked).
        `expected` is a guess at how many articles match (0: none), which PostgreSQL's
        version uses to size its search; here FTS5 seeks by id whatever the guess."""
        threshold = self.newest_threshold(match, count)
        return self.text_hits(match, "", [], depth, min_id=threshold), threshold

    def newest_id(self) -> int:
        """The highest article id in the text index (0 when empty)."""
        row = self.conn.execute("SELECT max(id) FROM search_fts_docsize").fetchone()
        return int(row[0] or 0)

    def term_documents(self, terms: Iterable[str]) -> dict[str, int]:
        """How many articles contain each (stemmed) index term."""
        out = {}
        for term in terms:
            row = self.conn.execute(
                "SELECT doc FROM search_fts_terms WHERE term = ?", (term,)
            ).fetchone()
            out[term] = int(row[0]) if row else 0
        return out

    def article_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM search_fts_docsize").fetchone()[0])

    def side(self) -> SearchStore | None:
        """A second session for a hybrid search's meaning half to run on while the text half
        runs on this one; None (SQLite: both halves are this process's own work)."""
        return None

    def filtered_ids(self, where: str, params: list[Any], cap: int) -> list[int]:
        """Ids of articles passing the filters, newest first, at most `cap`."""
        sql = f"SELECT a.id FROM articles a WHERE {where or '1 = 1'}"
        sql += " ORDER BY a.published DESC, a.id DESC LIMIT ?"
        return [int(r[0]) for r in self.conn.execute(sql, [*params, cap])]

    def passing(self, ids: list[int], where: str, params: list[Any]) -> set[int]:
        """Which of these articles pass the filters."""
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        sql = f"SELECT a.id FROM articles a WHERE a.id IN ({marks}) AND {where or '1 = 1'}"
        return {int(r[0]) for r in self.conn.execute(sql, [*ids, *params])}

    def nearest_articles(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(article id, cosine similarity) of the k nearest article vectors, exactly."""
        return vector_index(self.conn).nearest(vector, k)

    def similarities(self, vector: np.ndarray, ids: list[int]) -> list[tuple[int, float]]:
        """Exact cosine similarity of the given articles' vectors (for small filtered sets)."""
        return vector_index(self.conn).similarities(vector, ids)

    def section_vectors(self, article_ids: list[int]) -> dict[int, list[tuple[str, np.ndarray]]]:
        """Each article's (heading, vector) sections, from the stored vectors table."""
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        out: dict[int, list[tuple[str, np.ndarray]]] = {}
        for row in self.conn.execute(
            "SELECT article_id, heading, vector FROM vectors WHERE kind = 'section'"
            f" AND dimensions = {VECTOR_DIMENSIONS} AND article_id IN ({marks})"
            " ORDER BY article_id, ordinal",
            article_ids,
        ):
            out.setdefault(int(row[0]), []).append((row[1], np.frombuffer(row[2], dtype="<f4")))
        return out

    def article_cards(self, ids: list[int]) -> dict[int, ArticleCard]:
        cards = {}
        for row in card_rows(self.conn, ids):
            card = card_from_row(row)
            cards[card["id"]] = ArticleCard(
                id=card["id"],
                title=card["title"],
                url=card["url"] or "",
                site=card["site"],
                date=card["date"],
                lead=lead_of(row),
                tags=[str(t) for t in json.loads(row["source_tags"] or "[]")],
            )
        return cards

    def _library_tags(self, ids: list[int]) -> dict[int, set[str]]:
        """The technology tags classification (or the user) gave each article, plus the tags
        the source itself declared."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT article_id, tag FROM article_tags WHERE removed = 0"
            f" AND article_id IN ({marks})",
            ids,
        )
        found: dict[int, set[str]] = {i: set() for i in ids}
        for article_id, tag in rows:
            found[int(article_id)].add(str(tag))
        declared = self.conn.execute(
            f"SELECT id, source_tags FROM articles WHERE id IN ({marks})", ids
        )
        for article_id, tags in declared:
            found[int(article_id)].update(str(t) for t in json.loads(tags or "[]"))
        return found

    def article_technologies(self, ids: list[int]) -> dict[int, set[str]]:
        """id -> the article's library tags (what "shared technologies" compares)."""
        return self._library_tags(ids) if ids else {}

    def passage_texts(self, ids: list[int]) -> dict[int, list[str]]:
        """(summary text, body) of each article, for choosing a snippet."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, summary, body FROM search_content WHERE id IN ({marks})", ids
        )
        return {int(r[0]): [r[1] or "", r[2] or ""] for r in rows}

    def stored_article_vector(self, article_id: int) -> np.ndarray | None:
        row = self.conn.execute(
            "SELECT vector FROM vectors WHERE article_id = ? AND kind = 'article'"
            f" AND dimensions = {VECTOR_DIMENSIONS}",
            (article_id,),
        ).fetchone()
        return np.frombuffer(row[0], dtype="<f4") if row else None

    def matching(self, match: str, ids: list[int]) -> set[int]:
        """Those of `ids` whose indexed text matches the FTS5 expression `match`."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT rowid FROM search_fts WHERE search_fts MATCH ? AND rowid IN ({marks})",
            [match, *ids],
        )
        return {int(r[0]) for r in rows}

    def filtered_count(self, where: str, params: list[Any]) -> int:
        """How many articles pass a filter's SQL (see store/filters.py)."""
        sql = f"SELECT count(*) FROM articles a WHERE {where or '1 = 1'}"
        return int(self.conn.execute(sql, params).fetchone()[0])

    def load_vectors(self) -> None:
        """Read the article vectors into memory now (a server warms up before the first
        search instead of making it wait)."""
        vector_index(self.conn)
