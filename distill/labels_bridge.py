"""Where the web meets features built in parallel: categories, technologies, search, related.

Each function answers from the feature's own module when it exists and from what the core
store has when it does not (every article "uncategorized", substring search, related by
stored vectors), so pages and API keep one shape while the rest of Distill lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import InputError, NotFound
from .store import weblabels as labels_sql

UNCATEGORIZED = "uncategorized"
# True once categories/technology tags exist (issue 4): pages then offer corrections.
LABELS_AVAILABLE = True
# True once feeds exist (issue 7): the add page then offers "add a feed".
FEEDS_AVAILABLE = True


@contextmanager
def _tx(conn: Any) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT on the store's autocommit connection."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _taxonomy(conn: Any) -> Any:
    """The library's taxonomy (default + <home>/categories.yaml next to the database)."""
    from pathlib import Path

    from .categories import load_taxonomy

    row = conn.execute("PRAGMA database_list").fetchone()
    home = Path(row[2]).parent if row and row[2] else None
    key = str(home)
    if key not in _TAXONOMIES:
        _TAXONOMIES[key] = load_taxonomy(home)
    return _TAXONOMIES[key]


_TAXONOMIES: dict[str, Any] = {}


def categories(conn: Any) -> list[dict[str, Any]]:
    """[{name, description, count}] for every category with at least one article."""
    counts = labels_sql.category_counts(conn)
    taxonomy = _taxonomy(conn)
    out = []
    for cat in taxonomy.categories:
        if counts.get(cat.name):
            out.append(
                {"name": cat.name, "description": cat.description, "count": counts[cat.name]}
            )
    for name, count in sorted(counts.items()):
        if taxonomy.get(name) is None and count:
            out.append({"name": name, "description": "", "count": count})
    left = labels_sql.uncategorized_count(conn)
    if left:
        out.append(
            {
                "name": UNCATEGORIZED,
                "description": "Articles not filed under a category yet.",
                "count": left,
            }
        )
    out.sort(key=lambda c: -int(c["count"]))
    return out


def taxonomy_names(conn: Any) -> list[str]:
    """Every category a user may file an article under (the library's taxonomy)."""
    return list(_taxonomy(conn).names)


def category_filter(conn: Any, name: str) -> list[tuple[str, list[Any]]]:
    """SQL conditions (on alias `a`) selecting the category's articles; NotFound if unknown."""
    if name == UNCATEGORIZED:
        return [
            (
                "NOT EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id)",
                [],
            )
        ]
    if name not in _taxonomy(conn).names and not labels_sql.has_category(conn, name):
        raise NotFound(f"no category named {name!r}")
    return [
        (
            "EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id"
            " AND c.category = ?)",
            [name],
        )
    ]


def tech_filter(conn: Any, name: str) -> list[tuple[str, list[Any]]]:
    if not labels_sql.tag_count(conn, name):
        raise NotFound(f"no technology named {name!r}")
    return [
        (
            "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id AND t.tag = ?"
            " AND t.removed = 0)",
            [name],
        )
    ]


def labels_for(conn: Any, ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """id -> (category, technology tags)."""
    from .store import labels as store_labels

    found = store_labels.labels_for(conn, ids)
    return {i: (found[i].category or UNCATEGORIZED, list(found[i].tags)) for i in ids}


def set_category(conn: Any, article_id: int, category: str) -> None:
    """A user's correction: stored as a 'user' row that automatic passes never change."""
    from .store import labels as store_labels

    category = category.strip()
    if category == UNCATEGORIZED or category not in set(_taxonomy(conn).names):
        known = ", ".join(_taxonomy(conn).names)
        raise InputError(f"no category named {category!r}; known: {known}")
    with _tx(conn):
        store_labels.set_user_category(conn, article_id, category)


def set_tags(conn: Any, article_id: int, tags: list[str]) -> None:
    """Make the article's tags exactly `tags` (user rows: additions and removals)."""
    from .store import labels as store_labels

    clean = []
    for tag in tags:
        tag = " ".join(tag.split())
        if not tag or len(tag) > 100:
            raise InputError(f"tag {tag[:40]!r}: a tag is 1 to 100 characters")
        clean.append(store_labels.known_tag(conn, tag) or tag)
    current = labels_for(conn, [article_id])[article_id][1]
    wanted = list(dict.fromkeys(clean))
    with _tx(conn):
        store_labels.edit_tags(
            conn,
            article_id,
            [t for t in wanted if t not in current],
            [t for t in current if t not in wanted],
        )


def _tech_info(name: str, conn: Any) -> dict[str, Any]:
    from .technologies import load_technologies

    row = conn.execute("PRAGMA database_list").fetchone()
    known = load_technologies(str(__import__("pathlib").Path(row[2]).parent) if row else None)
    entry = known.by_name.get(name)
    return {"kind": entry.kind if entry else "", "category": entry.category if entry else ""}


def technologies(conn: Any, limit: int) -> list[dict[str, Any]]:
    from .store import labels as store_labels

    return [{"name": n, "count": c} for n, c in store_labels.tag_counts(conn)[:limit]]


def technology(conn: Any, name: str) -> dict[str, Any]:
    count = labels_sql.tag_count(conn, name)
    if not count:
        raise NotFound(f"no technology named {name!r}")
    related = [{"name": n, "count": c} for n, c in labels_sql.co_tags(conn, name)]
    return {"name": name, "count": count, "related": related, **_tech_info(name, conn)}


def category_months(conn: Any) -> dict[str, list[tuple[str, int]]]:
    """category -> [(YYYY-MM, count)] for the chart of articles per category over time."""
    out: dict[str, list[tuple[str, int]]] = {}
    for category, month, count in labels_sql.category_months(conn):
        out.setdefault(category or UNCATEGORIZED, []).append((month, count))
    return out


def rising_technologies(conn: Any, limit: int = 8) -> dict[str, list[tuple[str, int]]]:
    """tag -> [(YYYY-MM, count)] for the tags whose recent share grew most.

    "Recent" is the last 12 months with articles; growth compares a tag's count there with
    its count in the 12 months before, so a tag new to the library ranks by its recent count.
    """
    rows = labels_sql.tag_months(conn)
    months = sorted({m for _, m, _ in rows})
    if not months:
        return {}
    recent, before = set(months[-12:]), set(months[-24:-12])
    series: dict[str, list[tuple[str, int]]] = {}
    score: dict[str, float] = {}
    for tag, month, count in rows:
        series.setdefault(tag, []).append((month, count))
        if month in recent:
            score[tag] = score.get(tag, 0.0) + count
        elif month in before:
            score[tag] = score.get(tag, 0.0) - count
    top = sorted((t for t in score if score[t] > 0), key=lambda t: (-score[t], t))[:limit]
    return {t: series[t] for t in top}


def search(
    store: Any, query: str, filters: dict[str, str], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int, str]:
    """([{id, score, snippet}], total, message) from the search module, with the label
    filters registered."""
    from .search import search as search_library  # `from . import search` is the function

    _register_label_filters()
    found = search_library(store, query, limit=offset + limit, filters=filters)
    hits = [
        {"id": h.id, "score": h.score, "snippet": h.snippet}
        for h in found.results[offset : offset + limit]
    ]
    return hits, int(found.total), found.message


def _register_label_filters() -> None:
    """Give the search module's `category:` and `tech:` filters the classify labels.

    The search module ships those filters as placeholders (it was built before labels
    existed, and `tech` read the source's own tags); its registry lets us replace them.
    """
    from .store import search_index as index

    def builder(kind: str) -> Any:
        def build(conn: Any, value: str) -> tuple[str, list[Any]]:
            try:
                conds = (
                    category_filter(conn, value) if kind == "category" else tech_filter(conn, value)
                )
            except NotFound as exc:
                raise index.FilterUnavailable(str(exc)) from exc
            sql_text = " AND ".join(c for c, _ in conds) or "1"
            return sql_text, [p for _, params in conds for p in params]

        return build

    index.register_filter("category", builder("category"))
    index.register_filter("tech", builder("tech"))


def related(store: Any, article_id: int, limit: int) -> list[tuple[int, str]]:
    """[(id, reason)] from the related module, reasons joined for one line."""
    from .related import related as find_related

    found = find_related(store, article_id, limit)
    return [
        (r.id, "; ".join(x.text for x in r.reasons) or f"similar ({r.score:.2f})")
        for r in found.results
    ]
