"""SQL for search: the FTS5 index, the vector index's entry points and article filters.

The indexes are kept in step by triggers (see schema/0200_search.sql), so this module only
reads them, checks that they agree with the articles, and rebuilds them on request.
Filters are a registry of small SQL builders keyed by name, so the category and technology
tables of the classification work plug in with one `register_filter` call each.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .vector_index import vector_index

# BM25 column weights: a word in the title says most about what an article is about, a word
# in the summary (chosen sentences) more than one somewhere in the body.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
VECTOR_DIMENSIONS = 384
# Highlight markers inside snippets; control characters never found in stored text, turned
# into escaped HTML or terminal styling by the caller.
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_TOKENS = 28

SqlFilter = Callable[[Any, str], tuple[str, list[Any]]]
_FILTERS: dict[str, SqlFilter] = {}


def register_filter(name: str, build: SqlFilter) -> None:
    """Let `name:value` restrict articles: build(conn, value) -> (SQL over alias a, params)."""
    _FILTERS[name] = build


def _table_exists(conn: Any, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')", (name,)
    ).fetchone()
    return row is not None


def _site(conn: Any, value: str) -> tuple[str, list[Any]]:
    site = value.lower().removeprefix("www.")
    return "(a.site = ? OR a.site LIKE '%.' || ?)", [site, site]


def _after(conn: Any, value: str) -> tuple[str, list[Any]]:
    return "a.published >= ?", [value]


def _before(conn: Any, value: str) -> tuple[str, list[Any]]:
    return "(a.published <> '' AND a.published < ?)", [value]


def _tech(conn: Any, value: str) -> tuple[str, list[Any]]:
    """Library tags (aliases folded to the canonical name) or the tags the source declared."""
    from ..taxonomy.technologies import load_technologies

    entry = load_technologies().lookup(value)
    name = entry.name if entry else value
    return (
        "(EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.removed = 0"
        " AND lower(t.tag) = lower(?))"
        " OR EXISTS (SELECT 1 FROM json_each(a.source_tags) t WHERE lower(t.value) = lower(?)))",
        [name, value],
    )


def _category(conn: Any, value: str) -> tuple[str, list[Any]]:
    return (
        "EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id"
        " AND c.category = lower(?))",
        [value],
    )


class FilterUnavailable(Exception):
    """A filter the library cannot apply (its data does not exist yet)."""


for _name, _build in (
    ("site", _site),
    ("after", _after),
    ("before", _before),
    ("tech", _tech),
    ("category", _category),
):
    register_filter(_name, _build)


def filter_sql(conn: Any, filters: dict[str, str]) -> tuple[str, list[Any]]:
    """AND of the filters' conditions over `articles a`; '' when there are none."""
    parts, params = [], []
    for name, value in filters.items():
        build = _FILTERS.get(name)
        if build is None:
            raise FilterUnavailable(f"unknown filter {name}:")
        sql, args = build(conn, value)
        parts.append(sql)
        params += args
    return " AND ".join(parts), params


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


def index_state(conn: Any) -> IndexState:
    """Counts and id sums on both sides; each read is an index or small-table scan."""

    def pair(sql: str) -> tuple[int, int]:
        row = conn.execute(sql).fetchone()
        return int(row[0]), int(row[1] or 0)

    vectors = vector_index(conn)
    return IndexState(
        articles=pair("SELECT count(*), sum(id) FROM articles"),
        fts=pair("SELECT count(*), sum(id) FROM search_fts_docsize"),
        vectors=pair(
            "SELECT count(*), sum(article_id) FROM vectors"
            f" WHERE kind = 'article' AND dimensions = {VECTOR_DIMENSIONS}"
        ),
        vec_index=(len(vectors), sum(vectors.row_of)),
    )


def rebuild(conn: Any) -> None:
    """Refill the full-text index from the articles and summaries, atomically, and reload
    this process's vector index from the stored vectors."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        conn.execute(
            "INSERT INTO search_fts(rowid, title, summary, body)"
            " SELECT id, title, summary, body FROM search_content"
        )
        conn.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    vector_index(conn, reload=True)


# ---- full text -----------------------------------------------------------------------------

_RANK = f"bm25(search_fts, {TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {BODY_WEIGHT})"


def text_hits(
    conn: Any, match: str, where: str, params: list[Any], limit: int, min_id: int = 0
) -> list[tuple[int, float]]:
    """(article id, score) best first; score is -bm25 (higher is better).

    `min_id` limits ranking to articles with ids from there on (FTS5 seeks to it).
    """
    if min_id:
        where = f"f.rowid >= {int(min_id)}" + (f" AND {where}" if where else "")
    if where:
        sql = (
            f"SELECT f.rowid, {_RANK} AS r FROM search_fts f JOIN articles a ON a.id = f.rowid"
            f" WHERE search_fts MATCH ? AND {where} ORDER BY r LIMIT ?"
        )
    else:
        sql = (
            f"SELECT rowid, {_RANK} AS r FROM search_fts"
            " WHERE search_fts MATCH ? ORDER BY r LIMIT ?"
        )
    return [(int(r[0]), -float(r[1])) for r in conn.execute(sql, [match, *params, limit])]


def text_count(conn: Any, match: str, where: str, params: list[Any]) -> int:
    if where:
        sql = (
            "SELECT count(*) FROM search_fts f JOIN articles a ON a.id = f.rowid"
            f" WHERE search_fts MATCH ? AND {where}"
        )
    else:
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?"
    return int(conn.execute(sql, [match, *params]).fetchone()[0])


def snippets(conn: Any, match: str, ids: list[int]) -> dict[int, str]:
    """The best-matching passage of each article (any column), matched words marked."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT rowid, snippet(search_fts, -1, ?, ?, '…', {SNIPPET_TOKENS}) FROM search_fts"
        f" WHERE search_fts MATCH ? AND rowid IN ({marks})",
        [MARK_START, MARK_END, match, *ids],
    )
    return {int(r[0]): str(r[1] or "") for r in rows}


_STEMMER_LOCK = threading.Lock()


def index_terms(conn: Any, words: list[str]) -> list[str]:
    """The index's own (porter-stemmed) term for each word, by the index's tokenizer.

    A per-connection TEMP FTS5 table with the same tokenizer is the only exact way to ask
    SQLite how it stems a word.
    """
    if not words:
        return []
    with _STEMMER_LOCK:
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stemmer USING fts5(x,"
            " tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_stemmer_terms"
            " USING fts5vocab(temp, search_stemmer, instance)"
        )
        conn.execute("DELETE FROM temp.search_stemmer")
        conn.executemany(
            "INSERT INTO temp.search_stemmer(rowid, x) VALUES (?, ?)", list(enumerate(words))
        )
        stems = dict(
            (int(r[0]), str(r[1]))
            for r in conn.execute("SELECT doc, term FROM temp.search_stemmer_terms")
        )
    return [stems.get(n, w) for n, w in enumerate(words)]


def newest_threshold(conn: Any, match: str, count: int) -> int:
    """The id such that `count` of the newest matching articles are at or above it; else 0."""
    row = conn.execute(
        "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
        " ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (match, count - 1),
    ).fetchone()
    return int(row[0]) if row else 0


def term_documents(conn: Any, terms: Iterable[str]) -> dict[str, int]:
    """How many articles contain each (stemmed) index term."""
    out = {}
    for term in terms:
        row = conn.execute("SELECT doc FROM search_fts_terms WHERE term = ?", (term,)).fetchone()
        out[term] = int(row[0]) if row else 0
    return out


def article_count(conn: Any) -> int:
    return int(conn.execute("SELECT count(*) FROM search_fts_docsize").fetchone()[0])


def filtered_ids(conn: Any, where: str, params: list[Any], cap: int) -> list[int]:
    """Ids of articles passing the filters, newest first, at most `cap`."""
    sql = f"SELECT a.id FROM articles a WHERE {where or '1'}"
    sql += " ORDER BY a.published DESC, a.id DESC LIMIT ?"
    return [int(r[0]) for r in conn.execute(sql, [*params, cap])]


def passing(conn: Any, ids: list[int], where: str, params: list[Any]) -> set[int]:
    """Which of these articles pass the filters."""
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    sql = f"SELECT a.id FROM articles a WHERE a.id IN ({marks}) AND {where or '1'}"
    return {int(r[0]) for r in conn.execute(sql, [*ids, *params])}


# ---- vectors -------------------------------------------------------------------------------


def nearest_articles(conn: Any, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(article id, cosine similarity) of the k nearest article vectors, exactly."""
    return vector_index(conn).nearest(vector, k)


def similarities(conn: Any, vector: np.ndarray, ids: list[int]) -> list[tuple[int, float]]:
    """Exact cosine similarity of the given articles' vectors (for small filtered sets)."""
    return vector_index(conn).similarities(vector, ids)


def section_vectors(conn: Any, article_ids: list[int]) -> dict[int, list[tuple[str, np.ndarray]]]:
    """Each article's (heading, vector) sections, from the stored vectors table."""
    if not article_ids:
        return {}
    marks = ",".join("?" * len(article_ids))
    out: dict[int, list[tuple[str, np.ndarray]]] = {}
    for row in conn.execute(
        "SELECT article_id, heading, vector FROM vectors WHERE kind = 'section'"
        f" AND dimensions = {VECTOR_DIMENSIONS} AND article_id IN ({marks})"
        " ORDER BY article_id, ordinal",
        article_ids,
    ):
        out.setdefault(int(row[0]), []).append((row[1], np.frombuffer(row[2], dtype="<f4")))
    return out


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


def article_cards(conn: Any, ids: list[int]) -> dict[int, ArticleCard]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        "SELECT a.id, a.title, coalesce(nullif(a.canonical_url, ''), a.url), a.site,"
        " a.published, substr(a.body, 1, 400), a.source_tags,"
        " (SELECT json_extract(s.sections, '$[0].lines[0].text') FROM summaries s"
        "  WHERE s.article_id = a.id)"
        f" FROM articles a WHERE a.id IN ({marks})",
        ids,
    )
    cards = {}
    for r in rows:
        cards[int(r[0])] = ArticleCard(
            id=int(r[0]),
            title=r[1],
            url=r[2] or "",
            site=r[3],
            date=r[4],
            lead=r[7] or r[5] or "",
            tags=[str(t) for t in json.loads(r[6] or "[]")],
        )
    return cards


TechnologyReader = Callable[[Any, list[int]], dict[int, set[str]]]


def _library_tags(conn: Any, ids: list[int]) -> dict[int, set[str]]:
    """The technology tags classification (or the user) gave each article, plus the tags
    the source itself declared."""
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT article_id, tag FROM article_tags WHERE removed = 0 AND article_id IN ({marks})",
        ids,
    )
    found: dict[int, set[str]] = {i: set() for i in ids}
    for article_id, tag in rows:
        found[int(article_id)].add(str(tag))
    declared = conn.execute(f"SELECT id, source_tags FROM articles WHERE id IN ({marks})", ids)
    for article_id, tags in declared:
        found[int(article_id)].update(str(t) for t in json.loads(tags or "[]"))
    return found


_technology_reader: TechnologyReader = _library_tags


def register_technologies(reader: TechnologyReader) -> None:
    """Where "shared technologies" come from: reader(conn, ids) -> {id: names}."""
    global _technology_reader
    _technology_reader = reader


def article_technologies(conn: Any, ids: list[int]) -> dict[int, set[str]]:
    return _technology_reader(conn, ids) if ids else {}


def passage_texts(conn: Any, ids: list[int]) -> dict[int, list[str]]:
    """(summary text, body) of each article, for choosing a snippet."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, summary, body FROM search_content WHERE id IN ({marks})", ids)
    return {int(r[0]): [r[1] or "", r[2] or ""] for r in rows}


def article_exists(conn: Any, article_id: int) -> bool:
    return conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def stored_article_vector(conn: Any, article_id: int) -> np.ndarray | None:
    row = conn.execute(
        "SELECT vector FROM vectors WHERE article_id = ? AND kind = 'article'"
        f" AND dimensions = {VECTOR_DIMENSIONS}",
        (article_id,),
    ).fetchone()
    return np.frombuffer(row[0], dtype="<f4") if row else None
