"""One-click save: the bookmarklet and share target both open `/add?url=...` here.

The GET only fills in the form (a GET never writes); the reader presses one button, a
POST with the page's CSRF field, to save. The URL is checked on the GET with the same
guards `add` uses (http/https only, no private addresses unless allowed), so a
`javascript:` or internal address is refused before anything is offered. The web
manifest names `/add` as a share target, so "Share -> Distill" on a phone lands here too
(shared text that contains a URL counts as the URL).
"""

from __future__ import annotations

import json
import re

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import DistillError
from ..ingest.fetch import check_address
from . import rendering, security
from .common import library

_URL_IN_TEXT = re.compile(r"https?://\S+")

# The bookmarklet: sends the current page's address to this library's Add page. Kept
# short and without double quotes so it survives being an href attribute.
BOOKMARKLET = (
    "javascript:(function(){{window.open('{base}/add?url='+encodeURIComponent(location.href)"
    "+'&title='+encodeURIComponent(document.title),'_blank');}})()"
)


def bookmarklet(base: str) -> str:
    return BOOKMARKLET.format(base=base.rstrip("/"))


def add_form(
    request: Request,
    url: str = Query("", max_length=4096),
    title: str = Query("", max_length=1000),
    text: str = Query("", max_length=10_000),
) -> HTMLResponse:
    rendering.guard(request)
    if not url and text:
        found = _URL_IN_TEXT.search(text)
        url = found.group(0) if found else ""
    url = url.strip()
    error = ""
    if url:
        error = refusal(url, library(request).settings.allowed_hosts)
    return rendering.render(
        request,
        "add.html",
        status=422 if error else 200,
        error=error,
        url="" if error else url,
        shared_title=title if url and not error else "",
        bookmarklet=bookmarklet(str(request.base_url)),
    )


def refusal(url: str, allowed_hosts: str) -> str:
    """Why `add` would refuse this URL before fetching it, or '' when it would try."""
    if security.safe_url(url) == "":
        return f"{url[:200]}: only http:// and https:// addresses can be added"
    try:
        check_address(url, allowed_hosts)
    except DistillError as exc:
        return str(exc)
    return ""


def manifest(request: Request) -> Response:
    """A web app manifest whose share target is the Add page."""
    body = {
        "name": "Distill",
        "short_name": "Distill",
        "start_url": "/",
        "display": "standalone",
        "share_target": {
            "action": "/add",
            "method": "GET",
            "params": {"url": "url", "title": "title", "text": "text"},
        },
    }
    return Response(json.dumps(body), media_type="application/manifest+json")
