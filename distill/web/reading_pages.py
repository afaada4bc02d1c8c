"""Reading state on the web pages: the `is` filter tabs and the forms that mark articles.

Every action is a CSRF-checked form that redirects back (so it works without JavaScript);
app.js submits the same forms from the keys m (read/unread), e (archive) and s (star).
"""

from __future__ import annotations

from typing import Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from ..library import reading
from ..store.filters import ArticleFilter
from . import queries, rendering
from .common import ArticleId, library

# The tabs over a category or technology list: label -> `is` value ('' = the default list).
STATE_TABS = (
    ("All", ""),
    ("Unread", "unread"),
    ("Read", "read"),
    ("Starred", "starred"),
    ("Archived", "archived"),
)
MAX_MARK_IDS = 500  # "mark this page read" sends the page's ids; pages hold at most 100


def is_param(value: str) -> tuple[str, list[str]]:
    """(the understood values joined by commas, a note per value not understood)."""
    filters = ArticleFilter()
    notes = reading.apply_is(filters, value)
    return ",".join(reading.known_is(value)), notes


def listing_context(scope: str, name: str, shown: str, notes: list[str]) -> dict[str, Any]:
    return {
        "state_tabs": STATE_TABS,
        "is_value": shown,
        "notes": notes,
        "mark_scope": scope,
        "mark_name": name,
    }


def set_state(
    request: Request,
    article_id: ArticleId,
    csrf: str = Form(""),
    state: str = Form(""),
    next: str = Form(""),
) -> Response:
    rendering.check_form(request, csrf)
    reading.set_state(library(request).store, [article_id], state)
    return RedirectResponse(rendering.local_path(next, f"/articles/{article_id}"), status_code=303)


def mark_all_read(
    request: Request,
    csrf: str = Form(""),
    scope: str = Form(""),
    name: str = Form("", max_length=200),
    ids: str = Form("", max_length=12_000),
    next: str = Form(""),
) -> Response:
    """Mark read either the listed ids (this page) or a whole category or technology."""
    rendering.check_form(request, csrf)
    lib = library(request)
    if ids:
        try:
            wanted = [int(i) for i in ids.split(",") if i.strip()][:MAX_MARK_IDS]
        except ValueError:
            raise queries.BadRequest("ids must be article ids separated by commas") from None
        reading.mark_all_read(lib.store, ArticleFilter(ids=wanted))
    elif scope in ("category", "tech") and name:
        filters = (
            queries.build_filters(lib, category=name)
            if scope == "category"
            else queries.build_filters(lib, tech=name)
        )
        reading.mark_all_read(lib.store, filters)
    else:
        raise queries.BadRequest("say what to mark: ids, or a category or technology name")
    fallback = f"/category/{name}" if scope == "category" else f"/tech/{name}"
    return RedirectResponse(rendering.local_path(next, fallback), status_code=303)
