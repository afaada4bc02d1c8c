"""Server-rendered HTML pages: each handler asks `distill.queries` and fills one template.

Every page works without JavaScript: forms post (with a CSRF field) and redirect back, and
a summary line is a link that opens its source passage highlighted by the server.
"""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..classify import overview
from ..errors import DistillError, InputError
from ..ingest.contain import run_contained
from ..ingest.extract import FORMAT_BY_SUFFIX, extract
from ..ingest.pipeline import IngestResult, ingest
from ..ingest.sources import Source, url_source
from ..library import reading
from ..models import Document
from ..store import web_state as sql
from . import charts, queries, reading_pages, security
from .adding import off_page_threads
from .common import (
    ApiError,
    ArticleId,
    check_write_rate,
    library,
    token_owner,
)
from .rendering import check_form, guard, local_path, render

# Highest page number a listing accepts: past it is past the end of any library, and a
# larger number (10**20) would overflow SQLite's 64-bit OFFSET.
MAX_PAGE = 10_000
SORT_LABELS = {"newest": "Newest", "oldest": "Oldest", "most_read": "Most read"}
_HL = re.compile(r"^(\d{1,6}):(\d{1,9}):(\d{1,9})$")


# --- reading --------------------------------------------------------------------------------


def home(request: Request) -> HTMLResponse:
    guard(request)
    data = queries.home(library(request))
    return render(
        request,
        "home.html",
        data=data,
        month_chart=charts.category_months(data["category_months"]),
        rising_chart=charts.category_months(
            data["rising"], "Rising technologies: tagged articles per month", "rt"
        ),
        tech_chart=charts.top_bars(data["technologies"][:10], "/tech/"),
    )


def category(
    request: Request,
    name: str,
    sort: str = "newest",
    page: int = 1,
    is_: str = Query("", alias="is", max_length=100),
) -> HTMLResponse:
    guard(request)
    return _listing_page(request, "category", name, sort, page, is_)


def _listing_page(
    request: Request, kind: str, name: str, sort: str, page: int, is_: str, **extra: Any
) -> HTMLResponse:
    """A category or technology page: one filter (`kind` is "category" or "tech"), sorted,
    paged, with the reading-state tabs; both pages are the same listing."""
    lib = library(request)
    shown, notes = reading_pages.is_param(is_)
    if kind == "category":
        filters = queries.build_filters(lib, category=name, is_=shown)
    else:
        filters = queries.build_filters(lib, tech=name, is_=shown)
    if sort not in sql.SORTS:
        sort = "newest"
    page = max(1, min(page, MAX_PAGE))
    listing = queries.listing(lib, filters, sort, page, queries.PER_PAGE)
    return render(
        request,
        "category.html" if kind == "category" else "technology.html",
        name=name,
        listing=listing,
        sorts=SORT_LABELS,
        page_links=_page_links(listing.page, listing.pages),
        base=f"/{kind}/{name}",
        feed=f"/feeds/{kind}/{name}.atom",
        **reading_pages.listing_context(kind, name, shown, notes),
        **extra,
    )


def _page_links(current: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: None marks a gap."""
    show = {1, pages, *range(current - 2, current + 3)}
    out: list[int | None] = []
    for number in sorted(n for n in show if 1 <= n <= pages):
        last = out[-1] if out else None
        if last is not None and number - last > 1:
            out.append(None)
        out.append(number)
    return out


def article(request: Request, article_id: ArticleId, hl: str = "") -> HTMLResponse:
    guard(request)
    lib = library(request)
    visitor = queries.visitor_id(
        lib, request.client.host if request.client else "", request.headers.get("user-agent", "")
    )
    if queries.article_exists(lib, article_id):
        queries.record_view(lib, article_id, visitor)
        # Opening marks read (not a visit: trending counts views only), except right after
        # the reader set the state here themselves ("Mark unread" redirects with marked=1).
        if "marked" not in request.query_params:
            reading.mark_opened(lib.store, article_id)
    detail = queries.article_detail(lib, article_id)
    highlight = None
    match = _HL.match(hl)
    if match:
        block, start, end = (int(x) for x in match.groups())
        if block < len(detail["blocks"]) and start < end <= len(detail["blocks"][block]["text"]):
            highlight = (block, start, end)
    return render(
        request,
        "article.html",
        a=detail,
        related=queries.related(lib, article_id, 5, cached=True),
        highlight=highlight,
        categories=[{"name": n} for n in overview.taxonomy(lib.settings.home).names],
    )


def technology(
    request: Request,
    name: str,
    sort: str = "newest",
    page: int = 1,
    is_: str = Query("", alias="is", max_length=100),
) -> HTMLResponse:
    guard(request)
    tech = queries.technology(library(request), name)
    return _listing_page(request, "tech", name, sort, page, is_, tech=tech)


def search(
    request: Request,
    q: str = "",
    category: str = "",
    tech: str = "",
    site: str = "",
    after: str = "",
    before: str = "",
    page: int = 1,
) -> HTMLResponse:
    guard(request)
    lib = library(request)
    page = max(1, min(page, 1000))
    per_page = queries.PER_PAGE
    filters = {"category": category, "tech": tech, "site": site, "after": after, "before": before}
    error = ""
    found: dict[str, Any] = {"query": q, "total": 0, "results": [], "message": ""}
    try:
        for key in ("after", "before"):
            queries.check_date(filters[key], key)
        found = queries.search(
            lib, q, {k: v for k, v in filters.items() if v}, per_page, (page - 1) * per_page
        )
    except DistillError as exc:
        error = str(exc)
    pages = max(1, math.ceil(found["total"] / per_page))
    args = {k: v for k, v in {"q": q, **filters}.items() if v}
    return render(
        request,
        "search.html",
        q=q,
        filters=filters,
        found=found,
        error=error,
        page=page,
        page_links=_page_links(page, pages),
        page_base="/search?" + urlencode(args),
        categories=queries.categories(lib),
        status=400 if error else 200,
    )


# --- writing --------------------------------------------------------------------------------


def star(
    request: Request,
    article_id: ArticleId,
    csrf: str = Form(""),
    starred: str = Form("1"),
    next: str = Form(""),
) -> Response:
    check_form(request, csrf)
    queries.set_starred(library(request), article_id, starred == "1")
    target = local_path(next, f"/articles/{article_id}")
    return RedirectResponse(target, status_code=303)


def labels(
    request: Request,
    article_id: ArticleId,
    csrf: str = Form(""),
    category: str = Form(""),
    tags: str = Form(""),
) -> Response:
    check_form(request, csrf)
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    queries.update_labels(library(request), article_id, category or None, tag_list)
    return RedirectResponse(f"/articles/{article_id}", status_code=303)


async def add(
    request: Request,
    csrf: str = Form(""),
    url: str = Form("", max_length=4096),
    file: UploadFile | None = None,
) -> Response:
    """Runs on the adds' own threads (web/adding.py), never on a page handler's."""
    upload: tuple[str, bytes] | None = None
    if not url.strip() and file is not None and file.filename:
        max_bytes = library(request).settings.max_bytes
        upload = (file.filename, await file.read(max_bytes + 1))
    return await off_page_threads(_add, request, csrf, url, upload)


def _add(request: Request, csrf: str, url: str, upload: tuple[str, bytes] | None) -> Response:
    check_form(request, csrf)
    lib = library(request)
    try:
        source = _page_source(url.strip(), upload, lib.settings.max_bytes)
    except InputError as exc:
        return render(request, "add.html", status=422, error=str(exc), url=url)
    result: IngestResult = ingest(source, lib.store, lib.settings)
    if result.status == "failed":
        return render(request, "add.html", status=422, error=result.error or "failed", url=url)
    target = result.id if result.status == "added" else result.duplicate_of
    note = "added" if result.status == "added" else "duplicate"
    return RedirectResponse(f"/articles/{target}?note={note}", status_code=303)


def _page_source(url: str, upload: tuple[str, bytes] | None, max_bytes: int) -> Source:
    if url:
        if security.safe_url(url) == "":
            raise InputError(f"{url}: only http:// and https:// addresses can be added")
        return url_source(url)
    if upload is None:
        raise InputError("give a URL or choose a file")
    name, data = upload
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = FORMAT_BY_SUFFIX.get(suffix)
    if fmt is None:
        raise InputError(f"{name}: unsupported file type; use .html, .htm, .md or .txt")
    if len(data) > max_bytes:
        raise InputError(f"{name}: over the limit of {max_bytes:,} bytes (max_bytes)")

    def load(settings: Any) -> Document:
        return run_contained(settings, extract, data, fmt, name, what=name)

    return Source(name, load)


# --- signing in (only when reads need a token) ------------------------------------------------


def login_form(request: Request) -> HTMLResponse:
    return render(request, "login.html", error="")


def login(request: Request, csrf: str = Form(""), token: str = Form("")) -> Response:
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), csrf):
        raise ApiError(403, "csrf", "the form expired; reload the page")
    check_write_rate(request, "login")
    try:
        owner = token_owner(request, token.strip() or None)
    except ApiError:
        owner = None
    if owner is None:
        return render(request, "login.html", status=401, error="That token is not valid.")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE, token.strip(), httponly=True, samesite="strict", path="/"
    )
    return response


def logout(request: Request, csrf: str = Form("")) -> Response:
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), csrf):
        raise ApiError(403, "csrf", "the form expired; reload the page")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


def api_docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    return render(request, "api_docs.html", schema=schema)
