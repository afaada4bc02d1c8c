"""The web app under hostile requests: clear errors instead of 500s, headers on every
answer, sessions honoured on /v1 and Atom, feed links that ignore the Host header, an icon.

The app runs in-process (TestClient) over a real library built from the corpus.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from distill.web.security import CSRF_COOKIE, SESSION_COOKIE

from .web_support import client_for, make_token

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def client(corpus_home: Path):  # type: ignore[no-untyped-def]  # noqa: F811
    with client_for(corpus_home) as c:
        yield c


@pytest.fixture(scope="module")
def token(corpus_home: Path) -> str:  # noqa: F811
    return make_token(corpus_home, "hostile-web")


def test_huge_page_number_on_a_technology_page_is_not_an_error(client: TestClient) -> None:
    techs = client.get("/v1/technologies").json()
    if not techs:
        pytest.skip("the corpus library names no technology")
    name = techs[0]["name"]
    response = client.get(f"/tech/{name}", params={"page": 10**20})
    assert response.status_code in (200, 422), response.text[:300]
    assert "Traceback" not in response.text


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/", "http://[127.0.0.1]/"])
def test_malformed_url_posted_to_v1_is_a_clear_422(
    client: TestClient, token: str, url: str
) -> None:
    response = client.post(
        "/v1/articles", json={"url": url}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422, response.text
    assert "not a valid URL" in response.json()["error"]["message"]


def test_malformed_url_in_the_add_form_is_shown_not_a_500(client: TestClient) -> None:
    client.get("/add")
    csrf = client.cookies.get(CSRF_COOKIE)
    response = client.post("/add", data={"csrf": csrf, "url": "http://127.0.0.1:99999/x"})
    assert response.status_code == 422
    assert "not a valid URL" in response.text


def test_unexpected_error_is_a_500_with_the_security_headers(corpus_home: Path) -> None:  # noqa: F811
    app_client = client_for(corpus_home)

    def broken() -> None:
        raise RuntimeError("a bug, with a secret in its message")

    app_client.app.add_api_route("/v1/broken", broken)  # type: ignore[attr-defined]
    with app_client:
        response = app_client.get("/v1/broken")
    assert response.status_code == 500
    assert "content-security-policy" in response.headers
    assert response.headers["x-frame-options"] == "DENY"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.json()["error"]["code"] == "internal"


def test_signed_in_browser_reads_v1_and_atom_when_reads_need_a_token(
    corpus_home: Path,  # noqa: F811
    token: str,
) -> None:
    with client_for(corpus_home, web_read_auth="token") as browser:
        assert browser.get("/v1/articles").status_code == 401
        assert browser.get("/feeds/category/Programming Languages.atom").status_code == 401
        browser.get("/login")
        csrf = browser.cookies.get(CSRF_COOKIE)
        signed = browser.post("/login", data={"csrf": csrf, "token": token})
        assert signed.status_code in (200, 303)
        assert browser.cookies.get(SESSION_COOKIE)
        assert browser.get("/v1/articles").status_code == 200
        categories = browser.get("/v1/categories").json()
        name = categories[0]["name"]
        assert browser.get(f"/feeds/category/{name}.atom").status_code == 200


def test_atom_links_ignore_the_host_header(client: TestClient) -> None:
    name = client.get("/v1/categories").json()[0]["name"]
    response = client.get(f"/feeds/category/{name}.atom", headers={"Host": "evil.example"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    hrefs = [link.get("href") or "" for link in root.iter(f"{ATOM}link")]
    assert hrefs and not any("evil.example" in h for h in hrefs)


def test_atom_links_use_the_configured_public_url(corpus_home: Path) -> None:  # noqa: F811
    with client_for(corpus_home, web_public_url="https://library.example.org/") as c:
        name = c.get("/v1/categories").json()[0]["name"]
        root = ET.fromstring(c.get(f"/feeds/category/{name}.atom").content)
    self_link = next(link for link in root.iter(f"{ATOM}link") if link.get("rel") == "self")
    assert (self_link.get("href") or "").startswith("https://library.example.org/feeds/")


def test_favicon_is_an_icon(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/x-icon"
    body = response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # ICO header, one image
    assert body[22:30] == b"\x89PNG\r\n\x1a\n"  # the PNG inside it
