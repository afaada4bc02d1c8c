"""Removing an article from the web: a confirmation page, then a CSRF-checked POST.

The confirmation is a page of its own rather than a script dialog, so it works without
JavaScript and a stray click on the article page never removes anything.
"""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from . import queries, rendering
from .common import ArticleId, library


def confirm(request: Request, article_id: ArticleId) -> HTMLResponse:
    rendering.guard(request)
    detail = queries.article_detail(library(request), article_id)
    return rendering.render(request, "remove.html", a=detail)


def remove(request: Request, article_id: ArticleId, csrf: str = Form("")) -> Response:
    rendering.check_form(request, csrf)
    queries.delete_article(library(request), article_id)
    return RedirectResponse(f"/?removed={article_id}", status_code=303)
