"""The same article twice is one article, whether it came by URL or by file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

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


def test_duplicate_lookup_reads_the_indexes_not_the_whole_table(
    store: SQLStore, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every add asks whether the article is already stored; at 100,000 articles a lookup
    that scans the table took a third of a second (docs/benchmarks.md)."""
    seen: list[tuple[str, Any]] = []
    conn = store.conn
    if engine == "sqlite":
        conn.set_trace_callback(lambda sql: seen.append((sql, ())))
    else:  # the PostgreSQL connection is our own wrapper: record what it is asked
        execute = conn.execute

        def recording(sql: str, params: Any = ()) -> Any:
            seen.append((sql, params))
            return execute(sql, params)

        monkeypatch.setattr(conn, "execute", recording)
    assert store.find_duplicate("https://example.org/a", "0" * 64) is None
    [(lookup, params)] = [(sql, p) for sql, p in seen if "content_hash" in sql]
    if engine == "sqlite":
        conn.set_trace_callback(None)
        plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + lookup))
        assert "SCAN articles" not in plan and "articles_canonical_url" in plan, plan
    else:
        conn.execute("SET enable_seqscan = off")  # then only a missing index path scans
        plan = " ".join(str(r[0]) for r in conn.execute("EXPLAIN " + lookup, params))
        assert "Seq Scan" not in plan and "articles_canonical_url" in plan, plan
