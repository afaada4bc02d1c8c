"""Where the web meets features built in parallel: categories, technologies, search, related.

Each function answers from the feature's own module when it exists and from what the core
store has when it does not (every article "uncategorized", substring search, related by
stored vectors), so pages and API keep one shape while the rest of Distill lands.
"""

from __future__ import annotations

import html
import importlib
import importlib.util
import re
from typing import Any

import numpy as np

from .errors import InputError, NotFound
from .store import web as sql
from .store.vectors import all_article_vectors, article_vector

UNCATEGORIZED = "uncategorized"
# True once categories/technology tags exist (issue 4): pages then offer corrections.
LABELS_AVAILABLE = False
# True once feeds exist (issue 7): the add page then offers "add a feed".
FEEDS_AVAILABLE = True
SNIPPET_CHARS = 220  # about two lines of a card


def categories(conn: Any) -> list[dict[str, Any]]:
    """[{name, description, count}] for every category with at least one article."""
    total = sql.total_articles(conn)
    if not total:
        return []
    return [
        {
            "name": UNCATEGORIZED,
            "description": "Articles not filed under a category yet.",
            "count": total,
        }
    ]


def category_names(conn: Any) -> set[str]:
    return {c["name"] for c in categories(conn)}


def category_filter(conn: Any, name: str) -> list[tuple[str, list[Any]]]:
    """SQL conditions (on alias `a`) selecting the category's articles; NotFound if unknown."""
    if name == UNCATEGORIZED:
        return []
    raise NotFound(f"no category named {name!r}")


def tech_filter(conn: Any, name: str) -> list[tuple[str, list[Any]]]:
    raise NotFound(f"no technology named {name!r}")


def labels_for(conn: Any, ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """id -> (category, technology tags)."""
    return {i: (UNCATEGORIZED, []) for i in ids}


def set_category(conn: Any, article_id: int, category: str) -> None:
    if category != UNCATEGORIZED:
        raise InputError(f"no category named {category!r}")


def set_tags(conn: Any, article_id: int, tags: list[str]) -> None:
    if tags:
        raise InputError("technology tags are not available in this library yet")


def technologies(conn: Any, limit: int) -> list[dict[str, Any]]:
    return []


def technology(conn: Any, name: str) -> dict[str, Any]:
    raise NotFound(f"no technology named {name!r}")


def category_months(conn: Any) -> dict[str, list[tuple[str, int]]]:
    """category -> [(YYYY-MM, count)] for the chart of articles per category over time."""
    months = sql.articles_per_month(conn)
    return {UNCATEGORIZED: months} if months else {}


_WORD = re.compile(r"[\w][\w.+#-]*", re.UNICODE)


def _module(name: str) -> Any:
    """A sibling feature module if this install has it (search, related), else None."""
    if importlib.util.find_spec(f"distill.{name}") is None:
        return None
    return importlib.import_module(f"distill.{name}")


def search(
    store: Any, query: str, filters: dict[str, str], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int, str]:
    """([{id, score, snippet}], total, message). Full-text/meaning search when the search
    module exists; until then substring matching over title and text."""
    engine = _module("search")
    if engine is not None:
        found = engine.search(store, query, limit=offset + limit, filters=filters)
        hits = [
            {"id": h.id, "score": h.score, "snippet": h.snippet}
            for h in found.results[offset : offset + limit]
        ]
        return hits, int(found.total), found.message
    conn = store.conn
    words = [w.lower() for w in _WORD.findall(query)][:8]
    ids, total = sql.search_like(conn, words, limit, offset)
    hits = [
        {"id": i, "score": None, "snippet": snippet(sql.article_body(conn, i), words)} for i in ids
    ]
    return hits, total, ""


def snippet(text: str, words: list[str]) -> str:
    """An escaped passage around the first match with every match wrapped in <mark>."""
    lower = text.lower()
    positions = [p for p in (lower.find(w) for w in words) if p >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    piece = text[start : start + SNIPPET_CHARS]
    if start > 0:
        cut = piece.find(" ")
        piece = "…" + (piece[cut + 1 :] if 0 <= cut < 30 else piece)
    if start + SNIPPET_CHARS < len(text):
        piece += "…"
    escaped = html.escape(" ".join(piece.split()))
    if not words:
        return escaped
    pattern = re.compile("|".join(re.escape(html.escape(w)) for w in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


_VECTORS: dict[int, tuple[list[int], np.ndarray]] = {}


def related(store: Any, article_id: int, limit: int) -> list[tuple[int, str]]:
    """[(id, reason)]: the related module's answer when it exists, else nearest by stored
    article vectors (empty when the library has none)."""
    finder = _module("related")
    if finder is not None:
        found = finder.related(store, article_id, limit)
        return [
            (r.id, "; ".join(x.text for x in r.reasons) or f"similar ({r.score:.2f})")
            for r in found.results
        ]
    conn = store.conn
    mine = article_vector(conn, article_id)
    if mine is None:
        return []
    count = conn.execute("SELECT count(*) FROM vectors WHERE kind = 'article'").fetchone()[0]
    if count not in _VECTORS:
        _VECTORS.clear()
        _VECTORS[count] = all_article_vectors(conn)
    ids, matrix = _VECTORS[count]
    if not ids or matrix.shape[1] != len(mine):
        return []
    scores = matrix @ mine
    order = np.argsort(-scores)
    out = []
    for index in order[: limit + 1]:
        if ids[index] != article_id:
            out.append((ids[index], f"similar text ({scores[index]:.2f})"))
    return out[:limit]
