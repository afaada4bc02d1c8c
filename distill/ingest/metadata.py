"""Page metadata (title, date, authors, site, canonical URL, language) read cheaply.

trafilatura's own metadata pass costs more than its text extraction (its author search
walks the whole tree many times), so we read the places publishers actually put these facts:
JSON-LD, Open Graph / article / Dublin Core meta tags, <link rel=canonical>, <time>, <title>
and the URL's /YYYY/MM/DD/ path. htmldate's quick search is the last resort for the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from ..errors import InputError
from ..limits import load_json

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PATH_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")
_SPACE = re.compile(r"\s+")

TITLE_KEYS = ("og:title", "twitter:title", "dc.title", "citation_title")
DATE_KEYS = (
    "article:published_time",
    "datepublished",
    "dc.date",
    "dc.date.issued",
    "date",
    "pubdate",
    "publish-date",
    "citation_publication_date",
    "og:published_time",
    "sailthru.date",
    "parsely-pub-date",
)
AUTHOR_KEYS = (
    "author",
    "article:author",
    "dc.creator",
    "citation_author",
    "parsely-author",
    "sailthru.author",
)
SITE_KEYS = ("og:site_name", "application-name", "twitter:site")
DESCRIPTION_KEYS = ("description", "og:description", "twitter:description")


@dataclass
class PageMetadata:
    title: str = ""
    date: str = ""
    authors: list[str] = field(default_factory=list)
    site: str = ""
    canonical_url: str = ""
    language: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _iso(text: str) -> str:
    match = _DATE.search(text or "")
    return "-".join(match.groups()) if match else ""


def _meta(tree: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in tree.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").lower()
        value = _clean(node.get("content") or "")
        if key and value:
            found.setdefault(key, []).append(value)
    return found


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for node in tree.iter("script"):
        if (node.get("type") or "").lower() != "application/ld+json" or not node.text:
            continue
        try:
            data = load_json(node.text, "page", "JSON-LD")
        except ValueError:
            continue  # broken JSON-LD is common; the page still has its meta tags
        except InputError:
            continue  # so is absurd nesting: the metadata is best effort
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                items.append(item)
                stack.extend(v for v in item.get("@graph", []) if isinstance(v, dict))
    return items


def _ld_names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        name = v.get("name") if isinstance(v, dict) else v
        if isinstance(name, str) and _clean(name):
            names.append(_clean(name))
    return names


def read_metadata(tree: Any, url: str = "") -> PageMetadata:
    meta = _meta(tree)
    ld = _json_ld(tree)

    def first(keys: tuple[str, ...]) -> str:
        return next((meta[k][0] for k in keys if k in meta), "")

    page = PageMetadata()
    title_node = next(tree.iter("title"), None)
    page.title = first(TITLE_KEYS) or _clean(
        title_node.text_content() if title_node is not None else ""
    )
    for item in ld:
        page.date = page.date or _iso(str(item.get("datePublished") or ""))
        page.authors = page.authors or _ld_names(item.get("author"))
        if not page.title and isinstance(item.get("headline"), str):
            page.title = _clean(item["headline"])
    page.date = page.date or _iso(first(DATE_KEYS))
    if not page.date:
        stamp = next((t.get("datetime") for t in tree.iter("time") if t.get("datetime")), "")
        page.date = _iso(stamp or "")
    if not page.date and url:
        match = _PATH_DATE.search(url)
        page.date = "-".join(match.groups()) if match else ""
    if not page.date:
        page.date = _htmldate(tree)
    if not page.authors:
        page.authors = [
            a for k in AUTHOR_KEYS for a in meta.get(k, []) if not a.startswith("http")
        ][:5]
    page.site = first(SITE_KEYS).lstrip("@")
    canonical = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
        ),
        "",
    )
    page.canonical_url = (
        urljoin(url, canonical or first(("og:url",))) if (canonical or first(("og:url",))) else url
    )
    page.language = (
        (tree.get("lang") or first(("og:locale", "language"))).split("-")[0].split("_")[0].lower()
    )
    page.description = first(DESCRIPTION_KEYS)
    page.tags = [t for t in meta.get("article:tag", [])][:20]
    return page


def _htmldate(tree: Any) -> str:
    try:
        from htmldate import find_date

        return find_date(tree, extensive_search=False, outputformat="%Y-%m-%d") or ""
    except Exception:  # htmldate is a best effort; a page without a date is still an article
        return ""
