"""The connection layer under every fetch: one checked address per hop, one hard deadline.

httpx resolves a host name again when it connects, after our guard looked it up: a name
that answers a public address to the guard and a private one to the connection (DNS
rebinding) would slip through. So the network backend here is the only resolver: it looks
the name up once (in a thread, so a resolver that never answers still meets the deadline),
refuses the hop when any answer is not public, and connects to the address it checked.
TLS still verifies the certificate against the host name (httpcore passes the URL's host
as server_hostname; only the TCP address is pinned).

Every socket wait (connect, TLS handshake, response headers, body) is cut to what is left
of the fetch's total deadline, so a server that trickles its headers a byte at a time ends
with a timeout instead of holding a worker thread or a web handler for good.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from ..errors import AddressRefused, FetchError, FetchTimeout
from .addresses import why_not_public

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
AddrInfo = tuple[Any, ...]


class Deadline:
    """Monotonic end time of one fetch; `left()` is what any single wait may still use."""

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def left(self, cap: float | None = None) -> float:
        remaining = self.end - time.monotonic()
        return remaining if cap is None else min(cap, remaining)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


def parse_allowed(allowed: str) -> tuple[set[str], list[Network]]:
    """The allowed_hosts setting: host names and CIDR ranges let through the guard."""
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


def resolve(host: str, port: int, timeout: float) -> list[AddrInfo]:
    """getaddrinfo within `timeout` seconds: the system resolver has no deadline of its own,
    so it runs on a daemon thread that is abandoned (and ends by itself) when it is late."""
    result: list[Any] = []

    def lookup() -> None:
        try:
            result.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            result.append(exc)

    thread = threading.Thread(target=lookup, name="distill-resolve", daemon=True)
    thread.start()
    thread.join(max(timeout, 0.0))
    if not result:
        raise FetchTimeout(f"resolving host {host!r} took longer than {timeout:.1f}s")
    if isinstance(result[0], BaseException):
        raise FetchError(f"cannot resolve host {host!r} ({result[0]})")
    infos: list[AddrInfo] = result[0]
    return infos


def checked_addresses(host: str, infos: list[AddrInfo], allowed_hosts: str) -> list[AddrInfo]:
    """The resolved addresses, or AddressRefused when any of them is not public."""
    names, networks = parse_allowed(allowed_hosts)
    if host.lower() in names:
        return infos
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if any(addr in net for net in networks):
            continue
        reason = why_not_public(addr)
        if reason:
            raise AddressRefused(
                f"host {host!r} resolves to non-public address {addr} ({reason}); refused "
                "(add it to the allowed_hosts setting to permit it)"
            )
    return infos


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every wait is cut to the fetch's remaining time."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self.inner = inner
        self.deadline = deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.deadline.left(timeout)
        if left <= 0:
            raise error(f"past the total deadline of {self.deadline.seconds:g}s")
        return left

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._timeout(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(
            self.inner.start_tls(ssl_context, server_hostname, wait), self.deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Resolve once, check, connect to the checked address; every wait within the deadline."""

    def __init__(
        self,
        allowed_hosts: str,
        deadline: Deadline,
        on_connect: Callable[[str, str], None] | None = None,
    ) -> None:
        self.allowed_hosts = allowed_hosts
        self.deadline = deadline
        self.on_connect = on_connect  # (host, address) of each connection, for reports

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        infos = checked_addresses(
            host, resolve(host, port, self.deadline.left(timeout)), self.allowed_hosts
        )
        error: Exception | None = None
        for *_kind, sockaddr in infos:
            wait = self.deadline.left(timeout)
            if wait <= 0:
                raise httpcore.ConnectTimeout(f"connecting to {host!r} passed the deadline")
            address = str(sockaddr[0])
            try:  # a numeric address: the socket layer does not resolve it again
                stream = super().connect_tcp(address, port, wait, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            if self.on_connect is not None:
                self.on_connect(host, address)
            return DeadlineStream(stream, self.deadline)
        raise error or httpcore.ConnectError(f"{host!r} resolved to no address")


def guarded_transport(allowed_hosts: str, deadline: Deadline) -> httpx.HTTPTransport:
    """An httpx transport whose connections go through GuardedBackend (TLS verification on)."""
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no public hook for a network backend; httpcore's pool takes one publicly,
    # so the transport gets a pool built the same way with ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=GuardedBackend(allowed_hosts, deadline),
    )
    return transport
