"""What a worker does for each job kind: check a feed, ingest one entry's article.

fetch-feed: conditional GET (ETag / Last-Modified), parse, record every entry once, and
enqueue one ingest-url job per new entry in the same transaction as the entries, so a crash
between "seen" and "queued" cannot happen. Feed errors are kept on the feed (shown by
`feeds list`) with their own backoff; the feed's articles are never touched by an error.

ingest-url: fetch the entry's page and run it through the pipeline; the entry's own
(sanitised) content is used instead when the page cannot be fetched for good or yields
less text. Transient page errors are retried first; the last attempt falls back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..errors import (
    AddressRefused,
    DistillError,
    ExtractLimit,
    FeedError,
    FetchError,
    FetchTimeout,
    HTTPStatus,
    InputError,
    PermanentError,
    RetryableError,
)
from ..ingest.contain import run_contained
from ..ingest.extract import from_html, from_text, lxml_text
from ..ingest.fetch import fetch
from ..ingest.pipeline import IngestResult, ingest
from ..ingest.sources import Source, normalize_url, url_source
from ..jobs import FETCH_FEED, INGEST_URL, RESUMMARIZE
from ..llm.retry import run_retry_job
from ..models import Document
from ..store import Store
from ..store import feeds as feed_sql
from ..store.jobs import Job
from ..summarize.base import Summarizer
from .politeness import HostGate, Robots, host_key
from .reader import FeedEntry, parse_feed

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
# A failing feed waits interval * 2**errors, but never longer than this before a new try.
MAX_FEED_BACKOFF_S = 7 * 86_400.0


@dataclass
class Context:
    """What a handler needs; `store` is the calling thread's own connection."""

    store: Store
    settings: Settings
    gate: HostGate
    robots: Robots
    summarizer: Summarizer


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, RetryableError | FetchTimeout):
        return True
    if isinstance(exc, HTTPStatus):
        return exc.status >= 500 or exc.status == 429
    if isinstance(exc, AddressRefused):
        return False
    # connection refused/reset and DNS failures are FetchError without a subclass
    return type(exc) is FetchError and "redirects" not in str(exc)


def enqueue_due_feeds(store: Store, settings: Settings, now: float | None = None) -> int:
    """One fetch-feed job per due feed (none when one is already queued or running).

    Reading the due feeds and queueing their jobs is one transaction: read apart, a check
    that another worker finished in between (its feed's next check written, its job done)
    left the feed looking due with no job running, and it was queued and fetched twice.
    """
    now = time.time() if now is None else now
    added = 0
    with store.transaction():
        for feed_id in store.feeds.due_feed_ids(now):
            feed = store.feeds.get_feed(feed_id)
            if store.jobs.insert_job(
                FETCH_FEED,
                {"feed_id": feed_id},
                now,
                key=f"{FETCH_FEED}:{feed_id}",
                host=host_key(feed.url),
                priority=1,
                max_attempts=int(settings.job_max_attempts),
            ):
                added += 1
    return added


def run_job(job: Job, ctx: Context) -> dict[str, Any]:
    if job.kind == FETCH_FEED:
        return check_feed(int(job.payload["feed_id"]), ctx, job.id)
    if job.kind == INGEST_URL:
        return ingest_entry(job, ctx)
    if job.kind == RESUMMARIZE:
        return run_retry_job(ctx.store, ctx.settings, job.payload)
    raise PermanentError(f"job {job.id}: unknown kind {job.kind!r}")


def check_feed(feed_id: int, ctx: Context, job_id: int | None = None) -> dict[str, Any]:
    try:
        feed = ctx.store.feeds.get_feed(feed_id)
    except DistillError:
        return {"feed_id": feed_id, "status": "removed"}
    now = time.time()
    headers = {"Accept": FEED_ACCEPT}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        if not ctx.robots.allowed(feed.url):
            raise PermanentError(f"{feed.url}: robots.txt disallows fetching this feed")
        response = fetch(feed.url, ctx.settings, headers)
    except DistillError as exc:
        return _feed_failed(ctx, feed, now, str(exc))
    finally:
        ctx.gate.done(host_key(feed.url), job_id)
    if response.status == 304:
        with ctx.store.transaction():
            ctx.store.feeds.record_check(
                feed_id, now=now, next_check=now + feed.interval_s, status="304", new=0
            )
        return {"feed_id": feed_id, "status": "not-modified", "new": 0}
    try:
        parsed = parse_feed(response.content, response.url, response.content_type)
    except FeedError as exc:
        return _feed_failed(ctx, feed, now, str(exc))
    new = _record_entries(ctx, feed_id, parsed.entries, now)
    with ctx.store.transaction():
        ctx.store.feeds.record_check(
            feed_id,
            now=now,
            next_check=now + feed.interval_s,
            status=str(response.status),
            new=new,
            etag=response.headers.get("etag", ""),
            last_modified=response.headers.get("last-modified", ""),
            title=parsed.title,
            site_url=parsed.site_url,
        )
    return {"feed_id": feed_id, "status": "checked", "new": new, "entries": len(parsed.entries)}


def _feed_failed(ctx: Context, feed: feed_sql.FeedRow, now: float, error: str) -> dict[str, Any]:
    wait = min(feed.interval_s * 2 ** min(feed.error_count, 16), MAX_FEED_BACKOFF_S)
    with ctx.store.transaction():
        ctx.store.feeds.record_check(
            feed.id, now=now, next_check=now + wait, status="error", new=0, error=error
        )
    return {"feed_id": feed.id, "status": "error", "new": 0, "error": error}


def _record_entries(ctx: Context, feed_id: int, entries: list[FeedEntry], now: float) -> int:
    """Store unseen entries; queue the ones to ingest. The first check takes only the newest
    `feed_first_check_max` (a new subscription should not pull a decade of archives)."""
    first = ctx.store.feeds.entry_count(feed_id) == 0
    known = ctx.store.feeds.known_guids(feed_id)
    fresh: list[FeedEntry] = []
    for entry in entries:
        if entry.guid not in known:
            known.add(entry.guid)
            fresh.append(entry)
    take = fresh
    if first:
        # newest first by date; entries without a date keep the feed's own order
        order = sorted(
            range(len(fresh)), key=lambda i: (fresh[i].published or "", -i), reverse=True
        )
        keep = set(order[: int(ctx.settings.feed_first_check_max)])
        take = [e for i, e in enumerate(fresh) if i in keep]
    taken = {id(e) for e in take}
    queued = 0
    with ctx.store.transaction():
        for entry in fresh:
            wanted = id(entry) in taken
            entry_id = ctx.store.feeds.insert_entry(
                feed_id,
                entry.guid,
                entry.url,
                entry.title,
                entry.published,
                entry.content if wanted else "",
                "queued" if wanted else "skipped",
                now,
            )
            if not (wanted and entry_id):
                continue
            key = normalize_url(entry.url) if entry.url else f"entry:{entry_id}"
            ctx.store.jobs.insert_job(
                INGEST_URL,
                {"url": entry.url, "entry_id": entry_id, "feed_id": feed_id},
                now,
                key=f"{INGEST_URL}:{key}",
                host=host_key(entry.url),
                max_attempts=int(ctx.settings.job_max_attempts),
            )
            queued += 1
    return queued


def entry_document(entry: dict[str, Any], settings: Settings | None = None) -> Document | None:
    """The entry's own content as a Document, or None when it has too little text."""
    content, url = entry.get("content") or "", entry.get("url") or ""
    if not content.strip():
        return None
    label = url or f"feed entry {entry.get('id')}"
    try:
        page = f"<html><body><article>{content}</article></body></html>"
        if settings is None:
            doc = from_html(page, url, label)
        else:
            doc = run_contained(settings, from_html, page, url, label, what=label)
    except ExtractLimit:
        return None
    except InputError:
        try:
            doc = from_text(lxml_text(content), source=label)
        except InputError:
            return None
    doc.title = entry.get("title") or doc.title
    doc.date = entry.get("published") or doc.date
    if url:
        doc.url = url
        doc.canonical_url = url
        doc.site = host_key(url).split(":")[0]
    return doc


def ingest_entry(job: Job, ctx: Context) -> dict[str, Any]:
    url = str(job.payload.get("url") or "")
    entry_id = job.payload.get("entry_id")
    entry = ctx.store.feeds.get_entry(int(entry_id)) if entry_id else None
    page: Document | None = None
    page_error: Exception | None = None
    if url:
        try:
            if not ctx.robots.allowed(url):
                raise PermanentError(f"{url}: robots.txt disallows fetching this page")
            page = url_source(url).load(ctx.settings)
        except DistillError as exc:
            page_error = exc
        finally:
            ctx.gate.done(host_key(url), job.id)
    if isinstance(page_error, AddressRefused):
        _mark(ctx, entry_id, "failed", None, str(page_error))
        raise PermanentError(str(page_error))
    last_try = job.attempts >= job.max_attempts
    if page_error is not None and is_transient(page_error) and not last_try:
        raise RetryableError(str(page_error))
    fallback = entry_document(entry, ctx.settings) if entry else None
    if page is not None and (fallback is None or page.word_count >= fallback.word_count):
        doc, used = page, "page"
    elif fallback is not None:
        doc, used = fallback, "entry"
    else:
        reason = str(page_error) if page_error else f"{url or 'entry'}: no article text"
        _mark(ctx, entry_id, "failed", None, reason)
        raise PermanentError(reason)
    result: IngestResult = ingest(
        Source(url or doc.source or "feed entry", lambda _s: doc),
        ctx.store,
        ctx.settings,
        ctx.summarizer,
    )
    if result.status == "failed":
        _mark(ctx, entry_id, "failed", None, result.error or "")
        raise PermanentError(result.error or "ingest failed")
    _mark(ctx, entry_id, result.status, result.id or result.duplicate_of, "")
    out = result.to_dict()
    out["used"] = used
    if page_error is not None:
        out["page_error"] = str(page_error)
    return out


def _mark(ctx: Context, entry_id: Any, state: str, article_id: int | None, error: str) -> None:
    if entry_id:
        ctx.store.feeds.mark_entry(int(entry_id), state, article_id, error)
