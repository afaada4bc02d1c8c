"""HTML pages for feeds: the "add a feed" form handler and the jobs progress page.

Subscribing fetches the feed once (to learn its title and check it parses) and queues its
first check; the worker that `distill serve` runs does the rest, and /jobs shows progress
without JavaScript (it refreshes itself while anything is still queued or running).
"""

from __future__ import annotations

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import DistillError
from ..feeds.subscribe import add_feed, feed_json, feeds_due_now
from ..feeds.tasks import enqueue_due_feeds
from ..jobs import job_json
from . import security
from .common import library
from .pages import _check_form, _guard, render

RECENT_JOBS = 200  # jobs scanned for the page, newest first


def add_feed_form(
    request: Request, csrf: str = Form(""), feed_url: str = Form("", max_length=4096)
) -> Response:
    _check_form(request, csrf)
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
    _guard(request)
    feeds = [feed_json(f) for f in library(request).store.feeds.list_feeds()]
    if feed:
        feeds = [f for f in feeds if f["id"] == feed]
    items, _total = library(request).store.jobs.list_jobs(limit=RECENT_JOBS)
    jobs = [job_json(j) for j in items]
    if feed:
        jobs = [j for j in jobs if j["payload"].get("feed_id") == feed]
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job["state"]] = counts.get(job["state"], 0) + 1
    busy = bool(counts.get("queued") or counts.get("running"))
    return render(request, "jobs.html", feeds=feeds, jobs=jobs, counts=counts, busy=busy, feed=feed)
