"""Feeds end to end against a real HTTP server on 127.0.0.1 serving the real Flink RSS.

The feed's links are rewritten at serve time to point at the same local server, which
serves the corpus's rendered Flink pages. Embeddings are switched off (DISTILL_EMBED=0) to
keep these tests fast; they are about polling, not vectors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.config import load_settings
from distill.feeds.reader import MAX_FEED_ENTRIES
from distill.worker import run_worker
from tests.conftest import CORPUS, FLINK_PAGES, require_corpus
from tests.feedsite import FeedSite, feed_site, rss

CAP = 5


def cli(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.stdout


@pytest.fixture
def env(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DISTILL_EMBED", "0")
    monkeypatch.setenv("DISTILL_HOST_DELAY", "0")
    monkeypatch.setenv("DISTILL_FEED_FIRST_CHECK_MAX", str(CAP))
    monkeypatch.setenv("DISTILL_JOB_BACKOFF", "0")
    monkeypatch.setenv("DISTILL_TOTAL_TIMEOUT", "3")
    monkeypatch.setenv("DISTILL_READ_TIMEOUT", "2")
    return home


@pytest.fixture
def flink() -> Iterator[FeedSite]:
    require_corpus()
    with feed_site() as site:
        site.mounts["/flink/"] = FLINK_PAGES
        yield site


def flink_rss(site: FeedSite) -> bytes:
    raw = (CORPUS / "flink-blog" / "content" / "posts" / "index.xml").read_text(encoding="utf-8")
    return raw.replace("https://flink.apache.org/", site.url("/flink/")).encode("utf-8")


def feed_row(home: Path) -> dict:
    code, out = cli(home, "feeds", "list", "--json")
    assert code == 0
    (row,) = json.loads(out)["feeds"]
    return row


def library_titles(home: Path) -> list[str]:
    code, out = cli(home, "list", "--json", "--per-page", "500")
    return [a["title"] for a in json.loads(out)["articles"]]


def test_flink_feed_cap_then_304_then_new_item_then_broken_feed_keeps_articles(
    env: Path, flink: FeedSite
) -> None:
    body = flink_rss(flink)
    url = flink.put("/posts/index.xml", body, "application/rss+xml")
    code, out = cli(env, "feeds", "add", url, "--json")
    assert code == 0, out
    sub = json.loads(out)
    assert sub["title"] == "Flink Blog on Apache Flink" and sub["created"] is True

    # first check: only the newest CAP of 237 entries become articles
    code, out = cli(env, "feeds", "check", "--json")
    assert code == 0, out
    row = feed_row(env)
    assert row["entries"] == 237 and row["new_articles"] == CAP and row["articles"] == CAP
    titles = library_titles(env)
    assert len(titles) == CAP
    assert "Apache Flink CDC 3.2.0 Release Announcement" in titles  # the newest entry
    page_hits = [p for p, _ in flink.requests if p.startswith("/flink/")]
    assert len(page_hits) == CAP

    # second check: the server answers 304 and nothing is added
    code, out = cli(env, "feeds", "check", "--json")
    assert code == 0 and flink.hits("/posts/index.xml")[-1][1] == 304
    row = feed_row(env)
    assert row["last_status"] == "304" and row["new_articles"] == 0
    assert len(library_titles(env)) == CAP

    # an added item (an older Flink page not taken by the cap) appears on the next check
    page = "/flink/2014/08/26/apache-flink-0.6-available/"
    assert (FLINK_PAGES / page.removeprefix("/flink/") / "index.html").is_file()
    new_item = (
        "<item><title>Flink 0.6, re-announced</title>"
        f"<link>{flink.url(page)}?again=1</link><guid>local-new-item-1</guid>"
        "<pubDate>Mon, 07 Oct 2024 08:00:00 +0000</pubDate>"
        "<description>Re-posted.</description></item>"
    )
    flink.put(
        "/posts/index.xml",
        body.replace(b"<item>", new_item.encode() + b"<item>", 1),
        "application/rss+xml",
    )
    code, out = cli(env, "feeds", "check", "--json")
    assert code == 0, out
    row = feed_row(env)
    assert row["new_articles"] == 1 and row["articles"] == CAP + 1 and row["entries"] == 238
    assert "Apache Flink 0.6 available" in library_titles(env)

    # the feed turns into an HTML page: the error is shown, the articles stay
    flink.put("/posts/index.xml", b"<!doctype html><html><body><p>moved</p></body></html>")
    code, out = cli(env, "feeds", "check", "--json")
    assert code == 1
    row = feed_row(env)
    assert "HTML page, not a feed" in row["last_error"] and row["error_count"] == 1
    assert len(library_titles(env)) == CAP + 1 and row["articles"] == CAP + 1

    # ... then into broken XML
    flink.put(
        "/posts/index.xml", b"<?xml version='1.0'?><rss><channel><title>x</ti", "application/xml"
    )
    code, out = cli(env, "feeds", "check", "--json")
    row = json.loads(out)["feeds"][0]
    assert code == 1 and "broken feed (SAXParseException" in row["last_error"]
    assert row["error_count"] == 2 and len(library_titles(env)) == CAP + 1

    # text output of `feeds list` shows the error too
    code, out = cli(env, "feeds", "list")
    assert code == 0 and "broken" in out and "Flink Blog" in out


def test_add_discovers_feed_from_page_link_and_opml_round_trip(
    env: Path, flink: FeedSite, tmp_path: Path
) -> None:
    feed_url = flink.put("/posts/index.xml", flink_rss(flink), "application/rss+xml")
    page = flink.put(
        "/blog/",
        b'<html><head><title>Blog</title><link rel="alternate" type="application/rss+xml" '
        b'href="/posts/index.xml"></head><body><p>hello</p></body></html>',
    )
    code, out = cli(env, "feeds", "add", page, "--json")
    assert code == 0 and json.loads(out)["url"] == feed_url
    code, out = cli(
        env,
        "feeds",
        "add",
        flink.put("/plain/", b"<html><body><p>no feed here</p></body></html>"),
        "--json",
    )
    assert code == 1 and "names no feed" in json.loads(out)["error"]

    opml = tmp_path / "subs.opml"
    code, _ = cli(env, "feeds", "export", "-o", str(opml))
    assert code == 0 and feed_url in opml.read_text()
    code, out = cli(env, "feeds", "remove", "1", "--json")
    assert code == 0 and json.loads(out) == {"removed": 1, "articles_removed": []}
    code, out = cli(env, "feeds", "import", str(opml), "--json")
    assert code == 0 and json.loads(out)["added"] == 1
    real = CORPUS / "engineering-blogs-opml" / "engineering_blogs.opml"
    code, out = cli(env, "feeds", "import", str(real), "--json")
    data = json.loads(out)
    assert code == 0 and data["added"] >= 400
    code, out = cli(env, "feeds", "list", "--json")
    assert len(json.loads(out)["feeds"]) == data["added"] + 1
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline xmlUrl='http://x/'")
    code, out = cli(env, "feeds", "import", str(bad), "--json")
    assert code == 1 and "not valid XML" in json.loads(out)["error"]
    code, out = cli(env, "feeds", "list", "--json")
    assert len(json.loads(out)["feeds"]) == data["added"] + 1  # nothing lost


def test_ten_thousand_items_take_only_the_cap(env: Path, flink: FeedSite) -> None:
    items = [
        {
            "title": f"Item {i}",
            "link": flink.url(f"/flink/none/{i}"),
            "guid": f"g{i}",
            "date": "Mon, 01 Jan 2024 00:00:00 +0000",
            "description": f"entry number {i}",
        }
        for i in range(10_000)
    ]
    url = flink.put("/big.xml", rss("Big", flink.url("/"), items), "application/rss+xml")
    cli(env, "feeds", "add", url)
    code, out = cli(env, "feeds", "check", "--json", "--queue")
    assert code == 0
    run_worker(load_settings(env), until_idle=True, schedule_feeds=False, grace=0)
    row = feed_row(env)
    assert row["entries"] == MAX_FEED_ENTRIES  # the first 500 read, the rest never parsed
    assert row["new_articles"] == CAP
    code, out = cli(env, "jobs", "list", "--json", "--kind", "ingest-url", "--limit", "10000")
    assert json.loads(out)["total"] == CAP


def test_private_addresses_refused_redirect_loop_and_endless_feed(
    env: Path, flink: FeedSite
) -> None:
    # items pointing at private addresses: refused, nothing fetched from them, reason kept
    items = [
        {
            "title": f"Internal {i}",
            "link": f"http://{host}/admin",
            "description": "see inside " * 60,
        }
        for i, host in enumerate(["10.0.0.1", "192.168.1.1", "169.254.169.254", "[::1]:8080"])
    ]
    url = flink.put("/private.xml", rss("Private", flink.url("/"), items), "application/rss+xml")
    assert cli(env, "feeds", "add", url)[0] == 0
    code, out = cli(env, "feeds", "check", "--json")
    code, out = cli(env, "jobs", "list", "--failed", "--json")
    failed = json.loads(out)["jobs"]
    assert len(failed) == 4 and all("non-public address" in j["last_error"] for j in failed)
    assert library_titles(env) == []

    # redirect loop: the feed records the error
    loop = flink.url("/loop")
    code, out = cli(env, "feeds", "add", loop, "--json")
    assert code == 1 and "redirects" in json.loads(out)["error"]

    # a feed that never finishes sending: the total timeout ends it, the error is kept
    code, out = cli(env, "feeds", "add", flink.url("/forever"), "--json")
    error = json.loads(out)["error"]
    assert code == 1 and ("timed out" in error or "took longer" in error), error
