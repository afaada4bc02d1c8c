"""The questions the web pages and the /v1 API ask of a library, answered once for both.

Route handlers call these functions and only shape the result (HTML or JSON); they never
touch SQL. Categories and technologies come from `classify/overview.py` and corrections go
through `classify/corrections.py` (the same code as the CLI); search and related articles
from `search/`; reading state from `library/reading.py`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from ..classify import corrections, overview
from ..config import Settings
from ..errors import BadRequest, InputError, NotFound
from ..feeds import admin as feed_admin
from ..jobs import JobQueue, job_json
from ..library import reading
from ..models import SECTION_NAMES
from ..search.engine import search as run_search
from ..search.related import related as find_related
from ..store import SQLStore, open_store
from ..store import web_state as sql
from ..store.filters import UNCATEGORIZED, ArticleFilter

# Trending: a visit's weight halves every HALF_LIFE_DAYS, so yesterday's crowd still counts
# but last week's has faded; visits older than TRENDING_DAYS are ignored outright.
HALF_LIFE_DAYS = 2.0
TRENDING_DAYS = 14
# Fewer than two recent visitors is not a trend, just someone reading.
TRENDING_MIN_SCORE = 1.5
TRENDING_TOP = 10

PER_PAGE = 12  # cards per page: four rows of three on a wide screen
MAX_LIMIT = 100  # largest API page


class Library:
    """A library opened for serving: settings plus one SQLite connection per thread.

    SQLite connections must not be shared across threads mid-transaction, and the web
    server runs handlers on a thread pool, so each worker thread opens its own.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()
        self._lock = threading.Lock()
        self._stores: list[SQLStore] = []
        self._generation = 0  # bumped by close(): threads then open fresh connections
        self.related_cache = RelatedCache()
        _ = self.store  # open (and migrate) once up front so errors surface at start-up

    @property
    def store(self) -> SQLStore:
        store = getattr(self._local, "store", None)
        if store is None or getattr(self._local, "generation", -1) != self._generation:
            store = open_store(self.settings.home, self.settings.database_url)
            self._local.store = store
            self._local.generation = self._generation
            with self._lock:
                self._stores.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._stores:
                store.close()
            self._stores.clear()
            self._generation += 1


@dataclass
class Listing:
    cards: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    sort: str
    next_cursor: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# --- cursors -------------------------------------------------------------------------------


def encode_cursor(sort: str, key: list[Any]) -> str:
    raw = json.dumps({"s": sort, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, ...]:
    """The keyset position in a cursor, or BadRequest naming what is wrong with it."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        key = data["k"]
        ok = isinstance(data, dict) and isinstance(key, list) and data["s"] in sql.SORTS
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise BadRequest("cursor is not one this server issued", "bad_cursor", {"cursor": cursor})
    if data["s"] != sort:
        raise BadRequest(
            f"cursor was issued for sort={data['s']}, not sort={sort}",
            "bad_cursor",
            {"cursor": cursor},
        )
    expected = (int, str, int) if sort == "most_read" else (str, int)
    if len(key) != len(expected) or not all(
        _key_part_ok(v, t) for v, t in zip(key, expected, strict=True)
    ):
        raise BadRequest("cursor is not one this server issued", "bad_cursor", {"cursor": cursor})
    return tuple(key)


def encode_offset(offset: int) -> str:
    return encode_cursor("offset", [offset])


def decode_offset(cursor: str) -> int:
    """The position in an offset cursor (search results), or BadRequest."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset = data["k"][0] if data["s"] == "offset" else None
    except (binascii.Error, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
        offset = None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= 100_000:
        raise BadRequest("cursor is not one this server issued", "bad_cursor", {"cursor": cursor})
    return offset


def _key_part_ok(value: Any, kind: type) -> bool:
    """The right type, and an int SQLite can hold (64-bit signed, here never negative)."""
    if isinstance(value, bool) or not isinstance(value, kind):
        return False
    return isinstance(value, str) or (isinstance(value, int) and 0 <= value < 2**63)


# --- listings ------------------------------------------------------------------------------


def check_sort(sort: str) -> str:
    if sort not in sql.SORTS:
        raise BadRequest(
            f"unknown sort {sort!r}; use one of {', '.join(sql.SORTS)}",
            "bad_sort",
            {"sort": sort, "allowed": list(sql.SORTS)},
        )
    return sort


def check_date(value: str, name: str) -> str:
    if value:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise BadRequest(
                f"{name} must be a date YYYY-MM-DD, got {value!r}", "bad_date", {name: value}
            ) from None
    return value


def build_filters(
    lib: Library,
    category: str = "",
    tech: str = "",
    site: str = "",
    after: str = "",
    before: str = "",
    starred: bool | None = None,
    is_: str = "",
) -> ArticleFilter:
    """The filter a page or request asks for: NotFound for an unknown category or tag;
    archived articles are left out unless `is_` names archived, and an `is_` value not
    understood is a BadRequest (pages drop it with a note first)."""
    home = lib.settings.home
    filters = ArticleFilter(
        site=site,
        after=check_date(after, "after"),
        before=check_date(before, "before"),
        category=overview.require_category(lib.store, home, category) if category else "",
        tech=overview.require_technology(lib.store, home, tech) if tech else "",
        starred=starred,
    )
    notes = reading.apply_is(filters, is_)
    if notes:
        raise BadRequest(
            "; ".join(notes), "bad_filter", {"is": is_, "allowed": list(reading.IS_VALUES)}
        )
    return filters


def listing(
    lib: Library,
    filters: ArticleFilter,
    sort: str = "newest",
    page: int = 1,
    per_page: int = PER_PAGE,
    cursor: str = "",
) -> Listing:
    """A page of cards by page number (pages) or by cursor (API); both report next_cursor."""
    check_sort(sort)
    if page < 1:
        raise BadRequest(f"page must be 1 or more, got {page}", "bad_page", {"page": page})
    total = lib.store.web.count_cards(filters)
    key = decode_cursor(cursor, sort) if cursor else None
    offset = 0 if key is not None else (page - 1) * per_page
    cards = lib.store.web.list_cards(filters, sort, per_page + 1, offset, key)
    more = len(cards) > per_page
    cards = cards[:per_page]
    decorate(lib, cards)
    next_cursor = encode_cursor(sort, sql.cursor_key(sort, cards[-1])) if more and cards else None
    return Listing(cards, total, page, per_page, sort, next_cursor)


def article_exists(lib: Library, article_id: int) -> bool:
    return lib.store.article_exists(article_id)


def recently_added(lib: Library, filters: ArticleFilter, limit: int) -> list[dict[str, Any]]:
    """The articles that arrived in the library last (what an Atom feed carries)."""
    return lib.store.web.list_cards(filters, "added", limit)


def decorate(lib: Library, cards: list[dict[str, Any]]) -> None:
    """Add what cards need beyond the articles table: trending flag, category, tags."""
    hot = trending_scores(lib)
    labels = lib.store.labels.labels_for([c["id"] for c in cards])
    for card in cards:
        card["trending"] = card["id"] in hot
        found = labels.get(card["id"])
        card["category"] = (found.category if found else "") or UNCATEGORIZED
        card["tags"] = list(found.tags) if found else []


# --- articles ------------------------------------------------------------------------------


def article_detail(lib: Library, article_id: int) -> dict[str, Any]:
    """Everything the article page and GET /v1/articles/{id} show."""
    article = lib.store.get_article(article_id)
    card = lib.store.web.cards_by_ids([article_id])[article_id]
    decorate(lib, [card])
    doc = article.document
    card.update(
        source=doc.source,
        language=doc.language,
        description=doc.description,
        source_tags=doc.tags,
        blocks=[
            {"kind": b.kind, "text": b.text, "level": b.level, "language": b.language}
            for b in doc.blocks
        ],
    )
    if card["summary"]:
        order = {name: i for i, name in enumerate(SECTION_NAMES)}
        card["summary"]["sections"].sort(key=lambda s: order.get(s["name"], len(order)))
    return card


# How long an article page reuses its related articles. Finding them is an exact scan of
# every article vector: about 90% of an article page's time at 100,000 articles
# (docs/benchmarks.md, "Web"), for a list that changes only as the library does.
RELATED_TTL_S = 120.0
RELATED_CACHE_SIZE = 4096


class RelatedCache:
    """(article, limit) -> related ids and reasons for RELATED_TTL_S, in this process.

    Cards are read fresh on each view, so a removed article, a star or a read state shows
    at once; an article added meanwhile joins the list within the TTL. Label corrections
    and removals made through this process clear it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[int, int], tuple[float, list[tuple[int, str]]]] = (
            OrderedDict()
        )

    def get(self, key: tuple[int, int]) -> list[tuple[int, str]] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] < time.monotonic():
                return None
            return item[1]

    def put(self, key: tuple[int, int], found: list[tuple[int, str]]) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + RELATED_TTL_S, found)
            self._items.move_to_end(key)
            while len(self._items) > RELATED_CACHE_SIZE:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def related(
    lib: Library, article_id: int, limit: int = 5, cached: bool = False
) -> list[dict[str, Any]]:
    """Related articles as cards with their reason; `cached` (the article page) reuses a
    list found in the last RELATED_TTL_S, the API always finds them afresh."""
    lib.store.require_article(article_id)
    found = lib.related_cache.get((article_id, limit)) if cached else None
    if found is None:
        found = [
            (r.id, "; ".join(x.text for x in r.reasons) or f"similar ({r.score:.2f})")
            for r in find_related(lib.store, article_id, limit).results
        ]
        lib.related_cache.put((article_id, limit), found)
    cards = lib.store.web.cards_by_ids([i for i, _ in found])
    out = []
    for rid, reason in found:
        if rid in cards:
            cards[rid]["reason"] = reason
            out.append(cards[rid])
    decorate(lib, out)
    return out


def set_starred(lib: Library, article_id: int, starred: bool) -> None:
    lib.store.web.set_starred(article_id, starred)


def delete_article(lib: Library, article_id: int) -> None:
    """Remove the article and everything derived from it (Store.remove_articles)."""
    lib.store.remove_articles([article_id])
    lib.related_cache.clear()


def update_labels(
    lib: Library, article_id: int, category: str | None, tags: list[str] | None
) -> None:
    """A reader's correction: the same rules as `distill categorize` and `distill tags`."""
    lib.store.require_article(article_id)
    if category is not None:
        corrections.categorize(lib.store, lib.settings, article_id, category)
    if tags is not None:
        corrections.replace_tags(lib.store, lib.settings, article_id, tags)
    lib.related_cache.clear()  # reasons name shared technologies


# --- views and trending ---------------------------------------------------------------------


def visitor_id(lib: Library, client: str, user_agent: str) -> str:
    """A keyed hash of the client, so visits can be de-duplicated without storing addresses."""
    key = lib.store.web.secret("visitor").encode()
    return hmac.new(key, f"{client}\n{user_agent}".encode(), hashlib.sha256).hexdigest()[:32]


def record_view(lib: Library, article_id: int, visitor: str, today: dt.date | None = None) -> bool:
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    counted = lib.store.web.record_visit(article_id, day, visitor)
    if counted:
        _TRENDING_CACHE.clear()
    return counted


_TRENDING_CACHE: dict[str, dict[int, float]] = {}


def trending_scores(lib: Library, today: dt.date | None = None) -> dict[int, float]:
    """Article id -> decayed view score for the TRENDING_TOP articles above the minimum."""
    today = today or dt.datetime.now(dt.UTC).date()
    cache_key = f"{lib.settings.home}:{today}"
    if cache_key in _TRENDING_CACHE:
        return _TRENDING_CACHE[cache_key]
    first = (today - dt.timedelta(days=TRENDING_DAYS)).isoformat()
    scores: dict[int, float] = {}
    for article_id, day, visitors in lib.store.web.visits_since(first):
        age = (today - dt.date.fromisoformat(day)).days
        scores[article_id] = scores.get(article_id, 0.0) + visitors * 0.5 ** (age / HALF_LIFE_DAYS)
    top = sorted(((s, i) for i, s in scores.items() if s >= TRENDING_MIN_SCORE), reverse=True)[
        :TRENDING_TOP
    ]
    result = {i: round(s, 3) for s, i in top}
    _TRENDING_CACHE.clear()
    _TRENDING_CACHE[cache_key] = result
    return result


def trending(lib: Library, limit: int = TRENDING_TOP) -> list[dict[str, Any]]:
    scores = trending_scores(lib)
    ids = sorted(scores, key=lambda i: -scores[i])[:limit]
    cards = lib.store.web.cards_by_ids(ids)
    out = [cards[i] | {"score": scores[i]} for i in ids if i in cards]
    decorate(lib, out)
    return out


# --- home, categories, technologies, search ------------------------------------------------


def categories(lib: Library) -> list[dict[str, Any]]:
    """Categories with their article count and how many of those are unread."""
    unread = reading.unread_per_category(lib.store)
    found = overview.categories(lib.store, lib.settings.home)
    return [c | {"unread": unread.get(c["name"], 0)} for c in found]


def technologies(lib: Library, limit: int = 50) -> list[dict[str, Any]]:
    return overview.technologies(lib.store, limit)


def technology(lib: Library, name: str) -> dict[str, Any]:
    return overview.technology(lib.store, lib.settings.home, name)


# Chart data is aggregated over every article (seconds at 100,000 articles), so a home page
# may show charts up to this old while articles keep arriving; counts stay exact.
CHART_REUSE_SECONDS = 300.0


def home(lib: Library) -> dict[str, Any]:
    store = lib.store
    latest = listing(lib, build_filters(lib), "newest", 1, 6)
    return {
        "total": store.remembered("total_articles", store.web.total_articles),
        "states": reading.state_counts(store),
        "categories": categories(lib),
        "latest": latest.cards,
        "trending": trending(lib, 6),
        "technologies": store.remembered("top_technologies", lambda: technologies(lib, 20)),
        "sites": store.remembered(
            "top_sites",
            lambda: [{"name": n, "count": c} for n, c in store.web.top_sites(8)],
        ),
        **store.remembered("home_charts", lambda: _charts(store), CHART_REUSE_SECONDS),
    }


def _charts(store: SQLStore) -> dict[str, Any]:
    return {
        "per_month": store.web.articles_per_month(),
        "category_months": overview.category_months(store),
        "rising": overview.rising_technologies(store),
    }


def search(
    lib: Library,
    query: str,
    filters: dict[str, str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """Results as cards with a `snippet` (HTML with <mark>, sanitised by the caller)."""
    query = query.strip()
    if len(query) > 1000:
        raise InputError("query is longer than 1,000 characters")
    if not query:
        return {"query": query, "total": 0, "results": [], "message": ""}
    found = run_search(lib.store, query, limit=offset + limit, filters=filters or {})
    hits = found.results[offset : offset + limit]
    cards = lib.store.web.cards_by_ids([h.id for h in hits])
    results = []
    for hit in hits:
        card = cards.get(hit.id)
        if card is not None:
            card["snippet"] = hit.snippet
            card["score"] = hit.score
            results.append(card)
    total, message = int(found.total), found.message
    decorate(lib, results)
    return {"query": query, "total": total, "results": results, "message": message}


# --- feeds and the job queue ---------------------------------------------------------------


def feeds(lib: Library, feed_id: int | None = None) -> list[dict[str, Any]]:
    """Subscriptions with their status (feeds/admin.py); NotFound for an unknown id."""
    return feed_admin.feeds_status(lib.store, feed_id)


def jobs(
    lib: Library, state: str = "", kind: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """Jobs newest first in the `distill jobs list --json` shape, the total matching, and
    the count per state of the whole queue."""
    items, total = lib.store.jobs.list_jobs(state=state, kind=kind, limit=limit, offset=offset)
    return [job_json(j) for j in items], total, lib.store.jobs.counts()


def job(lib: Library, job_id: int) -> dict[str, Any]:
    found = lib.store.jobs.get_job(job_id)
    if found is None:
        raise NotFound(f"no job with id {job_id}")
    return job_json(found)


def retry_job(lib: Library, job_id: int) -> dict[str, Any]:
    """Queue a failed job again and return it (the caller checks that it failed)."""
    JobQueue(lib.store, lib.settings).retry_failed([job_id])
    return job(lib, job_id)
