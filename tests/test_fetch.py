"""Fetching by URL against a real server on 127.0.0.1: success, redirects, faults, limits."""

from __future__ import annotations

import pytest

from distill.config import Settings
from distill.errors import AddressRefused, FetchTimeout, HTTPStatus, TooLarge, TooManyRedirects
from distill.ingest.fetch import check_address, fetch
from distill.ingest.pipeline import ingest
from distill.ingest.sources import url_source
from distill.store import SQLiteStore

from .conftest import FLINK_PAGES, LocalSite, require_corpus

PAGE = (
    "/flink/2020/01/15/"
    "advanced-flink-application-patterns-vol.1-case-study-of-a-fraud-detection-system/"
)


def test_add_by_url_stores_the_article(
    site: LocalSite, store: SQLiteStore, settings: Settings
) -> None:
    require_corpus()
    result = ingest(url_source(site.url(PAGE)), store, settings)
    assert result.status == "added", result.error
    article = store.get_article(result.id or 0)
    assert article.document.title.startswith("Advanced Flink Application Patterns Vol.1")
    assert article.document.date == "2020-01-15"
    assert any(b.kind == "code" and b.language == "java" for b in article.document.blocks)
    assert article.summary is not None and article.summary.sections


def test_redirect_is_followed_and_final_url_kept(site: LocalSite, settings: Settings) -> None:
    require_corpus()
    response = fetch(site.url("/redirect?to=" + PAGE), settings)
    assert response.status == 200
    assert response.url.endswith(PAGE)
    assert response.redirects == [site.url("/redirect?to=" + PAGE)]


def test_redirect_loop_gives_up(site: LocalSite, settings: Settings) -> None:
    with pytest.raises(TooManyRedirects, match="max_redirects"):
        fetch(site.url("/redirect?to=/redirect?to=/redirect"), settings.replace(max_redirects=1))


@pytest.mark.parametrize("status", [404, 500])
def test_error_status_is_reported_and_nothing_stored(
    site: LocalSite, store: SQLiteStore, settings: Settings, status: int
) -> None:
    with pytest.raises(HTTPStatus, match=f"HTTP {status}"):
        fetch(site.url(f"/status/{status}"), settings)
    result = ingest(url_source(site.url(f"/status/{status}")), store, settings)
    assert result.status == "failed" and f"HTTP {status}" in (result.error or "")
    assert store.article_ids() == []


def test_slow_server_times_out(site: LocalSite, settings: Settings) -> None:
    with pytest.raises(FetchTimeout, match="timed out"):
        fetch(site.url("/slow?seconds=3"), settings.replace(read_timeout=0.5))


def test_redirect_to_private_address_is_refused_before_connecting(
    site: LocalSite, settings: Settings
) -> None:
    # 10.255.255.1 is never contacted: the guard refuses it before any connection.
    with pytest.raises(AddressRefused, match="10.255.255.1"):
        fetch(site.url("/redirect?to=http://10.255.255.1/admin"), settings)
    with pytest.raises(AddressRefused, match="169.254.169.254"):
        fetch(site.url("/redirect?to=http://169.254.169.254/latest/meta-data"), settings)


def test_loopback_refused_unless_allowed(site: LocalSite, settings: Settings) -> None:
    strict = settings.replace(allowed_hosts="")
    with pytest.raises(AddressRefused, match="127.0.0.1"):
        fetch(site.url("/flink/"), strict)
    with pytest.raises(AddressRefused):
        check_address("http://localhost:9/", "")
    with pytest.raises(AddressRefused):
        check_address("http://[::1]:9/", "")
    check_address("http://127.0.0.1:9/", "127.0.0.0/8")  # CIDR ranges are accepted


def test_declared_oversize_body_is_refused_from_its_headers(
    site: LocalSite, settings: Settings
) -> None:
    with pytest.raises(TooLarge, match="50,000,000 bytes"):
        fetch(site.url("/huge-declared"), settings)


def test_streamed_oversize_body_is_cut_off_before_it_is_all_read(
    site: LocalSite, settings: Settings
) -> None:
    with pytest.raises(TooLarge, match="stopped reading"):
        fetch(site.url("/huge-streamed"), settings.replace(max_bytes=1_000_000))
    # The server could not send its 50 MB: the client closed the connection early.
    for _ in range(50):
        if "/huge-streamed" in site.state.bytes_sent:
            break
        import time

        time.sleep(0.1)
    assert site.state.bytes_sent["/huge-streamed"] < 50_000_000


def test_flink_fixture_is_served(site: LocalSite, settings: Settings) -> None:
    require_corpus()
    assert FLINK_PAGES.is_dir()
    assert fetch(site.url(PAGE), settings).content_type == "text/html"


def test_page_that_lies_about_its_encoding_is_decoded(
    site: LocalSite, store: SQLiteStore, settings: Settings
) -> None:
    html = (
        "<html><head><title>Caché sizing</title></head><body><article><h1>Caché sizing</h1>"
        "<p>Une mémoire cache bien dimensionnée réduit la latence de lecture de moitié, "
        "à condition que le taux de succès dépasse quatre-vingt-dix pour cent.</p>"
        "<p>Au-delà, chaque mégaoctet supplémentaire rapporte de moins en moins.</p>"
        "</article></body></html>"
    ).encode("cp1252")
    url = site.serve("/lying.html", html, ctype="text/html; charset=utf-8")
    result = ingest(url_source(url), store, settings)
    assert result.status == "added", result.error
    article = store.get_article(result.id or 0)
    assert article.document.title == "Caché sizing"
    assert "réduit la latence" in article.document.text
