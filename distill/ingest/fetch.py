"""The only module that touches the network: bounded, guarded HTTP GETs.

Limits (size, time, redirects) and the private-address guard are enforced here so every
caller, from `distill add` to the feed worker, gets the same protection. The guard resolves
the host and checks every address *before* a connection is opened, and again for every
redirect hop, so a public URL cannot bounce us into the local network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import Settings
from ..errors import (
    FetchError,
    FetchTimeout,
    HTTPStatus,
    TooLarge,
    TooManyRedirects,
)
from .transport import Deadline, checked_addresses, guarded_transport, resolve

REDIRECT_CODES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return ""


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL, or FetchError naming what is wrong with it."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port out of range, a bracketed host that is not IPv6
        raise FetchError(f"{url}: not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    if not host:
        raise FetchError(f"{url}: URL has no host")
    return host, port


def check_address(url: str, allowed_hosts: str, timeout: float = 10.0) -> None:
    """Refuse a URL whose host is, or resolves to, a non-public address unless allowed.

    fetch() does this inside the connection itself (transport.GuardedBackend) so the
    address checked is the address used; this stand-alone check is for early messages.
    """
    host, port = check_url(url)
    try:
        checked_addresses(host, resolve(host, port, timeout), allowed_hosts)
    except FetchError as exc:
        raise type(exc)(f"{url}: {exc}") from exc


def fetch(url: str, settings: Settings, headers: dict[str, str] | None = None) -> Response:
    """GET a URL within the configured limits, following at most max_redirects redirects.

    One deadline (total_timeout) covers every hop: DNS, connect, TLS, response headers
    and body; each hop's address is checked and pinned by the transport.
    """
    deadline = Deadline(settings.total_timeout)
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    request_headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
    request_headers.update(headers or {})
    redirects: list[str] = []
    transport = guarded_transport(settings.allowed_hosts, deadline)
    with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
        current = url
        while True:
            check_url(current)
            response = _get_once(client, current, request_headers, settings.max_bytes, deadline)
            if response.status in REDIRECT_CODES and "location" in response.headers:
                if len(redirects) >= settings.max_redirects:
                    raise TooManyRedirects(
                        f"{url}: more than {settings.max_redirects} redirects (max_redirects)"
                    )
                redirects.append(current)
                current = urljoin(current, response.headers["location"])
                continue
            response.redirects = redirects
            if response.status >= 400:
                raise HTTPStatus(
                    f"{current}: server answered HTTP {response.status}", response.status
                )
            return response


def _get_once(
    client: httpx.Client, url: str, headers: dict[str, str], max_bytes: int, deadline: Deadline
) -> Response:
    try:
        with client.stream("GET", url, headers=headers) as resp:
            resp_headers = {k.lower(): v for k, v in resp.headers.items()}
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(
                    f"{url}: response is {int(declared):,} bytes, over the limit of "
                    f"{max_bytes:,} (max_bytes)"
                )
            body = bytearray()
            if resp.status_code not in REDIRECT_CODES:
                # no chunk size: a size makes httpx buffer until it fills, so a server
                # trickling bytes would never reach the deadline check below
                for chunk in resp.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise TooLarge(
                            f"{url}: response exceeds the limit of {max_bytes:,} bytes "
                            "(max_bytes); stopped reading"
                        )
                    if deadline.passed:
                        raise _late(url, deadline)
            return Response(str(resp.url), resp.status_code, resp_headers, bytes(body))
    except httpx.TimeoutException as exc:
        if deadline.passed:
            raise _late(url, deadline) from exc
        raise FetchTimeout(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
    except FetchError as exc:  # raised by the transport's guard: name the URL
        if str(exc).startswith(url):
            raise
        raise type(exc)(f"{url}: {exc}") from exc


def _late(url: str, deadline: Deadline) -> FetchTimeout:
    return FetchTimeout(
        f"{url}: took longer than the total timeout of {deadline.seconds:g}s (total_timeout)"
    )
