"""One-click save and the feeds page in a real browser (Debian chromium) against `distill serve`.

The bookmarklet test opens a real article page served on 127.0.0.1, runs the bookmarklet's
code in it as the browser would, and saves the article from the page that opens.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest

from tests.feedsite import FeedSite, corpus_articles, feed_site, serve_articles

from .test_web_browser import browser, page, pytestmark, server  # noqa: F401


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    with feed_site() as hosted:
        yield hosted


def total(base: str) -> int:
    return int(httpx.get(base + "/v1/articles").json()["total"])


def test_bookmarklet_saves_the_page_being_read(server, page, site: FeedSite) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    article = corpus_articles(1)[0]
    serve_articles(site, [article], "/feed.xml")
    url = site.url(f"/a/{article['slug']}")
    add_page = httpx.get(server["base"] + "/add").text
    href = html.unescape(re.search(r'id="bookmarklet" href="([^"]+)"', add_page).group(1))  # type: ignore[union-attr]
    assert href.startswith("javascript:") and server["base"] + "/add?url=" in href

    before = total(server["base"])
    page.goto(url)
    with page.context.expect_page() as opened:
        page.evaluate(href.removeprefix("javascript:"))
    library = opened.value
    library.wait_for_load_state("load")
    assert library.url.startswith(server["base"] + "/add?url=")
    assert library.locator("#add-url").input_value() == url
    assert total(server["base"]) == before  # the GET saved nothing
    library.get_by_role("button", name="Save this page").click()
    library.wait_for_url("**/articles/*?note=added")
    assert library.locator(".notice").inner_text() == "Added to your library."
    assert total(server["base"]) == before + 1
    assert library.locator("h1").inner_text().strip().startswith(article["title"][:20])
    library.close()


def test_add_page_refuses_script_and_private_addresses(server, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(server["base"] + "/add?url=javascript:alert(document.cookie)")
    assert "only http:// and https:// addresses can be added" in page.locator(".error").inner_text()
    assert page.locator("#add-url").input_value() == ""
    page.goto(server["base"] + "/add?url=http://10.20.30.40/internal")
    assert "non-public address" in page.locator(".error").inner_text()
    assert page.locator("#add-url").input_value() == ""


def test_feeds_page_pause_resume_and_unsubscribe_asks(server, page, site: FeedSite) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    feed = serve_articles(site, corpus_articles(2)[1:], "/other.xml")
    auth = {"Authorization": f"Bearer {server['token']}"}
    created = httpx.post(server["base"] + "/v1/feeds", json={"url": feed}, headers=auth)
    assert created.status_code == 201, created.text
    feed_id = created.json()["id"]
    page.goto(server["base"] + "/")
    page.get_by_role("link", name="Feeds", exact=True).click()
    row = page.locator(f"#feed-{feed_id}")
    assert row.locator("td").first.inner_text().startswith("Corpus")
    row.get_by_role("button", name="Pause").click()
    row = page.locator(f"#feed-{feed_id}")
    assert row.get_attribute("data-status") == "paused"
    assert "Paused" in page.locator(".notice").inner_text()
    row.get_by_role("button", name="Resume").click()
    row = page.locator(f"#feed-{feed_id}")
    assert row.get_attribute("data-status") != "paused"

    row.locator("summary", has_text="Unsubscribe").click()
    row.get_by_role("button", name="Unsubscribe").click()  # no answer: the form does not go
    assert httpx.get(server["base"] + f"/v1/feeds/{feed_id}").status_code == 200
    row.get_by_label("keep them in the library").check()
    row.get_by_role("button", name="Unsubscribe").click()
    assert "Unsubscribed" in page.locator(".notice").inner_text()
    assert httpx.get(server["base"] + f"/v1/feeds/{feed_id}").status_code == 404
