"""Subscribing: turn what a user gives (`feeds add URL`, an OPML file) into feed rows.

`add` fetches the URL once: a feed is subscribed as is; an HTML page is searched for
<link rel="alternate"> feed links and the first one that parses is subscribed. Anything
else is refused with the reason, and nothing is stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import DistillError, NotFound
from ..ingest.fetch import fetch
from ..jobs import iso
from ..store import Store
from ..store.feeds import FeedRow
from .reader import (
    FeedError,
    OpmlFeed,
    discover_feeds,
    looks_like_html,
    parse_feed,
    parse_opml,
    to_opml,
)


@dataclass
class Subscribed:
    id: int
    url: str
    title: str
    site_url: str
    created: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def add_feed(
    store: Store, settings: Settings, url: str, interval: float | None = None
) -> Subscribed:
    response = fetch(url, settings)
    feed_url = response.url
    try:
        parsed = parse_feed(response.content, response.url, response.content_type)
    except FeedError as first_error:
        if not looks_like_html(response.content) and "html" not in response.content_type:
            raise
        candidates = discover_feeds(response.content, response.url)
        if not candidates:
            raise FeedError(
                f'{url}: is a web page that names no feed (no <link rel="alternate" '
                'type="application/rss+xml"> or similar)'
            ) from first_error
        found, problems = None, []
        for candidate in candidates:
            try:
                linked = fetch(candidate, settings)
                found = parse_feed(linked.content, linked.url, linked.content_type)
                feed_url = linked.url
                break
            except DistillError as exc:  # try the next link
                problems.append(str(exc))
        if found is None:
            raise FeedError(
                f"{url}: none of the page's feed links worked: {'; '.join(problems)}"
            ) from first_error
        parsed = found
    with store.transaction():
        feed_id, created = store.feeds.add_feed(
            feed_url,
            parsed.title,
            parsed.site_url,
            float(interval or settings.feed_interval),
            time.time(),
        )
    return Subscribed(feed_id, feed_url, parsed.title, parsed.site_url, created)


def import_opml(store: Store, settings: Settings, path: Path) -> list[Subscribed]:
    """Subscribe every feed of an OPML file without fetching (the worker checks them)."""
    try:
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise FeedError(
                f"{path}: OPML file is {size:,} bytes, over the limit of "
                f"{settings.max_bytes:,} (max_bytes)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"{path}: cannot read ({exc.strerror})") from exc
    items = parse_opml(data, str(path))
    out = []
    now = time.time()
    with store.transaction():
        for item in items:
            feed_id, created = store.feeds.add_feed(
                item.url, item.title, item.site_url, float(settings.feed_interval), now
            )
            out.append(Subscribed(feed_id, item.url, item.title, item.site_url, created))
    return out


def export_opml(store: Store) -> str:
    feeds = store.feeds.list_feeds()
    return to_opml([OpmlFeed(f.url, f.title, f.site_url) for f in feeds])


def remove_feed(store: Store, feed_id: int) -> None:
    with store.transaction():
        store.feeds.remove_feed(feed_id)


def feeds_due_now(store: Store, feed_ids: list[int]) -> list[int]:
    """Mark feeds (all when empty) due now; NotFound for an unknown id."""
    all_ids = [f.id for f in store.feeds.list_feeds()]
    for feed_id in feed_ids:
        if feed_id not in all_ids:
            raise NotFound(f"no feed with id {feed_id}")
    chosen = feed_ids or all_ids
    with store.transaction():
        store.feeds.set_due(chosen, time.time())
    return chosen


def feed_json(feed: FeedRow) -> dict[str, Any]:
    """The `distill feeds list --json` shape (documented in docs/cli.md)."""
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "site_url": feed.site_url,
        "interval": feed.interval_s,
        "last_checked": iso(feed.last_checked),
        "next_check": iso(feed.next_check),
        "last_status": feed.last_status or None,
        "new_articles": feed.last_new,
        "last_error": feed.last_error or None,
        "error_count": feed.error_count,
        "entries": feed.entries,
        "articles": feed.articles,
    }
