"""What pages and API handlers share: the library, who is asking, errors, templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..models import SECTION_TITLES
from . import security
from .queries import Library

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


# SQLite integers are 64-bit signed: a larger id is a 422, not an OverflowError deep inside.
ArticleId = Annotated[int, PathParam(ge=1, le=2**63 - 1, description="An article id")]


class ApiError(Exception):
    """An error answered as {"error": {"code", "message", "details"}} with `status`."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def library(request: Request) -> Library:
    lib: Library = request.app.state.library
    return lib


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if header and scheme.lower() != "bearer":
        raise ApiError(401, "bad_token", "Authorization header must be 'Bearer TOKEN'")
    return value.strip() or None


def token_owner(request: Request, token: str | None) -> str | None:
    """The token's name, or None when no token was given; ApiError for a wrong token."""
    if token is None:
        return None
    lib = library(request)
    name = lib.store.web.token_name(security.hash_token(token))
    if name is None:
        raise ApiError(401, "bad_token", "the API token is not valid (revoked or mistyped)")
    return name


def reads_need_token(request: Request) -> bool:
    state = request.app.state
    return security.reads_need_token(library(request).settings.web_read_auth, state.host)


def session_owner(request: Request) -> str | None:
    """A browser signed in with a token (cookie set by /login), or None."""
    token = request.cookies.get(security.SESSION_COOKIE)
    if not token:
        return None
    try:
        return token_owner(request, token)
    except ApiError:
        return None


def check_write_rate(request: Request, who: str) -> None:
    wait = request.app.state.limiter.allow(f"{client_key(request)}|{who}")
    if wait:
        raise ApiError(
            429,
            "rate_limited",
            "too many writes; try again shortly",
            {"retry_after": round(wait, 1)},
        )


def _section_title(name: str) -> str:
    return SECTION_TITLES.get(name, name.replace("_", " ").capitalize())


def _split(text: str, start: int, end: int) -> tuple[str, str, str]:
    return text[:start], text[start:end], text[end:]


def make_templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; no stat() per render
    )
    env.filters["safe_url"] = security.safe_url
    env.filters["section_title"] = _section_title
    env.filters["split_at"] = _split
    env.filters["snippet"] = sanitize_snippet
    return env


def sanitize_snippet(fragment: str) -> Markup:
    """Search snippets carry <mark>; nh3 keeps that and nothing else."""
    import nh3

    return Markup(nh3.clean(fragment or "", tags={"mark"}, attributes={}))
