"""Reading state (issue 14): unread/read/archived through the pages, /v1, search and the CLI.

A library of 30 real corpus articles; the in-process client for pages and /v1, the CLI as
a subprocess over the same library file.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .web_support import client_for, make_token


@pytest.fixture(scope="module")
def setup(corpus_home: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    token = make_token(corpus_home, "reader")
    with client_for(corpus_home) as client:
        yield client, {"Authorization": f"Bearer {token}"}, corpus_home


def csrf_of(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/add")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def ids_of(client, **params) -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get("/v1/articles", params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()["articles"]]


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "distill", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_new_articles_are_unread_and_opening_the_page_marks_read_but_not_a_view(setup) -> None:  # type: ignore[no-untyped-def]
    client, auth, _ = setup
    everything = ids_of(client)
    assert len(everything) == 30
    assert ids_of(client, **{"is": "unread"}) == everything
    first = everything[0]
    card = client.get(f"/v1/articles/{first}").json()
    assert card["state"] == "unread" and card["views"] == 0

    page = client.get(f"/articles/{first}")
    assert page.status_code == 200
    assert 'data-state="read"' in page.text
    assert client.get(f"/v1/articles/{first}").json()["state"] == "read"
    assert first not in ids_of(client, **{"is": "unread"})
    assert ids_of(client, **{"is": "read"}) == [first]

    # marking through the API is not a visit: views (and so trending) stay where they were
    second = everything[1]
    patched = client.patch(f"/v1/articles/{second}", json={"state": "read"}, headers=auth)
    assert patched.status_code == 200 and patched.json()["state"] == "read"
    assert patched.json()["views"] == 0
    assert (
        client.patch(f"/v1/articles/{second}", json={"state": "unread"}, headers=auth).json()[
            "state"
        ]
        == "unread"
    )
    # "Mark unread" on the article page is not undone by the redirect back to it
    token = csrf_of(client)
    back = client.post(
        f"/articles/{first}/state",
        data={"csrf": token, "state": "unread", "next": f"/articles/{first}?marked=1"},
    )
    assert back.status_code == 200 and 'data-state="unread"' in back.text
    assert client.get(f"/v1/articles/{first}").json()["state"] == "unread"


def test_archived_leave_default_lists_but_stay_searchable(setup) -> None:  # type: ignore[no-untyped-def]
    client, auth, _ = setup
    target = client.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
    patched = client.patch(f"/v1/articles/{target['id']}", json={"state": "archived"}, headers=auth)
    assert patched.json()["state"] == "archived"
    assert target["id"] not in ids_of(client)
    assert ids_of(client, **{"is": "archived"}) == [target["id"]]
    category = target["category"]
    assert f'id="card-{target["id"]}"' not in client.get(f"/category/{category}").text
    assert f'id="card-{target["id"]}"' in client.get(f"/category/{category}?is=archived").text
    assert f'/articles/{target["id"]}"' not in client.get("/").text.split("Trending")[0]
    # search still finds it, and is:archived narrows to it
    words = " ".join(target["title"].split()[:4])
    found = client.get("/v1/search", params={"q": words}).json()
    assert target["id"] in [r["id"] for r in found["results"]]
    only = client.get("/v1/search", params={"q": f"{words} is:archived"}).json()
    assert [r["id"] for r in only["results"]] == [target["id"]]
    assert only["results"][0]["state"] == "archived"
    client.patch(f"/v1/articles/{target['id']}", json={"state": "unread"}, headers=auth)


def test_unknown_is_values_are_a_note_on_pages_and_search_and_400_on_the_api(setup) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = setup
    category = client.get("/v1/categories").json()[0]["name"]
    page = client.get(f"/category/{category}?is=bogus")
    assert page.status_code == 200
    assert "is:bogus is not one of unread, read, archived, starred; ignored" in page.text
    bad = client.get("/v1/articles", params={"is": "bogus"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_filter"
    found = client.get("/v1/search", params={"q": "rust is:sleeping"}).json()
    assert "is:sleeping is not one of" in found["message"]
    assert found["total"] > 0


def test_mark_page_and_category_read_and_unread_counts_on_home(setup) -> None:  # type: ignore[no-untyped-def]
    client, auth, _ = setup
    cats = client.get("/v1/categories").json()
    top = max(cats, key=lambda c: c["count"])
    assert top["unread"] == top["count"] - len(
        set(ids_of(client, category=top["name"]))
        - set(ids_of(client, category=top["name"], **{"is": "unread"}))
    )
    home = client.get("/")
    assert f"{top['unread']} unread" in home.text

    token = csrf_of(client)
    page = client.get(f"/category/{top['name']}?is=unread")
    shown = [int(i) for i in re.findall(r'id="card-(\d+)"', page.text)]
    assert len(shown) == min(12, top["unread"])
    ids_field = re.search(r'name="ids" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert [int(i) for i in ids_field.split(",")] == shown
    done = client.post("/read", data={"csrf": token, "ids": ids_field, "next": page.url.path})
    assert done.status_code == 200
    unread_now = set(ids_of(client, category=top["name"], **{"is": "unread"}))
    assert unread_now.isdisjoint(shown)
    assert client.get("/v1/categories").json() and [
        c for c in client.get("/v1/categories").json() if c["name"] == top["name"]
    ][0]["unread"] == top["unread"] - len(shown)

    # a forged form changes nothing
    refused = client.post(
        "/read", data={"csrf": "forged", "scope": "category", "name": top["name"]}
    )
    assert refused.status_code == 403
    assert set(ids_of(client, category=top["name"], **{"is": "unread"})) == unread_now

    client.post("/read", data={"csrf": token, "scope": "category", "name": top["name"]})
    assert ids_of(client, category=top["name"], **{"is": "unread"}) == []
    after = [c for c in client.get("/v1/categories").json() if c["name"] == top["name"]][0]
    assert after["unread"] == 0

    # the bulk API puts them back
    back = client.post(
        "/v1/read", json={"ids": sorted(unread_now | set(shown)), "state": "unread"}, headers=auth
    )
    assert back.status_code == 200 and back.json()["changed"] == len(unread_now | set(shown))
    assert (
        client.post("/v1/read", json={"ids": [1], "category": "x"}, headers=auth).status_code == 422
    )
    assert client.post("/v1/read", json={"ids": [10**9]}, headers=auth).status_code == 404


def test_cli_mark_and_list_by_state(setup) -> None:  # type: ignore[no-untyped-def]
    client, _, home = setup
    first, second = ids_of(client, **{"is": "unread"})[:2]
    marked = cli(home, "mark", "read", str(first), str(second), "--json")
    assert marked.returncode == 0, marked.stderr
    assert json.loads(marked.stdout) == {"state": "read", "changed": 2, "ids": [first, second]}
    listed = json.loads(cli(home, "list", "--is", "read", "--json").stdout)
    assert {a["id"] for a in listed["articles"]} >= {first, second}
    assert all(a["state"] == "read" for a in listed["articles"])
    archived = cli(home, "mark", "archived", str(first))
    assert archived.returncode == 0 and "1 article marked archived" in archived.stdout
    default = json.loads(cli(home, "list", "--per-page", "100", "--json").stdout)
    assert first not in {a["id"] for a in default["articles"]}
    bad = cli(home, "list", "--is", "sleeping")
    assert bad.returncode == 1 and "--is sleeping: use one of" in bad.stderr
    missing = cli(home, "mark", "read", "999999", str(second))
    assert missing.returncode == 1 and "no article with id 999999" in missing.stderr
    cli(home, "mark", "unread", str(first), str(second))
