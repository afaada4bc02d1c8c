"""Pages, feeds and security through an in-process client: escaping, CSRF, headers, Atom."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from distill.web.atom import FEED_SIZE

from .web_support import CORPUS_ARTICLES, client_for, make_token

HOSTILE = {
    "title": '<script>alert(1)</script>"><img src=x onerror=alert(2)>',
    "markdown": (
        "# ignored\n\nText with <script>alert(3)</script> and <svg onload=alert(4)> and a "
        "[link](javascript:alert(5)).\n\n```js\n</code></pre><script>alert(6)</script>\n```\n\n"
        "Broken <div <p onclick=alert(7)> markup <!-- and a comment that never ends\n"
    ),
    "source_url": "javascript:alert(8)",
}


@pytest.fixture(scope="module")
def setup(corpus_home: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    token = make_token(corpus_home, "pages")
    with client_for(corpus_home) as client:
        created = client.post(
            "/v1/articles", json=HOSTILE, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        yield client, created.json()["id"]


def top_category(client) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """The real category with most articles (the classifier files them at import)."""
    cats = client.get("/v1/categories").json()
    best = max(cats, key=lambda c: c["count"])
    return best["name"], best["count"]


def category_count(client, name: str) -> int:  # type: ignore[no-untyped-def]
    return next(c["count"] for c in client.get("/v1/categories").json() if c["name"] == name)


def _no_live_markup(html: str) -> None:
    assert "<script>alert" not in html and "<script" not in html.replace(
        '<script src="/static/app.js" defer></script>', ""
    )
    assert not re.search(r"<[a-z]+[^>]*\son(error|load|click|mouseover)=", html, re.I)
    assert 'href="javascript' not in html.lower()


def test_hostile_article_is_escaped_everywhere(setup) -> None:  # type: ignore[no-untyped-def]
    client, article_id = setup
    category = client.get(f"/v1/articles/{article_id}").json()["category"]
    for path in (
        f"/articles/{article_id}",
        f"/articles/{article_id}?hl=0:0:5",
        f"/category/{category}?sort=newest",
        "/search?q=alert",
        "/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        _no_live_markup(response.text)
    page = client.get(f"/articles/{article_id}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title, as text
    assert "javascript:alert(8)" in page and "Read the original" not in page


def test_atom_feed_is_valid_xml_with_escaped_summaries(setup) -> None:  # type: ignore[no-untyped-def]
    client, article_id = setup
    category = client.get(f"/v1/articles/{article_id}").json()["category"]
    response = client.get(f"/feeds/category/{category}.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == min(FEED_SIZE, category_count(client, category))
    titles = [e.findtext("a:title", namespaces=ns) for e in entries]
    assert titles[0] == HOSTILE["title"]  # newest addition first
    content = entries[0].findtext("a:content", namespaces=ns) or ""
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", content))
    assert tags <= {"h3", "ul", "ol", "li", "pre", "code"}, tags
    assert "&lt;div" in content  # the broken markup, as text
    assert client.get("/feeds/category/nope.atom").status_code == 404
    assert client.get("/feeds/tech/nothing.atom").status_code == 404


def test_security_headers_on_pages_api_and_static(setup) -> None:  # type: ignore[no-untyped-def]
    client, _ = setup
    for path in ("/", "/v1/articles", "/static/style.css", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


def test_forms_need_the_csrf_token(setup) -> None:  # type: ignore[no-untyped-def]
    client, article_id = setup
    page = client.get(f"/articles/{article_id}")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = client.post(f"/articles/{article_id}/star", data={"csrf": "forged", "starred": "1"})
    assert refused.status_code == 403 and "form expired" in refused.text
    assert client.get(f"/v1/articles/{article_id}").json()["starred"] is False
    ok = client.post(
        f"/articles/{article_id}/star",
        data={"csrf": token, "starred": "1", "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/articles/{article_id}"
    assert client.get(f"/v1/articles/{article_id}").json()["starred"] is True
    category = client.get(f"/v1/articles/{article_id}").json()["category"]
    for number in (1, 2, 3):
        cards = client.get(f"/category/{category}?page={number}").text
        if f'id="card-{article_id}"' in cards:
            card = cards.split(f'id="card-{article_id}"', 1)[1].split("</article>", 1)[0]
            assert 'class="marker starred"' in card
            break
    else:
        pytest.fail("the starred article is on no page")
    undo = client.post(f"/articles/{article_id}/star", data={"csrf": token, "starred": "0"})
    assert (
        undo.status_code == 200
        and client.get(f"/v1/articles/{article_id}").json()["starred"] is False
    )


def test_category_paging_sorting_and_unknown_pages(setup) -> None:  # type: ignore[no-untyped-def]
    client, _ = setup
    name, total = top_category(client)
    assert total > 24, "the corpus sample should fill three pages of one category"
    first = client.get(f"/category/{name}").text
    assert f"Articles in {name}" in first
    assert f"Showing 12 of {total} articles" in first
    assert first.count('class="card"') == 12
    last = client.get(f"/category/{name}?page=3").text
    assert f"Showing {total - 24} of {total} articles" in last
    assert client.get(f"/category/{name}?page=99").status_code == 200
    assert client.get("/category/no-such-thing").status_code == 404
    assert client.get("/articles/424242").status_code == 404
    assert "Not found" in client.get("/articles/424242").text
    assert client.get("/articles/1?hl=9999:0:1").status_code == 200  # ignored, not a crash
    assert client.get("/search?q=" + "x" * 5000).status_code == 400


def test_add_page_rejects_bad_input_without_storing(own_home: Path) -> None:
    """The uploaded article stays, so this test works on a library of its own."""
    with client_for(own_home) as client:
        add_page_checks_input(client)


def add_page_checks_input(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/add")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    before = client.get("/v1/articles").json()["total"]
    response = client.post("/add", data={"csrf": token, "url": "javascript:alert(1)"})
    assert response.status_code == 422 and "only http" in response.text
    response = client.post(
        "/add", data={"csrf": token}, files={"file": ("notes.pdf", b"%PDF-1.4", "application/pdf")}
    )
    assert response.status_code == 422 and "unsupported file type" in response.text
    upload = b"# Uploaded notes\n\nA note about write-ahead logs and why fsync matters for them.\n"
    response = client.post(
        "/add",
        data={"csrf": token},
        files={"file": ("notes.md", upload, "text/markdown")},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"].endswith("note=added")
    assert client.get("/v1/articles").json()["total"] == before + 1


def test_home_shows_counts_latest_and_an_accessible_chart(setup) -> None:  # type: ignore[no-untyped-def]
    client, _ = setup
    page = client.get("/").text
    assert "Your library" in page and f"{CORPUS_ARTICLES + 1} articles" in page  # + HOSTILE
    name, _count = top_category(client)
    assert f'href="/category/{name}"' in page
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S)
    assert svg is not None and 'role="img"' in svg.group(0)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg.group(0)).group(1)  # type: ignore[union-attr]
    assert re.search(r"\d+ articles from \d{4}-\d{2} to \d{4}-\d{2}", desc)
    assert "style=" not in svg.group(0)  # colours come from CSS classes (CSP: no inline style)


def test_tokens_cli_create_use_list_revoke(corpus_home: Path) -> None:  # noqa: F811
    import json

    from click.testing import CliRunner

    from distill.cli import main

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, ["--home", str(corpus_home), *args])
        return result.exit_code, result.stdout

    code, out = run("tokens", "create", "cli-test", "--json")
    token = json.loads(out)["token"]
    assert code == 0 and token.startswith("dst_")
    code, out = run("tokens", "create", "cli-test", "--json")
    assert code == 1 and "already exists" in json.loads(out)["error"]
    names = [t["name"] for t in json.loads(run("tokens", "list", "--json")[1])["tokens"]]
    assert "cli-test" in names
    with client_for(corpus_home) as client:
        auth = {"Authorization": f"Bearer {token}"}
        assert (
            client.patch("/v1/articles/1", json={"starred": False}, headers=auth).status_code == 200
        )
        assert run("tokens", "revoke", "cli-test", "--json")[0] == 0
        refused = client.patch("/v1/articles/1", json={"starred": False}, headers=auth)
        assert refused.status_code == 401
    assert run("tokens", "revoke", "cli-test")[0] == 1


def test_counts_follow_label_changes_but_not_page_views(setup, corpus_home: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Counts are remembered between requests; a re-filed article must still move them."""
    client, _ = setup
    token = make_token(corpus_home, "recount")
    name, total = top_category(client)
    assert f"Showing 12 of {total} articles" in client.get(f"/category/{name}").text
    other = next(
        a for a in client.get("/v1/articles?limit=100").json()["articles"] if a["category"] != name
    )
    client.get(f"/articles/{other['id']}")  # a view is a write too, but not of content
    assert f"Showing 12 of {total} articles" in client.get(f"/category/{name}").text
    moved = client.patch(
        f"/v1/articles/{other['id']}",
        json={"category": name},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert moved.status_code == 200, moved.text
    assert f"Showing 12 of {total + 1} articles" in client.get(f"/category/{name}").text
    assert category_count(client, name) == total + 1
    client.patch(
        f"/v1/articles/{other['id']}",
        json={"category": other["category"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert category_count(client, name) == total
