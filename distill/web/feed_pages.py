"""HTML pages for feeds: the feeds page (/feeds), the "add a feed" form and the jobs page.

Subscribing fetches the feed once (to learn its title and check it parses) and queues its
first check; the worker that `distill serve` runs does the rest, and /jobs shows progress
without JavaScript (it refreshes itself while anything is still queued or running).
"""

from __future__ import annotations

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import DistillError
from ..feeds import admin as feed_admin
from ..feeds.subscribe import add_feed, feeds_due_now
from ..feeds.tasks import enqueue_due_feeds
from . import queries, security
from .common import library
from .feeds_api import FeedId
from .rendering import check_form, guard, render

RECENT_JOBS = 200  # jobs scanned for the page, newest first

NOTES = {
    "checked": "Check queued; the worker fetches the feed shortly.",
    "paused": "Paused: the feed is not checked until you resume it.",
    "resumed": "Resumed: the feed is checked now and then at its interval.",
    "interval": "Interval saved.",
    "unsubscribed": "Unsubscribed; its articles stay in the library.",
    "unsubscribed-deleted": "Unsubscribed and its articles removed.",
}


def feeds_page(request: Request, note: str = Query("", max_length=40)) -> HTMLResponse:
    guard(request)
    rows = queries.feeds(library(request))
    return render(request, "feeds.html", feeds=rows, note=NOTES.get(note, ""), error="")


def _done(note: str) -> Response:
    return RedirectResponse(f"/feeds?note={note}", status_code=303)


def _error(request: Request, message: str) -> HTMLResponse:
    rows = queries.feeds(library(request))
    return render(request, "feeds.html", status=422, feeds=rows, note="", error=message)


def check(request: Request, feed_id: FeedId, csrf: str = Form("")) -> Response:
    check_form(request, csrf)
    lib = library(request)
    feed_admin.check_now(lib.store, lib.settings, feed_id)
    return _done("checked")


def pause(
    request: Request, feed_id: FeedId, csrf: str = Form(""), paused: str = Form("1")
) -> Response:
    check_form(request, csrf)
    feed_admin.set_paused(library(request).store, [feed_id], paused == "1")
    return _done("paused" if paused == "1" else "resumed")


def interval(
    request: Request, feed_id: FeedId, csrf: str = Form(""), minutes: str = Form("")
) -> Response:
    check_form(request, csrf)
    try:
        seconds = float(minutes) * 60
    except ValueError:
        return _error(request, f"interval {minutes!r} is not a number of minutes")
    try:
        feed_admin.set_interval(library(request).store, feed_id, seconds)
    except DistillError as exc:
        return _error(request, str(exc).replace(f"{seconds:g} s", f"{minutes} minutes"))
    return _done("interval")


def unsubscribe(
    request: Request, feed_id: FeedId, csrf: str = Form(""), articles: str = Form("")
) -> Response:
    check_form(request, csrf)
    if articles not in ("keep", "delete"):
        return _error(request, "say whether to keep or delete the feed's articles; nothing changed")
    feed_admin.unsubscribe(library(request).store, feed_id, articles == "delete")
    return _done("unsubscribed-deleted" if articles == "delete" else "unsubscribed")


def add_feed_form(
    request: Request, csrf: str = Form(""), feed_url: str = Form("", max_length=4096)
) -> Response:
    check_form(request, csrf)
    url = feed_url.strip()
    lib = library(request)
    if security.safe_url(url) == "":
        error = f"{url or 'an empty address'}: only http:// and https:// feeds can be added"
        return _add_error(request, error, url)
    try:
        sub = add_feed(lib.store, lib.settings, url)
    except DistillError as exc:
        return _add_error(request, str(exc), url)
    feeds_due_now(lib.store, [sub.id])
    enqueue_due_feeds(lib.store, lib.settings)
    return RedirectResponse(f"/jobs?feed={sub.id}", status_code=303)


def _add_error(request: Request, error: str, url: str) -> HTMLResponse:
    return render(
        request, "add.html", status=422, error=error, url="", feed_url=url, feeds_available=True
    )


def jobs_page(request: Request, feed: int = Query(0, ge=0, le=2**63 - 1)) -> HTMLResponse:
    guard(request)
    lib = library(request)
    feeds = queries.feeds(lib)
    if feed:
        feeds = [f for f in feeds if f["id"] == feed]
    jobs, _total, _counts = queries.jobs(lib, limit=RECENT_JOBS)
    if feed:
        jobs = [j for j in jobs if j["payload"].get("feed_id") == feed]
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job["state"]] = counts.get(job["state"], 0) + 1
    busy = bool(counts.get("queued") or counts.get("running"))
    return render(request, "jobs.html", feeds=feeds, jobs=jobs, counts=counts, busy=busy, feed=feed)
