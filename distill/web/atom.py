"""Atom feeds out (RFC 4287): the newest articles of a category or technology with their
summaries, so a library can be followed from any feed reader.

Built with ElementTree, which escapes every text node; the HTML summary inside <content>
is itself built from escaped text, so no article text can inject markup into a reader.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from xml.etree import ElementTree as ET

from fastapi import Request
from fastapi.responses import Response

from ..models import SECTION_TITLES
from . import queries
from .common import ApiError, bearer, library, reads_need_token, session_owner, token_owner
from .security import safe_url

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 30  # entries per feed: readers poll often, so recent articles are enough


def summary_html(summary: dict[str, Any] | None) -> str:
    if not summary:
        return ""
    out = []
    for section in summary["sections"]:
        out.append(f"<h3>{escape(SECTION_TITLES.get(section['name'], section['name']))}</h3>")
        tag = "ol" if section["name"] == "takeaways" else "ul"
        items = []
        for line in section["lines"]:
            if line.get("kind") == "code":
                items.append(f"<li><pre><code>{escape(line['text'])}</code></pre></li>")
            else:
                items.append(f"<li>{escape(line['text'])}</li>")
        out.append(f"<{tag}>{''.join(items)}</{tag}>")
    return "".join(out)


def _when(card: dict[str, Any]) -> str:
    if card["date"]:
        return f"{card['date']}T00:00:00Z"
    return str(card["created_at"])


def public_base(request: Request) -> str:
    """Where links in a feed point: the web_public_url setting, else the address and port
    the request arrived on (the socket's, never the client-supplied Host header, which
    would let anyone make our feeds link to their site)."""
    configured = str(library(request).settings.web_public_url).strip().rstrip("/")
    if configured:
        return configured
    host, port = request.scope.get("server") or ("127.0.0.1", 8000)
    host = f"[{host}]" if ":" in str(host) else str(host)
    return f"{request.url.scheme}://{host}:{port}"


def feed(request: Request, kind: str, name: str, cards: list[dict[str, Any]]) -> Response:
    base = public_base(request)
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = f"Distill: {name}"
    ET.SubElement(root, "id").text = f"{base}/feeds/{kind}/{name}.atom"
    ET.SubElement(root, "link", rel="self", href=f"{base}/feeds/{kind}/{name}.atom")
    page = "category" if kind == "category" else "tech"
    ET.SubElement(root, "link", rel="alternate", href=f"{base}/{page}/{name}")
    updated = max((c["created_at"] for c in cards), default=None)
    ET.SubElement(root, "updated").text = updated or dt.datetime.now(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    for card in cards:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = card["title"]
        ET.SubElement(entry, "id").text = f"{base}/articles/{card['id']}"
        ET.SubElement(entry, "link", rel="alternate", href=f"{base}/articles/{card['id']}")
        if safe_url(card["url"]):
            ET.SubElement(entry, "link", rel="via", href=card["url"])
        ET.SubElement(entry, "updated").text = card["created_at"]
        ET.SubElement(entry, "published").text = _when(card)
        for author in card["authors"] or [card["site"] or "unknown"]:
            ET.SubElement(ET.SubElement(entry, "author"), "name").text = author
        ET.SubElement(entry, "content", type="html").text = summary_html(card["summary"])
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def category_feed(request: Request, name: str) -> Response:
    return _feed(request, "category", name)


def tech_feed(request: Request, name: str) -> Response:
    return _feed(request, "tech", name)


def _feed(request: Request, kind: str, name: str) -> Response:
    if (
        reads_need_token(request)
        and token_owner(request, bearer(request)) is None
        and session_owner(request) is None
    ):
        raise ApiError(401, "token_required", "reading this library needs an API token")
    lib = library(request)
    if kind == "category":
        filters = queries.build_filters(lib, category=name)
    else:
        filters = queries.build_filters(lib, tech=name)
    cards = queries.recently_added(lib, filters, FEED_SIZE)
    return feed(request, kind, name, cards)
