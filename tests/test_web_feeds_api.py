"""/v1 feeds and jobs through the in-process client, against a real feed host on 127.0.0.1.

Covers what a script would do: subscribe, list with cursors, queue a check, watch the jobs
the worker ran, retry a failed one; and the error paths (no token, bad URL, unknown ids,
retrying a job that did not fail, a foreign cursor).
"""

from __future__ import annotations

from pathlib import Path

from distill.config import load_settings
from distill.worker import run_worker
from tests.feedsite import FeedSite, rss

from .web_support import client_for, make_token

ERROR_KEYS = {"code", "message", "details"}
PAGE = (
    b"<html><head><title>Queues</title></head><body><article><h1>Queues</h1>"
    + (b"<p>" + b"A job queue leases work to a worker and takes it back when the lease ends. " * 12)
    + b"</p></article></body></html>"
)


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    return body["error"]


def test_subscribe_check_and_watch_jobs(worker_home: Path, feeds: FeedSite) -> None:
    good = feeds.put("/posts/queues", PAGE)
    gone = feeds.url("/posts/gone")  # never put: the host answers 404
    items = [
        {"title": "Queues", "link": good, "date": "Mon, 02 Jan 2023 10:00:00 GMT"},
        {"title": "Gone", "link": gone, "date": "Sun, 01 Jan 2023 10:00:00 GMT"},
    ]
    feed = feeds.put("/feed.xml", rss("Blog", feeds.url("/"), items), "application/rss+xml")
    token = make_token(worker_home)
    auth = {"Authorization": f"Bearer {token}"}
    with client_for(worker_home) as client:
        assert client.post("/v1/feeds", json={"url": feed}).status_code == 401
        assert (
            error_of(client.post("/v1/feeds", json={"url": "ftp://x"}, headers=auth))["code"]
            == "bad_url"
        )
        created = client.post("/v1/feeds", json={"url": feed}, headers=auth)
        assert created.status_code == 201, created.text
        feed_id = created.json()["id"]
        assert created.json()["title"] == "Blog"
        again = client.post("/v1/feeds", json={"url": feed}, headers=auth)
        assert again.status_code == 200 and again.json()["created"] is False

        listed = client.get("/v1/feeds", params={"limit": 1}).json()
        assert listed["total"] == 1 and listed["feeds"][0]["url"] == feed
        assert listed["next_cursor"] is None
        assert client.get(f"/v1/feeds/{feed_id}").json()["id"] == feed_id
        assert client.get("/v1/feeds/999").status_code == 404
        assert error_of(client.get("/v1/feeds/999"))["code"] == "not_found"

        queued = client.post(f"/v1/feeds/{feed_id}/check", headers=auth)
        assert queued.status_code == 202 and queued.json()["feeds"] == [feed_id]
        assert client.post("/v1/feeds/999/check", headers=auth).status_code == 404
        kinds = [j["kind"] for j in client.get("/v1/jobs").json()["jobs"]]
        assert "fetch-feed" in kinds

        run_worker(load_settings(worker_home), until_idle=True, schedule_feeds=False)

        jobs = client.get("/v1/jobs", params={"limit": 50}).json()
        urls = {j["payload"].get("url"): j for j in jobs["jobs"] if j["kind"] == "ingest-url"}
        assert urls[good]["state"] == "done"
        assert urls[gone]["state"] == "failed"
        assert jobs["counts"]["failed"] == 1
        titles = [a["title"] for a in client.get("/v1/articles").json()["articles"]]
        assert titles == ["Queues"]

        first = client.get("/v1/jobs", params={"limit": 1}).json()
        assert first["next_cursor"] and len(first["jobs"]) == 1
        second = client.get("/v1/jobs", params={"limit": 1, "cursor": first["next_cursor"]})
        assert second.json()["jobs"][0]["id"] != first["jobs"][0]["id"]
        assert client.get("/v1/jobs", params={"cursor": "nonsense"}).status_code == 400
        assert client.get("/v1/jobs", params={"state": "sleeping"}).status_code == 422

        failed_id = urls[gone]["id"]
        assert client.get(f"/v1/jobs/{failed_id}").json()["state"] == "failed"
        assert client.post(f"/v1/jobs/{failed_id}/retry").status_code == 401
        done_retry = client.post(f"/v1/jobs/{urls[good]['id']}/retry", headers=auth)
        assert done_retry.status_code == 409 and error_of(done_retry)["code"] == "not_failed"
        retried = client.post(f"/v1/jobs/{failed_id}/retry", headers=auth)
        assert retried.status_code == 200 and retried.json()["state"] == "queued"
        assert client.get("/v1/jobs/0").status_code == 422
        assert client.get("/v1/jobs/123456").status_code == 404

        assert client.delete(f"/v1/feeds/{feed_id}").status_code == 401
        assert client.delete(f"/v1/feeds/{feed_id}", headers=auth).status_code == 204
        assert client.get("/v1/feeds").json()["total"] == 0
        assert client.delete(f"/v1/feeds/{feed_id}", headers=auth).status_code == 404
        # Articles the feed brought stay in the library.
        assert client.get("/v1/articles").json()["total"] == 1


def test_openapi_describes_feeds_and_jobs(worker_home: Path) -> None:
    with client_for(worker_home) as client:
        paths = client.get("/v1/openapi.json").json()["paths"]
    for path in ("/v1/feeds", "/v1/feeds/{feed_id}", "/v1/feeds/{feed_id}/check", "/v1/jobs"):
        assert path in paths
    assert "409" in paths["/v1/jobs/{job_id}/retry"]["post"]["responses"]


def test_add_feed_page_shows_progress_without_js(worker_home: Path, feeds: FeedSite) -> None:
    import re

    good = feeds.put("/posts/queues", PAGE)
    items = [{"title": "Queues", "link": good, "date": "Mon, 02 Jan 2023 10:00:00 GMT"}]
    feed = feeds.put("/feed.xml", rss("Blog <b>", feeds.url("/"), items), "application/rss+xml")
    with client_for(worker_home) as client:
        form = client.get("/add")
        assert 'action="/add/feed"' in form.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        assert (
            client.post("/add/feed", data={"csrf": "forged", "feed_url": feed}).status_code == 403
        )
        bad = client.post("/add/feed", data={"csrf": csrf, "feed_url": "javascript:alert(1)"})
        assert bad.status_code == 422 and "only http:// and https://" in bad.text
        missing = client.post("/add/feed", data={"csrf": csrf, "feed_url": feeds.url("/nope")})
        assert missing.status_code == 422 and "404" in missing.text
        added = client.post(
            "/add/feed", data={"csrf": csrf, "feed_url": feed}, follow_redirects=False
        )
        assert added.status_code == 303 and added.headers["location"].startswith("/jobs?feed=")
        progress = client.get(added.headers["location"])
        assert progress.status_code == 200
        assert "Blog &lt;b&gt;" in progress.text and "<b>" not in progress.text.split("<main")[-1]
        assert "fetch-feed" in progress.text and 'http-equiv="refresh"' in progress.text

        run_worker(load_settings(worker_home), until_idle=True, schedule_feeds=False)

        done = client.get(added.headers["location"])
        assert 'http-equiv="refresh"' not in done.text
        assert "ingest-url" in done.text and good in done.text
        assert re.search(r'href="/articles/\d+"', done.text)
