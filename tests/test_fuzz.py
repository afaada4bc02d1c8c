"""Fuzzing with a fixed number of examples: the query language, feed parsing, HTML extraction.

No input may crash (anything but the documented error), and none may hang: every example
runs the real code. bench/fuzz.py runs the same strategies with many more examples.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from distill.errors import InputError
from distill.feeds.reader import parse_feed
from distill.ingest.extract import from_html
from distill.search.syntax import fts_match, parse
from distill.web.queries import Library, search

from .fuzz_strategies import FEEDS, QUERIES, html_pages

# Examples per property on every test run: enough to reach the odd shapes each strategy
# makes, few enough that the three together take seconds. derandomize keeps runs repeatable.
EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    from distill.config import load_settings
    from distill.ingest.pipeline import ingest
    from distill.ingest.sources import parse_source

    home = tmp_path_factory.mktemp("fuzz") / "library"
    lib = Library(load_settings(home).replace(embed=False, search_mode="text"))
    page = Path(home.parent / "a.md")
    page.write_text(
        "# Exactly Once in Kafka\n\nKafka transactions give exactly once delivery between "
        "topics when producers and consumers both take part in them.\n",
        encoding="utf-8",
    )
    assert ingest(parse_source(str(page)), lib.store, lib.settings).status == "added"
    return lib


@FUZZ
@given(text=QUERIES)
def test_any_query_parses_and_searches(library: Library, text: str) -> None:
    parsed = parse(text)
    fts_match(parsed)
    try:
        found = search(library, text[:1000])
    except InputError:
        return  # documented: e.g. a query over 1,000 characters
    assert isinstance(found["results"], list)


@FUZZ
@given(data=FEEDS)
def test_any_bytes_parse_as_a_feed_or_a_feed_error(data: bytes) -> None:
    try:
        parsed = parse_feed(data, "http://127.0.0.1/feed")
    except InputError:
        return
    for entry in parsed.entries:
        assert not entry.url or entry.url.startswith(("http://", "https://"))


@FUZZ
@given(page=html_pages())
def test_any_page_extracts_or_is_an_input_error(page: str) -> None:
    try:
        doc = from_html(page, url="http://127.0.0.1/p", source="fuzz")
    except InputError:
        return
    assert doc.blocks and doc.title


def test_fuzzed_library_finds_its_article(library: Library) -> None:
    """The query fuzz searches a library that answers: a search there is not vacuous."""
    assert search(library, "exactly once")["total"] == 1
