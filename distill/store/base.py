"""The one storage interface. SQLite implements it today; PostgreSQL can later.

Callers (pipeline, CLI, web) depend on this class, never on a driver, so swapping the
database is a new subclass rather than edits across the code base.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..classify.classifier import Labels
from ..embed import DocumentVectors
from ..models import Article, Document, Summary


@dataclass
class ArticlePage:
    articles: list[Article]
    total: int


class Store(ABC):
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
        self,
        limit: int = 20,
        offset: int = 0,
        site: str = "",
        after: str = "",
        before: str = "",
    ) -> ArticlePage:
        """Newest first (published date, then id), filtered by site and date range."""

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
    def close(self) -> None: ...
