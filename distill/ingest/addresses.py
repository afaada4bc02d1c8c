"""Which IP addresses a fetch may reach: the IANA special-purpose registries, as data.

Python's `ipaddress.is_private` misses ranges that are not public either (100.64.0.0/10
shared address space, where cloud metadata answers at 100.100.100.200; the 192.0.0.0/24
protocol block; 5f00::/16 segment routing) and knows nothing of IPv6 addresses that carry
an IPv4 address inside (6to4, NAT64, Teredo, mapped, compatible) and so reach it. The
tables below follow the IANA IPv4 and IPv6 Special-Purpose Address Registries (entries not
"globally reachable"), plus multicast; an embedded IPv4 address is checked on its own.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA IPv4 Special-Purpose Address Registry, entries not globally reachable, and multicast.
NON_PUBLIC_V4: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private use"),
    ("100.64.0.0/10", "shared address space (carrier-grade NAT, cloud metadata)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link local"),
    ("172.16.0.0/12", "private use"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "deprecated 6to4 relay anycast"),
    ("192.168.0.0/16", "private use"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "limited broadcast"),
)

# IANA IPv6 Special-Purpose Address Registry, entries not globally reachable, and multicast.
# The IPv4-carrying prefixes (::ffff:0:0/96, ::/96, 64:ff9b::/96, 2002::/16, 2001::/32) are
# judged by the IPv4 address inside them instead (see embedded_ipv4).
NON_PUBLIC_V6: tuple[tuple[str, str], ...] = (
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "local-use IPv4/IPv6 translation"),
    ("100::/64", "discard-only"),
    ("100:0:0:1::/64", "dummy prefix"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing SIDs"),
    ("fc00::/7", "unique local"),
    ("fe80::/10", "link local"),
    ("fec0::/10", "deprecated site local"),
    ("ff00::/8", "multicast"),
)

# Registry entries inside 2001::/23 that are globally reachable (anycast services).
PUBLIC_V6_EXCEPTIONS = (
    "2001:1::1/128",
    "2001:1::2/128",
    "2001:1::3/128",
    "2001:3::/32",
    "2001:4:112::/48",
    "2001:20::/28",
    "2001:30::/28",
)

_V4 = [(ipaddress.IPv4Network(net), why) for net, why in NON_PUBLIC_V4]
_V6 = [(ipaddress.IPv6Network(net), why) for net, why in NON_PUBLIC_V6]
_V6_PUBLIC = [ipaddress.IPv6Network(net) for net in PUBLIC_V6_EXCEPTIONS]
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(addr: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address delivers to: mapped, compatible, NAT64, 6to4, Teredo."""
    found: list[ipaddress.IPv4Address] = []
    if addr.ipv4_mapped is not None:
        found.append(addr.ipv4_mapped)
    if addr in _NAT64 or (addr in _COMPATIBLE and int(addr) > 1):
        found.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    if addr.sixtofour is not None:
        found.append(addr.sixtofour)
    if addr.teredo is not None:
        found.extend(addr.teredo)
    return found


def why_not_public(addr: IPAddress) -> str:
    """Why the address is not public ("" when it is): the registry entry that covers it."""
    if isinstance(addr, ipaddress.IPv4Address):
        return next((f"{why} ({net})" for net, why in _V4 if addr in net), "")
    inner = embedded_ipv4(addr)
    for v4 in inner:
        reason = why_not_public(v4)
        if reason:
            return f"carries {v4}, {reason}"
    if inner:
        return ""
    if any(addr in net for net in _V6_PUBLIC):
        return ""
    return next((f"{why} ({net})" for net, why in _V6 if addr in net), "")


def is_public(addr: IPAddress) -> bool:
    return why_not_public(addr) == ""
