"""One definition of "which articles": listings, search, Atom feeds and the CLI share it.

Every narrowing a user can ask for (site, dates, category, technology, starred) is one field
here and one SQL condition over `articles a`, so `category:databases` in a search, the
databases page and `/v1/articles?category=databases` select exactly the same articles.
Names arrive already resolved (a technology's aliases folded to its canonical name by the
caller, which knows the technology list); this module only speaks SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNCATEGORIZED = "uncategorized"  # the category of an article not filed under one yet
STATES = ("unread", "read", "archived")  # reading state (migration 0320)
# What `is:` accepts: the three states plus starred (stars live in their own table).
IS_VALUES = (*STATES, "starred")
# An article without a `reading_state` row is unread, so new articles need no write and
# an unread filter is one primary-key probe per candidate row.
_IS_SQL = {
    "unread": "NOT EXISTS (SELECT 1 FROM reading_state rs WHERE rs.article_id = a.id)",
    "read": "EXISTS (SELECT 1 FROM reading_state rs WHERE rs.article_id = a.id"
    " AND rs.state = 'read')",
    "archived": "EXISTS (SELECT 1 FROM reading_state rs WHERE rs.article_id = a.id"
    " AND rs.state = 'archived')",
    "starred": "EXISTS (SELECT 1 FROM stars sx WHERE sx.article_id = a.id)",
}
NOT_ARCHIVED = (
    "NOT EXISTS (SELECT 1 FROM reading_state rs WHERE rs.article_id = a.id"
    " AND rs.state = 'archived')"
)


def split_is(value: str) -> tuple[list[str], list[str]]:
    """('unread,starred' or 'unread starred') -> (known values, unknown values)."""
    parts = [p.strip().lower() for p in value.replace(" ", ",").split(",") if p.strip()]
    known = [p for p in dict.fromkeys(parts) if p in IS_VALUES]
    return known, [p for p in parts if p not in IS_VALUES]


@dataclass
class ArticleFilter:
    """What a listing or a search is narrowed by; empty values mean no narrowing."""

    site: str = ""
    after: str = ""  # YYYY-MM-DD (or a prefix): published on or after
    before: str = ""  # published strictly before; undated articles never match
    added_since: str = ""  # YYYY-MM-DD: added to the library on or after
    category: str = ""  # a stored category, or UNCATEGORIZED for articles without one
    tech: str = ""  # a library tag (compared without case), aliases already folded
    starred: bool | None = None
    ids: list[int] | None = None  # restrict to these articles
    is_: list[str] = field(default_factory=list)  # IS_VALUES that must all hold
    hide_archived: bool = False  # default lists leave archived articles out; search does not

    def conditions(self) -> tuple[list[str], list[Any]]:
        """(SQL conditions over alias `a`, their parameters), to be joined with AND."""
        where: list[str] = []
        params: list[Any] = []
        if self.site:
            site = self.site.lower().removeprefix("www.")
            where.append("(a.site = ? OR a.site LIKE '%.' || ?)")
            params += [site, site]
        if self.after:
            where.append("a.published >= ?")
            params.append(self.after)
        if self.before:
            where.append("(a.published <> '' AND a.published < ?)")
            params.append(self.before)
        if self.added_since:
            where.append("a.created_at >= ?")
            params.append(self.added_since)
        if self.category == UNCATEGORIZED:
            where.append(
                "NOT EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id)"
            )
        elif self.category:
            where.append(
                "EXISTS (SELECT 1 FROM article_categories c WHERE c.article_id = a.id"
                " AND c.category = ?)"
            )
            params.append(self.category.lower())
        if self.tech:
            where.append(
                "EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = a.id"
                " AND t.removed = 0 AND lower(t.tag) = lower(?))"
            )
            params.append(self.tech)
        if self.starred is not None:
            exists = "EXISTS (SELECT 1 FROM stars sf WHERE sf.article_id = a.id)"
            where.append(exists if self.starred else "NOT " + exists)
        where += [_IS_SQL[v] for v in self.is_]
        if self.hide_archived and "archived" not in self.is_:
            where.append(NOT_ARCHIVED)
        if self.ids is not None:
            where.append(f"a.id IN ({','.join('?' * len(self.ids))})" if self.ids else "1 = 0")
            params += self.ids
        return where, params

    def clause(self) -> tuple[str, list[Any]]:
        """' WHERE ...' (or '') and its parameters."""
        where, params = self.conditions()
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def sql(self) -> tuple[str, list[Any]]:
        """The conditions joined with AND ('' when there are none)."""
        where, params = self.conditions()
        return " AND ".join(where), params
