"""Managing subscriptions from the feeds page, /v1/feeds and `distill feeds`: status,
pause and resume, check now, interval, unsubscribe with or without the articles.

Status is one word a person can act on: `ok`, `error` (the message is `last_error`),
`paused`, or `pending` (subscribed, not checked yet).
"""

from __future__ import annotations

import time
from typing import Any

from ..config import Settings
from ..errors import InputError
from ..jobs import FETCH_FEED, iso
from ..store import Store
from .politeness import host_key
from .subscribe import feed_json, feeds_due_now

# Shortest and longest check interval a person may set: a minute keeps us polite to feed
# hosts (and matches `feeds add --interval`); 30 days is the API's existing upper bound.
MIN_INTERVAL_S = 60.0
MAX_INTERVAL_S = 30 * 86400.0


def status_of(row: dict[str, Any]) -> str:
    if row["paused"]:
        return "paused"
    if row["last_error"]:
        return "error"
    return "ok" if row["last_checked"] else "pending"


def feeds_status(store: Store, feed_id: int | None = None) -> list[dict[str, Any]]:
    """`feed_json` rows plus `paused`, `paused_at`, `unread` and `status`."""
    extras = store.feeds.feed_extras()
    feeds = [store.feeds.get_feed(feed_id)] if feed_id else store.feeds.list_feeds()
    out = []
    for feed in feeds:
        row = feed_json(feed) | extras.get(feed.id, {"paused": False, "paused_at": None})
        row.setdefault("unread", 0)
        row["paused_at"] = _iso(row["paused_at"])
        row["status"] = status_of(row)
        out.append(row)
    return out


def _iso(stamp: float | None) -> str | None:
    return iso(stamp) if stamp is not None else None


def set_paused(store: Store, feed_ids: list[int], paused: bool) -> None:
    with store.transaction():
        for feed_id in feed_ids:
            store.feeds.set_paused(feed_id, paused, time.time())


def set_interval(store: Store, feed_id: int, seconds: float) -> None:
    if not MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S:
        raise InputError(
            f"interval {seconds:g} s is out of range; use {MIN_INTERVAL_S:g} to"
            f" {MAX_INTERVAL_S:g} seconds"
        )
    with store.transaction():
        store.feeds.set_interval(feed_id, seconds)


def check_now(store: Store, settings: Settings, feed_id: int) -> bool:
    """Queue one check of the feed now, paused or not; False if one is already queued."""
    feeds_due_now(store, [feed_id])
    feed = store.feeds.get_feed(feed_id)
    return bool(
        store.jobs.insert_job(
            FETCH_FEED,
            {"feed_id": feed_id},
            time.time(),
            key=f"{FETCH_FEED}:{feed_id}",
            host=host_key(feed.url),
            priority=1,
            max_attempts=int(settings.job_max_attempts),
        )
    )


def unsubscribe(store: Store, feed_id: int, delete_articles: bool) -> list[int]:
    """Unsubscribe; with `delete_articles` the articles only this feed brought go too."""
    return store.feeds.unsubscribe(feed_id, delete_articles)
