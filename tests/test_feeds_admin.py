"""Managing subscriptions (issue 14): the /feeds page, /v1/feeds and `distill feeds`,
against real feeds served on 127.0.0.1 and the real worker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from distill.config import load_settings
from distill.worker import run_worker
from tests.feedsite import FeedSite, corpus_articles, serve_articles

from .web_support import client_for, make_token

pytestmark = pytest.mark.usefixtures("engine")


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "distill", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def feeds_of(home: Path) -> dict[int, dict]:  # type: ignore[type-arg]
    listed = cli(home, "feeds", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {f["id"]: f for f in json.loads(listed.stdout)["feeds"]}


def subscribe_two(home: Path, feeds: FeedSite) -> tuple[int, int]:
    articles = corpus_articles(3)
    first = serve_articles(feeds, articles[:2], "/one.xml")
    second = serve_articles(feeds, articles[2:3], "/two.xml")
    ids = []
    for url in (first, second):
        added = cli(home, "feeds", "add", url, "--json")
        assert added.returncode == 0, added.stderr
        ids.append(json.loads(added.stdout)["id"])
    assert cli(home, "feeds", "check").returncode == 0
    return ids[0], ids[1]


def test_cli_lists_status_counts_and_pauses_resumes_and_sets_the_interval(
    worker_home: Path, feeds: FeedSite
) -> None:
    one, two = subscribe_two(worker_home, feeds)
    rows = feeds_of(worker_home)
    assert rows[one]["status"] == "ok" and rows[one]["articles"] == 2 and rows[one]["unread"] == 2
    assert rows[two]["articles"] == 1 and rows[two]["paused"] is False

    article = json.loads(cli(worker_home, "list", "--json").stdout)["articles"][0]["id"]
    cli(worker_home, "mark", "read", str(article))
    rows = feeds_of(worker_home)
    assert rows[one]["unread"] + rows[two]["unread"] == 2

    # a feed whose host now fails shows the error with its message
    feeds.put("/two.xml", b"gone", status=500)
    cli(worker_home, "feeds", "check", str(two))
    rows = feeds_of(worker_home)
    assert rows[two]["status"] == "error" and "500" in rows[two]["last_error"]

    paused = cli(worker_home, "feeds", "pause", str(one), "--json")
    assert paused.returncode == 0, paused.stderr
    assert json.loads(paused.stdout)["feeds"][0]["status"] == "paused"
    checked_at = feeds_of(worker_home)[one]["last_checked"]
    cli(worker_home, "feeds", "check")  # all feeds: a paused one is skipped
    after = feeds_of(worker_home)
    assert after[one]["last_checked"] == checked_at and after[one]["paused_at"]
    text = cli(worker_home, "feeds", "list").stdout
    assert "paused" in text and "unread" in text

    resumed = cli(worker_home, "feeds", "resume", str(one), "--json")
    assert json.loads(resumed.stdout)["feeds"][0]["status"] == "ok"
    interval = cli(worker_home, "feeds", "interval", str(one), "7200", "--json")
    assert json.loads(interval.stdout)["feeds"][0]["interval"] == 7200
    bad = cli(worker_home, "feeds", "interval", str(one), "5")
    assert bad.returncode == 1 and "out of range" in bad.stderr
    assert cli(worker_home, "feeds", "pause", "999").returncode == 1

    gone = cli(worker_home, "feeds", "remove", str(one), "--delete-articles", "--json")
    assert gone.returncode == 0, gone.stderr
    assert len(json.loads(gone.stdout)["articles_removed"]) == 2
    left = json.loads(cli(worker_home, "list", "--json").stdout)["articles"]
    assert len(left) == 1


def test_feeds_page_and_api_actions(worker_home: Path, feeds: FeedSite) -> None:
    one, two = subscribe_two(worker_home, feeds)
    token = make_token(worker_home)
    auth = {"Authorization": f"Bearer {token}"}
    with client_for(worker_home) as client:
        page = client.get("/feeds")
        assert page.status_code == 200
        assert page.text.count('data-status="ok"') == 2
        row = re.search(rf'<tr id="feed-{one}".*?</tr>', page.text, re.S).group(0)  # type: ignore[union-attr]
        assert '<td class="unread">2</td>' in row and "Check now" in row and "Pause" in row
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

        done = client.post(f"/feeds/{one}/pause", data={"csrf": csrf, "paused": "1"})
        assert "Paused: the feed is not checked" in done.text
        assert f'<tr id="feed-{one}" data-feed="{one}" data-status="paused"' in done.text
        forged = client.post(f"/feeds/{one}/pause", data={"csrf": "x", "paused": "0"})
        assert forged.status_code == 403
        assert client.get(f"/v1/feeds/{one}").json()["status"] == "paused"

        # check now queues a check even for a paused feed; the worker runs it
        def fetches() -> list[str]:
            jobs = client.get("/v1/jobs", params={"kind": "fetch-feed", "limit": 100}).json()
            return [j["state"] for j in jobs["jobs"] if j["payload"]["feed_id"] == one]

        done_before = fetches().count("done")
        client.post(f"/feeds/{one}/check", data={"csrf": csrf})
        assert fetches().count("queued") == 1
        run_worker(load_settings(worker_home), until_idle=True, schedule_feeds=False)
        assert fetches().count("done") == done_before + 1
        assert client.get(f"/v1/feeds/{one}").json()["status"] == "paused"

        saved = client.post(f"/feeds/{one}/interval", data={"csrf": csrf, "minutes": "90"})
        assert "Interval saved." in saved.text
        assert client.get(f"/v1/feeds/{one}").json()["interval"] == 5400
        wrong = client.post(f"/feeds/{one}/interval", data={"csrf": csrf, "minutes": "soon"})
        assert wrong.status_code == 422 and "not a number of minutes" in wrong.text

        # unsubscribing asks about the articles; no answer changes nothing
        unanswered = client.post(f"/feeds/{two}/unsubscribe", data={"csrf": csrf})
        assert unanswered.status_code == 422 and "keep or delete" in unanswered.text
        assert client.get(f"/v1/feeds/{two}").status_code == 200
        kept = client.post(f"/feeds/{two}/unsubscribe", data={"csrf": csrf, "articles": "keep"})
        assert "Unsubscribed; its articles stay" in kept.text
        assert client.get(f"/v1/feeds/{two}").status_code == 404
        assert client.get("/v1/articles").json()["total"] == 3

        # the API: resume and interval in one PATCH, then unsubscribe with the articles
        assert client.patch(f"/v1/feeds/{one}", json={"paused": False}).status_code == 401
        patched = client.patch(
            f"/v1/feeds/{one}", json={"paused": False, "interval": 3600}, headers=auth
        )
        assert patched.status_code == 200, patched.text
        assert patched.json()["status"] == "ok" and patched.json()["interval"] == 3600
        bad = client.patch(f"/v1/feeds/{one}", json={"interval": 1}, headers=auth)
        assert bad.status_code == 422
        assert client.patch("/v1/feeds/999", json={"paused": True}, headers=auth).status_code == 404
        listed = client.get("/v1/feeds").json()["feeds"]
        assert listed[0]["unread"] == 2 and listed[0]["articles"] == 2
        deleted = client.delete(f"/v1/feeds/{one}?delete_articles=true", headers=auth)
        assert deleted.status_code == 204
        assert client.get("/v1/articles").json()["total"] == 1
        assert "No subscriptions yet" in client.get("/feeds").text
