"""The /v1 JSON API: thin handlers over `distill.queries`, described by pydantic models.

The models are the OpenAPI description (/v1/openapi.json) and the response contract that
the schemathesis run checks; handlers parse, call one query function and return its data.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Depends, Query, Request, Response, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from ..ingest.contain import run_contained
from ..ingest.extract import apply_metadata, from_html, from_markdown
from ..ingest.pipeline import ingest
from ..ingest.sources import Source, url_source
from ..library import reading
from ..models import Document
from . import queries
from .adding import off_page_threads
from .common import (
    ApiError,
    ArticleId,
    bearer,
    check_write_rate,
    library,
    reads_need_token,
    session_owner,
    token_owner,
)

bearer_scheme = HTTPBearer(auto_error=False, description="An API token from `distill tokens`")
BEARER = Security(bearer_scheme)  # declares the scheme in OpenAPI; the header is read below
MAX_TEXT = 10_000_000  # characters of HTML or Markdown in one create request


def read_access(request: Request, _: Any = BEARER) -> None:
    """Reads are public on loopback by default; otherwise they need a valid token or a
    browser signed in with one (the same session cookie the pages accept)."""
    token = bearer(request)
    owner = token_owner(request, token)
    if owner is None and reads_need_token(request) and session_owner(request) is None:
        raise ApiError(401, "token_required", "reading this library needs an API token")


def write_access(request: Request, _: Any = BEARER) -> str:
    owner = token_owner(request, bearer(request))
    if owner is None:
        raise ApiError(401, "token_required", "writes need an API token (Bearer)")
    check_write_rate(request, owner)
    return owner


# --- models ---------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    error: ErrorDetail


class SpanOut(BaseModel):
    block: int
    start: int
    end: int


class LineOut(BaseModel):
    text: str
    kind: str
    heading: str = ""
    source: list[SpanOut]
    language: str = ""


class SectionOut(BaseModel):
    name: str
    lines: list[LineOut]


class BackendOut(BaseModel):
    name: str
    version: str


class SummaryOut(BaseModel):
    backend: BackendOut
    sections: list[SectionOut]


class ArticleCard(BaseModel):
    id: int
    title: str
    url: str
    site: str
    date: str = Field(description="Publication date YYYY-MM-DD, or empty when unknown")
    created_at: str
    words: int
    authors: list[str]
    starred: bool
    views: int = Field(description="Distinct visitor-days the article page was read")
    state: Literal["unread", "read", "archived"] = Field(
        "unread", description="Reading state; opening the article page marks it read"
    )
    trending: bool
    category: str
    tags: list[str]
    summary: SummaryOut | None


class BlockOut(BaseModel):
    kind: str
    text: str
    level: int
    language: str


class ArticleDetail(ArticleCard):
    source: str
    language: str
    description: str
    source_tags: list[str]
    blocks: list[BlockOut]


class ArticleList(BaseModel):
    articles: list[ArticleCard]
    total: int
    next_cursor: str | None


class ArticleCreate(BaseModel):
    """Exactly one of url, html or markdown."""

    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, max_length=4096, description="An http(s) URL to fetch")
    html: str | None = Field(None, max_length=MAX_TEXT)
    markdown: str | None = Field(None, max_length=MAX_TEXT)
    title: str | None = Field(None, max_length=1000)
    source_url: str | None = Field(
        None, max_length=4096, description="Where raw html/markdown came from, if anywhere"
    )


class CreateResult(BaseModel):
    status: Literal["added", "duplicate"]
    id: int
    title: str | None


class ArticlePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starred: bool | None = None
    state: Literal["unread", "read", "archived"] | None = None
    category: str | None = Field(None, max_length=200)
    tags: list[str] | None = Field(None, max_length=100)


class CategoryOut(BaseModel):
    name: str
    description: str
    count: int
    unread: int = Field(0, description="Articles in the category not read yet")


class TechnologyOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    count: int


class SearchHit(ArticleCard):
    snippet: str = Field(description="Escaped text; matches wrapped in <mark>")
    score: float | None


class SearchOut(BaseModel):
    query: str
    total: int
    message: str = Field("", description="Why there are fewer results, or what was ignored")
    results: list[SearchHit]
    next_cursor: str | None


class RelatedHit(ArticleCard):
    reason: str


class TrendingHit(ArticleCard):
    score: float


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "Bad parameter (cursor, date, filter)"),
        (401, "Missing or invalid token"),
        (404, "No such resource"),
        (409, "Not in a state that allows this (e.g. retrying a job that has not failed)"),
        (413, "Body over web_max_body"),
        (422, "Body or parameters fail validation"),
        (429, "Too many writes"),
    )
}

# --- handlers --------------------------------------------------------------------------------


def list_articles(
    request: Request,
    category: str = Query("", max_length=200),
    tech: str = Query("", max_length=200),
    site: str = Query("", max_length=300),
    after: str = Query("", max_length=10, description="YYYY-MM-DD, inclusive"),
    before: str = Query("", max_length=10, description="YYYY-MM-DD, exclusive"),
    starred: bool | None = None,
    is_: str = Query(
        "",
        alias="is",
        max_length=100,
        description="unread, read, archived, starred (comma-separated: all must hold);"
        " archived articles are listed only when asked for",
    ),
    sort: Literal["newest", "oldest", "most_read"] = "newest",
    limit: int = Query(20, ge=1, le=queries.MAX_LIMIT),
    cursor: str = Query("", max_length=500),
    _: None = Depends(read_access),
) -> Response:
    lib = library(request)
    filters = queries.build_filters(lib, category, tech, site, after, before, starred, is_)
    page = queries.listing(lib, filters, sort, 1, limit, cursor)
    listed = ArticleList.model_validate(
        {"articles": page.cards, "total": page.total, "next_cursor": page.next_cursor}
    )
    return validated_json(listed)


def validated_json(model: BaseModel) -> Response:
    """A model already validated, serialised once by pydantic's own JSON writer.

    Returned as a Response so FastAPI does not validate and encode it a second time (the
    route names the model as `response_model` for the OpenAPI description): for a page of
    20 cards with their summaries, that second pass was a third of the request's time.
    """
    return Response(model.model_dump_json(), media_type="application/json")


def get_article(
    request: Request, article_id: ArticleId, _: None = Depends(read_access)
) -> ArticleDetail:
    return ArticleDetail.model_validate(queries.article_detail(library(request), article_id))


def get_summary(
    request: Request, article_id: ArticleId, _: None = Depends(read_access)
) -> SummaryOut:
    detail = queries.article_detail(library(request), article_id)
    if detail["summary"] is None:
        raise ApiError(404, "not_found", f"article {article_id} has no summary yet")
    return SummaryOut.model_validate(detail["summary"])


def get_related(
    request: Request,
    article_id: ArticleId,
    limit: int = Query(5, ge=1, le=50),
    _: None = Depends(read_access),
) -> list[RelatedHit]:
    return [
        RelatedHit.model_validate(c) for c in queries.related(library(request), article_id, limit)
    ]


async def create_article(
    request: Request, body: ArticleCreate, response: Response, _: str = Depends(write_access)
) -> CreateResult:
    """Runs on the adds' own threads (web/adding.py), never on a page handler's."""
    return await off_page_threads(_create_article, request, body, response)


def _create_article(request: Request, body: ArticleCreate, response: Response) -> CreateResult:
    given = [k for k in ("url", "html", "markdown") if getattr(body, k)]
    if len(given) != 1:
        raise ApiError(
            422,
            "bad_body",
            "give exactly one of url, html or markdown",
            {"given": given},
        )
    lib = library(request)
    source = _source(body)
    result = ingest(source, lib.store, lib.settings)
    if result.status == "failed":
        raise ApiError(422, "ingest_failed", result.error or "could not add the article")
    if result.status == "duplicate":
        response.status_code = 200
        return CreateResult(status="duplicate", id=result.duplicate_of or 0, title=result.title)
    response.status_code = 201
    return CreateResult(status="added", id=result.id or 0, title=result.title)


def _source(body: ArticleCreate) -> Source:
    if body.url:
        if not body.url.startswith(("http://", "https://")):
            raise ApiError(422, "bad_url", "url must start with http:// or https://")
        return url_source(body.url)

    def load(settings: Any) -> Document:
        return run_contained(
            settings, posted_document, body.html, body.markdown, body.title, body.source_url
        )

    return Source("api", load)


def posted_document(
    html: str | None, markdown: str | None, title: str | None, source_url: str | None
) -> Document:
    """The Document of HTML or Markdown posted to /v1/articles (run in an extraction child)."""
    if html:
        doc = from_html(html, url=source_url or "", source="api")
    else:
        doc = from_markdown(markdown or "", source="api")
    apply_metadata(doc, {"title": title} if title else {})
    if source_url:
        doc.url = doc.url or source_url
    return doc


def patch_article(
    request: Request, article_id: ArticleId, body: ArticlePatch, _: str = Depends(write_access)
) -> ArticleDetail:
    lib = library(request)
    queries.update_labels(lib, article_id, body.category, body.tags)
    if body.starred is not None:
        queries.set_starred(lib, article_id, body.starred)
    if body.state is not None:
        reading.set_state(lib.store, [article_id], body.state)
    return ArticleDetail.model_validate(queries.article_detail(lib, article_id))


def delete_article(
    request: Request, article_id: ArticleId, _: str = Depends(write_access)
) -> Response:
    queries.delete_article(library(request), article_id)
    return Response(status_code=204)


def list_categories(request: Request, _: None = Depends(read_access)) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in queries.categories(library(request))]


def list_technologies(
    request: Request, limit: int = Query(50, ge=1, le=500), _: None = Depends(read_access)
) -> list[TechnologyOut]:
    return [TechnologyOut.model_validate(t) for t in queries.technologies(library(request), limit)]


def get_technology(request: Request, name: str, _: None = Depends(read_access)) -> TechnologyOut:
    return TechnologyOut.model_validate(queries.technology(library(request), name))


def search(
    request: Request,
    q: str = Query(..., max_length=1000, description='Plain words, "phrases", -excluded'),
    category: str = Query("", max_length=200),
    tech: str = Query("", max_length=200),
    site: str = Query("", max_length=300),
    after: str = Query("", max_length=10),
    before: str = Query("", max_length=10),
    limit: int = Query(20, ge=1, le=queries.MAX_LIMIT),
    cursor: str = Query("", max_length=100),
    _: None = Depends(read_access),
) -> SearchOut:
    lib = library(request)
    offset = queries.decode_offset(cursor) if cursor else 0
    filters = {
        k: v
        for k, v in {
            "category": category,
            "tech": tech,
            "site": site,
            "after": queries.check_date(after, "after"),
            "before": queries.check_date(before, "before"),
        }.items()
        if v
    }
    found = queries.search(lib, q, filters, limit, offset)
    more = offset + len(found["results"]) < found["total"] and found["results"]
    found["next_cursor"] = queries.encode_offset(offset + limit) if more else None
    return SearchOut.model_validate(found)


def list_trending(
    request: Request, limit: int = Query(10, ge=1, le=50), _: None = Depends(read_access)
) -> list[TrendingHit]:
    return [TrendingHit.model_validate(c) for c in queries.trending(library(request), limit)]
