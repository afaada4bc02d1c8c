"""The one card reader: what a listing, a search result or a related article shows of an
article, read by one SELECT for the few articles shown (never the blocks; of the body only
its opening is kept), so a page of cards stays cheap on a 100,000-article library.

Web listings and /v1 get the card as a dict (`card_from_row`); search and related turn the
same row into their lean `ArticleCard` (search_index.py).
"""

from __future__ import annotations

import json
from typing import Any

CARD_SELECT = (
    "SELECT a.id, a.title, a.url, a.canonical_url, a.site, a.published, a.created_at,"
    " a.word_count, a.authors, s.sections AS s_sections, s.backend AS s_backend,"
    " s.version AS s_version, (st.article_id IS NOT NULL) AS starred,"
    " coalesce(r.views, 0) AS views, coalesce(rs.state, 'unread') AS state,"
    " substr(a.body, 1, 400) AS body_start, a.source_tags"
    " FROM articles a"
    " LEFT JOIN summaries s ON s.article_id = a.id"
    " LEFT JOIN stars st ON st.article_id = a.id"
    " LEFT JOIN article_reads r ON r.article_id = a.id"
    " LEFT JOIN reading_state rs ON rs.article_id = a.id"
)


def card_from_row(row: Any) -> dict[str, Any]:
    """A card: what a listing shows of one article (summary sections parsed)."""
    sections = json.loads(row["s_sections"]) if row["s_sections"] else None
    return {
        "id": int(row["id"]),
        "title": row["title"],
        "url": row["canonical_url"] or row["url"],
        "site": row["site"],
        "date": row["published"],
        "created_at": row["created_at"],
        "words": int(row["word_count"]),
        "authors": json.loads(row["authors"]),
        "starred": bool(row["starred"]),
        "views": int(row["views"]),
        "state": row["state"],
        "summary": None
        if sections is None
        else {
            "backend": {"name": row["s_backend"], "version": row["s_version"]},
            "sections": sections,
        },
    }


def card_rows(conn: Any, ids: list[int]) -> list[Any]:
    """The card rows of these articles (any order; unknown ids are left out)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return list(conn.execute(CARD_SELECT + f" WHERE a.id IN ({marks})", ids).fetchall())


def lead_of(row: Any) -> str:
    """The first summary line, else the opening of the body."""
    sections = json.loads(row["s_sections"]) if row["s_sections"] else []
    lines = sections[0].get("lines", []) if sections else []
    first = lines[0].get("text", "") if lines else ""
    return str(first or row["body_start"] or "")
