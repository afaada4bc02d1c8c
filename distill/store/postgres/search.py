"""Search on PostgreSQL: weighted tsvectors with a GIN index, pgvector with HNSW.

The search engine (search/engine.py) speaks to this part exactly as to SQLite's: it hands
over the FTS5 expression its query language built (search/syntax.py `fts_match`), whose
grammar is small and ours: double-quoted strings (`""` inside is a quote), AND, OR, NOT and
parentheses. `tsquery` turns that expression into a tsquery built only from parameters
(each quoted string through `phraseto_tsquery`), so nothing a user typed is ever parsed by
PostgreSQL as query syntax, whatever it contains.

Ranking is `ts_rank` with the weights of SQLite's BM25 columns (title 10, summary 4,
body 1, scaled to PostgreSQL's 0..1 range). Vectors: the HNSW index (cosine) proposes
candidates, and the stored float32 vectors re-score them exactly, so the order returned is
the exact order among the candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..memo import remembered
from ..part import immediate
from ..search_index import (
    BODY_WEIGHT,
    SUMMARY_WEIGHT,
    TITLE_WEIGHT,
    VECTOR_DIMENSIONS,
    IndexState,
    SearchStore,
)

# ts_rank's weights are {D, C, B, A}; A is the title, B the summary, C the body.
_WEIGHTS = f"'{{0, {BODY_WEIGHT / TITLE_WEIGHT}, {SUMMARY_WEIGHT / TITLE_WEIGHT}, 1.0}}'"
# HNSW candidates fetched per wanted result before exact re-scoring, and the search breadth.
CANDIDATE_FACTOR = 4
MIN_CANDIDATES = 100
# 300: at 1,000,000 vectors made of real sentence vectors, 200 kept 0.979 of an exact
# scan's top 10 for held-out sentences, 300 keeps 0.986 (titles 0.992 -> 0.996) for about
# 10 ms more per call (docs/benchmarks.md, "HNSW recall at 1,000,000 vectors").
EF_SEARCH = 300
# newest_threshold's first window of ids, per match wanted (then widened eightfold).
THRESHOLD_WINDOW = 4
# newest_ranked's first window holds this many times the matches wanted, by the guess.
WINDOW_MARGIN = 2
# Statements that look for matches reach them through the GIN index only (see _through_gin).
_GIN_ONLY = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
)
_TOKEN = re.compile(r'\s*(?:(")((?:[^"]|"")*)"|(\()|(\))|(AND|OR|NOT)\b)')


def tsquery(match: str) -> tuple[str, list[str]]:
    """(SQL expression of type tsquery, its parameters) for an FTS5 expression from
    search/syntax.py. Unknown text is skipped, never passed on as syntax."""
    sql: list[str] = []
    params: list[str] = []
    position = 0
    while position < len(match):
        token = _TOKEN.match(match, position)
        if token is None:
            position += 1
            continue
        position = token.end()
        if token.group(1):
            sql.append("phraseto_tsquery('english', ?)")
            params.append(token.group(2).replace('""', '"'))
        elif token.group(3):
            sql.append("(")
        elif token.group(4):
            sql.append(")")
        else:
            sql.append({"AND": "&&", "OR": "||", "NOT": "&& !!"}[token.group(5)])
    return " ".join(sql) or "''::tsquery", params


def _vector_literal(vector: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


class PostgresSearchStore(SearchStore):
    # ts_rank reads each match's tsvector, stored out of line in about three TOAST chunks:
    # about 9 us a match from shared buffers and 20 us from the OS cache at a million
    # articles, so 20,000 matches took 180-500 ms; 5,000 keeps a search's ranking near
    # 50 ms (docs/benchmarks.md, "Hybrid search at 1,000,000 articles on a server in use").
    many_matches = 5_000
    _ef_search: tuple[int, int] = (0, 0)  # (session, hnsw.ef_search) as last set
    _side: PostgresSearchStore | None = None

    def side(self) -> SearchStore | None:
        """This store's second session (opened on first use, closed with the first): the
        server works on a hybrid search's two halves at once, on two backends."""
        if self._side is None:
            from .connection import Connection

            self._side = PostgresSearchStore(Connection(self.conn.url))
            self.conn.on_close(self._side.conn.close)
        return self._side

    def index_state(self) -> IndexState:
        def pair(sql: str) -> tuple[int, int]:
            row = self.conn.execute(sql).fetchone()
            return int(row[0]), int(row[1] or 0)

        return IndexState(
            articles=pair("SELECT count(*), sum(id) FROM articles"),
            fts=pair("SELECT count(*), sum(article_id) FROM search_documents"),
            vectors=pair(
                "SELECT count(*), sum(article_id) FROM vectors"
                f" WHERE kind = 'article' AND dimensions = {VECTOR_DIMENSIONS}"
            ),
            vec_index=pair(
                "SELECT count(*), sum(article_id) FROM vectors"
                " WHERE kind = 'article' AND embedding IS NOT NULL"
            ),
        )

    def rebuild(self) -> None:
        """Recompute every article's tsvector, and the pgvector copy of every article vector
        from the stored bytes, in one transaction."""
        with immediate(self.conn):
            self.conn.execute("DELETE FROM search_documents")
            self.conn.execute("SELECT distill_index_article(id) FROM articles")
            self.conn.execute("UPDATE vectors SET embedding = NULL WHERE embedding IS NOT NULL")
            rows = self.conn.execute(
                "SELECT article_id, vector FROM vectors WHERE kind = 'article'"
                f" AND dimensions = {VECTOR_DIMENSIONS}"
            ).fetchall()
            for article_id, blob in rows:
                set_embedding(self.conn, int(article_id), np.frombuffer(blob, dtype="<f4"))

    def text_hits(
        self, match: str, where: str, params: list[Any], limit: int, min_id: int = 0
    ) -> list[tuple[int, float]]:
        query, qparams = tsquery(match)
        conditions = [f"d.document @@ ({query})"]
        if min_id:
            conditions.append(f"d.article_id >= {int(min_id)}")
        if where:
            conditions.append(where)
        source = "search_documents d" + (" JOIN articles a ON a.id = d.article_id" if where else "")
        sql = (
            f"SELECT d.article_id, ts_rank({_WEIGHTS}, d.document, ({query})) AS r"
            f" FROM {source} WHERE {' AND '.join(conditions)}"
            " ORDER BY r DESC, d.article_id DESC LIMIT ?"
        )
        rows = self._through_gin(sql, [*qparams, *qparams, *params, limit])
        return [(int(r[0]), float(r[1])) for r in rows]

    def text_ranked(
        self, match: str, where: str, params: list[Any], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """The ranking and the count of all matches from one statement: ranking reads every
        match anyway, and counting them again was a second look at the GIN index and the
        rows (13-50 ms for a few thousand matches at a million articles)."""
        query, qparams = tsquery(match)
        conditions = [f"d.document @@ ({query})"] + ([where] if where else [])
        source = "search_documents d" + (" JOIN articles a ON a.id = d.article_id" if where else "")
        rows = self._through_gin(
            f"SELECT d.article_id, ts_rank({_WEIGHTS}, d.document, ({query})) AS r,"
            f" count(*) OVER () FROM {source} WHERE {' AND '.join(conditions)}"
            " ORDER BY r DESC, d.article_id DESC LIMIT ?",
            [*qparams, *qparams, *params, limit],
        )
        return [(int(r[0]), float(r[1])) for r in rows], (int(rows[0][2]) if rows else 0)

    def text_count(self, match: str, where: str, params: list[Any]) -> int:
        query, qparams = tsquery(match)
        source = "search_documents d" + (" JOIN articles a ON a.id = d.article_id" if where else "")
        sql = f"SELECT count(*) FROM {source} WHERE d.document @@ ({query})" + (
            f" AND {where}" if where else ""
        )
        return int(self._through_gin(sql, [*qparams, *params])[0][0])

    def _through_gin(self, sql: str, params: list[Any]) -> list[Any]:
        """Rows of a statement that finds articles by `document @@ tsquery`, planned so that
        the matches come from the GIN index (a bitmap scan) and never from a scan that
        tests `@@` row by row.

        A tsvector is mostly stored out of line (about 6 kB per article), and the planner
        counts `@@` as cheap: left alone it walks the primary key backwards for `ORDER BY
        article_id DESC LIMIT` or `article_id >= n` and reads every article's tsvector on
        the way (20,000 of them to find 1,000 matches of two common words: 150-300 ms at
        100,000 articles, 1.5 s for rarer pairs), or scans the whole table for a common
        word. The GIN index answers a query of words exactly without the tsvectors, so only
        the matches' own are read (by ts_rank). The settings last for this transaction only.
        """
        if self.conn.in_transaction:  # a caller's transaction: no settings to leak into it
            return self.conn.execute(sql, params).fetchall()
        with immediate(self.conn):
            self.conn.execute(_GIN_ONLY)
            return self.conn.execute(sql, params).fetchall()

    def snippets(self, match: str, ids: list[int]) -> dict[int, str]:
        raise NotImplementedError("snippets are chosen in Python (search/snippets.py)")

    def index_terms(self, words: list[str]) -> list[str]:
        """The index's own (stemmed) lexeme for each word; a stop word stays as it is."""
        out = []
        for word in words:
            row = self.conn.execute(
                "SELECT lexeme FROM unnest(to_tsvector('english', ?)) LIMIT 1", (word,)
            ).fetchone()
            out.append(str(row[0]) if row else word)
        return out

    def newest_threshold(self, match: str, count: int) -> int:
        """The id of the `count`th newest article matching (0 if fewer match), looked for
        among the newest ids first: a window of ids, widened eightfold until it holds
        `count` matches or covers every id. Each try meets the GIN index's matches with the
        primary key's range (both bitmaps, see _through_gin), so no tsvector is read: a
        dense match (a word in half the library) is found in the first few thousand ids,
        a sparse one in a few wider tries, never by reading tsvectors one by one."""
        query, qparams = tsquery(match)
        for since in self._id_windows(count):
            rows = self._through_gin(
                f"SELECT article_id FROM search_documents WHERE document @@ ({query})"
                f"{since} ORDER BY article_id DESC LIMIT 1 OFFSET ?",
                [*qparams, count - 1],
            )
            if rows:
                return int(rows[0][0])
        return 0

    def _id_windows(self, count: int, expected: int = 0) -> Iterator[str]:
        """Conditions on `article_id` for ever wider windows of the newest ids, the last
        one none (every article): the first holds THRESHOLD_WINDOW ids per match wanted,
        or, given `expected` matches in the library, WINDOW_MARGIN times the ids that
        should hold `count` of them; each next one is eight times wider."""
        newest = self.newest_id()
        if not newest:
            return
        window = count * THRESHOLD_WINDOW
        if expected > 0:
            share = min(1.0, expected / max(1, self.article_count()))
            window = max(window, int(count * WINDOW_MARGIN / share))
        while (low := newest - window + 1) > 1:
            yield f" AND article_id >= {low}"
            window *= 8
        yield ""  # ids start at 1: this window holds every article

    def newest_ranked(
        self, match: str, depth: int, count: int, expected: int = 0
    ) -> tuple[list[tuple[int, float]], int]:
        """The newest `count` matches found and ranked in one statement per window of ids.

        Each look at the GIN index reads the whole posting list of every word (a common
        word's is the costly part: tens of milliseconds at a million articles), whatever
        range of ids is asked for. Finding the threshold and then ranking from it looked
        twice or more; here one statement both takes the newest `count` matches of a
        window and ranks them, and the first window is sized from `expected` matches so
        that it usually holds `count` of them (with room to spare): one look, not three."""
        query, qparams = tsquery(match)
        rows: list[Any] = []
        for since in self._id_windows(count, expected):
            rows = self._through_gin(
                "WITH newest AS (SELECT article_id, document FROM search_documents"
                f" WHERE document @@ ({query}){since} ORDER BY article_id DESC LIMIT ?)"
                f" SELECT article_id, ts_rank({_WEIGHTS}, document, ({query})) AS r,"
                " count(*) OVER (), min(article_id) OVER () FROM newest"
                " ORDER BY r DESC, article_id DESC LIMIT ?",
                [*qparams, count, *qparams, depth],
            )
            if rows and int(rows[0][2]) >= count:
                return [(int(r[0]), float(r[1])) for r in rows], int(rows[0][3])
        return [(int(r[0]), float(r[1])) for r in rows], 0  # the last window: every match

    def newest_id(self) -> int:
        row = self.conn.execute("SELECT max(article_id) FROM search_documents").fetchone()
        return int(row[0] or 0)

    def term_documents(self, terms: Any) -> dict[str, int]:
        """How many articles contain each lexeme: estimated from the column's statistics
        when ANALYZE lists it among the most common elements, else counted (a GIN probe).

        Counting visits every row holding the lexeme: 150-350 ms for a word in a third of
        a million articles, paid on each new word of a search, where the engine only asks
        whether a word is in over a tenth of the articles or over `many_matches` of them; the
        statistics' share of rows answers that for the common words, which are the costly
        ones to count, and the rest are counted (few rows each).

        A stop word ('at', 'will') is never indexed and drops out of a tsquery, so it
        restricts nothing: it counts as in every article, as such a word is on SQLite (whose
        index keeps stop words). Counted as in none, it made a query of stop words and very
        common words ("at Go will") skip the engine's bounded ranking and rank every article
        containing "go" (half of them; 1.2 s at 100,000 articles)."""
        out = {}
        shares = self._common_lexemes()
        for term in terms:
            if term in shares:  # indexed, so not a stop word: no need to ask
                out[term] = round(shares[term] * self.article_count())
                continue
            stop = self.conn.execute(
                "SELECT numnode(plainto_tsquery('english', ?)) = 0", (term,)
            ).fetchone()[0]
            if stop:
                out[term] = self.article_count()
                continue
            row = self.conn.execute(
                "SELECT count(*) FROM search_documents WHERE document @@ quote_literal(?)::tsquery",
                (term,),
            ).fetchone()
            out[term] = int(row[0])
        return out

    def _common_lexemes(self) -> dict[str, float]:
        """{lexeme: share of articles holding it} for the lexemes ANALYZE keeps as the
        tsvector column's most common elements (empty before the first ANALYZE)."""

        def read() -> dict[str, float]:
            row = self.conn.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
                " WHERE tablename = 'search_documents' AND attname = 'document'"
                " AND schemaname = current_schema()"
            ).fetchone()
            if row is None or row[0] is None:
                return {}
            return dict(zip(row[0], (float(f) for f in row[1]), strict=False))

        return remembered(self.conn, "search_common_lexemes", read)

    def article_count(self) -> int:
        """Articles in the text index; remembered until the library's content changes (a
        count over every row is 15-25 ms at 100,000 articles, and each search asks)."""
        return remembered(
            self.conn,
            "search_article_count",
            lambda: int(self.conn.execute("SELECT count(*) FROM search_documents").fetchone()[0]),
        )

    def nearest_articles(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The HNSW index's candidates (several per result wanted), re-scored exactly."""
        if k <= 0:
            return []
        wanted = max(MIN_CANDIDATES, k * CANDIDATE_FACTOR)
        breadth = max(EF_SEARCH, wanted)
        session = (id(self.conn.raw), breadth)  # a session setting: no transaction to nest in
        if self._ef_search != session:  # (set again on a new session after a reconnect)
            self.conn.execute(f"SET hnsw.ef_search = {int(breadth)}")
            self._ef_search = session
        rows = self.conn.execute(
            "SELECT article_id, vector FROM vectors WHERE kind = 'article'"
            " AND embedding IS NOT NULL ORDER BY embedding <=> ?::vector LIMIT ?",
            (_vector_literal(vector), wanted),
        ).fetchall()
        return _rescored(vector, rows)[:k]

    def similarities(self, vector: np.ndarray, ids: list[int]) -> list[tuple[int, float]]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT article_id, vector FROM vectors WHERE kind = 'article'"
            f" AND dimensions = {VECTOR_DIMENSIONS} AND article_id IN ({marks})",
            ids,
        ).fetchall()
        return _rescored(vector, rows)

    def passage_texts(self, ids: list[int]) -> dict[int, list[str]]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            "SELECT a.id, distill_summary_text(s.sections), a.body FROM articles a"
            f" LEFT JOIN summaries s ON s.article_id = a.id WHERE a.id IN ({marks})",
            ids,
        )
        return {int(r[0]): [r[1] or "", r[2] or ""] for r in rows}

    def matching(self, match: str, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        query, qparams = tsquery(match)
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT article_id FROM search_documents WHERE document @@ ({query})"
            f" AND article_id IN ({marks})",
            [*qparams, *ids],
        )
        return {int(r[0]) for r in rows}

    def load_vectors(self) -> None:
        """Nothing to load: the vectors live in the database's index."""


def set_embedding(conn: Any, article_id: int, vector: np.ndarray) -> None:
    """The pgvector copy of an article vector the HNSW index covers (default model size)."""
    if len(vector) != VECTOR_DIMENSIONS:
        return
    conn.execute(
        "UPDATE vectors SET embedding = ?::vector WHERE article_id = ? AND kind = 'article'",
        (_vector_literal(vector), article_id),
    )


def _rescored(vector: np.ndarray, rows: list[Any]) -> list[tuple[int, float]]:
    """(article id, exact cosine similarity) best first, from the stored float32 bytes."""
    if not rows:
        return []
    ids = [int(r[0]) for r in rows]
    matrix = np.stack([np.frombuffer(r[1], dtype="<f4") for r in rows])
    query = vector.astype(np.float32)
    norms = np.linalg.norm(matrix, axis=1) * (np.linalg.norm(query) or 1.0)
    scores = matrix @ query / np.where(norms == 0, 1.0, norms)
    order = sorted(range(len(ids)), key=lambda i: (-float(scores[i]), ids[i]))
    return [(ids[i], float(scores[i])) for i in order]
