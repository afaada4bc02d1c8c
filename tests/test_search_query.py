"""The query language: parsing, and any input at all giving results or a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from distill.ingest.pipeline import content_hash
from distill.models import Block, Document
from distill.search.engine import SearchResults, search
from distill.search.syntax import MAX_TERMS, fts_match, parse
from distill.store import SQLiteStore, open_store


def test_parse_words_phrases_exclusions_filters() -> None:
    q = parse('Kafka "exactly once" -batch -"two phase" tech:flink site:"go.dev" after:2023-02')
    assert q.words == ["kafka"]
    assert q.phrases == [["exactly", "once"]]
    assert q.excluded == [["batch"], ["two", "phase"]]
    assert q.filters == {"tech": "flink", "site": "go.dev", "after": "2023-02-01"}
    assert fts_match(q) == '(("kafka" AND "exactly once") NOT "batch") NOT "two phase"'


def test_syntax_characters_are_text_not_operators() -> None:
    q = parse('NEAR(a b) OR title:x AND "unbalanced ^c* (d')
    assert q.filters == {}
    assert q.words == ["near", "a", "b", "or", "title", "x", "and"]
    assert q.phrases == [["unbalanced", "c", "d"]]


def test_bad_filters_are_reported_not_raised() -> None:
    q = parse("x after:13-13 before: -site:go.dev")
    assert q.filters == {}
    assert any("after:13-13 is not a date" in n for n in q.notes)
    assert any("before: needs a value" in n for n in q.notes)
    assert any("-site: is not supported" in n for n in q.notes)


def test_long_queries_are_cut_with_a_note() -> None:
    q = parse("word " * 5000)
    assert len(q.all_terms()) <= MAX_TERMS
    q = parse(" ".join(f"w{i}" for i in range(200)))
    assert len(q.words) == MAX_TERMS and any("first 64 words" in n for n in q.notes)


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    store = open_store(tmp_path_factory.mktemp("lib"))
    for n, text in enumerate(
        ["Kafka streams and exactly once sinks.", "NEAR operators in SQL (really) * ^"]
    ):
        doc = Document(title=f"Doc {n}", blocks=[Block("paragraph", text)], url=f"https://a/{n}")
        store.add_article(doc, content_hash(doc), None)
    yield store
    store.close()


NASTY = st.text(
    alphabet=st.sampled_from(
        list("\"-:*^()+{}[]<>,.;'\\/ \t\nNEARORANDNOTkafka") + ["é", "字", "\x00"]
    ),
    max_size=60,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=200), NASTY))
@example(text="x" * 10_000)
@example(text='"' * 10_001)
@example(text="- " * 5000)
@example(text="kafka " * 2000)
@example(text="AND")
@example(text="NOT")
@example(text='"')
@example(text="tech: category: site: after: before:")
def test_any_text_query_gives_results_or_a_message(small_library: SQLiteStore, text: str) -> None:
    result = search(small_library, text, mode="text")
    assert isinstance(result, SearchResults)
    assert result.results or result.message


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=80), NASTY))
@example(text="x" * 10_000)
def test_any_query_in_every_mode(small_library: SQLiteStore, text: str) -> None:
    # hybrid runs the meaning search too (real MiniLM, so few examples: it is slow here)
    result = search(small_library, text, mode="hybrid")
    assert result.results or result.message


def test_snippet_marks_inflected_words_and_prefers_the_summary() -> None:
    from distill.search.snippets import best_passage
    from distill.search.snippets import word_stem as stem

    assert stem("caching") == stem("cache") == stem("caches")
    assert stem("replicated") == stem("replicate")
    marked = best_passage(
        ["", "We cached it. Later, replicated reads were cheap."], ["cache", "replicate"]
    )
    assert "\x02cached\x03" in marked and "\x02replicated\x03" in marked
    summary_first = best_passage(["The cache is warm."], ["cache"])
    assert summary_first == "The \x02cache\x03 is warm."


def test_very_common_words_are_ranked_in_a_bounded_set(
    small_library: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    search_module = importlib.import_module("distill.search.engine")

    # The bound normally starts at 5,000 articles; lower it so two articles exercise it.
    monkeypatch.setattr(search_module, "COMMON_MIN_ARTICLES", 0)
    result = search(small_library, "Kafka", mode="text")
    assert [h.title for h in result.results] == ["Doc 0"]
    assert "only very common words" in result.message
    assert result.total == 1  # fewer than 1,000 match: counted, not estimated
    # A rare word alongside a common one takes the normal path.
    mixed = search(small_library, "kafka nosuchword", mode="text")
    assert "very common" not in mixed.message
