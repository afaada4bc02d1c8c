"""The /v1 API through an in-process client: success and error paths a script would hit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .web_support import CORPUS_ARTICLES, client_for, make_token

ERROR_KEYS = {"code", "message", "details"}


def error_of(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, body
    return body["error"]


@pytest.fixture(scope="module")
def token(corpus_home: Path) -> str:  # noqa: F811
    return make_token(corpus_home, "api-tests")


@pytest.fixture(scope="module")
def client(corpus_home: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    with client_for(corpus_home) as c:
        yield c


def test_list_walks_every_article_by_cursor_without_repeats(client) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    dates: list[str] = []
    cursor = ""
    for _ in range(10):
        response = client.get("/v1/articles", params={"limit": 7, "cursor": cursor})
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == CORPUS_ARTICLES
        seen += [a["id"] for a in body["articles"]]
        dates += [a["date"] for a in body["articles"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == CORPUS_ARTICLES
    assert dates == sorted(dates, reverse=True)
    oldest = client.get("/v1/articles", params={"sort": "oldest", "limit": 100}).json()
    assert [a["id"] for a in oldest["articles"]][0] == seen[-1]


def test_article_summary_lines_point_at_their_source(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
    detail = client.get(f"/v1/articles/{first['id']}").json()
    assert detail["title"] == first["title"] and detail["blocks"]
    summary = client.get(f"/v1/articles/{first['id']}/summary").json()
    line = summary["sections"][0]["lines"][0]
    span = line["source"][0]
    assert detail["blocks"][span["block"]]["text"][span["start"] : span["end"]] == line["text"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJzIjoibmV3ZXN0In0", "eyJzIjoib2xkZXN0IiwiayI6WyIiLDFdfQ", "%%%", "e30"],
)
def test_bad_cursors_are_400_with_a_structured_error(client, cursor: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/v1/articles", params={"cursor": cursor})
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_cursor"


def test_unknown_ids_and_bad_parameters(client, token: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {token}"}
    for path in (
        "/v1/articles/999999",
        "/v1/articles/999999/summary",
        "/v1/articles/999999/related",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "999999" in error_of(response)["message"]
    assert client.delete("/v1/articles/999999", headers=auth).status_code == 404
    assert (
        client.patch("/v1/articles/999999", json={"starred": True}, headers=auth).status_code == 404
    )
    response = client.get("/v1/articles/not-a-number")
    assert response.status_code == 422 and "article_id" in error_of(response)["message"]
    response = client.get("/v1/articles", params={"sort": "sideways"})
    assert response.status_code == 422 and error_of(response)["code"] == "invalid"
    response = client.get("/v1/articles", params={"after": "yesterday"})
    assert response.status_code == 400 and error_of(response)["code"] == "bad_date"
    response = client.get("/v1/articles", params={"category": "no-such-category"})
    assert response.status_code == 404
    assert client.get("/v1/nothing-here").status_code == 404
    assert error_of(client.get("/v1/nothing-here"))["code"] == "not_found"


def test_writes_need_a_valid_token(client, token: str) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
    response = client.patch(f"/v1/articles/{first['id']}", json={"starred": True})
    assert response.status_code == 401 and error_of(response)["code"] == "token_required"
    for header in (f"Bearer {token}x", "Bearer dst_wrong", f"Basic {token}", "Bearer"):
        response = client.patch(
            f"/v1/articles/{first['id']}", json={"starred": True}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
        assert error_of(response)["code"] in {"bad_token", "token_required"}
    assert client.get(f"/v1/articles/{first['id']}").json()["starred"] is False


def test_star_patch_then_filter_and_unstar(client, token: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
    response = client.patch(f"/v1/articles/{first['id']}", json={"starred": True}, headers=auth)
    assert response.status_code == 200 and response.json()["starred"] is True
    starred = client.get("/v1/articles", params={"starred": "true"}).json()
    assert [a["id"] for a in starred["articles"]] == [first["id"]]
    response = client.patch(f"/v1/articles/{first['id']}", json={"colour": "red"}, headers=auth)
    assert response.status_code == 422 and "colour" in error_of(response)["message"]
    client.patch(f"/v1/articles/{first['id']}", json={"starred": False}, headers=auth)
    assert client.get("/v1/articles", params={"starred": "true"}).json()["total"] == 0


def test_create_from_markdown_then_duplicate_then_delete(client, token: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {token}"}
    text = (
        "# Queues under load\n\nBack pressure keeps a queue from growing without bound when "
        "consumers fall behind producers.\n\nA bounded buffer with blocking puts is the simplest "
        "form of it, and it works well for a single process.\n"
    )
    response = client.post("/v1/articles", json={"markdown": text}, headers=auth)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "added" and created["title"] == "Queues under load"
    again = client.post("/v1/articles", json={"markdown": text}, headers=auth)
    assert again.status_code == 200 and again.json() == {**created, "status": "duplicate"}
    assert client.get(f"/v1/articles/{created['id']}").json()["summary"] is not None
    assert client.delete(f"/v1/articles/{created['id']}", headers=auth).status_code == 204
    assert client.get(f"/v1/articles/{created['id']}").status_code == 404
    assert client.get("/v1/articles").json()["total"] == CORPUS_ARTICLES


def test_create_rejects_bad_bodies_and_keeps_the_library(client, token: str) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {token}"}
    cases = [
        ({}, "bad_body"),
        ({"url": "https://a.example/x", "markdown": "# x"}, "bad_body"),
        ({"url": "javascript:alert(1)"}, "bad_url"),
        ({"markdown": "   "}, "ingest_failed"),
        ({"html": "<html><body></body></html>"}, "ingest_failed"),
        ({"url": "http://127.0.0.1:1/private"}, "ingest_failed"),
        ({"markdown": "# x", "extra": 1}, "invalid"),
    ]
    for body, code in cases:
        response = client.post("/v1/articles", json=body, headers=auth)
        assert response.status_code == 422, (body, response.text)
        assert error_of(response)["code"] == code, body
    response = client.post(
        "/v1/articles", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert client.get("/v1/articles").json()["total"] == CORPUS_ARTICLES


def test_oversized_bodies_are_refused_with_413(corpus_home: Path, token: str) -> None:  # noqa: F811
    with client_for(corpus_home, web_max_body=50_000) as small:
        auth = {"Authorization": f"Bearer {token}"}
        big = json.dumps({"markdown": "# Big\n\n" + "word " * 20_000})
        response = small.post(
            "/v1/articles", content=big, headers={**auth, "Content-Type": "application/json"}
        )
        assert response.status_code == 413 and error_of(response)["code"] == "body_too_large"

        def chunks():  # no Content-Length: the cap applies while streaming
            for _ in range(20):
                yield b"x" * 10_000

        response = small.post(
            "/v1/articles", content=chunks(), headers={**auth, "Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert small.get("/v1/articles").json()["total"] == CORPUS_ARTICLES


def test_reads_need_a_token_when_listening_beyond_loopback(corpus_home: Path, token: str) -> None:  # noqa: F811
    with client_for(corpus_home, host="0.0.0.0") as public:
        response = public.get("/v1/articles")
        assert response.status_code == 401 and error_of(response)["code"] == "token_required"
        ok = public.get("/v1/articles", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json()["total"] == CORPUS_ARTICLES
        assert public.get("/category/uncategorized", follow_redirects=False).status_code == 303
    with client_for(corpus_home, host="0.0.0.0", web_read_auth="public") as open_:
        assert open_.get("/v1/articles").status_code == 200


def test_writes_are_rate_limited(corpus_home: Path, token: str) -> None:  # noqa: F811
    with client_for(corpus_home, web_write_rate=3) as limited:
        auth = {"Authorization": f"Bearer {token}"}
        first = limited.get("/v1/articles", params={"limit": 1}).json()["articles"][0]
        codes = [
            limited.patch(f"/v1/articles/{first['id']}", json={"starred": False}, headers=auth)
            for _ in range(5)
        ]
        assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
        assert error_of(codes[-1])["code"] == "rate_limited"
        assert codes[-1].headers["retry-after"]


def test_views_count_once_per_visitor_per_day_and_drive_trending(own_home: Path) -> None:
    """Views stay recorded, so this test works on a library of its own."""
    with client_for(own_home) as client:
        views_drive_trending(client)


def views_drive_trending(client) -> None:  # type: ignore[no-untyped-def]
    ids = [a["id"] for a in client.get("/v1/articles", params={"limit": 3}).json()["articles"]]
    for agent in ("reader-one", "reader-two", "reader-three"):
        for _ in range(3):  # repeat visits the same day do not count again
            client.get(f"/articles/{ids[1]}", headers={"User-Agent": agent})
    client.get(f"/articles/{ids[2]}", headers={"User-Agent": "reader-one"})
    most_read = client.get("/v1/articles", params={"sort": "most_read", "limit": 2}).json()
    assert [a["id"] for a in most_read["articles"]] == [ids[1], ids[2]]
    assert [a["views"] for a in most_read["articles"]] == [3, 1]
    trending = client.get("/v1/trending").json()
    assert [t["id"] for t in trending] == [ids[1]]  # one reader is not a trend
    assert client.get(f"/v1/articles/{ids[1]}").json()["trending"] is True
    page2 = client.get(
        "/v1/articles", params={"sort": "most_read", "limit": 2, "cursor": most_read["next_cursor"]}
    ).json()
    assert ids[1] not in [a["id"] for a in page2["articles"]]


def test_search_categories_and_openapi(client) -> None:  # type: ignore[no-untyped-def]
    found = client.get("/v1/search", params={"q": "rust compiler"}).json()
    assert found["total"] > 0 and "<mark>" in found["results"][0]["snippet"].lower()
    assert client.get("/v1/search", params={"q": "x", "cursor": "nope"}).status_code == 400
    cats = client.get("/v1/categories").json()
    assert sum(c["count"] for c in cats) == CORPUS_ARTICLES
    schema = client.get("/v1/openapi.json").json()
    assert "/v1/articles" in schema["paths"] and "/category/{name}" not in schema["paths"]
    docs = client.get("/v1/docs")
    assert docs.status_code == 200 and "/v1/articles/{article_id}" in docs.text


def test_ids_and_cursor_values_beyond_sqlite_integers_are_refused(client) -> None:  # type: ignore[no-untyped-def]
    huge = 2**63
    assert client.get(f"/v1/articles/{huge}").status_code == 422
    assert client.get(f"/articles/{huge}").status_code == 422
    from distill.web.queries import encode_cursor

    cursor = encode_cursor("newest", ["2020-01-01", huge])
    response = client.get("/v1/articles", params={"cursor": cursor})
    assert response.status_code == 400 and error_of(response)["code"] == "bad_cursor"
