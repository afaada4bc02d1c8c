"""`distill serve` runs the background worker: a feed added while it serves gets ingested.

A real `distill serve` process on 127.0.0.1 and a real feed host (tests.feedsite) serving
corpus articles; the test waits by polling the server's /v1 API with a bound on attempts,
never by asserting on time.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from distill.cli import main
from tests.feedsite import FeedSite, corpus_articles, serve_articles

ARTICLES = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - 127.0.0.1 only
            return json.loads(resp.read())
    except OSError:
        return None


def poll(check, attempts: int = 240, pause: float = 0.5):  # type: ignore[no-untyped-def]
    """Call check() until it returns something truthy; bounded by attempts, not a clock."""
    for _ in range(attempts):
        value = check()
        if value:
            return value
        time.sleep(pause)
    return check()


def serve(home: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [sys.executable, "-m", "distill", "--home", str(home), "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*cmd, *extra], env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    return proc, base


def article_titles(base: str) -> set[str] | None:
    body = get_json(base + "/v1/articles?limit=50")
    if body is None:
        return None
    return {row["title"] for row in body["articles"]}


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def test_feed_added_while_serving_is_ingested(worker_home: Path, feeds: FeedSite) -> None:
    articles = corpus_articles(ARTICLES)
    feed_url = serve_articles(feeds, articles, "/feed.xml")
    proc, base = serve(worker_home)
    try:
        assert poll(lambda: article_titles(base) is not None), "server never answered"
        assert article_titles(base) == set()
        result = CliRunner().invoke(main, ["--home", str(worker_home), "feeds", "add", feed_url])
        assert result.exit_code == 0, result.output
        want = {a["title"] for a in articles}
        got = poll(lambda: (article_titles(base) or set()) >= want and article_titles(base))
        assert got and want <= got, f"ingested {got}, wanted {want}"
        assert len(feeds.hits("/a/")) >= ARTICLES
    finally:
        stop(proc)
    assert proc.returncode is not None


def test_no_worker_leaves_feeds_alone(worker_home: Path, feeds: FeedSite) -> None:
    feed_url = serve_articles(feeds, corpus_articles(1), "/feed.xml")
    result = CliRunner().invoke(main, ["--home", str(worker_home), "feeds", "add", feed_url])
    assert result.exit_code == 0, result.output
    proc, base = serve(worker_home, "--no-worker", "--json")
    try:
        assert poll(lambda: article_titles(base) is not None), "server never answered"
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["worker"] is False
        # The feed is due now; a worker would have queued its article. None runs here, so
        # the queue still holds nothing claimed and the article list stays empty.
        assert article_titles(base) == set()
        assert not feeds.hits("/a/")
    finally:
        stop(proc)
