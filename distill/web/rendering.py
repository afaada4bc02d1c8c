"""What every HTML page handler shares: filling a template, guarding reads, checking forms.

Kept apart from pages.py so the page modules (reading, feeds, remove, save) import this and
not each other: pages.py links to the reading helpers, and they need these helpers back.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from . import security
from .common import ApiError, check_write_rate, reads_need_token, session_owner


class LoginRequired(Exception):
    """A page needs a signed-in browser (reads need a token on this server)."""


def guard(request: Request) -> None:
    """Pages need a signed-in browser when reads need a token."""
    if reads_need_token(request) and session_owner(request) is None:
        raise LoginRequired()


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Fill a template; give the browser a CSRF cookie if it has none yet."""
    csrf = request.cookies.get(security.CSRF_COOKIE) or secrets.token_urlsafe(24)
    env = request.app.state.templates
    body = env.get_template(template).render(
        request=request,
        csrf=csrf,
        path=request.url.path,
        query=str(request.url.query),
        signed_in=session_owner(request) is not None,
        needs_login=reads_need_token(request),
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    if security.CSRF_COOKIE not in request.cookies:
        response.set_cookie(security.CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/")
    return response


def check_form(request: Request, csrf: str) -> None:
    """A form post must carry the CSRF field, come from a signed-in browser when needed,
    and stay within the write rate."""
    if not security.csrf_ok(request.cookies.get(security.CSRF_COOKIE), csrf):
        raise ApiError(403, "csrf", "the form expired or came from another site; reload the page")
    if reads_need_token(request) and session_owner(request) is None:
        raise LoginRequired()
    check_write_rate(request, "page")


def local_path(target: str, fallback: str) -> str:
    """Only same-site paths as redirect targets (no //host, no scheme)."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else fallback
