"""Removing articles (issue 14): CLI and the web's Remove action, against real feeds.

Three real corpus articles arrive through a feed served on 127.0.0.1 and the worker, with
embeddings on, so removal is checked in every place an article lives: its rows, the
full-text index, the in-memory vector index, and the feed that brought it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from distill.search.engine import search
from tests.conftest import library_store
from tests.feedsite import FeedSite, corpus_articles, serve_articles

from .web_support import client_for, make_token

pytestmark = pytest.mark.usefixtures("engine")

# Tables that hold something of an article; every one must lose its rows on removal.
ARTICLE_TABLES = (
    "summaries",
    "vectors",
    "article_categories",
    "article_tags",
    "candidate_tags",
    "stars",
    "reading_state",
)


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "distill", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def rows_for(home: Path, article_id: int) -> dict[str, int]:
    store = library_store(home)
    try:
        counts = {"articles": ("articles", "id"), **{t: (t, "article_id") for t in ARTICLE_TABLES}}
        return {
            name: int(
                store.conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column} = ?", (article_id,)
                ).fetchone()[0]
            )
            for name, (table, column) in counts.items()
        }
    finally:
        store.close()


@pytest.fixture
def fed(worker_home: Path, feeds: FeedSite, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DISTILL_EMBED", "1")
    monkeypatch.setenv("DISTILL_ALLOWED_HOSTS", "127.0.0.1")
    articles = corpus_articles(4)
    feed = serve_articles(feeds, articles[:3], "/feed.xml")
    added = cli(worker_home, "feeds", "add", feed, "--json")
    assert added.returncode == 0, added.stderr
    checked = cli(worker_home, "feeds", "check", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return worker_home, feeds, articles


def test_cli_remove_takes_everything_and_the_feed_does_not_bring_it_back(fed) -> None:  # type: ignore[no-untyped-def]
    home, feeds, articles = fed
    listed = json.loads(cli(home, "list", "--json").stdout)["articles"]
    assert len(listed) == 3
    victim = listed[0]
    assert cli(home, "mark", "read", str(victim["id"])).returncode == 0
    before = rows_for(home, victim["id"])
    assert before["articles"] == 1 and before["summaries"] == 1 and before["vectors"] >= 1
    title_words = " ".join(victim["title"].split()[:5])
    store = library_store(home)
    try:
        assert victim["id"] in [h.id for h in search(store, title_words, "text").results]
        assert victim["id"] in [h.id for h in search(store, title_words, "vector").results]
    finally:
        store.close()

    # all or nothing: one unknown id and nothing goes
    refused = cli(home, "remove", str(victim["id"]), "999999")
    assert refused.returncode == 1 and "no article with id 999999" in refused.stderr
    assert rows_for(home, victim["id"])["articles"] == 1

    removed = cli(home, "remove", str(victim["id"]), "--json")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == {
        "removed": [{"id": victim["id"], "title": victim["title"]}]
    }
    assert set(rows_for(home, victim["id"]).values()) == {0}
    store = library_store(home)
    try:
        assert victim["id"] not in [h.id for h in search(store, title_words, "text").results]
        assert victim["id"] not in [h.id for h in search(store, title_words, "vector").results]
        state = store.conn.execute(
            "SELECT state FROM feed_entries WHERE title = ?", (victim["title"],)
        ).fetchone()[0]
        assert state == "removed"
    finally:
        store.close()
    assert cli(home, "show", str(victim["id"])).returncode == 1

    # the feed gains a fourth article; a check adds it and does not bring the removed one back
    serve_articles(feeds, articles[:4], "/feed.xml")
    assert cli(home, "feeds", "check", "--json").returncode == 0
    titles = [a["title"] for a in json.loads(cli(home, "list", "--json").stdout)["articles"]]
    assert len(titles) == 3 and victim["title"] not in titles


def test_web_remove_asks_first_and_needs_the_csrf_token(fed) -> None:  # type: ignore[no-untyped-def]
    home, _, _ = fed
    token = make_token(home)
    with client_for(home) as client:
        article = client.get("/v1/articles").json()["articles"][0]
        page = client.get(f"/articles/{article['id']}")
        assert f'href="/articles/{article["id"]}/remove"' in page.text
        confirm = client.get(f"/articles/{article['id']}/remove")
        assert confirm.status_code == 200 and "Remove this article?" in confirm.text
        assert (
            client.get(f"/v1/articles/{article['id']}").status_code == 200
        )  # a GET removes nothing
        csrf = re.search(r'name="csrf" value="([^"]+)"', confirm.text).group(1)  # type: ignore[union-attr]
        forged = client.post(f"/articles/{article['id']}/remove", data={"csrf": "forged"})
        assert forged.status_code == 403
        assert client.get(f"/v1/articles/{article['id']}").status_code == 200
        done = client.post(f"/articles/{article['id']}/remove", data={"csrf": csrf})
        assert done.status_code == 200 and f"Removed article #{article['id']}" in done.text
        assert client.get(f"/v1/articles/{article['id']}").status_code == 404
        assert client.get(f"/articles/{article['id']}/remove").status_code == 404
        # the API's DELETE goes through the same removal
        other = client.get("/v1/articles").json()["articles"][0]["id"]
        gone = client.delete(f"/v1/articles/{other}", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 204
        assert set(rows_for(home, other).values()) == {0}
