"""The same article twice is one article, whether it came by URL or by file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from distill.config import Settings
from distill.ingest.pipeline import ingest
from distill.ingest.sources import file_source, url_source
from distill.store import SQLStore

from .conftest import FLINK_PAGES, LocalSite, require_corpus

pytestmark = pytest.mark.usefixtures("engine")

SLUG = "2019/02/13/batch-as-a-special-case-of-streaming-and-alibabas-contribution-of-blink"


def test_same_url_twice_is_a_duplicate(
    site: LocalSite, store: SQLStore, settings: Settings
) -> None:
    require_corpus()
    first = ingest(url_source(site.url(f"/flink/{SLUG}/")), store, settings)
    again = ingest(
        url_source(site.url(f"/flink/{SLUG}/?utm_source=newsletter#intro")), store, settings
    )
    assert first.status == "added"
    assert again.status == "duplicate" and again.duplicate_of == first.id
    assert store.article_ids() == [first.id]


def test_file_then_url_is_a_duplicate(
    site: LocalSite, store: SQLStore, settings: Settings, tmp_path: Path
) -> None:
    require_corpus()
    local = tmp_path / "saved.html"
    shutil.copy(FLINK_PAGES / SLUG / "index.html", local)
    first = ingest(file_source(local), store, settings)
    by_url = ingest(url_source(site.url(f"/flink/{SLUG}/")), store, settings)
    assert first.status == "added"
    assert by_url.status == "duplicate" and by_url.duplicate_of == first.id


def test_same_text_with_other_whitespace_is_a_duplicate(
    store: SQLStore, settings: Settings, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.md"
    one.write_text(
        "Idempotency keys\n\nA client sends the same key when it retries a POST, "
        "and the server returns the first response instead of charging twice."
    )
    two.write_text(
        "# Idempotency keys\n\nA client sends the same key when it retries a POST,\n"
        "and the server returns the first response instead of charging twice.\n"
    )
    first = ingest(file_source(one), store, settings)
    second = ingest(file_source(two), store, settings)
    assert (first.status, second.status) == ("added", "duplicate")
