"""Misbehaving servers on 127.0.0.1 for the hostile-input tests, each stopping by itself.

A real TCP server per fault: one that trickles its response headers a byte at a time, and
one that answers a plain article (the stand-in for a public site or an internal service).
Every server gives up after `stop_after` seconds so no test can hang on it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ARTICLE_WORDS = (
    "Backpressure in stream processors keeps a fast source from flooding a slow sink. "
    "Each operator tells its upstream how much buffer it has left, and the source slows "
    "down instead of dropping records or growing its queues without bound. "
)


def article_html(title: str, paragraphs: int = 6) -> bytes:
    body = "".join(f"<p>{ARTICLE_WORDS} Paragraph {i}.</p>" for i in range(paragraphs))
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{body}</article></body></html>"
    ).encode()


class TrickleServer:
    """Accepts, reads the request, then sends its status line and one header byte every
    `interval` seconds; after `stop_after` seconds it finishes a valid response."""

    def __init__(self, interval: float = 0.2, stop_after: float = 30.0) -> None:
        self.interval = interval
        self.stop_after = stop_after
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        end = time.monotonic() + self.stop_after
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while time.monotonic() < end and not self._closed.is_set():
                conn.sendall(b"a")
                time.sleep(self.interval)
            body = article_html("Finally Here")
            conn.sendall(
                b"\r\nContent-Type: text/html\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nConnection: close\r\n\r\n"
                + body
            )
        except OSError:
            pass  # the client gave up: what the tests want
        finally:
            conn.close()

    def close(self) -> None:
        self._closed.set()
        self.sock.close()


class PageServer:
    """Answers every GET with the same HTML page and counts the requests."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._closed = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._closed.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                try:
                    conn.settimeout(5)
                    conn.recv(65536)
                    self.requests += 1
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                        + str(len(self.body)).encode()
                        + b"\r\nConnection: close\r\n\r\n"
                        + self.body
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._closed.set()
        self.sock.close()


@contextmanager
def trickle_server(**kwargs: float) -> Iterator[TrickleServer]:
    server = TrickleServer(**kwargs)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def page_server(body: bytes) -> Iterator[PageServer]:
    server = PageServer(body)
    try:
        yield server
    finally:
        server.close()
