"""Politeness towards the sites we poll: one request at a time per host, a delay between
requests, and robots.txt (parsed by protego) respected.

The gate works with the queue rather than by blocking threads: the worker asks the gate
which hosts are busy or still cooling down and claims only jobs for other hosts, so a
thread never sits idle waiting for one slow site while others have work.

The gate here is one process's view. What holds across every worker process sharing a
library is the queue's host leases (store/jobs.py, `claim_polite`): the claim takes the
host in the database, and `on_free` (set by the worker) frees it there with the delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from ..config import Settings
from ..errors import AddressRefused, FetchError, FetchTimeout, HTTPStatus, RetryableError
from ..ingest.fetch import fetch

# RFC 9309: crawlers must parse at least 500 KiB of robots.txt; more is not needed.
ROBOTS_MAX_BYTES = 512 * 1024
# How long a robots.txt answer is trusted before it is fetched again (RFC 9309 suggests
# not more than 24 hours).
ROBOTS_TTL_S = 24 * 3600.0
# A Crawl-delay above this is capped: a site cannot stall the worker for hours per request.
MAX_CRAWL_DELAY_S = 60.0


def host_key(url: str) -> str:
    """Scheme-less host[:port]: robots.txt and politeness apply per origin."""
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


class HostGate:
    """Which hosts are in use or cooling down; thread-safe."""

    def __init__(
        self, delay: float, on_free: Callable[[str, object, float], None] | None = None
    ) -> None:
        """`on_free(host, holder, wait)` is called when a holder frees a host (on the
        holder's thread), so the worker can free it for the other processes too."""
        self.delay = delay
        self.on_free = on_free
        self._busy: dict[str, object] = {}  # host -> the job holding it
        self._ready_at: dict[str, float] = {}
        self._extra_delay: dict[str, float] = {}
        self._lock = threading.Lock()

    def blocked(self) -> set[str]:
        now = time.monotonic()
        with self._lock:
            cooling = {h for h, t in self._ready_at.items() if t > now}
            return set(self._busy) | cooling

    def take(self, host: str, holder: object = None) -> None:
        if host:
            with self._lock:
                self._busy[host] = holder

    def done(self, host: str, holder: object = None) -> None:
        """The holder's network work on the host is over: free it after the delay.

        Only the job that took the host frees it: a job that already released its host
        early (after its fetch) must not free it again while the next job is fetching.
        """
        if not host:
            return
        with self._lock:
            if host not in self._busy or self._busy[host] != holder:
                return
            del self._busy[host]
            wait = max(self.delay, self._extra_delay.get(host, 0.0))
            self._ready_at[host] = time.monotonic() + wait
        if self.on_free is not None:
            self.on_free(host, holder, wait)

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        with self._lock:
            self._extra_delay[host] = min(max(seconds, 0.0), MAX_CRAWL_DELAY_S)


class Robots:
    """robots.txt per host, fetched once per ROBOTS_TTL_S and shared by a worker's threads."""

    def __init__(self, settings: Settings, gate: HostGate | None = None) -> None:
        self.settings = settings.replace(max_bytes=min(settings.max_bytes, ROBOTS_MAX_BYTES))
        self.gate = gate
        self._rules: dict[str, tuple[Protego | None, float]] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        """True when robots.txt lets our user agent fetch `url`.

        RFC 9309: a 4xx robots.txt means no rules; a server error or an unreachable host
        means "assume disallowed for now", which we report as retryable.
        """
        host = host_key(url)
        with self._lock:
            cached = self._rules.get(host)
        if cached is None or cached[1] < time.monotonic():
            cached = (self._load(url), time.monotonic() + ROBOTS_TTL_S)
            with self._lock:
                self._rules[host] = cached
        rules = cached[0]
        return rules is None or rules.can_fetch(url, self.settings.user_agent)

    def _load(self, url: str) -> Protego | None:
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            response = fetch(robots_url, self.settings)
        except HTTPStatus as exc:
            if 400 <= exc.status < 500:
                return None
            raise RetryableError(
                f"{robots_url}: HTTP {exc.status}; not fetching until it answers"
            ) from exc
        except FetchTimeout as exc:
            raise RetryableError(f"{robots_url}: {exc}") from exc
        except AddressRefused:
            raise
        except FetchError as exc:
            raise RetryableError(str(exc)) from exc
        text = response.content.decode("utf-8", errors="replace")
        rules = Protego.parse(text)
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay and self.gate is not None:
            self.gate.set_crawl_delay(host_key(url), float(delay))
        return rules
