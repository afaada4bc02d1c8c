"""Storage: the only package that speaks SQL."""

from .base import ArticlePage, Store
from .sqlite import SQLiteStore, open_store

__all__ = ["ArticlePage", "SQLiteStore", "Store", "open_store"]
