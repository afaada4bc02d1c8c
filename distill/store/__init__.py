"""Storage: the `Store` seam and its engines (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .base import ArticlePage, Store
from .shared import SQLStore
from .sqlite import SQLiteStore
from .sqlite import open_store as open_sqlite

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(url: str) -> bool:
    return url.strip().lower().startswith(POSTGRES_SCHEMES)


def open_store(home: Path, database_url: str = "", migrate: bool = True) -> SQLStore:
    """The library's store: PostgreSQL when `database_url` names one (the
    `database_url` setting), else the SQLite file in the library folder, as always.

    `migrate=False` refuses a PostgreSQL database with unapplied steps (PendingMigrations);
    a SQLite library always migrates when opened: one machine owns the file."""
    if database_url:
        if not is_postgres_url(database_url):
            raise ConfigError(
                f"database_url must start with postgresql:// (got {database_url.split(':')[0]}:)"
            )
        from .postgres import PostgresStore  # the driver is imported only when used

        return PostgresStore(database_url, migrate)
    return open_sqlite(home)


__all__ = ["ArticlePage", "SQLStore", "SQLiteStore", "Store", "is_postgres_url", "open_store"]
