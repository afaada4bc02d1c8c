"""Reading state and removal in a real browser (Debian chromium) against `distill serve`.

The keys m (read/unread), e (archive) and s (star) submit the same forms a mouse does;
these tests press them and read what the page then shows.
"""

from __future__ import annotations

import httpx

from .test_web_browser import browser, page, pytestmark, server  # noqa: F401


def state_of(base: dict[str, str], article_id: str) -> str:
    return str(httpx.get(base["base"] + f"/v1/articles/{article_id}").json()["state"])


def test_keys_mark_read_archive_and_star_a_card_and_an_article(server, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    name = server["category"]
    page.goto(server["base"] + f"/category/{name}?sort=oldest")
    assert "m read/unread" in page.locator("footer .keys").inner_text()
    first = page.locator("article.card").first
    card_id = first.get_attribute("data-id")
    assert first.get_attribute("data-state") == "unread"
    assert first.locator(".marker.unread-dot").count() == 1
    assert first.locator(".card-title a").evaluate("a => getComputedStyle(a).fontWeight") == "700"
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("m")
    card = page.locator(f"#card-{card_id}")
    assert card.get_attribute("data-state") == "read"
    assert card.locator(".marker.unread-dot").count() == 0
    assert state_of(server, card_id) == "read"

    # on the article page: opening keeps it read, m makes it unread, e archives, s stars
    page.goto(server["base"] + f"/articles/{card_id}")
    label = page.locator(".state-label")
    assert label.inner_text() == "Read"
    with page.expect_navigation():
        page.keyboard.press("m")
    assert "marked=1" in page.url
    assert page.locator(".state-label").inner_text() == "Unread"
    with page.expect_navigation():
        page.keyboard.press("e")
    assert page.locator(".state-label").inner_text() == "Archived"
    with page.expect_navigation():
        page.keyboard.press("s")
    assert page.locator("h1 .marker.starred").count() == 1
    assert page.locator(".state-label").inner_text() == "Archived"
    assert state_of(server, card_id) == "archived"

    # archived: gone from the category's list, listed under the Archived tab
    page.goto(server["base"] + f"/category/{name}?sort=oldest")
    assert page.locator(f"#card-{card_id}").count() == 0
    page.locator(".state-tabs").get_by_role("link", name="Archived").click()
    assert page.locator(f"#card-{card_id}").count() == 1
    with page.expect_navigation():
        page.locator(f"#card-{card_id}").get_by_role("button", name="Unarchive").click()
    assert state_of(server, card_id) == "read"


def test_mark_a_whole_category_read_and_the_home_page_count(server, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    name = server["category"]
    page.goto(server["base"] + "/")
    link = page.locator(f'.category-grid a[href="/category/{name}"]')
    unread_before = int(link.locator(".unread-count").inner_text().split()[0])
    assert unread_before > 12
    page.goto(server["base"] + f"/category/{name}?is=unread")
    assert page.locator("article.card").count() == 12
    assert page.locator("article.card[data-state=read]").count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="Mark this page read").click()
    page.goto(server["base"] + "/")
    assert int(link.locator(".unread-count").inner_text().split()[0]) == unread_before - 12
    page.goto(server["base"] + f"/category/{name}?is=unread")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Mark all in {name} read").click()
    assert page.locator("article.card").count() == 0
    page.goto(server["base"] + "/")
    assert link.locator(".unread-count").count() == 0


def test_remove_an_article_after_confirming(server, page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto(server["base"] + f"/category/{server['category']}?sort=newest")
    card = page.locator("article.card").first
    article_id = card.get_attribute("data-id")
    title = card.locator(".card-title a").inner_text()
    card.locator(".card-title a").click()
    page.get_by_role("link", name="Remove…").click()
    assert page.locator("h1").inner_text() == "Remove this article?"
    assert title in page.locator("main").inner_text()
    page.get_by_role("link", name="Keep it").click()
    assert httpx.get(server["base"] + f"/v1/articles/{article_id}").status_code == 200
    page.get_by_role("link", name="Remove…").click()
    page.get_by_role("button", name="Remove for good").click()
    assert (
        page.locator(".notice").inner_text() == f"Removed article #{article_id} from your library."
    )
    assert httpx.get(server["base"] + f"/v1/articles/{article_id}").status_code == 404
