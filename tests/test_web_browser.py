"""The web UI in a real browser (Debian chromium through Playwright) against a real server.

The server is `distill serve` started as a subprocess on 127.0.0.1 over a library built
from the corpus. Screenshots of the category and article pages go to test-output/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import REPO, LocalSite
from .web_support import copy_library, make_token

CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / "test-output"
HOSTILE_TITLE = '<script>alert("title")</script><img src=x onerror=alert("img")>'

pytestmark = pytest.mark.skipif(
    not shutil.which("chromium") and not Path(CHROMIUM).exists(),
    reason="Debian chromium is not installed (apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    corpus_library: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    home = copy_library(tmp_path_factory.mktemp("browser") / "library")
    token = make_token(home)
    port = _free_port()
    env = {
        **os.environ,
        "DISTILL_HOME": str(home),
        "DISTILL_EMBED": "false",
        "DISTILL_ALLOWED_HOSTS": "127.0.0.1",
    }
    # The server's (and its worker's) output goes to a file, never to a pipe nobody reads:
    # a full pipe blocks the writer, and a worker blocked on a write outlived the run.
    log_path = home.parent / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - the server writes to it until it stops
    proc = subprocess.Popen(
        [sys.executable, "-m", "distill", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # wait for the port, up to ~30 s on a busy machine
        try:
            if httpx.get(base + "/v1/categories", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        proc.wait()
        pytest.fail("server did not start: " + log_path.read_text(errors="replace")[-2000:])
    cats = httpx.get(base + "/v1/categories").json()
    top = max(cats, key=lambda c: c["count"])  # the real category the classifier filled most
    yield {"base": base, "token": token, "category": top["name"], "count": str(top["count"])}
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)  # the first search may load the embedding model
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"


def test_category_page_cards_pages_and_screenshot(server, page) -> None:  # type: ignore[no-untyped-def]
    name, total = server["category"], int(server["count"])
    assert name != "uncategorized" and total > 24
    page.goto(server["base"] + f"/category/{name}")
    assert page.locator("h1").inner_text() == f"Articles in {name}"
    assert page.locator(".count").inner_text().startswith(f"Showing 12 of {total} articles")
    cards = page.locator("article.card")
    assert cards.count() == 12
    first = cards.nth(0)
    assert first.locator(".card-title").inner_text().strip()
    assert first.locator(".site").inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first.locator("time").inner_text())
    assert first.locator(".card-exec").inner_text().strip()
    # sections beyond the executive summary are one click away (when the summarizer made any)
    with_more = page.locator("article.card:has(details.more)")
    sections = httpx.get(server["base"] + "/v1/articles?limit=12").json()["articles"]
    assert with_more.count() == sum(
        len((a["summary"] or {}).get("sections", [])) > 1 for a in sections
    )
    if with_more.count():
        hidden = with_more.first.locator(".sec-title").first
        assert not hidden.is_visible()
        with_more.first.locator("details.more summary").click()
        assert hidden.is_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "category.png"), full_page=False)
    titles_page1 = cards.locator(".card-title").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    assert "page=2" in page.url
    assert page.locator(".count").inner_text().startswith("Showing 12 of")
    assert set(cards.locator(".card-title").all_inner_texts()).isdisjoint(titles_page1)
    page.locator(".pager").get_by_role("link", name="3", exact=True).click()
    assert page.locator("article.card").count() == total - 24
    page.get_by_role("link", name="Oldest").click()
    dates = page.locator("article.card time").all_inner_texts()
    assert dates == sorted(dates)


def test_article_line_reveals_its_source_passage(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server["base"] + f"/category/{server['category']}")
    title = page.locator(".card-title a").first.inner_text()
    page.locator(".card-title a").first.click()
    assert page.locator("h1").inner_text().startswith(title)
    sections = page.locator(".summary .sec h2").all_inner_texts()
    assert sections[0] == "Executive summary"
    line = page.locator(".sec-executive_summary .src-line").nth(1)
    expected = line.inner_text().strip()
    line.click()
    mark = page.locator(".source-body mark.hl")
    assert mark.count() == 1 and mark.inner_text().strip() == expected
    assert mark.is_visible()
    # keyboard: focusing another line moves the highlight
    other = page.locator(".sec-executive_summary .src-line").nth(0)
    other.focus()
    assert mark.inner_text().strip() == other.inner_text().strip()
    page.screenshot(path=str(SHOTS / "article.png"), full_page=False)


def test_source_passage_works_without_javascript(server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server["base"] + f"/category/{server['category']}")
    page.locator(".card-title a").first.click()
    line = page.locator(".sec-executive_summary .src-line").first
    expected = line.inner_text().strip()
    line.click()
    assert "hl=" in page.url
    assert page.locator(".source-body mark.hl").inner_text().strip() == expected
    context.close()


def test_search_then_follow_a_result(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server["base"] + "/")
    page.wait_for_load_state("load")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "top-q"
    page.keyboard.type("rust compiler")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?"))  # the home page has a .count too
    assert "results for" in page.locator(".count").inner_text()
    result = page.locator(".result h2 a").first
    title = result.inner_text()
    assert page.locator(".result .snippet mark").count() >= 1
    result.click()
    assert page.locator("h1").inner_text().startswith(title)


def test_star_an_article_and_see_the_marker(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server["base"] + f"/category/{server['category']}?sort=oldest")
    card = page.locator("article.card").nth(2)
    card_id = card.get_attribute("id")
    assert card.locator(".marker.starred").count() == 0
    card.get_by_role("button", name="Star").click()
    card = page.locator(f"#{card_id}")
    assert card.locator(".marker.starred").count() == 1
    assert "sort=oldest" in page.url
    card.get_by_role("button", name="Starred").click()
    assert page.locator(f"#{card_id} .marker.starred").count() == 0


def test_add_a_url_and_see_it_appear(server, page, site: LocalSite) -> None:  # type: ignore[no-untyped-def]
    body = (
        "<html><head><title>Consistent hashing in practice</title></head><body><article>"
        "<h1>Consistent hashing in practice</h1>"
        + "".join(
            f"<p>Virtual nodes spread keys evenly across {n} servers, so adding one server "
            f"moves only a small share of the keys instead of reshuffling all of them.</p>"
            for n in range(3, 9)
        )
        + "</article></body></html>"
    ).encode()
    url = site.serve("/posts/hashing.html", body)
    page.goto(server["base"] + "/add")
    page.get_by_label("Article URL").fill(url)
    page.get_by_role("button", name="Add article").click()
    assert page.locator("h1").inner_text().startswith("Consistent hashing in practice")
    assert "Added to your library" in page.locator(".notice").inner_text()
    page.goto(server["base"] + "/search?q=virtual+nodes")
    assert page.locator(".result h2 a").first.inner_text() == "Consistent hashing in practice"


def test_hostile_article_renders_as_inert_text(server, page) -> None:  # type: ignore[no-untyped-def]
    markdown = (
        f"# {HOSTILE_TITLE}\n\n"
        "Some text with <script>alert('body')</script> and "
        "<img src=x onerror=alert('onerror')> inline, plus [a link](javascript:alert('link')).\n\n"
        "```html\n</code></pre><script>alert('code')</script>\n```\n\n"
        "A closing paragraph that <b onmouseover=alert('hover')>hovers</b> and breaks <div <p>.\n"
    )
    response = httpx.post(
        server["base"] + "/v1/articles",
        json={"markdown": markdown, "source_url": "javascript:alert('source')"},
        headers={"Authorization": f"Bearer {server['token']}"},
    )
    assert response.status_code == 201, response.text
    article_id = response.json()["id"]
    for path in (
        f"/articles/{article_id}",
        "/category/" + httpx.get(f"{server['base']}/v1/articles/{article_id}").json()["category"],
        "/search?q=closing+paragraph",
    ):
        page.goto(server["base"] + path)
        page.mouse.move(300, 300)
        assert page.locator("img[src=x]").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
    page.goto(server["base"] + f"/articles/{article_id}")
    assert '<img src=x onerror=alert("img")>' in page.locator("h1").inner_text()  # as text
    page.locator(".src-line").first.click()
    # the page's own CSP header is what blocks anything that slipped through
    csp = httpx.get(server["base"] + f"/articles/{article_id}").headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp


def test_home_on_a_phone_in_dark_mode(server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=1
    )
    page = context.new_page()
    page.goto(server["base"] + "/")
    assert page.locator("h1").inner_text() == "Your library"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(246, 247, 249)"  # the dark palette, not the light one
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling on a phone
    page.screenshot(path=str(SHOTS / "home-phone-dark.png"), full_page=True)
    page.goto(server["base"] + f"/category/{server['category']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("j")
    assert page.locator("article.card.current").count() == 1
    page.screenshot(path=str(SHOTS / "category-phone-dark.png"))
    context.close()
