"""Reading feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed entries; discovery; OPML in and out.

Everything a feed says is untrusted. Titles become plain text (markup stripped, control
characters dropped, length capped) and entry content is cleaned with nh3 (a whitelist HTML
sanitiser) before anything is stored, so a hostile feed cannot put script into the library.
A document that is not a feed raises FeedError with a message saying what it is instead.
"""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import html
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3

from ..errors import FeedError, InputError
from ..limits import load_json

# Titles longer than this are cut: no real headline is this long, and a hostile feed could
# otherwise store megabytes in a field that is shown in every listing.
MAX_TITLE_CHARS = 500
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SPACE = re.compile(r"\s+")


# Entries read from one feed document. Feeds list newest first and real ones carry 10 to
# 100; past this it is an archive dump, and feedparser costs ~2.5 ms per entry (a 10,000-item
# feed took 25 s of CPU), so the document is cut before the next entry and closed.
MAX_FEED_ENTRIES = 500
_ENTRY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")


def truncate_entries(data: bytes, limit: int = MAX_FEED_ENTRIES) -> bytes:
    """The document up to its `limit`-th entry, with the root closed again."""
    for count, match in enumerate(_ENTRY_TAG.finditer(data), start=1):
        if count > limit:
            head = data[: match.start()]
            lowered = head[:4096].lower()
            if b"<feed" in lowered:
                closer = b"</feed>"
            elif b"<rdf:rdf" in lowered:
                closer = b"</rdf:RDF>"
            else:
                closer = b"</channel></rss>"
            return head + closer
    return data


@dataclass
class FeedEntry:
    guid: str
    url: str
    title: str
    content: str  # sanitised HTML, may be ""
    published: str = ""  # YYYY-MM-DD or ""
    author: str = ""


@dataclass
class ParsedFeed:
    title: str
    site_url: str
    entries: list[FeedEntry] = field(default_factory=list)
    version: str = ""
    warning: str = ""  # a recoverable problem (feedparser's "bozo" with entries still read)


def plain_text(value: str, is_html: bool = True) -> str:
    """A title as plain text: tags removed (when it was HTML), entities decoded, one line."""
    if is_html:
        value = html.unescape(nh3.clean(value, tags=set()))
    value = _CONTROL.sub("", value)
    return _SPACE.sub(" ", value).strip()[:MAX_TITLE_CHARS]


def clean_html(value: str) -> str:
    """Entry content through nh3: no script, no event handlers, no javascript: links."""
    return nh3.clean(_CONTROL.sub("", value)).strip()


def _date(parsed: Any) -> str:
    if not parsed:
        return ""
    try:
        return time.strftime("%Y-%m-%d", time.gmtime(calendar.timegm(parsed)))
    except (TypeError, ValueError, OverflowError):
        return ""


def _http_url(value: Any, base: str) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    url = urljoin(base, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") else ""


def _guid(*parts: str) -> str:
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and b"<rss" not in head and b"<feed" not in head
    )


def parse_feed(data: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Entries of an RSS, Atom or JSON feed; FeedError when the bytes are not a feed."""
    if not data.strip():
        raise FeedError(f"{url or 'feed'}: empty response, not a feed")
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")) or "json" in content_type:
        return parse_json_feed(data, url)
    if looks_like_html(data):
        raise FeedError(f"{url or 'feed'}: got an HTML page, not a feed")
    try:
        parsed = feedparser.parse(
            truncate_entries(data),
            response_headers={
                "content-location": url,
                "content-type": content_type or "application/xml",
            },
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except Exception as exc:  # feedparser is meant not to raise; hostile input may still
        raise FeedError(
            f"{url or 'feed'}: feed parser failed ({type(exc).__name__}: {exc})"
        ) from exc
    feed = parsed.get("feed", {})
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries and (problem or not parsed.get("version")):
        reason = f" ({_describe(problem)})" if problem else ""
        what = "broken feed" if parsed.get("version") else "not an RSS, Atom or JSON feed"
        raise FeedError(f"{url or 'feed'}: {what}{reason}")
    entries = [_entry(e, url) for e in parsed.entries]
    return ParsedFeed(
        title=plain_text(feed.get("title", ""), _is_html(feed.get("title_detail"))),
        site_url=_http_url(feed.get("link", ""), url),
        entries=[e for e in entries if e is not None],
        version=parsed.get("version", ""),
        warning=_describe(problem) if problem else "",
    )


def _describe(exc: Any) -> str:
    return plain_text(f"{type(exc).__name__}: {exc}", is_html=False)[:300]


def _is_html(detail: Any) -> bool:
    kind = (detail or {}).get("type", "text/html")
    return "html" in kind


def _entry(e: Any, base: str) -> FeedEntry | None:
    url = _http_url(e.get("link", ""), base)
    title = plain_text(e.get("title", ""), _is_html(e.get("title_detail")))
    content = ""
    candidates = [c for c in e.get("content", []) if c.get("value")]
    if candidates:
        best = max(candidates, key=lambda c: len(c.get("value", "")))
        content = _as_html(best.get("value", ""), best.get("type", "text/html"))
    elif e.get("summary"):
        content = _as_html(
            e.get("summary", ""), (e.get("summary_detail") or {}).get("type", "text/html")
        )
    if not (url or title or content):
        return None
    # dict.get: feedparser's own get() warns when it maps updated onto published
    published = _date(dict.get(e, "published_parsed") or dict.get(e, "updated_parsed"))
    guid = str(e.get("id") or "") or url or _guid(title, published, content[:500])
    return FeedEntry(
        guid=plain_text(guid, is_html=False)[:2000] or _guid(title),
        url=url,
        title=title,
        content=content,
        published=published,
        author=plain_text(e.get("author", ""), is_html=True),
    )


def _as_html(value: str, kind: str) -> str:
    if "html" in kind:
        return clean_html(value)
    paragraphs = [p for p in re.split(r"\n\s*\n", _CONTROL.sub("", value)) if p.strip()]
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs)


def parse_json_feed(data: bytes, url: str = "") -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org), read with the same sanitising rules."""
    name = url or "feed"
    try:
        doc = load_json(data.decode("utf-8-sig"), name, "JSON Feed")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"{name}: not valid JSON ({exc})") from exc
    except InputError as exc:
        raise FeedError(str(exc)) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError(f"{name}: JSON without an 'items' list is not a JSON Feed")
    entries = []
    for item in doc["items"][:MAX_FEED_ENTRIES]:
        if not isinstance(item, dict):
            continue
        link = _http_url(item.get("url") or item.get("external_url"), url)
        title = plain_text(str(item.get("title") or ""), is_html=False)
        if isinstance(item.get("content_html"), str):
            content = clean_html(item["content_html"])
        elif isinstance(item.get("content_text"), str):
            content = _as_html(item["content_text"], "text/plain")
        else:
            content = _as_html(str(item.get("summary") or ""), "text/plain")
        published = str(item.get("date_published") or item.get("date_modified") or "")[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
            published = ""
        if not (link or title or content):
            continue
        author = item.get("author") or (item.get("authors") or [{}])[0]
        entries.append(
            FeedEntry(
                guid=plain_text(str(item.get("id") or ""), is_html=False)
                or link
                or _guid(title, content[:500]),
                url=link,
                title=title,
                content=content,
                published=published,
                author=plain_text(
                    str(author.get("name", "")) if isinstance(author, dict) else "", False
                ),
            )
        )
    return ParsedFeed(
        title=plain_text(str(doc.get("title") or ""), is_html=False),
        site_url=_http_url(doc.get("home_page_url"), url),
        entries=entries,
        version="json" + str(doc.get("version", "")).rsplit("/", 1)[-1],
    )


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        rels = a.get("rel", "").lower().split()
        kind = a.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and a.get("href"):
            self.links.append((kind, a["href"]))


def discover_feeds(page: bytes, base_url: str) -> list[str]:
    """Feed URLs a web page names with <link rel="alternate" type="...">, in page order."""
    finder = _LinkFinder()
    # html.parser on hostile markup may raise; the links found before that still stand
    with contextlib.suppress(Exception):
        finder.feed(page[:2_000_000].decode("utf-8", errors="replace"))
    urls: list[str] = []
    for _kind, href in finder.links:
        url = _http_url(href, base_url)
        if url and url not in urls:
            urls.append(url)
    return urls


@dataclass
class OpmlFeed:
    url: str
    title: str = ""
    site_url: str = ""


def parse_opml(data: bytes, name: str = "OPML") -> list[OpmlFeed]:
    """Every outline with an xmlUrl, at any depth; FeedError when the file is not OPML."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise FeedError(f"{name}: not valid XML ({exc})") from exc
    if root.tag.lower() != "opml":
        raise FeedError(f"{name}: root element is <{root.tag}>, expected <opml>")
    feeds: list[OpmlFeed] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        url = _http_url(attrs.get("xmlurl", ""), "")
        if url and url not in seen:
            seen.add(url)
            feeds.append(
                OpmlFeed(
                    url,
                    plain_text(attrs.get("title") or attrs.get("text") or "", is_html=False),
                    _http_url(attrs.get("htmlurl", ""), ""),
                )
            )
    return feeds


def to_opml(feeds: list[OpmlFeed], title: str = "Distill subscriptions") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url}
        attrs["xmlUrl"] = feed.url
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
