"""The web application: the factory and the whole route table, in one list.

Reading ROUTES top to bottom is reading the site: every page, feed and /v1 endpoint, its
method and its handler. Handlers live in pages.py (HTML), api.py (/v1 JSON) and atom.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import Settings, load_settings
from ..errors import BadRequest, DistillError, InputError, NotFound
from . import (
    api,
    atom,
    favicon,
    feed_pages,
    feeds_api,
    pages,
    reading_api,
    reading_pages,
    remove_page,
    save_page,
)
from .api import ERRORS
from .common import STATIC, ApiError, make_templates
from .queries import Library
from .rendering import LoginRequired, render
from .security import GuardMiddleware, RateLimiter


@dataclass
class R:
    """One route: method, path, handler; `api` routes appear in the OpenAPI description."""

    method: str
    path: str
    handler: Callable[..., Any]
    api: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


ROUTES: list[R] = [
    # pages
    R("GET", "/", pages.home),
    R("GET", "/category/{name}", pages.category),
    R("GET", "/articles/{article_id}", pages.article),
    R("POST", "/articles/{article_id}/star", pages.star),
    R("POST", "/articles/{article_id}/labels", pages.labels),
    R("POST", "/articles/{article_id}/state", reading_pages.set_state),
    R("POST", "/read", reading_pages.mark_all_read),
    R("GET", "/articles/{article_id}/remove", remove_page.confirm),
    R("POST", "/articles/{article_id}/remove", remove_page.remove),
    R("GET", "/tech/{name}", pages.technology),
    R("GET", "/search", pages.search),
    R("GET", "/add", save_page.add_form),
    R("GET", "/manifest.webmanifest", save_page.manifest),
    R("POST", "/add", pages.add),
    R("GET", "/login", pages.login_form),
    R("POST", "/login", pages.login),
    R("POST", "/logout", pages.logout),
    R("POST", "/add/feed", feed_pages.add_feed_form),
    R("GET", "/jobs", feed_pages.jobs_page),
    R("GET", "/feeds", feed_pages.feeds_page),
    R("POST", "/feeds/{feed_id}/check", feed_pages.check),
    R("POST", "/feeds/{feed_id}/pause", feed_pages.pause),
    R("POST", "/feeds/{feed_id}/interval", feed_pages.interval),
    R("POST", "/feeds/{feed_id}/unsubscribe", feed_pages.unsubscribe),
    R("GET", "/v1/docs", pages.api_docs),
    R("GET", "/favicon.ico", favicon.favicon),
    # feeds out
    R("GET", "/feeds/category/{name}.atom", atom.category_feed),
    R("GET", "/feeds/tech/{name}.atom", atom.tech_feed),
    # JSON API
    R("GET", "/v1/articles", api.list_articles, True, {"response_model": api.ArticleList}),
    R("POST", "/v1/articles", api.create_article, True, {"status_code": 201}),
    R("GET", "/v1/articles/{article_id}", api.get_article, True),
    R("PATCH", "/v1/articles/{article_id}", api.patch_article, True),
    R("DELETE", "/v1/articles/{article_id}", api.delete_article, True, {"status_code": 204}),
    R("GET", "/v1/articles/{article_id}/summary", api.get_summary, True),
    R("GET", "/v1/articles/{article_id}/related", api.get_related, True),
    R("POST", "/v1/read", reading_api.mark, True),
    R("GET", "/v1/feeds", feeds_api.list_feeds, True),
    R("POST", "/v1/feeds", feeds_api.create_feed, True, {"status_code": 201}),
    R("GET", "/v1/feeds/{feed_id}", feeds_api.get_feed, True),
    R("DELETE", "/v1/feeds/{feed_id}", feeds_api.delete_feed, True, {"status_code": 204}),
    R("PATCH", "/v1/feeds/{feed_id}", feeds_api.patch_feed, True),
    R("POST", "/v1/feeds/{feed_id}/check", feeds_api.check_feed, True, {"status_code": 202}),
    R("GET", "/v1/jobs", feeds_api.list_jobs, True),
    R("GET", "/v1/jobs/{job_id}", feeds_api.get_job, True),
    R("POST", "/v1/jobs/{job_id}/retry", feeds_api.retry_job, True),
    R("GET", "/v1/categories", api.list_categories, True),
    R("GET", "/v1/technologies", api.list_technologies, True),
    R("GET", "/v1/technologies/{name}", api.get_technology, True),
    R("GET", "/v1/search", api.search, True),
    R("GET", "/v1/trending", api.list_trending, True),
]


def create_app(settings: Settings, host: str = "127.0.0.1") -> FastAPI:
    """An app serving the library in `settings.home`; `host` decides default read access."""
    app = FastAPI(
        title="Distill",
        version="1",
        description="Articles, their six-section summaries with provenance, categories, "
        'technologies and search. Errors are {"error": {"code", "message", "details"}}; '
        "lists carry next_cursor. Writes need `Authorization: Bearer TOKEN` "
        "(`distill tokens create NAME`).",
        openapi_url="/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.library = Library(settings)
    app.state.host = host
    app.state.templates = make_templates()
    app.state.limiter = RateLimiter(settings.web_write_rate)
    for route in ROUTES:
        options: dict[str, Any] = {"include_in_schema": route.api, **route.extra}
        if route.api:
            options["responses"] = ERRORS
        else:
            options["response_model"] = None
        app.add_api_route(route.path, route.handler, methods=[route.method], **options)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _errors(app)
    app.add_middleware(GuardMiddleware, max_body=settings.web_max_body)
    app.router.add_event_handler("startup", lambda: _limit_handler_threads(settings))
    app.router.add_event_handler("shutdown", app.state.library.close)
    return app


def _limit_handler_threads(settings: Settings) -> None:
    """Run at most `web_threads` page and API handlers at once (anyio's default is 40).

    Handlers are SQLite reads plus Python: on a 2-core machine 40 of them at once mostly
    wait on each other (the GIL, SQLite's shared mutexes, 40 cold page caches), and under
    64 concurrent clients that turned 11 ms requests into 2 s timeouts.
    """
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads


def warm_up_on_start(app: FastAPI) -> FastAPI:
    """Load the embedding model, the vector index and the home page's chart data in the
    background when serving starts.

    Each is loaded on first use otherwise, and that first use is a visitor's search,
    article or home page: MiniLM takes seconds to load, the vectors of a 100,000-article
    library about one, the charts' aggregates a few. Other pages are served meanwhile.
    """

    def warm() -> None:
        from .queries import home

        lib: Library = app.state.library
        lib.store.search.load_vectors()
        home(lib)
        if lib.settings.embed:
            from ..embed import default_embedder

            default_embedder().embed(["warm up"])

    def start() -> None:
        threading.Thread(target=warm, name="distill-warm-up", daemon=True).start()

    app.router.add_event_handler("startup", start)
    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process (`distill serve --workers N`)."""
    settings = load_settings()
    return warm_up_on_start(
        create_app(settings, host=os.environ.get("DISTILL_SERVE_HOST", "127.0.0.1"))
    )


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (path.startswith("/v1/") and path != "/v1/docs") or path.startswith("/feeds/")


def _error(request: Request, status: int, code: str, message: str, details: Any = None) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"error": {"code": code, "message": message, "details": details or {}}},
            status_code=status,
            headers={"Retry-After": "1"} if status == 429 else None,
        )
    return render(request, "error.html", status=status, status_code=status, message=message)


def _errors(app: FastAPI) -> None:
    """Every failure becomes {"error": {...}} under /v1 and an error page elsewhere."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error(request, exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return _error(request, 400, exc.code, str(exc), exc.details)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, "not_found", str(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return _error(request, 422, "bad_input", str(exc))

    @app.exception_handler(DistillError)
    async def distill_error(request: Request, exc: DistillError) -> Response:
        return _error(request, 400, "error", str(exc))

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"where": "request", "problem": "invalid"}
        message = f"{first['where']}: {first['problem']}"
        return _error(request, 422, "invalid", message, {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(request, exc.status_code, code, str(exc.detail))
