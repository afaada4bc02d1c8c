"""Search over a real library on each engine: index consistency, ranking, query language, CLI.

Where a test looks inside an index it does so per engine (FTS5's tables on SQLite, the
tsvector table on PostgreSQL); everything else asks the store and the search functions
only, and holds on both.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from distill.cli import main
from distill.embed import default_embedder, embed_document
from distill.ingest.pipeline import content_hash
from distill.models import Block, Document, Line, Section, Span, Summary
from distill.search.engine import article_filter, ensure_index, search
from distill.search.related import related
from distill.store import SQLiteStore, SQLStore

pytestmark = pytest.mark.usefixtures("engine")

ARTICLES = [
    (
        "Replicating PostgreSQL with logical decoding",
        "db.example.org",
        "2023-04-02",
        ["postgres"],
        [
            "Logical replication streams row changes from the write-ahead log to subscribers.",
            "A replication slot keeps the log until every subscriber has confirmed it.",
        ],
    ),
    (
        "Exactly once delivery in stream processing",
        "stream.example.com",
        "2021-09-10",
        ["kafka", "flink"],
        [
            "Checkpoints and two-phase commit sinks give exactly once results end to end.",
            "A Kafka transaction commits the consumer offsets together with the output.",
        ],
    ),
    (
        "Profiling Go programs",
        "go.dev",
        "2019-01-15",
        ["go"],
        [
            "The CPU profiler samples goroutine stacks a hundred times per second.",
            "Flame graphs show where a program spends its time; escape analysis matters.",
        ],
    ),
    (
        "Designing a rate limiter",
        "blog.example.net",
        "2024-02-20",
        [],
        [
            "A token bucket refills at a fixed rate and lets short bursts through.",
            "Sliding windows count requests per client in Redis with expiring keys.",
        ],
    ),
]


def make_doc(title: str, site: str, date: str, tags: list[str], paragraphs: list[str]) -> Document:
    blocks = [Block("heading", "Background", level=2)] + [Block("paragraph", p) for p in paragraphs]
    return Document(
        title=title,
        blocks=blocks,
        url=f"https://{site}/{len(title)}",
        site=site,
        date=date,
        tags=tags,
    )


def summary_of(text: str) -> Summary:
    line = Line(text=text, source=[Span(0, 0, len(text))])
    return Summary("test", "1", [Section("executive_summary", [line])])


def add(store: SQLStore, doc: Document, summary: Summary | None = None, vectors: Any = None) -> int:
    model = default_embedder().name if vectors is not None else ""
    return store.add_article(doc, content_hash(doc), summary, vectors, model)


_VECTORS: dict[str, Any] = {}


def vectors_of(doc: Document) -> Any:
    """Real MiniLM vectors, computed once per test run for each document (the model is slow
    on a shared CPU, and the same documents recur across tests)."""
    if doc.title not in _VECTORS:
        _VECTORS[doc.title] = embed_document(doc, default_embedder())
    return _VECTORS[doc.title]


@pytest.fixture
def library(store: SQLStore) -> tuple[SQLStore, list[int]]:
    """Four articles with real MiniLM vectors (article and section)."""
    ids = []
    for spec in ARTICLES:
        doc = make_doc(*spec)
        ids.append(add(store, doc, None, vectors_of(doc)))
    return store, ids


def text_ids(store: SQLStore, query: str, **kw: Any) -> list[int]:
    return [h.id for h in search(store, query, mode="text", **kw).results]


def on_sqlite(store: SQLStore) -> bool:
    return isinstance(store, SQLiteStore)


def reopen(store: SQLStore) -> SQLStore:
    """A second store on the same library: another connection, as another process has."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    return type(store)(store.url)  # type: ignore[call-arg]


def fts_integrity(store: SQLStore) -> None:
    """The full-text index holds exactly what the articles and summaries say: FTS5's own
    structural check on SQLite; on PostgreSQL, every stored tsvector equal to one computed
    again from the article and its summary."""
    if on_sqlite(store):
        store.conn.execute("INSERT INTO search_fts(search_fts) VALUES ('integrity-check')")
        return
    stale = store.conn.execute(
        "SELECT count(*) FROM search_documents d JOIN articles a ON a.id = d.article_id"
        " LEFT JOIN summaries s ON s.article_id = a.id WHERE d.document <>"
        " setweight(to_tsvector('english', a.title), 'A')"
        " || setweight(to_tsvector('english', distill_summary_text(s.sections)), 'B')"
        " || setweight(to_tsvector('english', a.body), 'C')"
    ).fetchone()[0]
    assert stale == 0


def indexed_documents(store: SQLStore) -> int:
    table = "search_fts_terms" if on_sqlite(store) else "search_documents"
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_searchable_before_summary_and_no_stale_hits_after_resummary_or_delete(
    store: SQLStore,
) -> None:
    doc = make_doc("Compaction in LSM trees", "x.org", "2022-01-01", [], ["Leveled compaction."])
    article_id = add(store, doc)  # no summary yet
    assert text_ids(store, "leveled") == [article_id]
    store.save_summary(article_id, summary_of("Tombstones pile up under heavy deletes."))
    assert text_ids(store, "tombstones") == [article_id]
    store.save_summary(article_id, summary_of("Write amplification is the real cost."))
    assert text_ids(store, "tombstones") == []  # the old summary's words are gone
    assert text_ids(store, "amplification") == [article_id]
    fts_integrity(store)
    store.delete_article(article_id)
    for word in ("leveled", "amplification", "compaction", "lsm"):
        assert text_ids(store, word) == []
    fts_integrity(store)
    # The library is empty again, so the index must hold no term at all.
    assert indexed_documents(store) == 0
    assert store.search.index_state().in_step


def test_title_outranks_summary_outranks_body(store: SQLStore) -> None:
    body = add(store, make_doc("Notes", "a.org", "", [], ["We tried sharding last year."]))
    summ = add(store, make_doc("Other notes", "b.org", "", [], ["Nothing here."]))
    store.save_summary(summ, summary_of("How sharding went."))
    title = add(store, make_doc("Sharding", "c.org", "", [], ["Nothing else here at all."]))
    assert text_ids(store, "sharding") == [title, summ, body]


def test_stemming_and_highlighted_escaped_snippets(store: SQLStore) -> None:
    doc = make_doc(
        "Caches", "a.org", "", [], ["<script>alert(1)</script> Caching replicated reads."]
    )
    add(store, doc)
    result = search(store, "cache replicate", mode="text")
    assert [h.title for h in result.results] == ["Caches"]
    snippet = result.results[0].snippet
    assert "<script" not in snippet and "&lt;/script&gt;" in snippet
    assert "<mark>Caching</mark>" in snippet and "<mark>replicated</mark>" in snippet


def test_query_language(library: tuple[SQLStore, list[int]]) -> None:
    store, (pg, stream, go, limiter) = library
    assert text_ids(store, '"replication slot"') == [pg]
    assert text_ids(store, '"slot replication"') == []  # a phrase keeps its word order
    assert set(text_ids(store, "commit")) == {stream}
    assert text_ids(store, "transaction -kafka") == []
    assert text_ids(store, "site:go.dev profiler") == [go]
    assert text_ids(store, "profiler site:example.com") == []
    assert text_ids(store, "bucket after:2024-01-01") == [limiter]
    assert text_ids(store, "bucket before:2024") == []
    # Filters alone list the matching articles.
    assert text_ids(store, "after:2021-01-01 before:2024-01-01") == [pg, stream]
    bad = search(store, "bucket after:yesterday", mode="text")
    assert "after:yesterday is not a date" in bad.message
    assert [h.id for h in bad.results] == [limiter]  # the bad filter is ignored, not fatal
    only_not = search(store, "-kafka", mode="text")
    assert only_not.results == [] and "not only words to leave out" in only_not.message
    # Categories and tags come from what classification (or the user) stored.
    with store.transaction():
        store.labels.set_user_category(pg, "databases")
        store.labels.set_user_category(stream, "data-engineering")
        store.labels.edit_tags(pg, add=["PostgreSQL"], remove=[])
        store.labels.edit_tags(stream, add=["Apache Kafka"], remove=[])
    assert text_ids(store, "category:databases") == [pg]
    assert text_ids(store, "kafka category:databases") == []
    assert text_ids(store, "tech:postgres") == [pg]  # the alias folds to the stored tag
    assert text_ids(store, "tech:kafka offsets") == [stream]  # Kafka folds to Apache Kafka
    # One definition of tech: the library's tags (what /tech pages list), not whatever
    # tags a source declared in its front matter ("flink" here).
    assert text_ids(store, "tech:flink") == []


def test_long_query_falls_back_to_any_word(library: tuple[SQLStore, list[int]]) -> None:
    store, (pg, *_rest) = library
    pasted = "how does postgres keep the write-ahead log for a subscriber that is offline"
    assert text_ids(store, pasted)[0] == pg


def test_a_stop_word_counts_as_the_index_sees_it(store: SQLStore) -> None:
    """The engine ranks only the newest matches when every word is in over a tenth of the
    articles. PostgreSQL does not index a stop word and drops it from a tsquery, so it
    restricts nothing and counts as in every article; SQLite's index keeps it and counts it."""
    add(store, make_doc("Notes at night", "a.org", "", [], ["We met at noon."]))
    add(store, make_doc("Sharding", "b.org", "", [], ["Split the table by key."]))
    [term] = store.search.index_terms(["at"])
    assert store.search.term_documents({term})[term] == (1 if on_sqlite(store) else 2)


def test_word_counts_come_from_statistics_where_postgresql_keeps_them(store: SQLStore) -> None:
    """The engine asks how many articles hold each query word. Counting a common word on
    PostgreSQL visits every row holding it (a third of a second at a million articles), so
    the words ANALYZE lists as the column's most common elements are read from there."""
    for n in range(30):
        words = "zebra crossing" if n % 3 == 0 else "sharding key"
        add(store, make_doc(f"Larkspur notes {n}", f"s{n}.org", "", [], [f"{words} {n}."]))
    if not on_sqlite(store):
        store.conn.execute("ANALYZE search_documents")
        assert "zebra" in store.search._common_lexemes()  # type: ignore[attr-defined]
    [zebra, sharding] = store.search.index_terms(["zebra", "sharding"])
    counts = store.search.term_documents({zebra, sharding})
    assert counts == {zebra: 10, sharding: 20}


def test_newest_threshold_counts_back_from_the_newest_match(store: SQLStore) -> None:
    """The id of the n-th newest matching article, however far back the matches lie
    (PostgreSQL looks in widening windows of the newest ids: here the matches are the
    oldest articles, outside its first window)."""
    ids = [
        add(store, make_doc(f"Zebra crossing {n}", "z.org", "", [], [f"Stripes, {n} of them."]))
        for n in range(3)
    ]
    for n in range(40):
        add(store, make_doc(f"Sharding part {n}", "b.org", "", [], [f"Split table {n} by key."]))
    match = '"zebra"'
    assert [store.search.newest_threshold(match, n) for n in (1, 2, 3, 4)] == [
        ids[2],
        ids[1],
        ids[0],
        0,
    ]
    assert store.search.newest_threshold('"sharding" AND "zebra"', 1) == 0


def test_the_newest_matches_are_ranked_in_one_go_whatever_the_guess_of_their_number(
    store: SQLStore,
) -> None:
    """newest_ranked gives what finding the threshold and then ranking from it gives, however
    wrong the caller's guess at the number of matches (PostgreSQL sizes its first window of
    ids by that guess, then widens it): here one match in eight articles, so a window
    may hold some of the matches wanted but not all."""
    for n in range(46):
        if n % 8 == 0:
            depth = "depth, " * (n % 3)
            add(store, make_doc(f"Queue {n}", "q.org", "", [], [f"A queue {depth}depth {n}."]))
        else:
            add(store, make_doc(f"Sharding {n}", "b.org", "", [], [f"Split table {n} by key."]))
    match = '"queue" AND "depth"'
    for count in (1, 3, 6, 7):
        threshold = store.search.newest_threshold(match, count)
        expected = store.search.text_hits(match, "", [], 4, min_id=threshold)
        for guess in (0, 1, 6, 1_000):
            assert store.search.newest_ranked(match, 4, count, guess) == (expected, threshold)
    assert store.search.newest_ranked('"zebra"', 4, 2, 10) == ([], 0)


def test_the_ranking_comes_with_the_number_of_all_matches(store: SQLStore) -> None:
    """text_ranked gives the ranking and the total (PostgreSQL from one statement), with
    and without a filter, whether the matches fill the page or not."""
    for n in range(9):
        site = "a.org" if n % 3 else "b.org"
        depth = "depth, " * (n % 4)
        add(store, make_doc(f"Queue {n}", site, "", [], [f"A queue {depth}depth {n}."]))
    match = '"queue" AND "depth"'
    where, params = article_filter({"site": "a.org"}).sql()
    for chosen, passing in (("", []), (where, params)):
        matching = store.search.text_count(match, chosen, passing)
        assert matching == (9 if not chosen else 6)
        for limit in (1, 4, 6, 20):
            ranked, total = store.search.text_ranked(match, chosen, passing, limit)
            assert ranked == store.search.text_hits(match, chosen, passing, limit)
            assert total == matching
    assert store.search.text_ranked('"zebra"', "", [], 5) == ([], 0)


def test_a_query_matching_very_many_articles_ranks_the_newest_of_them(
    store: SQLStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ranking reads every match, so when more than `many_matches` articles hold all the
    words the newest few are ranked; the total is estimated (counted with a filter) and a
    note says so. The limits are lowered here so seven articles exercise what starts at
    20,000 matches (5,000 on PostgreSQL)."""
    engine_module = importlib.import_module("distill.search.engine")
    monkeypatch.setattr(engine_module, "COMMON_MIN_ARTICLES", 0)
    monkeypatch.setattr(engine_module, "COMMON_SHARE", 1.0)  # no word counts as very common
    monkeypatch.setattr(type(store.search), "many_matches", 4)
    monkeypatch.setattr(engine_module, "BOUNDED_CANDIDATES", 2)
    best = add(store, make_doc("Larkspur queue depth", "a.org", "", [], ["Queue depth, depth."]))
    rest = [
        add(store, make_doc(f"Task Runner {n}", f"s{n}.org", "", [], [f"A queue of depth {n}."]))
        for n in range(5)
    ]
    many = search(store, "queue depth", mode="text", limit=2)
    # the total is estimated from how far back the newest two matches reach: 2 in 2 ids
    assert many.total == 6
    assert sorted(h.id for h in many.results) == rest[-2:]  # equal scores: any order
    assert "about 6 articles match: ranked among the 2 most recently added" in many.message
    sparse = search(store, "larkspur depth", mode="text", limit=2)  # a rare word: all ranked
    assert sparse.results[0].id == best and "recently added" not in (sparse.message or "")
    # A filter that only older matches pass widens the window until they are found.
    filtered = search(store, "queue depth site:a.org", mode="text", limit=2)
    assert [h.id for h in filtered.results] == [best]
    # Fewer matches than the limit: every match is ranked, the best first, and no note.
    monkeypatch.setattr(type(store.search), "many_matches", 6)
    whole = search(store, "queue depth", mode="text", limit=2)
    assert whole.results[0].id == best and whole.total == 6
    assert "most recently added" not in (whole.message or "")


def test_meaning_and_hybrid_find_paraphrases(library: tuple[SQLStore, list[int]]) -> None:
    store, (pg, stream, go, limiter) = library
    # No word of these queries is in the target article.
    assert search(store, "throttling API callers", mode="vector").results[0].id == limiter
    assert search(store, "where does my code burn CPU", mode="vector").results[0].id == go
    hybrid = search(store, "throttling API callers", mode="hybrid")
    assert hybrid.results[0].id == limiter
    filtered = search(store, "throttling API callers site:go.dev", mode="vector")
    assert [h.id for h in filtered.results] == [go]


def test_hybrid_halves_on_a_second_session_rank_as_one_session_does(
    library: tuple[SQLStore, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL runs hybrid's meaning half on a second session, in a thread, while the
    text half runs: the same results as both halves on one session. SQLite has no second
    session. The second session closes with the store."""
    store, _ids = library
    queries = ["throttling API callers", "exactly once kafka", "profiling -flink", "logical"]
    together = [search(store, q, mode="hybrid").to_dict() for q in queries]
    side = store.search.side()
    assert (side is None) == on_sqlite(store)
    monkeypatch.setattr(store.search, "side", lambda: None)
    assert [search(store, q, mode="hybrid").to_dict() for q in queries] == together
    if side is not None:
        store.close()
        assert side.conn.raw.closed


def test_index_out_of_step_is_rebuilt(library: tuple[SQLStore, list[int]]) -> None:
    store, ids = library
    assert store.search.index_state().in_step
    # Something that bypassed the triggers removed an article from the full-text index.
    if on_sqlite(store):
        row = store.conn.execute(
            "SELECT id, title, summary, body FROM search_content WHERE id = ?", (ids[0],)
        ).fetchone()
        store.conn.execute(
            "INSERT INTO search_fts(search_fts, rowid, title, summary, body)"
            " VALUES ('delete',?,?,?,?)",
            tuple(row),
        )
    else:
        store.conn.execute("DELETE FROM search_documents WHERE article_id = ?", (ids[0],))
    assert not store.search.index_state().in_step
    assert ensure_index(store) is True
    assert store.search.index_state().in_step
    assert text_ids(store, "replication")[0] == ids[0]


def test_deleting_an_article_removes_its_vectors(library: tuple[SQLStore, list[int]]) -> None:
    store, ids = library
    store.delete_article(ids[3])
    assert store.search.index_state().in_step
    results = search(store, "throttling API callers", mode="vector").results
    assert ids[3] not in [h.id for h in results]
    assert store.search.index_state().vec_index[0] == 3


def test_vector_index_follows_writes_from_another_connection(
    library: tuple[SQLStore, list[int]],
) -> None:
    """A server's in-memory vectors must see what a worker process commits."""
    store, (pg, stream, go, limiter) = library
    assert search(store, "throttling API callers", mode="vector").results[0].id == limiter
    other = reopen(store)
    try:
        other.delete_article(limiter)
    finally:
        other.close()
    ids = [h.id for h in search(store, "throttling API callers", mode="vector").results]
    assert limiter not in ids and len(ids) == 3


def test_cli_search_batch_related_reindex(
    library: tuple[SQLStore, list[int]], home: Path, tmp_path: Path
) -> None:
    store, (pg, stream, go, limiter) = library
    runner = CliRunner()
    out = runner.invoke(
        main, ["--home", str(home), "search", "replication", "--mode", "text", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) >= {"query", "mode", "total", "results"}
    assert data["mode"] == "text" and data["total"] == 1
    assert set(data["results"][0]) >= {"id", "url", "title", "score", "snippet"}
    assert data["results"][0]["id"] == pg

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "a", "query": "token bucket"}\nnot json\n{"id": 7, "query": "flame"}\n'
    )
    out = runner.invoke(
        main, ["--home", str(home), "search", "--queries", str(queries), "--mode", "text", "--json"]
    )
    lines = [json.loads(line) for line in out.output.splitlines()]
    assert [line["id"] for line in lines] == ["a", None, 7]
    assert lines[0]["results"][0]["id"] == limiter
    assert "q.jsonl:2: not JSON" in lines[1]["error"]
    assert lines[2]["results"][0]["id"] == go

    out = runner.invoke(main, ["--home", str(home), "related", str(stream), "--json"])
    assert out.exit_code == 0, out.output
    related = json.loads(out.output)
    assert related["id"] == stream and stream not in [r["id"] for r in related["results"]]
    assert all(r["reasons"] for r in related["results"])

    out = runner.invoke(main, ["--home", str(home), "related", "999", "--json"])
    assert out.exit_code == 1 and "no article with id 999" in out.output

    out = runner.invoke(main, ["--home", str(home), "reindex", "--json"])
    assert json.loads(out.output) == {"articles": 4, "indexed": 4, "vectors": 4, "in_step": True}


def test_related_names_shared_technologies(store: SQLStore) -> None:
    a = make_doc(
        "Kafka consumer groups",
        "a.org",
        "",
        ["kafka", "java"],
        ["Consumers in a group share partitions."],
    )
    b = make_doc(
        "Kafka partition rebalancing",
        "b.org",
        "",
        ["kafka"],
        ["Rebalancing moves partitions between consumers."],
    )
    c = make_doc(
        "Baking sourdough bread", "c.org", "", [], ["Feed the starter flour and water every day."]
    )
    ids = [add(store, d, None, vectors_of(d)) for d in (a, b, c)]
    result = related(store, ids[0])
    first = result.results[0]
    assert first.id == ids[1]
    assert any(r.kind == "technologies" and "kafka" in r.text for r in first.reasons)
    assert not any(r.kind == "technologies" for r in result.results[1].reasons)


def test_related_without_vectors_uses_title_words_not_common_ones(
    store: SQLStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Embeddings off: related articles come from the title's words, and a title word that
    is in most articles (here "the") does not drag in unrelated ones. Common words are only
    looked for in large libraries, so the size where that starts is lowered for the test."""
    monkeypatch.setattr(importlib.import_module("distill.search.engine"), "COMMON_MIN_ARTICLES", 0)
    own = add(store, make_doc("The Kafka consumer lag guide", "a.org", "", [], ["Lag grows."]))
    twin = add(store, make_doc("Kafka consumer lag in practice", "b.org", "", [], ["Watch lag."]))
    for n in range(20):
        add(store, make_doc(f"The garden diary {n}", f"c{n}.org", "", [], [f"The roses {n}."]))
    result = related(store, own)
    assert "no vectors" in result.message
    assert [r.id for r in result.results][:1] == [twin]
    assert len(result.results) == 1


def test_vector_queries_stay_consistent_while_another_thread_writes(store: SQLStore) -> None:
    """A server answers meaning queries while its worker adds and deletes articles: every
    answer must name only articles that exist, and no query may fail."""
    import threading

    from distill.models import DocumentVectors

    rng = np.random.default_rng(3)

    def unit() -> np.ndarray:
        v = rng.normal(size=384).astype(np.float32)
        return v / np.linalg.norm(v)

    def add_one(n: int) -> int:
        doc = make_doc(f"Article {n}", f"s{n}.org", "", [], [f"Body text number {n} here."])
        return add(store, doc, None, DocumentVectors(article=unit(), sections=[]))

    live = [add_one(n) for n in range(40)]
    reader = reopen(store)
    errors: list[BaseException] = []
    stop = threading.Event()
    query = unit()

    def ask() -> None:
        while not stop.is_set():
            try:
                found = reader.search.nearest_articles(query, 10)
                assert all(a > 0 for a, _ in found)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                return

    thread = threading.Thread(target=ask)
    thread.start()
    try:
        for n in range(40, 140):
            live.append(add_one(n))
            if n % 3 == 0:
                store.delete_article(live.pop(0))  # enough deletions to compact the matrix
    finally:
        stop.set()
        thread.join()
    assert errors == []
    found = {a for a, _ in reader.search.nearest_articles(query, 200)}
    reader.close()
    assert found == set(live)
