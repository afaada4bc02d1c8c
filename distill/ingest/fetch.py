"""The only module that touches the network: bounded, guarded HTTP GETs.

Limits (size, time, redirects) and the private-address guard are enforced here so every
caller, from `distill add` to the feed worker, gets the same protection. The guard resolves
the host and checks every address *before* a connection is opened, and again for every
redirect hop, so a public URL cannot bounce us into the local network.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import Settings
from ..errors import (
    AddressRefused,
    FetchError,
    FetchTimeout,
    HTTPStatus,
    TooLarge,
    TooManyRedirects,
)

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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_allowed(allowed: str) -> tuple[set[str], list[Network]]:
    names: set[str] = set()
    networks: list[Network] = []
    for item in (x.strip() for x in allowed.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            names.add(item.lower())
    return names, networks


def _is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_reserved
        or addr.is_multicast
        or addr.is_unspecified
    )


def check_address(url: str, allowed_hosts: str) -> None:
    """Refuse a URL whose host is, or resolves to, a non-public address unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(f"{url}: URL has no host")
    names, networks = _parse_allowed(allowed_hosts)
    if host in names:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{url}: cannot resolve host {host!r} ({exc})") from exc
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if any(addr in net for net in networks):
            continue
        if not _is_public(addr):
            raise AddressRefused(
                f"{url}: host {host!r} resolves to non-public address {addr}; refused "
                "(add it to the allowed_hosts setting to permit it)"
            )


def fetch(url: str, settings: Settings, headers: dict[str, str] | None = None) -> Response:
    """GET a URL within the configured limits, following at most max_redirects redirects."""
    deadline = time.monotonic() + settings.total_timeout
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    request_headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
    request_headers.update(headers or {})
    redirects: list[str] = []
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        current = url
        while True:
            check_address(current, settings.allowed_hosts)
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
    client: httpx.Client, url: str, headers: dict[str, str], max_bytes: int, deadline: float
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
                    if time.monotonic() > deadline:
                        raise FetchTimeout(f"{url}: took longer than the total timeout")
            return Response(str(resp.url), resp.status_code, resp_headers, bytes(body))
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
