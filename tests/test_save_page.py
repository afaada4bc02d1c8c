"""One-click save without a browser: the share target's parameters, the manifest, and the
Add page's guards (the browser tier runs the bookmarklet itself)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.feedsite import FeedSite, corpus_articles, serve_articles

from .web_support import client_for


def test_share_target_fills_the_form_and_one_post_saves(home: Path, feeds: FeedSite) -> None:
    article = corpus_articles(1)[0]
    serve_articles(feeds, [article], "/feed.xml")
    url = feeds.url(f"/a/{article['slug']}")
    with client_for(home, allowed_hosts="127.0.0.1", embed=False) as client:
        manifest = client.get("/manifest.webmanifest")
        assert manifest.headers["content-type"].startswith("application/manifest+json")
        target = json.loads(manifest.text)["share_target"]
        assert target["action"] == "/add" and target["method"] == "GET"
        assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/").text

        # phones often share "title + URL" as text: the URL in it is taken
        shared = client.get("/add", params={"title": "A post", "text": f"Worth reading {url}"})
        assert shared.status_code == 200
        assert f'value="{url}"' in shared.text and "Save this page" in shared.text
        assert client.get("/v1/articles").json()["total"] == 0  # a GET never writes
        csrf = re.search(r'name="csrf" value="([^"]+)"', shared.text).group(1)  # type: ignore[union-attr]
        assert client.post("/add", data={"csrf": "forged", "url": url}).status_code == 403
        saved = client.post("/add", data={"csrf": csrf, "url": url})
        assert saved.status_code == 200 and "Added to your library." in saved.text
        assert client.get("/v1/articles").json()["total"] == 1

        for bad, why in (
            ("javascript:alert(1)", "only http:// and https://"),
            ("http://192.168.1.1/admin", "non-public address"),
            ("file:///etc/passwd", "only http:// and https://"),
        ):
            refused = client.get("/add", params={"url": bad})
            assert refused.status_code == 422 and why in refused.text, bad
            assert "Save this page" not in refused.text
