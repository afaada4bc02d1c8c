"""Slow servers, slow DNS, rebinding names, non-public ranges and malformed URLs.

Servers are real sockets on 127.0.0.1 (tests/hostile_servers.py). The resolvers here are
FAKES (named so): a test cannot make the system resolver stall or change its answer, so
`socket.getaddrinfo` is replaced for made-up `.test` names only; every other name and every
numeric address still goes to the real function.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from distill.config import Settings
from distill.errors import AddressRefused, FetchError, FetchTimeout
from distill.ingest.addresses import NON_PUBLIC_V4, NON_PUBLIC_V6, is_public
from distill.ingest.fetch import fetch
from distill.ingest.transport import checked_addresses

from .hostile_servers import article_html, page_server, trickle_server

REAL_GETADDRINFO = socket.getaddrinfo


def _answer(address: str, port: int) -> list[tuple[Any, ...]]:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sockaddr: tuple[Any, ...] = (address, port, 0, 0) if ":" in address else (address, port)
    return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]


@pytest.fixture
def fake_resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Callable[..., Any]]]:
    """FAKE resolver: names in the returned dict are answered by their function."""
    answers: dict[str, Callable[..., Any]] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in answers:
            return answers[host](port)
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield answers


def test_server_trickling_its_headers_meets_the_total_deadline(settings: Settings) -> None:
    quick = settings.replace(total_timeout=2.0, read_timeout=1.0)
    with (
        trickle_server(interval=0.2, stop_after=30.0) as server,
        pytest.raises(FetchTimeout, match="total timeout of 2s"),
    ):
        fetch(server.url("/slow"), quick)


def test_resolver_that_never_answers_meets_the_deadline(
    settings: Settings, fake_resolver: dict[str, Callable[..., Any]]
) -> None:
    released = threading.Event()

    def stall(port: int) -> Any:
        released.wait(30)  # stands in for a DNS server that does not answer
        return _answer("127.0.0.1", port)

    fake_resolver["stalled-dns.test"] = stall
    try:
        with pytest.raises(FetchTimeout, match="resolving host 'stalled-dns.test'"):
            fetch("http://stalled-dns.test/", settings.replace(total_timeout=1.5))
    finally:
        released.set()


def test_connection_uses_the_address_that_was_checked(
    settings: Settings, fake_resolver: dict[str, Callable[..., Any]]
) -> None:
    """A name that answers differently the second time (DNS rebinding) is looked up once
    per hop: the connection goes where the guard looked, never to the second answer."""
    public = article_html("The Page The Guard Checked")
    internal = article_html("Internal Service Secret")
    with page_server(public) as checked, page_server(internal) as hidden:
        calls: list[int] = []

        def rebinding(port: int) -> Any:
            calls.append(port)
            return _answer("127.0.0.1", checked.port if len(calls) == 1 else hidden.port)

        fake_resolver["rebind.test"] = rebinding
        allowed = settings.replace(allowed_hosts="127.0.0.1/32")
        response = fetch(f"http://rebind.test:{checked.port}/", allowed)
    assert b"The Page The Guard Checked" in response.content
    assert hidden.requests == 0
    assert len(calls) == 1


def test_name_resolving_to_the_cloud_metadata_address_is_refused(
    settings: Settings, fake_resolver: dict[str, Callable[..., Any]]
) -> None:
    fake_resolver["metadata.test"] = lambda port: _answer("100.100.100.200", port)
    with pytest.raises(AddressRefused, match=r"100\.100\.100\.200 \(shared address space"):
        fetch("http://metadata.test/latest/meta-data/", settings)


EMBEDDED_PRIVATE = [
    "2002:0a00:0001::1",  # 6to4 carrying 10.0.0.1
    "2002:6464:64c8::1",  # 6to4 carrying 100.100.100.200
    "2002:7f00:0001::1",  # 6to4 carrying 127.0.0.1
    "64:ff9b::10.0.0.1",  # NAT64 well-known prefix carrying 10.0.0.1
    "64:ff9b::169.254.169.254",  # NAT64 carrying the link-local metadata address
    "::ffff:192.168.1.1",  # IPv4-mapped
    "::10.1.2.3",  # IPv4-compatible (deprecated)
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo with a documentation client address
]


def _inside(network: str) -> list[str]:
    """The first and last address of a range (a /32 or /128 has one)."""
    net = ipaddress.ip_network(network)
    return sorted({str(net[0]), str(net[-1])})


RANGES = [(net, addr) for net, _why in NON_PUBLIC_V4 + NON_PUBLIC_V6 for addr in _inside(net)]


@pytest.mark.parametrize(("network", "address"), RANGES)
def test_every_special_purpose_range_is_refused(
    settings: Settings, fake_resolver: dict[str, Callable[..., Any]], network: str, address: str
) -> None:
    fake_resolver["special.test"] = lambda port: _answer(address, port)
    with pytest.raises(AddressRefused, match="non-public address"):
        fetch("http://special.test/", settings.replace(allowed_hosts=""))


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE + ["100.100.100.200", "100.64.0.1"])
def test_addresses_carrying_a_private_ipv4_are_refused(
    settings: Settings, fake_resolver: dict[str, Callable[..., Any]], address: str
) -> None:
    fake_resolver["embedded.test"] = lambda port: _answer(address, port)
    with pytest.raises(AddressRefused, match="non-public address"):
        fetch("http://embedded.test/", settings.replace(allowed_hosts=""))


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2606:4700::1111", "2002:0808:0808::1", "64:ff9b::8.8.8.8", "2001:4:112::1"],
)
def test_public_addresses_pass_the_guard(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))
    assert checked_addresses("public.test", _answer(address, 80), "") == _answer(address, 80)


def test_literal_metadata_address_is_refused_without_a_request(settings: Settings) -> None:
    with pytest.raises(AddressRefused, match="100.100.100.200"):
        fetch("http://100.100.100.200/latest/meta-data/", settings.replace(allowed_hosts=""))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:99999/", "Port out of range"),
        ("http://[127.0.0.1]/", "not a valid URL"),
        ("ftp://example.com/", "only http and https"),
        ("http:///nohost", "no host"),
    ],
)
def test_malformed_urls_are_clear_errors(settings: Settings, url: str, problem: str) -> None:
    with pytest.raises(FetchError, match=problem):
        fetch(url, settings)
