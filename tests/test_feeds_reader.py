"""Distill's feed reader on hostile and broken input: feedparser's own 2,107 fixtures.

Every fixture must give either entries (possibly none, for a valid empty feed) or a
FeedError with a message; nothing may crash or hang, and every title and content that comes
out must already be sanitised (no script, no event handlers, no javascript: URLs).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import nh3

from distill.feeds.reader import (
    FeedError,
    discover_feeds,
    parse_feed,
    parse_json_feed,
    parse_opml,
    to_opml,
)
from tests.conftest import require_corpus

DANGEROUS = re.compile(rb"<script|javascript:|\bon[a-z]+\s*=|<iframe|<object|<embed", re.I)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A hang detector, not a speed check: the whole set parses in well under a minute.
HANG_LIMIT_S = 600


def _check_all(files: list[Path], out: dict) -> None:
    for file in files:
        out["current"] = file
        data = file.read_bytes()
        try:
            feed = parse_feed(data, "http://example.org/feed", "")
        except FeedError as exc:
            assert str(exc).startswith("http://example.org/feed: "), exc
            out["errors"] += 1
            continue
        out["parsed"] += 1
        out["entries"] += len(feed.entries)
        out["with_entries"] += bool(feed.entries)
        hostile = bool(DANGEROUS.search(data))
        out["hostile"] += hostile
        for entry in feed.entries:
            for text in (entry.title, feed.title, entry.author):
                assert not CONTROL.search(text), (file, text)
                assert "<script" not in text.lower(), (file, text)
            assert nh3.clean(entry.content) == entry.content, (file, entry.content)
            assert not DANGEROUS.search(entry.content.encode()), (file, entry.content)
            assert entry.url == "" or entry.url.startswith(("http://", "https://")), entry.url
    out["current"] = None


def test_every_feedparser_fixture_parses_or_errors_cleanly_and_sanitised() -> None:
    root = require_corpus() / "feedparser-tests" / "tests"
    files = sorted(p for p in root.rglob("*") if p.is_file())
    assert len(files) == 2107
    out = {"parsed": 0, "errors": 0, "entries": 0, "with_entries": 0, "hostile": 0, "current": None}
    thread = threading.Thread(target=_check_all, args=(files, out), daemon=True)
    failure: list[BaseException] = []
    thread.run = lambda: _capture(failure, files, out)  # type: ignore[method-assign]
    thread.start()
    thread.join(HANG_LIMIT_S)
    assert not thread.is_alive(), f"feed reader hung on {out['current']}"
    if failure:
        raise failure[0]
    print(
        f"\nfeedparser fixtures: {len(files)} files, {out['parsed']} parsed"
        f" ({out['with_entries']} with entries, {out['entries']} entries),"
        f" {out['errors']} errors; {out['hostile']} parsed files carried script/handlers"
    )
    assert out["parsed"] + out["errors"] == len(files)
    assert out["with_entries"] > 800 and out["hostile"] > 50


def _capture(failure: list[BaseException], files: list[Path], out: dict) -> None:
    try:
        _check_all(files, out)
    except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
        failure.append(exc)


def test_json_feed_fixture_and_errors() -> None:
    data = (require_corpus() / "feedparser-tests/tests/json/example.json").read_bytes()
    feed = parse_feed(data, "https://example.org/feed.json", "application/feed+json")
    assert feed.title == "My Example Feed" and len(feed.entries) == 2
    second = feed.entries[1]
    assert second.url == "https://example.org/initial-post"
    assert "Hello, world!" in second.content and "script" not in second.content
    for bad, message in [(b"{", "not valid JSON"), (b'{"title": "x"}', "no 'items'")]:
        try:
            parse_json_feed(bad, "u")
        except FeedError as exc:
            assert message in str(exc) or "without an 'items' list" in str(exc)
        else:
            raise AssertionError("accepted a broken JSON feed")


def test_discovery_finds_alternate_links_only() -> None:
    page = (
        b"<html><head><link rel='stylesheet' href='/s.css'>"
        b"<link rel='alternate' type='application/atom+xml' href='/atom.xml'>"
        b"<link rel='alternate' type='text/html' href='/other'>"
        b"<link rel='alternate' type='application/rss+xml' href='javascript:alert(1)'>"
        b"<link rel='Alternate feed' type='application/feed+json' href='https://x.org/f.json'>"
        b"</head></html>"
    )
    assert discover_feeds(page, "https://blog.example.org/post/1") == [
        "https://blog.example.org/atom.xml",
        "https://x.org/f.json",
    ]


def test_real_opml_round_trip() -> None:
    data = (require_corpus() / "engineering-blogs-opml" / "engineering_blogs.opml").read_bytes()
    feeds = parse_opml(data)
    assert len(feeds) >= 400 and all(f.url.startswith("http") for f in feeds)
    again = parse_opml(to_opml(feeds).encode("utf-8"))
    assert [(f.url, f.title, f.site_url) for f in again] == [
        (f.url, f.title, f.site_url) for f in feeds
    ]
