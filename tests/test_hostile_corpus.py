"""Every case of the hostile corpus (tests/hostile_corpus.py) against one real library.

After each case: the outcome is the expected one (a clear error or a correct article),
SQLite's integrity_check is ok and the article stored first is unchanged. Every case is
bounded by the product's own limits (fetch deadline, extraction time and memory), which
are set low here so the whole corpus runs in bounded time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from distill.config import Settings
from distill.errors import DistillError, InputError
from distill.feeds.reader import parse_feed
from distill.ingest.fetch import fetch
from distill.ingest.pipeline import ingest
from distill.ingest.sources import import_sources, parse_source
from distill.store import SQLiteStore

from .hostile_corpus import ARTICLE_MD, Case, all_cases, write_corpus
from .hostile_servers import trickle_server

CASES = all_cases()


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    write_corpus(folder)
    return folder


@pytest.fixture
def library(tmp_path: Path, store: SQLiteStore, settings: Settings) -> tuple[Any, Settings, int]:
    limited = settings.replace(
        embed=False, extract_timeout=20.0, total_timeout=3.0, read_timeout=2.0
    )
    first = tmp_path / "first.md"
    first.write_text(ARTICLE_MD.replace("Durable Writes", "The First Article"), encoding="utf-8")
    result = ingest(parse_source(str(first)), store, limited)
    assert result.status == "added", result.error
    return store, limited, result.id or 0


def _snapshot(store: SQLiteStore, article_id: int) -> tuple[Any, ...]:
    article = store.get_article(article_id)
    doc = article.document
    return (doc.title, doc.text, doc.date, tuple(doc.tags), article.summary)


def _outcome(case: Case, folder: Path, store: SQLiteStore, settings: Settings) -> list[str]:
    """What happened: "added:TITLE" or "error:MESSAGE", one per input (a JSONL line each)."""
    if case.kind == "file":
        result = ingest(parse_source(str(folder / case.filename)), store, settings)
        return [f"added:{result.title}" if result.status == "added" else f"error:{result.error}"]
    if case.kind == "jsonl":
        out = []
        for source in import_sources(folder / case.filename, settings.max_bytes):
            if isinstance(source, InputError):
                out.append(f"error:{source}")
                continue
            result = ingest(source, store, settings)
            ok = result.status in ("added", "duplicate")
            out.append(f"added:{result.title}" if ok else f"error:{result.error}")
        return out
    if case.kind == "feed":
        try:
            parsed = parse_feed((folder / case.filename).read_bytes(), "http://127.0.0.1/f")
        except DistillError as exc:
            return [f"error:{exc}"]
        return [f"added:{parsed.title}"]
    url = case.data.decode()
    try:
        if url == "TRICKLE":
            with trickle_server(interval=0.2, stop_after=30.0) as slow:
                fetch(slow.url("/slow"), settings)
        else:
            fetch(url, settings.replace(allowed_hosts=""))
    except DistillError as exc:
        return [f"error:{exc}"]
    return ["added:"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(
    case: Case, corpus_dir: Path, library: tuple[SQLiteStore, Settings, int]
) -> None:
    store, settings, first_id = library
    before = _snapshot(store, first_id)
    outcomes = _outcome(case, corpus_dir, store, settings)
    expected = case.lines or [case.expect]
    assert len(outcomes) == len(expected), outcomes
    for got, want in zip(outcomes, expected, strict=True):
        if want == "added":
            assert got.startswith("added:"), f"{case.name}: expected an article, got {got[:300]}"
            if case.title:
                assert got == f"added:{case.title}", got
            assert "\x00" not in got and "\x1b" not in got
        else:
            assert got.startswith("error:"), f"{case.name}: expected an error, got {got[:300]}"
            assert want in got, f"{case.name}: expected {want!r} in {got[:300]}"
            assert "Traceback" not in got
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _snapshot(store, first_id) == before
