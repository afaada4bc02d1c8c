"""Everything that keeps the web server safe to expose: tokens, CSRF, headers, limits.

- API tokens: 256 random bits shown once, stored as SHA-256 (a fast hash is enough for a
  secret with that much entropy; there is nothing to brute-force).
- CSRF: double-submit. A random value lives in a SameSite=Strict, HttpOnly cookie and in a
  hidden field of every form; a POST whose field does not match the cookie is refused.
- Headers: a Content-Security-Policy with no 'unsafe-inline' (our CSS and JS are files),
  no framing, no sniffing, no referrer leaks.
- Limits: bodies over `web_max_body` get 413 before they are read in full; writes are
  limited per client by a token bucket (`web_write_rate` per minute).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("distill.web")

TOKEN_PREFIX = "dst_"
CSRF_COOKIE = "distill_csrf"
SESSION_COOKIE = "distill_session"
CSRF_FIELD = "csrf"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_loopback(host: str) -> bool:
    """True when listening on `host` binds loopback addresses only.

    Decided by the addresses the name binds, not by its spelling: "" and "0.0.0.0" bind
    every interface, and a name binds whatever it resolves to (all of it must be loopback).
    """
    literal = host.strip().strip("[]")
    if not literal:
        return False  # "" listens on every interface
    try:
        return ipaddress.ip_address(literal.split("%")[0]).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(literal, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        return False  # cannot tell: treat as reachable from elsewhere
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    return bool(addresses) and all(a.is_loopback for a in addresses)


def reads_need_token(mode: str, host: str) -> bool:
    if mode == "public":
        return False
    if mode == "token":
        return True
    return not is_loopback(host)


def csrf_ok(cookie: str | None, field: str | None) -> bool:
    return bool(cookie) and bool(field) and hmac.compare_digest(str(cookie), str(field))


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else "" so templates never emit javascript: or data: links."""
    if not url:
        return ""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in ("http", "https") else ""


class RateLimiter:
    """A token bucket per client key: `rate` writes a minute, bursts up to `rate`."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(max(1, per_minute))
        self.refill = self.capacity / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """0.0 if allowed now, else the seconds until the next write is allowed."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.refill)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.refill


def _error_body(code: str, message: str, details: dict[str, Any]) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": details}}).encode()


class GuardMiddleware:
    """Pure ASGI: security headers on every response, and a cap on request body size.

    Written at the ASGI level so an oversized upload is refused by its Content-Length, or
    cut off while streaming when it has none, without buffering it first.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        too_large = False
        replaced = False
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal replaced, started
            if too_large:  # the app answered a cut-off body: answer 413 instead, once
                if not replaced:
                    replaced = True
                    await self._too_large(send)
                return
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            too_large = True
            await send_with_headers({"type": "http.response.start"})
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_large = True  # stop reading; whatever the app answers becomes 413
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:  # noqa: BLE001 - answered here so a 500 has our headers too
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._internal_error(scope, send)

    async def _internal_error(self, scope: Scope, send: Send) -> None:
        """A 500 with the security headers (Starlette's own would go out without them)."""
        path = str(scope.get("path", ""))
        message = "internal error; the server log has the details"
        if path.startswith(("/v1/", "/feeds/")):
            body, ctype = _error_body("internal", message, {}), b"application/json"
        else:
            body, ctype = (
                f"<!doctype html><title>Error</title><p>{message}</p>".encode(),
                (b"text/html; charset=utf-8"),
            )
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", ctype),
                    (b"content-length", str(len(body)).encode()),
                    *HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _too_large(self, send: Send) -> None:
        body = _error_body(
            "body_too_large",
            f"request body is over the limit of {self.max_body:,} bytes (web_max_body)",
            {"limit": self.max_body},
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                    *HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
