"""The one storage interface: a library object made of parts.

Everything above `store/` asks a `Store` and never sees a driver or writes SQL. The store
answers article questions itself and hands out one part per area: `labels` (categories,
tags, merges), `search` (full-text and vector entry points), `feeds`, `jobs` (the queue),
`web` (cards, stars, visits, tokens) and `fallbacks` (why an LLM did not summarise). The
parts speak plain SQL over the store's one connection, so what they write inside
`store.transaction()` commits together; a second engine implements this class and the
parts, reusing every statement that is the same in its dialect.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..models import Article, Document, DocumentVectors, Labels, Summary
from .filters import ArticleFilter

if TYPE_CHECKING:  # the parts' types, for readers and mypy; no import cycle at run time
    import numpy as np

    from .export_rows import ExportStore
    from .fallbacks import FallbackStore
    from .feeds import FeedStore
    from .jobs import JobStore
    from .labels import LabelStore
    from .reading import ReadingStore
    from .search_index import SearchStore
    from .web_state import WebStateStore


T = TypeVar("T")


@dataclass
class ArticlePage:
    articles: list[Article]
    total: int


class Store(ABC):
    labels: LabelStore
    search: SearchStore
    feeds: FeedStore
    jobs: JobStore
    web: WebStateStore
    fallbacks: FallbackStore
    reading: ReadingStore
    export: ExportStore

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Any]:
        """One write transaction over every part; rolled back on any exception."""

    @abstractmethod
    def find_duplicate(self, canonical_url: str, content_hash: str) -> int | None:
        """The id of an article with this canonical URL or content hash, if any."""

    @abstractmethod
    def add_article(
        self,
        doc: Document,
        content_hash: str,
        summary: Summary | None,
        vectors: DocumentVectors | None = None,
        model: str = "",
        labels: Labels | None = None,
    ) -> int:
        """Store a document, its summary, vectors and labels in one transaction; return the
        new id."""

    @abstractmethod
    def get_article(self, article_id: int) -> Article:
        """The article with this id, or raise NotFound."""

    @abstractmethod
    def list_articles(
        self, limit: int = 20, offset: int = 0, filters: ArticleFilter | None = None
    ) -> ArticlePage:
        """Newest first (published date, then id), narrowed by `filters`."""

    @abstractmethod
    def remove_articles(self, ids: list[int]) -> list[dict[str, Any]]:
        """Remove all of `ids` or none; [{id, title}] of what went."""

    @abstractmethod
    def save_summary(self, article_id: int, summary: Summary) -> None:
        """Replace an article's summary."""

    @abstractmethod
    def delete_article(self, article_id: int) -> None:
        """Remove an article and everything that hangs off it."""

    @abstractmethod
    def article_ids(self) -> list[int]:
        """Every article id, oldest first."""

    @abstractmethod
    def article_exists(self, article_id: int) -> bool: ...

    @abstractmethod
    def require_article(self, article_id: int) -> None:
        """NotFound naming the id unless the article exists."""

    @abstractmethod
    def summary_versions(self) -> dict[int, tuple[str, str]]:
        """article id -> (backend, version) of its stored summary."""

    @abstractmethod
    def write_vectors(self, article_id: int, vectors: DocumentVectors, model: str) -> None:
        """Replace an article's vectors inside the caller's transaction."""

    @abstractmethod
    def article_vector(self, article_id: int) -> np.ndarray | None: ...

    @abstractmethod
    def remembered(self, key: Hashable, compute: Callable[[], T], reuse_for: float = 0) -> T:
        """compute(), remembered until the library's content changes."""

    @abstractmethod
    def close(self) -> None: ...


__all__ = ["ArticlePage", "Store"]
