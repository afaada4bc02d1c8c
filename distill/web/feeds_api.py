"""The /v1 feeds and jobs endpoints: subscriptions and the background queue over HTTP.

Same rules as the rest of /v1 (api.py): reads follow read_access, writes need a token, errors
are {"error": {...}}, lists carry next_cursor. Checks are only queued here; the worker that
`distill serve` starts runs them, so a request never waits on a remote feed host.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from ..errors import InputError
from ..feeds import admin as feed_admin
from ..feeds.admin import check_now
from ..feeds.subscribe import add_feed
from . import queries
from .api import read_access, write_access
from .common import ApiError, library

FeedId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="A feed id")]
JobId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="A job id")]
JobState = Literal["queued", "running", "done", "failed"]


class FeedOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    url: str
    title: str
    site_url: str
    interval: float = Field(description="Seconds between checks")
    last_checked: str | None
    next_check: str | None
    new_articles: int
    last_error: str | None
    error_count: int
    articles: int = 0
    unread: int = Field(0, description="Its articles not read yet")
    paused: bool = False
    status: Literal["ok", "error", "paused", "pending"] = Field(
        "pending", description="error: see last_error; pending: not checked yet"
    )


class FeedList(BaseModel):
    feeds: list[FeedOut]
    total: int
    next_cursor: str | None


class FeedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(..., max_length=4096, description="A feed URL, or a page naming its feed")
    interval: float | None = Field(None, ge=60, le=30 * 86400, description="Seconds")


class FeedCreated(BaseModel):
    id: int
    url: str
    title: str
    site_url: str
    created: bool


class CheckQueued(BaseModel):
    feeds: list[int]
    queued: bool


class JobOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    kind: str
    state: str
    payload: dict[str, Any]


class JobList(BaseModel):
    jobs: list[JobOut]
    total: int
    counts: dict[str, int]
    next_cursor: str | None


def _offset(cursor: str) -> int:
    return queries.decode_offset(cursor) if cursor else 0


def _next(offset: int, shown: int, total: int) -> str | None:
    return queries.encode_offset(offset + shown) if shown and offset + shown < total else None


def list_feeds(
    request: Request,
    limit: int = Query(50, ge=1, le=queries.MAX_LIMIT),
    cursor: str = Query("", max_length=100),
    _: None = Depends(read_access),
) -> FeedList:
    rows = queries.feeds(library(request))
    offset = _offset(cursor)
    page = rows[offset : offset + limit]
    return FeedList.model_validate(
        {"feeds": page, "total": len(rows), "next_cursor": _next(offset, len(page), len(rows))}
    )


def create_feed(
    request: Request, body: FeedCreate, response: Response, _: str = Depends(write_access)
) -> FeedCreated:
    if not body.url.startswith(("http://", "https://")):
        raise ApiError(422, "bad_url", "url must start with http:// or https://")
    lib = library(request)
    sub = add_feed(lib.store, lib.settings, body.url, body.interval)
    response.status_code = 201 if sub.created else 200
    return FeedCreated.model_validate(sub.to_dict())


def get_feed(request: Request, feed_id: FeedId, _: None = Depends(read_access)) -> FeedOut:
    return FeedOut.model_validate(queries.feeds(library(request), feed_id)[0])


def check_feed(
    request: Request, feed_id: FeedId, response: Response, _: str = Depends(write_access)
) -> CheckQueued:
    """Mark the feed due now and queue its check for the worker (paused feeds too)."""
    lib = library(request)
    check_now(lib.store, lib.settings, feed_id)
    response.status_code = 202
    return CheckQueued(feeds=[feed_id], queued=True)


def list_jobs(
    request: Request,
    state: JobState | None = None,
    kind: str = Query("", max_length=100),
    limit: int = Query(50, ge=1, le=queries.MAX_LIMIT),
    cursor: str = Query("", max_length=100),
    _: None = Depends(read_access),
) -> JobList:
    offset = _offset(cursor)
    items, total, counts = queries.jobs(library(request), state or "", kind, limit, offset)
    return JobList.model_validate(
        {
            "jobs": items,
            "total": total,
            "counts": counts,
            "next_cursor": _next(offset, len(items), total),
        }
    )


def get_job(request: Request, job_id: JobId, _: None = Depends(read_access)) -> JobOut:
    return JobOut.model_validate(queries.job(library(request), job_id))


def retry_job(request: Request, job_id: JobId, _: str = Depends(write_access)) -> JobOut:
    lib = library(request)
    state = queries.job(lib, job_id)["state"]
    if state != "failed":
        raise ApiError(409, "not_failed", f"job {job_id} is {state}; only failed jobs retry")
    return JobOut.model_validate(queries.retry_job(lib, job_id))


# --- managing a subscription: pause, resume, interval, unsubscribe ---------------------


class FeedPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paused: bool | None = None
    interval: float | None = Field(
        None,
        ge=feed_admin.MIN_INTERVAL_S,
        le=feed_admin.MAX_INTERVAL_S,
        description="Seconds between checks",
    )


def patch_feed(
    request: Request, feed_id: FeedId, body: FeedPatch, _: str = Depends(write_access)
) -> FeedOut:
    lib = library(request)
    queries.feeds(lib, feed_id)  # 404 before any change
    try:
        if body.interval is not None:
            feed_admin.set_interval(lib.store, feed_id, body.interval)
    except InputError as exc:
        raise ApiError(422, "bad_body", str(exc)) from exc
    if body.paused is not None:
        feed_admin.set_paused(lib.store, [feed_id], body.paused)
    return FeedOut.model_validate(queries.feeds(lib, feed_id)[0])


def delete_feed(
    request: Request,
    feed_id: FeedId,
    delete_articles: bool = Query(
        False, description="Also remove the articles only this feed brought"
    ),
    _: str = Depends(write_access),
) -> Response:
    feed_admin.unsubscribe(library(request).store, feed_id, delete_articles)
    return Response(status_code=204)
