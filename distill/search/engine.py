"""Search the library: full text, meaning, or both merged; the one function pages, API and CLI call.

    search(store, 'kafka "exactly once" -batch site:flink.apache.org', mode="hybrid")

Full text is SQLite FTS5 (BM25 with title > summary > body weights, porter stemming); all
words are required first and, when that finds fewer than asked for, articles with any of
the words fill the list (a pasted sentence still finds its article). Meaning is
nearest-neighbour search over the stored article vectors (an exact scan held in memory,
see store/vector_index.py), refined by section vectors.
Hybrid merges the two ranked lists by reciprocal rank fusion. Bad input never raises: the
result carries a `message` instead.
"""

from __future__ import annotations

import html
import re
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from ..embed import Embedder, default_embedder
from ..store import search_index as idx
from ..store.filters import UNCATEGORIZED, ArticleFilter, split_is
from ..taxonomy.technologies import load_technologies
from .snippets import best_passage
from .syntax import ParsedQuery, fts_match, parse, words_of

Mode = Literal["text", "vector", "hybrid"]
MODES: tuple[str, ...] = ("text", "vector", "hybrid")
# The default mode: chosen from bench/eval_search.py (docs/benchmarks.md, "## Search").
DEFAULT_MODE: Mode = "hybrid"
MAX_LIMIT = 100
# Depth of each list merged by hybrid ranking: deep enough that an article ranked 30th by
# one method and 2nd by the other still surfaces, shallow enough to stay cheap.
FUSION_DEPTH = 50
# Reciprocal rank fusion constant (Cormack et al. 2009 use 60): dampens the gap between
# first and second place so agreement of both lists counts more than one list's top spot.
RRF_K = 60
# A section match counts a little below an equally close whole-article match: a section
# is a narrower match for the query than the article as a whole.
SECTION_DISCOUNT = 0.02
# Nearest articles whose sections are compared with the query, per result asked for.
SECTION_REFINE = 3
# With filters, exact similarity over every passing article when there are at most this
# many (cheap); above it the nearest-neighbour list is over-fetched and then filtered.
EXACT_FILTER_LIMIT = 5000
VECTOR_OVERFETCH = 20
# A word in more than this share of articles is "very common": BM25 gives it almost no
# weight (its IDF is near zero), yet ranking it means scoring most of the library (about
# a second at 100,000 articles). Such words are dropped from the any-word fallback, and a
# query made only of them is ranked among the newest BOUNDED_CANDIDATES articles that
# contain them all (FTS5 seeks there by id), which keeps every query well under a second.
COMMON_SHARE = 0.1
# Below this many articles nothing is slow enough to need the bound.
COMMON_MIN_ARTICLES = 5000
BOUNDED_CANDIDATES = 1000
# Ranking reads every match of the query (FTS5 decodes each one's positions for BM25,
# PostgreSQL reads each one's tsvector for ts_rank), so a query whose words occur together
# in very many articles is slow however rare each word is on its own ("stream processing
# state" in a million articles). When more than the store's `many_matches` articles match
# (search_index.py; fewer on PostgreSQL, whose ranking costs more a match), it is ranked
# among the newest BOUNDED_CANDIDATES of them, as a query of very common words is, and the
# total is estimated from how far back those newest matches reach
# (_newest_of_many_unfiltered). A word's own article count bounds the matches, so only
# queries whose every word is in more than that many articles are looked at this way.


# Recent query texts' vectors: paging through results or changing a filter asks for the
# same words again, and embedding them is most of a meaning search's time (15-100 ms).
QUERY_VECTOR_CACHE = 256
_QUERY_VECTORS: dict[tuple[str, str], np.ndarray] = {}
_QUERY_VECTORS_LOCK = threading.Lock()


@dataclass
class SearchHit:
    id: int
    url: str
    title: str
    score: float
    snippet: str  # HTML-escaped text, matched words inside <mark>...</mark>
    site: str = ""
    date: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResults:
    query: str
    mode: str
    total: int
    results: list[SearchHit] = field(default_factory=list)
    message: str = ""  # why there are no or fewer results, or what was ignored

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "query": self.query,
            "mode": self.mode,
            "total": self.total,
            "results": [h.to_dict() for h in self.results],
        }
        if self.message:
            data["message"] = self.message
        return data


_CHECKED: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def ensure_index(store: Any) -> bool:
    """Rebuild the search indexes if they disagree with the articles; True if rebuilt.

    Checked once per open store (a count and an id sum on each side, a few milliseconds).
    The triggers keep the indexes in step within every transaction, so a mismatch means the
    file was changed by something that bypassed them, and a rebuild is the cure.
    """
    if _CHECKED.get(store):
        return False
    rebuilt = False
    if not store.search.index_state().in_step:
        store.search.rebuild()
        rebuilt = True
    _CHECKED[store] = True
    return rebuilt


def reindex(store: Any) -> idx.IndexState:
    """Rebuild both search indexes from the stored articles, summaries and vectors."""
    store.search.rebuild()
    _CHECKED[store] = True
    return store.search.index_state()


def search(
    store: Any,
    text: str,
    mode: str | None = None,
    limit: int = 10,
    filters: dict[str, str] | None = None,
    embedder: Embedder | None = None,
) -> SearchResults:
    """Search the library; never raises for any query text or filter value."""
    mode = mode or DEFAULT_MODE
    if mode not in MODES:
        return SearchResults(
            text, mode, 0, message=f"unknown mode {mode!r}; use text, vector or hybrid"
        )
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = parse(text or "", filters)
    notes = list(query.notes)
    chosen = article_filter(query.filters)
    notes += _unknown_labels(store, chosen)
    where, params = chosen.sql()
    ensure_index(store)
    if not query.has_text:
        if query.excluded and not query.filters:
            notes.append("a query needs a word to look for, not only words to leave out")
            return SearchResults(text, mode, 0, message=_join(notes))
        if not query.filters:
            notes.append("type some words to search for")
            return SearchResults(text, mode, 0, message=_join(notes))
        return _filtered_only(store, text, mode, query, where, params, limit, notes)
    run = _Run(store, query, where, params, embedder)
    if mode == "text":
        ranked, total = run.text(limit)
    elif mode == "vector":
        ranked = run.vector(limit)
        total = len(ranked)
    else:
        text_ranked, vector_ranked, total = _both_halves(run)
        ranked = fuse([text_ranked, vector_ranked])[:limit]
        total = max(total, len(ranked))
    hits = run.hits(ranked[:limit])
    notes += run.notes
    if not hits:
        notes.append("no articles match")
    return SearchResults(text, mode, total, hits, _join(notes))


def _both_halves(run: _Run) -> tuple[list[tuple[int, float]], list[tuple[int, float]], int]:
    """Hybrid's text and meaning rankings. With a second session (PostgreSQL) the meaning
    half runs on it in a thread while the text half runs here: the database server does
    most of both, so the search takes about the longer half instead of their sum. The
    results are the same either way."""
    side = run.search.side()
    if side is None:
        text_ranked, total = run.text(FUSION_DEPTH)
        return text_ranked, run.vector(FUSION_DEPTH), total
    other = _Run(run.store, run.query, run.where, run.params, run.embedder, search=side)
    with ThreadPoolExecutor(1, thread_name_prefix="search-meaning") as pool:
        meaning = pool.submit(other.vector, FUSION_DEPTH)
        text_ranked, total = run.text(FUSION_DEPTH)
        vector_ranked = meaning.result()  # its exception, if any, is raised here
    run.notes += other.notes
    return text_ranked, vector_ranked, total


def article_filter(filters: dict[str, str]) -> ArticleFilter:
    """The query's inline filters as the one filter listings use too (store/filters.py);
    a technology's aliases fold to its canonical name, as they do when tags are stored."""
    tech = filters.get("tech", "")
    if tech:
        entry = load_technologies().lookup(tech)
        tech = str(entry.name) if entry is not None else tech
    return ArticleFilter(
        site=filters.get("site", ""),
        after=filters.get("after", ""),
        before=filters.get("before", ""),
        category=filters.get("category", ""),
        tech=tech,
        is_=split_is(filters.get("is", ""))[0],  # archived articles stay findable
    )


def _unknown_labels(store: Any, chosen: ArticleFilter) -> list[str]:
    """Say so when a category or technology filter names one no article has."""
    notes = []
    category = chosen.category.lower()
    if category and category != UNCATEGORIZED and not store.labels.has_category(category):
        notes.append(f"no article is filed under category:{chosen.category}")
    if chosen.tech and not store.labels.tag_count(chosen.tech):
        notes.append(f"no article is tagged tech:{chosen.tech}")
    return notes


def fuse(lists: list[list[tuple[int, float]]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: score = sum over lists of 1 / (k + rank)."""
    scores: dict[int, float] = {}
    for ranked in lists:
        for rank, (article_id, _) in enumerate(ranked, start=1):
            scores[article_id] = scores.get(article_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


class _Run:
    """One query against one store: the pieces each mode combines."""

    def __init__(
        self,
        store: Any,
        query: ParsedQuery,
        where: str,
        params: list[Any],
        embedder: Embedder | None,
        search: Any = None,
    ) -> None:
        self.search = search if search is not None else store.search
        self.query = query
        self.where = where
        self.params = params
        self.embedder = embedder
        self.store = store
        self.notes: list[str] = []
        self.common: set[str] = set()
        self.doc_counts: dict[str, int] = {}
        self.match_all = self.match_any = ""

    def _prepare_text(self) -> None:
        """Which words are very common, and the two MATCH strings (only text ranking needs them)."""
        self.common, self.doc_counts = self._common_words()
        self.match_all = fts_match(self.query)
        self.match_any = fts_match(self.query, any_word=True, drop=frozenset(self.common))
        if self.match_any and not any(w not in self.common for w in self.query.words):
            self.match_any = self.match_all  # no rare word to fall back on

    def _common_words(self) -> tuple[set[str], dict[str, int]]:
        articles = self.search.article_count()
        if articles < COMMON_MIN_ARTICLES or not self.query.words:
            return set(), {}
        terms = self.search.index_terms(self.query.words)
        counts = _term_documents(self.store, articles, set(terms))
        by_word = {w: counts.get(t, 0) for w, t in zip(self.query.words, terms, strict=True)}
        return {w for w, n in by_word.items() if n > COMMON_SHARE * articles}, by_word

    def text(self, depth: int) -> tuple[list[tuple[int, float]], int]:
        self._prepare_text()
        if self.query.words and not self.query.phrases and set(self.query.words) <= self.common:
            return self._bounded_text(depth)
        if self.doc_counts and min(self.doc_counts.values()) > self.search.many_matches:
            if not self.where:
                bounded = self._newest_of_many_unfiltered(depth)
                if bounded is not None:
                    return bounded
            else:
                total = self.search.text_count(self.match_all, self.where, self.params)
                if total > self.search.many_matches:  # counted: those passing the filter
                    return self._newest_of_many_filtered(depth, total)
        ranked, total = self.search.text_ranked(self.match_all, self.where, self.params, depth)
        if len(ranked) < depth and self.match_any != self.match_all:
            seen = {article_id for article_id, _ in ranked}
            extra = self.search.text_hits(self.match_any, self.where, self.params, depth)
            ranked += [(a, s) for a, s in extra if a not in seen][: depth - len(ranked)]
            total = max(total, len(ranked))
        return ranked, total

    def _bounded_text(self, depth: int) -> tuple[list[tuple[int, float]], int]:
        """Only very common words: rank the newest articles containing them (see above)."""
        if self.where:
            threshold = self.search.newest_threshold(self.match_all, BOUNDED_CANDIDATES)
            ranked = self.search.text_hits(
                self.match_all, self.where, self.params, depth, min_id=threshold
            )
        else:
            ranked, threshold = self._newest_ranked(depth)
        self.notes.append(
            "only very common words: ranked among the"
            f" {BOUNDED_CANDIDATES} most recently added articles containing them"
        )
        if self.where:
            return ranked, len(ranked)
        if not threshold:  # under BOUNDED_CANDIDATES match at all
            return ranked, self.search.text_count(self.match_all, "", [])
        return ranked, max(len(ranked), self._matches_since(threshold))

    def _matches_since(self, threshold: int) -> int:
        """Matches in the library, estimated from the id `threshold` the newest
        BOUNDED_CANDIDATES of them reach back to (two significant figures). The rarest
        word's count, used before, is only an upper bound: 211,512 for a query 77,908
        articles match at a million."""
        span = max(1, self.search.newest_id() - threshold + 1)
        return int(float(f"{BOUNDED_CANDIDATES * self.search.article_count() / span:.2g}"))

    def _newest_ranked(self, depth: int) -> tuple[list[tuple[int, float]], int]:
        """The best `depth` of the newest BOUNDED_CANDIDATES matches, no filter, and the id
        they reach back to (0: fewer match). The rarest word's count is the store's guess
        at the matches (an upper bound), to size where it looks first."""
        expected = min(self.doc_counts.values()) if self.doc_counts else 0
        return self.search.newest_ranked(self.match_all, depth, BOUNDED_CANDIDATES, expected)

    def _newest_of_many_unfiltered(self, depth: int) -> tuple[list[tuple[int, float]], int] | None:
        """Without a filter: the ranking of the newest matches and the estimated total
        when over `many_matches` articles match, else None (then every match is ranked).

        Counting reads every match (150-350 ms at a million articles on PostgreSQL, which
        visits each one's row), so the count is estimated from how far back the newest
        BOUNDED_CANDIDATES matches reach; the ranking of those comes with it."""
        ranked, threshold = self._newest_ranked(depth)
        if not threshold:  # fewer than BOUNDED_CANDIDATES match
            return None
        estimate = self._matches_since(threshold)
        if estimate <= self.search.many_matches:
            return None
        self.notes.append(
            f"about {estimate:,} articles match: ranked among the"
            f" {BOUNDED_CANDIDATES:,} most recently added of them"
        )
        return ranked, estimate

    def _newest_of_many_filtered(
        self, depth: int, total: int
    ) -> tuple[list[tuple[int, float]], int]:
        """Over `many_matches` articles pass the filter: rank the newest matches that do. The
        newest matches may hold too few that pass it; the window then widens."""
        window = BOUNDED_CANDIDATES
        while True:
            threshold = self.search.newest_threshold(self.match_all, window)
            ranked = self.search.text_hits(
                self.match_all, self.where, self.params, depth, min_id=threshold
            )
            if len(ranked) >= depth or threshold == 0:
                break
            window *= 8
        if threshold:  # else every match was ranked after all
            self.notes.append(
                f"{total:,} articles match: ranked among the {window:,} most recently added of them"
            )
        return ranked, total

    def query_vector(self) -> np.ndarray:
        embedder = self.embedder or default_embedder()
        key = (f"{type(embedder).__qualname__}:{embedder.name}", self.query.plain_text)
        vector = _QUERY_VECTORS.get(key)
        if vector is None:
            vector = embedder.embed([self.query.plain_text])[0]
            with _QUERY_VECTORS_LOCK:  # web handler threads evict concurrently
                if len(_QUERY_VECTORS) >= QUERY_VECTOR_CACHE:
                    _QUERY_VECTORS.pop(next(iter(_QUERY_VECTORS)))
                _QUERY_VECTORS[key] = vector
        return vector

    def vector(self, depth: int) -> list[tuple[int, float]]:
        vector = self.query_vector()
        if self.where:
            candidates = self.search.filtered_ids(self.where, self.params, EXACT_FILTER_LIMIT + 1)
            if len(candidates) <= EXACT_FILTER_LIMIT:
                scored = self.search.similarities(vector, candidates)
                scored.sort(key=lambda item: (-item[1], item[0]))
                return self._refine(vector, dict(scored[: depth * SECTION_REFINE]))[:depth]
            nearest = self._nearest(vector, depth * VECTOR_OVERFETCH)
            allowed = self.search.passing([a for a, _ in nearest], self.where, self.params)
            return [(a, s) for a, s in nearest if a in allowed][:depth]
        return self._nearest(vector, depth)

    def _nearest(self, vector: np.ndarray, depth: int) -> list[tuple[int, float]]:
        """Nearest article vectors, each scored by its best of article and section match.

        The scan is over one vector per article; the stored section vectors of the nearest
        candidates then lift articles with one section squarely on the query.
        """
        best: dict[int, float] = dict(self.search.nearest_articles(vector, depth * SECTION_REFINE))
        return self._refine(vector, best)[:depth]

    def _refine(self, vector: np.ndarray, best: dict[int, float]) -> list[tuple[int, float]]:
        for article_id, sections in self.search.section_vectors(list(best)).items():
            if sections:
                top = float(np.max(np.vstack([v for _, v in sections]) @ vector))
                best[article_id] = max(best[article_id], top - SECTION_DISCOUNT)
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return self._drop_excluded(ranked)

    def _drop_excluded(self, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Honour -word for meaning results too: drop articles the text index says contain it."""
        if not self.query.excluded or not ranked:
            return ranked
        ids = [a for a, _ in ranked]
        match = " OR ".join(f'"{" ".join(words)}"' for words in self.query.excluded)
        containing = self.search.matching(match, ids)
        return [(a, s) for a, s in ranked if a not in containing]

    def hits(self, ranked: list[tuple[int, float]]) -> list[SearchHit]:
        ids = [a for a, _ in ranked]
        cards = self.search.article_cards(ids)
        terms = self.query.all_terms()
        texts = self.search.passage_texts(ids) if terms else {}
        hits = []
        for article_id, score in ranked:
            card = cards.get(article_id)
            if card is None:
                continue
            raw = best_passage(texts.get(article_id, []), terms) or _mark_words(
                _clip(card.lead), set(terms)
            )
            hits.append(
                SearchHit(
                    id=article_id,
                    url=card.url,
                    title=card.title,
                    score=float(score),
                    snippet=snippet_html(raw),
                    site=card.site,
                    date=card.date,
                )
            )
        return hits


# Per store: (article count when filled, {index term: articles containing it}).
_TERM_COUNTS: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, int]]] = (
    weakref.WeakKeyDictionary()
)
# Term counts only decide which words are "very common" (over COMMON_SHARE of the library),
# so they are reused until the library has grown or shrunk by this share; counting a common
# term's documents means reading its whole posting list (milliseconds each).
TERM_COUNT_DRIFT = 0.01


def _term_documents(store: Any, articles: int, terms: set[str]) -> dict[str, int]:
    filled, counts = _TERM_COUNTS.get(store, (articles, {}))
    if abs(articles - filled) > TERM_COUNT_DRIFT * max(filled, 1):
        filled, counts = articles, {}
    missing = terms - counts.keys()
    if missing:
        counts.update(store.search.term_documents(missing))
    _TERM_COUNTS[store] = (filled, counts)
    return {t: counts[t] for t in terms}


def _filtered_only(
    store: Any,
    text: str,
    mode: str,
    query: ParsedQuery,
    where: str,
    params: list[Any],
    limit: int,
    notes: list[str],
) -> SearchResults:
    """Only filters, no words: the matching articles, newest first."""
    ids = store.search.filtered_ids(where, params, limit)
    run = _Run(store, query, where, params, None)
    total = store.search.filtered_count(where, params)
    hits = run.hits([(a, 0.0) for a in ids])
    if not hits:
        notes.append("no articles match")
    return SearchResults(text, mode, total, hits, _join(notes))


def _join(notes: list[str]) -> str:
    return "; ".join(notes)


def _clip(text: str, words: int = 40) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _mark_words(text: str, terms: set[str]) -> str:
    """Mark query words in a passage the index did not match (meaning-only hits)."""
    if not terms:
        return text

    def mark(match: re.Match[str]) -> str:
        word = match.group(0)
        return f"{idx.MARK_START}{word}{idx.MARK_END}" if word.lower() in terms else word

    return re.sub(r"\w+", mark, text)


def snippet_html(raw: str) -> str:
    """Escape a marked snippet for HTML; the markers become <mark> elements."""
    escaped = html.escape(raw, quote=True)
    return escaped.replace(idx.MARK_START, "<mark>").replace(idx.MARK_END, "</mark>")


def snippet_pieces(marked_html: str) -> list[tuple[str, bool]]:
    """Split an HTML snippet into (text, highlighted) pieces for terminal rendering."""
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate(re.split(r"</?mark>", marked_html)):
        if part:
            pieces.append((html.unescape(part), n % 2 == 1))
    return pieces


__all__ = [
    "DEFAULT_MODE",
    "MODES",
    "SearchHit",
    "SearchResults",
    "ensure_index",
    "fuse",
    "reindex",
    "search",
    "snippet_html",
    "snippet_pieces",
    "words_of",
]
