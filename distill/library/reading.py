"""Reading state as the pages, the /v1 API and the CLI use it: filters, marks, counts.

The SQL is in `store/reading.py` and the `is:` conditions in `store/filters.py`; this
module turns what a person typed (`is=unread`, "mark this category read") into them, and
says in words what it could not use. Marking is never a visit: trending and "most read"
count `article_visits` only.
"""

from __future__ import annotations

from ..store import Store
from ..store.filters import IS_VALUES, STATES, UNCATEGORIZED, ArticleFilter, split_is

__all__ = ["IS_VALUES", "STATES", "apply_is", "known_is", "set_state"]


def apply_is(filters: ArticleFilter, value: str) -> list[str]:
    """Narrow `filters` by `is` values (comma or space separated) and leave archived
    articles out unless asked for; return a note for each value not understood."""
    known, unknown = split_is(value or "")
    filters.is_ = known
    filters.hide_archived = True
    return [f"is:{v} is not one of {', '.join(IS_VALUES)}; ignored" for v in unknown]


def known_is(value: str) -> list[str]:
    return split_is(value or "")[0]


def set_state(store: Store, ids: list[int], state: str) -> int:
    """Mark articles unread, read or archived; returns how many changed."""
    return store.reading.set_state(ids, state)


def mark_opened(store: Store, article_id: int) -> bool:
    return store.reading.mark_opened(article_id)


def mark_all_read(store: Store, filters: ArticleFilter) -> int:
    """Mark every unread article a listing's filters select read (a whole category, say)."""
    return store.reading.mark_read_where(filters)


def unread_per_category(store: Store) -> dict[str, int]:
    """category -> unread count (remembered until the library's content changes)."""
    counts = store.remembered("unread_per_category", store.reading.unread_per_category)
    return {(name or UNCATEGORIZED): n for name, n in counts.items()}


def state_counts(store: Store) -> dict[str, int]:
    return store.remembered("state_counts", store.reading.state_counts)
