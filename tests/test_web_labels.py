"""Real categories and technology tags on the web (issue 4 meets issue 6).

The corpus sample is filed by the classifier at import; these tests check the pages and API
show those labels, that a correction made on the article page or through /v1 is stored as a
user label (which a later automatic pass leaves alone), and the per-label pages and feeds.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from distill.store.sqlite import open_store

from .web_support import client_for, make_token


@pytest.fixture(scope="module")
def client(corpus_home: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    with client_for(corpus_home) as c:
        yield c


def origin_of(home: Path, article_id: int) -> tuple[str, str, list[str], dict[str, str]]:
    store = open_store(home)
    try:
        found = store.labels.labels_for([article_id])[article_id]
    finally:
        store.close()
    return found.category, found.category_origin, found.tags, found.tag_origins


def test_categories_are_real_and_count_every_article(client) -> None:  # type: ignore[no-untyped-def]
    cats = client.get("/v1/categories").json()
    total = client.get("/v1/articles", params={"limit": 1}).json()["total"]
    assert sum(c["count"] for c in cats) == total
    assert all(c["description"] for c in cats if c["name"] != "uncategorized")
    top = max(cats, key=lambda c: c["count"])
    assert top["name"] != "uncategorized"
    listed = client.get("/v1/articles", params={"category": top["name"], "limit": 100}).json()
    assert listed["total"] == top["count"]
    assert {a["category"] for a in listed["articles"]} == {top["name"]}
    page = client.get(f"/category/{top['name']}").text
    assert f"Articles in {top['name']}" in page
    assert client.get("/category/no-such-category").status_code == 404
    atom = ET.fromstring(client.get(f"/feeds/category/{top['name']}.atom").content)
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert 0 < len(entries) <= top["count"]


def test_technology_pages_feeds_and_rising_chart(client) -> None:  # type: ignore[no-untyped-def]
    techs = client.get("/v1/technologies").json()
    assert techs and techs[0]["count"] >= techs[-1]["count"]
    name, count = techs[0]["name"], techs[0]["count"]
    one = client.get(f"/v1/technologies/{name}").json()
    assert one["count"] == count and one["related"]
    tagged = client.get("/v1/articles", params={"tech": name, "limit": 100}).json()
    assert tagged["total"] == count and all(name in a["tags"] for a in tagged["articles"])
    page = client.get(f"/tech/{name}").text
    assert f"Showing {min(12, count)} of {count} articles" in page
    assert client.get("/tech/NoSuchTechnologyAtAll").status_code == 404
    atom = ET.fromstring(client.get(f"/feeds/tech/{name}.atom").content)
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == min(30, count)
    home = client.get("/").text
    assert "Rising technologies" in home
    svg = re.search(r'<svg class="chart"[^>]*aria-labelledby="rt-title.*?</svg>', home, re.S)
    assert svg is not None and "Rising technologies" in svg.group(0)


def test_corrections_are_stored_as_user_labels(own_home: Path) -> None:
    """The corrections stay, so this test works on a library of its own."""
    with client_for(own_home) as client:
        corrections_are_user_labels(client, own_home)


def corrections_are_user_labels(client, corpus_home: Path) -> None:  # type: ignore[no-untyped-def]
    token = make_token(corpus_home, "labels")
    auth = {"Authorization": f"Bearer {token}"}
    article = client.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
    aid = article["id"]
    new_category = "security" if article["category"] != "security" else "databases"

    page = client.get(f"/articles/{aid}").text
    assert "Correct category or tags" in page and f'value="{new_category}"' in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    tags = ", ".join([*article["tags"][:1], "PostgreSQL"])
    done = client.post(
        f"/articles/{aid}/labels",
        data={"csrf": csrf, "category": new_category, "tags": tags},
        follow_redirects=False,
    )
    assert done.status_code == 303
    category, origin, stored_tags, tag_origins = origin_of(corpus_home, aid)
    assert (category, origin) == (new_category, "user")
    assert "PostgreSQL" in stored_tags and tag_origins["PostgreSQL"] == "user"
    assert set(stored_tags) == {*article["tags"][:1], "PostgreSQL"}
    shown = client.get(f"/v1/articles/{aid}").json()
    assert shown["category"] == new_category and "PostgreSQL" in shown["tags"]

    bad = client.patch(f"/v1/articles/{aid}", json={"category": "astrology"}, headers=auth)
    assert bad.status_code in (400, 422) and "astrology" in bad.text
    assert origin_of(corpus_home, aid)[0] == new_category  # nothing lost
    ok = client.patch(f"/v1/articles/{aid}", json={"tags": ["Kafka"]}, headers=auth)
    # The web folds aliases exactly as `distill tags` does (one path for corrections).
    assert ok.status_code == 200 and ok.json()["tags"] == ["Apache Kafka"]
    assert origin_of(corpus_home, aid)[2] == ["Apache Kafka"]


def test_search_filters_use_the_labels(client) -> None:  # type: ignore[no-untyped-def]
    """With distill.search present (issue 5), category:/tech: filter by the classify labels,
    snippets carry only <mark> markup, and the search page escapes the query."""
    pytest.importorskip("distill.search")
    cats = client.get("/v1/categories").json()
    top = max(cats, key=lambda c: c["count"])["name"]
    everything = client.get("/v1/search", params={"q": "release"}).json()
    filtered = client.get("/v1/search", params={"q": "release", "category": top}).json()
    assert filtered["results"] and filtered["total"] <= everything["total"]
    assert {r["category"] for r in filtered["results"]} == {top}
    for hit in filtered["results"]:
        assert set(re.findall(r"</?([a-zA-Z]+)", hit["snippet"])) <= {"mark"}
    tech = client.get("/v1/technologies").json()[0]["name"]
    tagged = client.get("/v1/search", params={"q": "release", "tech": tech}).json()
    assert tagged["results"] and all(tech in r["tags"] for r in tagged["results"])
    unknown = client.get("/v1/search", params={"q": "release", "category": "nope"}).json()
    assert unknown["total"] == 0 and "nope" in unknown["message"]
    page = client.get("/search", params={"q": "<script>alert(1)</script> release"}).text
    assert "<script>alert" not in page


def test_a_tag_correction_shows_at_once_in_related_reasons(own_home: Path) -> None:
    """The article page keeps its related articles for a while (finding them scans every
    vector), but a correction of a related article's tags is seen on the next view."""
    token = make_token(own_home, "related")
    auth = {"Authorization": f"Bearer {token}"}
    with client_for(own_home) as client:
        ids = [a["id"] for a in client.get("/v1/articles", params={"limit": 30}).json()["articles"]]
        for aid in ids:
            related = client.get(f"/v1/articles/{aid}/related", params={"limit": 5}).json()
            shared = [r for r in related if "shared technologies" in r["reason"]]
            if shared:
                break
        else:
            pytest.skip("no article of the sample shares a technology with a related one")
        other = shared[0]
        page = client.get(f"/articles/{aid}").text
        assert "shared technologies" in page
        ok = client.patch(f"/v1/articles/{other['id']}", json={"tags": []}, headers=auth)
        assert ok.status_code == 200
        page = client.get(f"/articles/{aid}").text
        item = re.search(rf'<li><a href="/articles/{other["id"]}">.*?</li>', page, re.S)
        assert item is not None, "the related article left the list"
        assert "shared technologies" not in item.group(0)
