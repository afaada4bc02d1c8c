"""A real HTTP server on 127.0.0.1 for feed tests: conditional GET, corpus pages, faults.

Routes are set at run time (`site.put(path, body, ctype)`); every body gets an ETag and a
Last-Modified, and a request that presents either gets 304 when the body is unchanged,
as a real feed host does. Fault routes: /loop (redirects to itself), /forever (a body
that never ends: a byte every 0.2 s), /robots.txt (set like any route; 404 by default).

A gate (`site.hold(prefix)`, then `site.allow(n)`) answers only as many requests under a
prefix as the test has allowed and keeps the rest waiting: a test can then bound how far a
worker gets however fast the machine is. A request whose client died (a worker killed by
the test), waiting at the gate or being answered, is dropped by `site.reap()`: it no longer
counts as in flight, and one still waiting takes no allowance.

`feed_site(hosts=N)` listens on N ports of 127.0.0.1 that serve the same routes: N hosts as
far as politeness goes (a host is host:port), and the site records the most requests each
one was answering at one moment (`max_in_flight_by_host`, keyed by base URL).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import select
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import CORPUS, require_corpus


@dataclass
class Route:
    body: bytes
    ctype: str
    status: int = 200
    modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


def _peer_closed(sock: socket.socket) -> bool:
    """True when the client closed its end (its process died): readable, and no data."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that died mid-request (a worker the test killed) is not a server error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FeedSite:
    def __init__(self, hosts: int = 1) -> None:
        self.routes: dict[str, Route] = {}
        self.mounts: dict[str, Path] = {}  # URL prefix -> folder served as HTML pages
        self.in_flight = 0
        self.max_in_flight = 0  # most requests this server was answering at one moment
        self.in_flight_by_host: dict[str, int] = {}  # base URL -> requests being answered
        self.max_in_flight_by_host: dict[str, int] = {}
        self.active: set[_Handler] = set()  # requests being answered (gate included)
        self.waiting: set[_Handler] = set()  # requests held at the gate
        self.requests: list[tuple[str, int]] = []  # (path, status answered)
        self.lock = threading.Lock()
        self.gate_prefix = ""  # "" = no gate
        self.gate_allowed = 0  # requests under the prefix the gate lets through in all
        self.gate_passed = 0
        self.gate_waiting = 0
        self.gate_changed = threading.Condition(self.lock)
        handler = type("H", (_Handler,), {"site": self})
        self.servers = [_Server(("127.0.0.1", 0), handler) for _ in range(hosts)]
        self.bases = [f"http://127.0.0.1:{s.server_address[1]}" for s in self.servers]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.server, self.base = self.servers[0], self.bases[0]

    def url(self, path: str, host: int = 0) -> str:
        return self.bases[host] + path

    def put(
        self, path: str, body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200
    ) -> str:
        with self.lock:
            self.routes[path] = Route(body, ctype, status)
        return self.url(path)

    def hold(self, prefix: str) -> None:
        """Keep requests under `prefix` waiting until `allow` lets them through."""
        with self.lock:
            self.gate_prefix, self.gate_allowed = prefix, self.gate_passed

    def allow(self, more: int) -> None:
        with self.lock:
            self.gate_allowed += more
            self.gate_changed.notify_all()

    def open_gate(self) -> None:
        with self.lock:
            self.gate_prefix = ""
            self.gate_changed.notify_all()

    def reap(self) -> int:
        """Drop the requests whose client is gone; returns how many. One held at the gate
        stops waiting; one being answered stops counting as in flight (its answer goes
        nowhere)."""
        with self.lock:
            gone = [h for h in self.active if _peer_closed(h.connection)]
            for handler in gone:
                handler.abandoned = True
                if handler in self.waiting:
                    self.waiting.discard(handler)
                    self.gate_waiting -= 1
                handler._release_locked()
            self.gate_changed.notify_all()
            return len(gone)

    def _pass_gate(self, path: str, handler: _Handler) -> bool:
        """Wait for the gate; False when the request was dropped by reap()."""
        with self.lock:
            if not self.gate_prefix or not path.startswith(self.gate_prefix):
                return True
            self.gate_waiting += 1
            self.waiting.add(handler)
            while self.gate_prefix and self.gate_passed >= self.gate_allowed:
                if handler.abandoned:
                    return False
                self.gate_changed.wait()
            if handler.abandoned:
                return False
            self.waiting.discard(handler)
            self.gate_waiting -= 1
            self.gate_passed += 1
            return True

    def hits(self, prefix: str) -> list[tuple[str, int]]:
        with self.lock:
            return [r for r in self.requests if r[0].startswith(prefix)]

    def close(self) -> None:
        self.open_gate()  # let held requests end, so their threads do too
        for server in self.servers:
            server.shutdown()
            server.server_close()


class _Handler(BaseHTTPRequestHandler):
    site: FeedSite
    protocol_version = "HTTP/1.1"
    abandoned = False  # set by FeedSite.reap(): the client died while this waited

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        # A request stops counting as in flight just before its answer is written: once the
        # client has read the last byte it may rightly send the next request, possibly
        # before this thread gets to run again, and that is not two requests at once.
        self._release()
        with self.site.lock:
            self.site.requests.append((self.path, status))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _release(self) -> None:
        with self.site.lock:
            self._release_locked()

    def _release_locked(self) -> None:
        if getattr(self, "_counted", False):
            self.site.in_flight -= 1
            self.site.in_flight_by_host[self._host] -= 1
            self.site.active.discard(self)
            self._counted = False

    def do_GET(self) -> None:  # noqa: N802
        site = self.site
        self._host = f"http://127.0.0.1:{self.server.server_address[1]}"
        with site.lock:
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
            now = site.in_flight_by_host.get(self._host, 0) + 1
            site.in_flight_by_host[self._host] = now
            site.max_in_flight_by_host[self._host] = max(
                site.max_in_flight_by_host.get(self._host, 0), now
            )
            self._counted = True
            site.active.add(self)
        try:
            self._get()
        finally:
            self._release()

    def _get(self) -> None:
        path = self.path.split("?")[0]
        if not self.site._pass_gate(path, self):
            self.close_connection = True
            return
        if path == "/loop":
            self._answer(302, b"", {"Location": "/loop"})
            return
        if path == "/forever":
            with self.site.lock:
                self.site.requests.append((self.path, 200))
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
                for _ in range(3000):  # ten minutes at most, far past any timeout
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        if path.startswith("/slow/"):  # /slow/<seconds>/<path>: the route, answered late
            seconds, _, rest = path.removeprefix("/slow/").partition("/")
            with self.site.lock:
                self.site.requests.append((self.path, 0))  # 0: arrived, not answered yet
            time.sleep(float(seconds))
            path = "/" + rest
        with self.site.lock:
            route = self.site.routes.get(path)
            mounts = dict(self.site.mounts)
        for prefix, folder in mounts.items():
            if route is None and path.startswith(prefix):
                file = (folder / path.removeprefix(prefix)).resolve()
                file = file / "index.html" if file.is_dir() else file
                if folder in file.parents and file.is_file():
                    route = Route(file.read_bytes(), "text/html; charset=utf-8", modified=0)
        if route is None:
            self._answer(404, b"not found", {"Content-Type": "text/plain"})
            return
        last_modified = email.utils.formatdate(route.modified, usegmt=True)
        headers = {"Content-Type": route.ctype, "ETag": route.etag, "Last-Modified": last_modified}
        if route.status == 200 and self.headers.get("If-None-Match") == route.etag:
            self._answer(304, b"", headers)
            return
        self._answer(route.status, route.body, headers)


@contextmanager
def feed_site(hosts: int = 1) -> Iterator[FeedSite]:
    site = FeedSite(hosts)
    try:
        yield site
    finally:
        site.close()


def rss(title: str, link: str, items: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 document from item dicts (title, link, date as RFC 822, description)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link><description>test</description>",
    ]
    for item in items:
        parts.append(
            "<item>"
            f"<title>{escape(item['title'])}</title>"
            f"<link>{escape(item['link'])}</link>"
            f"<guid>{escape(item.get('guid', item['link']))}</guid>"
            f"<pubDate>{escape(item.get('date', ''))}</pubDate>"
            f"<description>{escape(item.get('description', ''))}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def corpus_articles(count: int, min_words: int = 200) -> list[dict[str, str]]:
    """Real articles from the corpus index: Flink rendered pages first, then Go Markdown.

    Each has `path` (the file), `ctype`, `title`, `date` (YYYY-MM-DD) and `slug`.
    """
    require_corpus()
    rows: list[dict[str, str]] = []
    for name in ("flink-blog", "go-blog", "rust-blog"):
        index = CORPUS / "_index" / f"{name}.jsonl"
        for line in index.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if int(row.get("words") or 0) < min_words:
                continue
            if row.get("html_path"):
                path, ctype = row["html_path"], "text/html; charset=utf-8"
            else:
                path, ctype = row["path"], "text/markdown; charset=utf-8"
            if not (CORPUS / path).is_file():
                continue
            rows.append(
                {
                    "path": str(CORPUS / path),
                    "ctype": ctype,
                    "title": row["title"],
                    "date": str(row.get("date") or "")[:10],
                    "slug": f"{name}/{len(rows)}",
                }
            )
            if len(rows) >= count:
                return rows
    return rows


def serve_articles(site: FeedSite, articles: list[dict[str, str]], feed_path: str) -> str:
    """Put every article on the site and a feed listing them all; returns the feed URL."""
    items = []
    for art in articles:
        link = site.put(f"/a/{art['slug']}", Path(art["path"]).read_bytes(), art["ctype"])
        date = art["date"] or "2020-01-01"
        stamp = time.mktime(time.strptime(date, "%Y-%m-%d"))
        items.append(
            {
                "title": art["title"],
                "link": link,
                "date": email.utils.formatdate(stamp, usegmt=True),
            }
        )
    return site.put(feed_path, rss("Corpus", site.url("/"), items), "application/rss+xml")
